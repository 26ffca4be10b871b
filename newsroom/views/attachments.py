"""
Attachment downloads (see newsroom/services/attachments.py for the rules).

Files are always sent through this view, never linked under ``/media/``: it
is what hides the attachments of unpublished articles and counts downloads.
"""

import logging

from django.http import FileResponse, Http404
from django.views import View

from newsroom.models import Attachment
from newsroom.services import attachments, moderation

from .clicks import ClickRecordingMixin

logger = logging.getLogger(__name__)


class AttachmentDownloadView(ClickRecordingMixin, View):
    """
    GET: the file, counted once per visitor per window (bots never count).
    HEAD: the same headers, never counted.

    Attachments of articles the public cannot see are a 404, except for staff
    who may edit the article (a preview, not counted).
    """

    http_method_names = ["get", "head"]

    def get(self, request, pk):
        _counted, attachment = attachments.attachment_download_record(
            attachment_id=pk,
            visitor_ids=self.visitor_ids(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
        return self.respond(attachment or self.preview(request, pk))

    def head(self, request, pk):
        self.new_cookie = None
        attachment = attachments.attachment_get_visible(attachment_id=pk)
        return self.respond(attachment or self.preview(request, pk))

    def preview(self, request, pk) -> Attachment:
        """An attachment of an unpublished article, for staff who may edit it."""
        self.new_cookie = None
        user = request.user
        if not (user.is_authenticated and user.is_staff):
            raise Http404("No such attachment.")
        attachment = Attachment.objects.select_related("article").filter(pk=pk).first()
        if attachment is None or not moderation.can_edit(user, attachment.article):
            raise Http404("No such attachment.")
        return attachment

    def respond(self, attachment: Attachment):
        try:
            handle = attachment.file.storage.open(attachment.file.name, "rb")
        except FileNotFoundError:
            logger.warning("Attachment %s: file %s is missing", attachment.pk, attachment.file.name)
            raise Http404("No such attachment.") from None
        # Django writes Content-Disposition: filename="…" for ASCII names,
        # filename*=utf-8''… (RFC 6266/5987) for Chinese ones.
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=attachment.name,
            content_type=attachment.content_type or "application/octet-stream",
        )
        response["X-Content-Type-Options"] = "nosniff"
        # Should a browser ever render the file, it gets no scripts and no origin.
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        # finish() sets the visitor cookie and forbids caching (previews, counts).
        return self.finish(response)
