"""django-axes under a translated name: its app config has no verbose_name,
so the admin showed the label "Axes"."""

from axes.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AppConfig):
    verbose_name = _("Login attempts")
