from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("newsroom.urls")),
]

if settings.NEWSROOM_SERVE_MEDIA:
    # Behind nginx (see deploy/) the web server serves media from disk instead.
    urlpatterns.insert(0, path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}))

handler404 = "newsroom.views.errors.page_not_found"
