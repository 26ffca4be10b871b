from . import axes, content, moderation, org  # noqa: F401  (registers the model admins)
