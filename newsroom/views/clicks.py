from django.http import JsonResponse
from django.views import View


class ArticleClickView(View):
    def post(self, request, pk):
        return JsonResponse({}, status=501)


class ArticleClickBeaconView(View):
    def get(self, request, pk):
        return JsonResponse({}, status=501)
