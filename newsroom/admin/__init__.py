from . import axes, content, legacy, moderation, org, safety  # noqa: F401  (registers the model admins)
