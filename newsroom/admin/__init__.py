from . import content, moderation, org  # noqa: F401  (registers the model admins)
