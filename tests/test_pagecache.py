"""The public page cache: hits, and never serving anything stale or private."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsroom.core import content_version
from newsroom.models import Article
from newsroom.services import moderation, revisions
from tests.factories import ArticleFactory, CategoryFactory, SuperuserFactory, member, seen_now
from tests.utils import BROWSER_UA

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.NEWSROOM_PAGE_CACHE = True


@pytest.fixture
def column():
    return CategoryFactory(slug="news", department__slug="info")


@pytest.fixture
def boss():
    return SuperuserFactory()


def pages_of(article):
    return [
        article.get_absolute_url(),
        article.category.get_absolute_url(),
        article.category.department.get_absolute_url(),
        f"/feeds/{article.category.department.slug}/rss.xml",
    ]


def test_second_visit_is_a_hit_without_queries(client, column, django_assert_num_queries):
    """An anonymous repeat visit is served from the cache with no SQL at all."""
    article = ArticleFactory(category=column)
    for url in pages_of(article):
        assert client.get(url)["X-Cache"] == "miss"
        with django_assert_num_queries(0):
            response = client.get(url)
        assert response["X-Cache"] == "hit", url
        assert response.status_code == 200


@pytest.mark.parametrize("change", ["take_down", "edit", "delete", "pin", "column", "department"])
def test_changes_show_on_every_affected_page_at_once(client, column, boss, change):
    """A change to an article, column or department shows on every page at once."""
    article = ArticleFactory(category=column, title="原来的标题")
    for url in pages_of(article):
        client.get(url)
    if change == "take_down":
        moderation.article_take_down(article=article, user=boss)
        for url in pages_of(article):
            assert "原来的标题" not in client.get(url).text, url
    elif change == "edit":
        article.title = "新的标题"
        revisions.article_save(article=article, user=boss, base_version=article.version)
        for url in pages_of(article):
            assert "新的标题" in client.get(url).text, url
    elif change == "delete":
        url = article.get_absolute_url()
        article.delete()
        assert client.get(url).status_code == 404
        assert "原来的标题" not in client.get(column.get_absolute_url()).text
    elif change == "pin":
        moderation.article_pin(article=article, user=boss)
        assert "badge" in client.get(column.get_absolute_url()).text
    elif change == "column":
        column.name = "改名的栏目"
        column.save()
        assert "改名的栏目" in client.get(article.get_absolute_url()).text
    elif change == "department":
        column.department.name = "新学院名"
        column.department.save()
        assert "新学院名" in client.get(column.department.get_absolute_url()).text


def test_publishing_shows_on_lists_and_neighbours_at_once(client, column, boss):
    """A newly approved article appears in the list and as its neighbour's 上一篇."""
    older = ArticleFactory(category=column, title="较早的文章")
    client.get(older.get_absolute_url())
    client.get(column.get_absolute_url())
    pending = ArticleFactory(category=column, title="刚批准的文章", status=Article.Status.PENDING)
    moderation.article_approve(article=pending, seen=seen_now(pending), user=boss)
    assert "刚批准的文章" in client.get(column.get_absolute_url()).text
    assert "刚批准的文章" in client.get(older.get_absolute_url()).text


def test_scheduled_article_appears_when_its_time_comes(client, column, boss, monkeypatch):
    """A scheduled article shows at its publish time, not when a cache entry expires."""
    start = timezone.now()
    scheduled = ArticleFactory(
        category=column, title="定时发布的文章", publish_at=start + timedelta(minutes=5)
    )
    assert "定时发布的文章" not in client.get(column.get_absolute_url()).text
    assert client.get(column.get_absolute_url())["X-Cache"] == "hit"
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(minutes=5, seconds=1))
    assert "定时发布的文章" in client.get(column.get_absolute_url()).text
    assert client.get(scheduled.get_absolute_url()).status_code == 200


def test_pin_end_is_honoured_by_the_cache(client, column, monkeypatch):
    """When a pin ends, cached lists drop the 置顶 badge at that moment."""
    start = timezone.now()
    ArticleFactory(category=column, is_pinned=True, pinned_until=start + timedelta(hours=1))
    assert "badge" in client.get(column.get_absolute_url()).text
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(hours=1, seconds=1))
    assert "badge" not in client.get(column.get_absolute_url()).text


def test_staff_are_never_served_or_stored(client, column):
    """Requests with a session (staff) bypass the cache both ways."""
    article = ArticleFactory(category=column)
    staff = Client()
    staff.force_login(member(column.department, "editor"))
    first = staff.get(article.get_absolute_url())
    assert "X-Cache" not in first
    assert client.get(article.get_absolute_url())["X-Cache"] == "miss"
    assert "X-Cache" not in staff.get(article.get_absolute_url())


def test_previews_are_never_cached(column):
    """A preview is never stored or served from the cache."""
    article = ArticleFactory(category=column, status=Article.Status.DRAFT)
    staff = Client()
    staff.force_login(SuperuserFactory())
    url = reverse("newsroom:article-preview", args=[article.pk])
    for _ in range(2):
        response = staff.get(url)
        assert "X-Cache" not in response
        assert "no-store" in response["Cache-Control"]


def test_responses_setting_cookies_are_not_stored(client, column, monkeypatch):
    """A response that sets a cookie is never stored for others."""
    article = ArticleFactory(category=column)
    from newsroom.views import public

    original = public.ArticleDetailView.get

    def with_cookie(self, request, *args, **kwargs):
        response = original(self, request, *args, **kwargs)
        response.set_cookie("private", "1")
        return response

    monkeypatch.setattr(public.ArticleDetailView, "get", with_cookie)
    client.get(article.get_absolute_url())
    assert client.get(article.get_absolute_url())["X-Cache"] == "miss"


def test_cached_article_page_counts_each_view_once(client, column):
    """Clicks stay exact when the page itself comes from the cache."""
    article = ArticleFactory(category=column)
    for n in range(3):
        visitor = Client()
        page = visitor.get(article.get_absolute_url())
        response = visitor.post(
            reverse("newsroom:article-click", args=[article.pk]),
            HTTP_USER_AGENT=f"{BROWSER_UA} {n}",
        )
        assert response.json() == {"count": n + 1, "counted": True}
        assert page["X-Cache"] == ("miss" if n == 0 else "hit")
        assert 'data-click-url="/click/' in page.text
    article.refresh_from_db()
    assert article.click_count == 3


def test_conditional_get_for_articles_and_feeds(client, column):
    """Article pages and feeds carry an ETag; a matching If-None-Match gets a 304."""
    article = ArticleFactory(category=column)
    for url in (article.get_absolute_url(), "/feeds/info/rss.xml"):
        first = client.get(url)
        etag = first["ETag"]
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
        again = client.get(url)
        assert again["ETag"] == etag


def test_version_is_shared_through_the_stamp_file(settings, tmp_path):
    """Without Redis, a change made by one process is seen by all through the stamp file."""
    before = content_version.current_version()
    (tmp_path / "content.stamp").touch()
    import os

    os.utime(tmp_path / "content.stamp", ns=(1, 10**19))
    assert content_version.current_version() != before


def test_one_request_reads_the_content_version_once(client, column, monkeypatch):
    """The page key, the columns map and 热门文章 share one reading of the version."""
    ArticleFactory(category=column)
    calls = []
    original = content_version._stored_version

    def counting():
        calls.append(1)
        return original()

    monkeypatch.setattr(content_version, "_stored_version", counting)
    assert client.get(column.department.get_absolute_url())["X-Cache"] == "miss"
    assert len(calls) == 1


@pytest.mark.parametrize("write", ["delete", "update"])
def test_bulk_writes_change_the_content_version(column, write):
    """QuerySet.delete() and update() bump the version like save() and delete() do."""
    ArticleFactory(category=column)
    before = content_version.current_version()
    articles = Article.objects.filter(category=column)
    articles.delete() if write == "delete" else articles.update(title="新标题")
    assert content_version.current_version() != before
