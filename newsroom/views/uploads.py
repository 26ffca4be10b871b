from django.http import JsonResponse
from django.views import View


class EditorImageUploadView(View):
    """Placeholder: replaced by the real upload view."""

    def post(self, request):
        return JsonResponse({"error": {"message": "not implemented"}}, status=501)
