from . import axes, content, health, moderation, org, safety  # noqa: F401  (registers the model admins)
