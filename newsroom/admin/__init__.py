from . import content, org  # noqa: F401  (registers the model admins)
