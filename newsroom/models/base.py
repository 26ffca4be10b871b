from django.db import models


class ChangesPublicPages(models.Model):
    """A model whose saves and deletions change what public pages show.

    Each one bumps the content version, so that every cached page is rebuilt
    (see newsroom/services/pagecache.py).
    """

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        _content_changed()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        _content_changed()
        return result


def _content_changed():
    from newsroom.services.pagecache import content_changed

    content_changed()
