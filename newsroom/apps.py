from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def install_roles(sender, **kwargs):
    # Permissions exist only after migrate has run, so the groups are made here.
    from newsroom.services.roles import roles_install

    roles_install()


class NewsroomConfig(AppConfig):
    name = "newsroom"
    verbose_name = _("Newsroom")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from newsroom import checks  # noqa: F401 — registers the deploy checks
        from newsroom.core import content_version
        from newsroom.models import Article
        from newsroom.models.org import next_grey_change

        post_migrate.connect(install_roles, sender=self)
        # The content version asks the articles when content next changes by
        # itself; the core layer below the models cannot import them.
        # Grey mode (一键变灰) switching at its scheduled times is such a change too.
        content_version.set_boundary_source(
            lambda now: min(
                (
                    m
                    for m in (Article.objects.next_change(now), next_grey_change(now))
                    if m is not None
                ),
                default=None,
            )
        )
