from django.urls import path

from . import feeds
from .services.pagecache import cached_page
from .views import attachments, clicks, preview, public, search, uploads

app_name = "newsroom"

urlpatterns = [
    path("", public.HomeView.as_view(), name="home"),
    path("articles/<int:pk>/", public.ArticleDetailView.as_view(), name="article-detail"),
    path(
        "preview/articles/<int:pk>/", preview.ArticlePreviewView.as_view(), name="article-preview"
    ),
    path("click/<int:pk>/", clicks.ArticleClickView.as_view(), name="article-click"),
    path(
        "click/<int:pk>/beacon.gif",
        clicks.ArticleClickBeaconView.as_view(),
        name="article-click-beacon",
    ),
    path("feeds/rss.xml", cached_page(feeds.SiteFeed()), name="site-feed-rss"),
    path("feeds/atom.xml", cached_page(feeds.SiteAtomFeed()), name="site-feed-atom"),
    path(
        "feeds/<slug:department_slug>/rss.xml",
        cached_page(feeds.DepartmentFeed()),
        name="department-feed-rss",
    ),
    path(
        "feeds/<slug:department_slug>/atom.xml",
        cached_page(feeds.DepartmentAtomFeed()),
        name="department-feed-atom",
    ),
    path(
        "feeds/<slug:department_slug>/<slug:slug>/rss.xml",
        cached_page(feeds.CategoryFeed()),
        name="category-feed-rss",
    ),
    path(
        "feeds/<slug:department_slug>/<slug:slug>/atom.xml",
        cached_page(feeds.CategoryAtomFeed()),
        name="category-feed-atom",
    ),
    path(
        "attachments/<int:pk>/",
        attachments.AttachmentDownloadView.as_view(),
        name="attachment-download",
    ),
    path("search/", search.ArticleSearchView.as_view(), name="search"),
    path("editor/images/", uploads.EditorImageUploadView.as_view(), name="editor-image-upload"),
    path("<slug:slug>/", public.DepartmentDetailView.as_view(), name="department-detail"),
    path(
        "<slug:department_slug>/<slug:slug>/",
        public.CategoryArticleListView.as_view(),
        name="category-article-list",
    ),
]
