from . import axes, content, moderation, org, safety  # noqa: F401  (registers the model admins)
