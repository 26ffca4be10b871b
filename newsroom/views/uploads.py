from django.contrib.auth.mixins import UserPassesTestMixin
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import View

from newsroom.models import Membership
from newsroom.services.uploads import UploadRejected, image_create_from_upload


def error_response(message, *, status: int) -> JsonResponse:
    """The error shape CKEditor 5's upload adapter shows to the editor."""
    return JsonResponse({"error": {"message": str(message)}}, status=status)


class EditorImageUploadView(UserPassesTestMixin, View):
    """Receives the pictures CKEditor 5 uploads (multipart field ``upload``)."""

    http_method_names = ["post"]

    def test_func(self):
        # Uploading is for those who write in a department (or site admins): a
        # staff account with no membership has nowhere to put the picture.
        user = self.request.user
        if not (user.is_active and user.is_staff):
            return False
        return user.is_superuser or Membership.objects.filter(user=user).exists()

    def handle_no_permission(self):
        # JSON, not a redirect to the login page: the editor shows the message.
        return error_response(
            _("Only editors and reviewers of a department may upload images."), status=403
        )

    def post(self, request):
        try:
            uploaded_file = request.FILES.get("upload")
        except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent):
            return error_response(_("The upload is too large."), status=400)
        if uploaded_file is None:
            return error_response(_("No file was uploaded."), status=400)
        try:
            image = image_create_from_upload(uploaded_file=uploaded_file, user=request.user)
        except UploadRejected as rejection:
            return error_response(rejection.message, status=400)
        return JsonResponse(
            {"url": image.url, "id": image.pk, "width": image.width, "height": image.height}
        )
