from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from newsroom.sitemaps import SITEMAPS
from newsroom.views.health import healthz
from newsroom.views.media import serve_media
from newsroom.views.seo import favicon, robots_txt

admin.site.site_header = _("Newsroom administration")
admin.site.site_title = _("Newsroom administration")
admin.site.index_title = _("Site administration")

urlpatterns = [
    path("admin/", admin.site.urls),
    # Behind nginx (see deploy/) the web server serves media from disk instead.
    path("media/<path:path>", serve_media),
    path("robots.txt", robots_txt, name="robots-txt"),
    path("favicon.ico", favicon, name="favicon"),
    path("healthz", healthz, name="healthz"),
    path("sitemap.xml", sitemap_views.index, {"sitemaps": SITEMAPS}, name="sitemap-index"),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("", include("newsroom.urls")),
]

if settings.NEWSROOM_BENCH_CEILING:
    from bench.ceiling import ceiling

    urlpatterns.insert(0, path("bench/ceiling/", ceiling))

# The site's 404 page, in the language of the department the address is under.
handler404 = "newsroom.views.errors.page_not_found"
