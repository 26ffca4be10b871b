from . import axes, content, moderation, org, site  # noqa: F401  (registers the model admins)
