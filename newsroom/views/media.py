from django.conf import settings
from django.http import Http404
from django.views.static import serve


def serve_media(request, path):
    """Uploaded files, when no web server in front serves them (NEWSROOM_SERVE_MEDIA)."""
    # Attachments go through their download view (visibility, counting), never here.
    if not settings.NEWSROOM_SERVE_MEDIA or path.startswith("attachments/"):
        raise Http404
    return serve(request, path, document_root=settings.MEDIA_ROOT)
