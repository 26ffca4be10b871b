from . import axes, content, health, moderation, org, safety, site  # noqa: F401  (registers the model admins)
