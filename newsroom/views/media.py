import os

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404
from django.utils._os import safe_join
from django.views.static import serve


def serve_media(request, path):
    """
    Uploaded pictures, when no web server in front serves them (NEWSROOM_SERVE_MEDIA).

    Attachments are not below MEDIA_ROOT (see newsroom/storage.py), so no
    spelling of a path reaches them here; a symbolic link that leads out of
    MEDIA_ROOT is refused too, as nginx's ``disable_symlinks`` does.
    """
    if not settings.NEWSROOM_SERVE_MEDIA:
        raise Http404
    root = os.path.realpath(settings.MEDIA_ROOT)
    try:
        real = os.path.realpath(safe_join(root, path))
    except (SuspiciousFileOperation, ValueError, OSError):
        raise Http404 from None
    if os.path.commonpath([root, real]) != root:
        raise Http404
    return serve(request, path, document_root=settings.MEDIA_ROOT)
