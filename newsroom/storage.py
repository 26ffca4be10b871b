"""
Where attachment files (附件) are kept: a storage of their own, outside the
public media root.

Pictures in ``MEDIA_ROOT`` are public by design and served from disk by nginx
(or by ``/media/`` in development). Attachments of drafts, scheduled and
taken-down articles must not be, so their files do not live there at all: no
spelling of a ``/media/`` or ``/static/`` URL can reach a file that is not
below those roots. They are read only by the download view
(``/attachments/<id>/``), which decides who may see them.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages


class PrivateFileSystemStorage(FileSystemStorage):
    """
    Files in ``NEWSROOM_PRIVATE_ROOT``, readable by the service's user only
    (0600 in 0700 folders), and without a URL.
    """

    def __init__(self, location=None, **kwargs):
        kwargs.pop("base_url", None)
        kwargs.setdefault("file_permissions_mode", 0o600)
        kwargs.setdefault("directory_permissions_mode", 0o700)
        super().__init__(location=location, **kwargs)

    # Plain properties, not cached: tests point the setting elsewhere.
    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.NEWSROOM_PRIVATE_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Attachment files have no URL; link to the download view instead.")


def attachment_storage():
    """The storage named "attachments" in ``STORAGES`` (a callable, so settings can swap it)."""
    return storages["attachments"]


def move_files(names, *, source, target) -> tuple[int, list[str]]:
    """
    Move the named files from one storage to another under the same names;
    returns (moved, missing). Safe to run again after an interruption: a file
    already in the target is only removed from the source.
    """
    moved, missing = 0, []
    for name in names:
        if not name:
            continue
        if target.exists(name):
            if source.exists(name):
                source.delete(name)
            continue
        if not source.exists(name):
            missing.append(name)
            continue
        with source.open(name, "rb") as handle:
            saved = target.save(name, handle)
        if saved != name:  # a storage that renamed it: never leave a row pointing nowhere
            target.delete(saved)
            raise RuntimeError(f"{target!r} stored {name} as {saved}")
        source.delete(name)
        moved += 1
    return moved, missing
