from . import axes, content, moderation, org, safety, site  # noqa: F401  (registers the model admins)
