from . import axes, content, legacy, moderation, org  # noqa: F401  (registers the model admins)
