"""Every public page runs a fixed number of queries, whatever the archive size."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from newsroom.core.content_version import forget_local_values
from newsroom.models import Article, DailyClickCount
from tests.factories import ArticleFactory, CategoryFactory, DepartmentFactory, ImageFactory

pytestmark = pytest.mark.django_db

# With the navigation (a department's columns) and 热门文章 in the cache, as
# they are on every request but the first few minutes' first one.
EXPECTED = {
    "home": 1,
    "department": 2,  # every column's articles, image news (the department from the cached map)
    "column": 2,  # pinned, one page (the column from the cached map)
    "column_deep": 2,
    "article": 2,  # article with column/department/cover, neighbours (no attachments)
    "search": 1,  # the newest matches ranked, joined to the page's rows
    "feed": 1,  # items (the department from the cached site map)
    "sitemap": 2,  # count (the sitemap paginator needs it), page
}


def build_site(articles_per_column):
    department = DepartmentFactory(slug="info")
    DepartmentFactory(slug="foreign")
    cover = ImageFactory()
    columns = [CategoryFactory(department=department, slug=f"c{i}") for i in range(5)]
    now = timezone.now()
    rows = []
    for column in columns:
        for i in range(articles_per_column):
            rows.append(
                Article(
                    category=column,
                    title=f"{column.slug}-{i}教学",
                    status=Article.Status.PUBLISHED,
                    publish_at=now - timedelta(hours=i + 1),
                    cover=cover if i % 3 == 0 else None,
                    is_pinned=i in (5, 7),
                    search_title=f"c {i} 教 学 教学",
                    search_document=f"c {i} 教 学 教学",
                )
            )
    Article.objects.bulk_create(rows)
    DailyClickCount.objects.bulk_create(
        DailyClickCount(article=a, day=timezone.localdate(), count=a.pk)
        for a in Article.objects.all()[:20]
    )
    return department, columns


@pytest.mark.parametrize("articles_per_column", [3, 60])
def test_public_page_query_counts(client, django_assert_num_queries, articles_per_column):
    """Every public page costs the same queries with 15 or 300 articles (warm cache)."""
    department, columns = build_site(articles_per_column)
    column = columns[2]
    article = Article.objects.filter(category=column).order_by("-publish_at")[1]
    urls = {
        "home": "/",
        "department": department.get_absolute_url(),
        "column": column.get_absolute_url(),
        "column_deep": column.get_absolute_url() + "?page=2",
        "article": article.get_absolute_url(),
        "search": "/search/?q=教学",
        "feed": "/feeds/info/rss.xml",
        "sitemap": "/sitemap-articles.xml",
    }
    for name, url in urls.items():
        if name == "column_deep" and articles_per_column < 30:
            continue
        client.get(url)  # warms the navigation and most-read caches
        with django_assert_num_queries(EXPECTED[name]):
            response = client.get(url)
        assert response.status_code == 200, name


def test_cold_cache_adds_only_the_cached_reads(client, django_assert_num_queries):
    """An empty cache adds the site map (departments, columns), most-read,
    next-scheduled-change (three: publish time, pin end, display end; two
    grey-mode schedules) and site identity (settings, friendly links) queries."""
    department, _columns = build_site(3)
    cache.clear()
    forget_local_values()
    with django_assert_num_queries(EXPECTED["department"] + 10):
        client.get(department.get_absolute_url())


def test_article_query_count_with_pinned_neighbours(client, django_assert_num_queries):
    """A pinned article's page costs the same queries."""
    article = ArticleFactory(is_pinned=True, cover=ImageFactory())
    ArticleFactory.create_batch(3, category=article.category)
    client.get(article.get_absolute_url())
    with django_assert_num_queries(EXPECTED["article"]):
        assert client.get(article.get_absolute_url()).status_code == 200


def test_article_with_attachments_adds_one_query(client, django_assert_num_queries):
    """An article with attachments costs one more query, for the list of them."""
    from django.core.files.base import ContentFile

    from newsroom.models import Attachment

    article = ArticleFactory()
    Attachment.objects.create(
        article=article,
        name="通知.pdf",
        content_type="application/pdf",
        file=ContentFile(b"%PDF-1.4", name="upload.pdf"),
    )
    article.refresh_from_db()
    assert article.has_attachments
    client.get(article.get_absolute_url())
    with django_assert_num_queries(EXPECTED["article"] + 1):
        response = client.get(article.get_absolute_url())
    assert "通知.pdf" in response.text
    Attachment.objects.get().delete()
    article.refresh_from_db()
    assert not article.has_attachments


def test_missing_and_ended_articles_run_fixed_queries(client, django_assert_num_queries):
    """A missing article's 404 asks for the article, an ended notice (公示) and an old
    site's address: three queries. An ended notice's 410 needs the first two; its
    column and department come from the cached map."""
    _department, columns = build_site(3)
    now = timezone.now()
    ended = ArticleFactory(
        category=columns[0],
        publish_at=now - timedelta(days=2),
        display_until=now - timedelta(days=1),
    )
    for url, status, queries in (
        ("/articles/999999/", 404, 3),
        (ended.get_absolute_url(), 410, 2),
    ):
        client.get(url)  # warms the site map
        with django_assert_num_queries(queries):
            response = client.get(url)
        assert response.status_code == status, url
