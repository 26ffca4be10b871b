from . import axes, content, health, moderation, org  # noqa: F401  (registers the model admins)
