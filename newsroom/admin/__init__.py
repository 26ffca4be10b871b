from . import axes, content, health, legacy, moderation, org, safety, site  # noqa: F401  (registers the model admins)
