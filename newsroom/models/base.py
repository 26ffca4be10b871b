from django.db import models

from newsroom.core.content_version import content_changed


class ChangesPublicPagesQuerySet(models.QuerySet):
    """Bulk writes bump the content version too: ``QuerySet.delete()`` and
    ``update()`` never call the models' ``save()`` or ``delete()``."""

    def delete(self):
        result = super().delete()
        content_changed()
        return result

    delete.alters_data = True
    delete.queryset_only = True

    def update(self, **kwargs):
        result = super().update(**kwargs)
        content_changed()
        return result

    update.alters_data = True


class ChangesPublicPages(models.Model):
    """A model whose saves and deletions change what public pages show.

    Each one bumps the content version, so that every cached page is rebuilt
    (see newsroom/core/content_version.py); so do bulk writes through its
    ``ChangesPublicPagesQuerySet``.
    """

    objects = ChangesPublicPagesQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        content_changed()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        content_changed()
        return result
