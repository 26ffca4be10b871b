"""公示 that end: an article with a display end leaves every public page at that time."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from newsroom.core import content_version
from newsroom.models import Article
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    SuperuserFactory,
    article_change_data,
    attach_pdf,
)
from tests.utils import BROWSER_UA

pytestmark = pytest.mark.django_db


@pytest.fixture
def column():
    return CategoryFactory(slug="notices", department__slug="info")


@pytest.fixture
def start():
    return timezone.now()


@pytest.fixture
def notice(column, start):
    return ArticleFactory(
        category=column,
        title="拟录取名单公示",
        display_until=start + timedelta(hours=1),
        publish_at=start - timedelta(hours=1),
    )


def later(monkeypatch, start, **delta):
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(**delta))


def public_texts(client, notice, neighbour):
    department = notice.category.department
    return {
        "home": client.get(department.get_absolute_url()).text,
        "column": client.get(notice.category.get_absolute_url()).text,
        "rss": client.get(f"/feeds/{department.slug}/rss.xml").text,
        "atom": client.get(f"/feeds/{department.slug}/atom.xml").text,
        "sitemap": client.get("/sitemap-articles.xml").text,
        "search": client.get(reverse("newsroom:search"), {"q": "录取名单"}).text,
        "neighbour": client.get(neighbour.get_absolute_url()).text,
    }


def test_published_ends_at_display_until(notice, start):
    """published() holds the article until its display end, and not from then on."""
    assert Article.objects.published(at=start).filter(pk=notice.pk).exists()
    end = notice.display_until
    assert not Article.objects.published(at=end).filter(pk=notice.pk).exists()
    assert list(Article.objects.expired(at=end)) == [notice]


@pytest.mark.parametrize("cache_on", [False, True])
def test_notice_leaves_every_public_page_at_its_end(
    client, settings, notice, column, start, monkeypatch, cache_on
):
    """Lists, feeds, sitemap, search and 上一篇/下一篇 drop it at its end, cache or not."""
    settings.NEWSROOM_PAGE_CACHE = cache_on
    neighbour = ArticleFactory(
        category=column, title="另一篇文章", publish_at=start - timedelta(days=2)
    )
    before = public_texts(client, notice, neighbour)
    link = f"/articles/{notice.pk}/"
    for name, text in before.items():
        assert link in text, name
    if cache_on:
        assert client.get(column.get_absolute_url())["X-Cache"] == "hit"
    later(monkeypatch, start, hours=1, seconds=1)
    after = public_texts(client, notice, neighbour)
    for name, text in after.items():
        assert link not in text and "拟录取名单公示" not in text, name


def test_ended_notice_answers_410_in_the_site_style(client, notice, start, monkeypatch):
    """Its address answers 410 Gone with a page saying 公示期已结束, inside the site's layout."""
    assert client.get(notice.get_absolute_url()).status_code == 200
    later(monkeypatch, start, hours=2)
    response = client.get(notice.get_absolute_url())
    assert response.status_code == 410
    assert "公示期已结束" in response.text
    assert 'class="site-header"' in response.text
    assert notice.category.name in response.text
    assert "拟录取名单公示" not in response.text  # not even its title stays public
    assert 'name="robots" content="noindex"' in response.text


def test_other_missing_articles_stay_404(client, column, start):
    """Drafts, unknown and out-of-range ids are still plain 404s."""
    draft = ArticleFactory(category=column, status=Article.Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get("/articles/999999/").status_code == 404
    assert client.get(f"/articles/{2**70}/").status_code == 404


def test_cached_article_page_turns_410_at_the_end(client, settings, notice, start, monkeypatch):
    """A cached copy of the page is not served past the display end."""
    settings.NEWSROOM_PAGE_CACHE = True
    client.get(notice.get_absolute_url(), HTTP_USER_AGENT=BROWSER_UA)
    assert client.get(notice.get_absolute_url())["X-Cache"] == "hit"
    later(monkeypatch, start, hours=1)
    assert client.get(notice.get_absolute_url()).status_code == 410


def test_display_end_is_a_page_cache_boundary(notice, start):
    """The page cache's next boundary is the display end."""
    assert content_version._next_boundary(start) == notice.display_until.timestamp()


def test_attachments_of_an_ended_notice_are_404(client, notice, start, monkeypatch):
    """The files of an ended 公示 (often personal data) are no longer served."""
    attachment = attach_pdf(notice)
    assert client.get(attachment.get_absolute_url(), HTTP_USER_AGENT=BROWSER_UA).status_code == 200
    later(monkeypatch, start, hours=1)
    assert client.get(attachment.get_absolute_url(), HTTP_USER_AGENT=BROWSER_UA).status_code == 404


def test_click_on_an_ended_notice_is_not_counted(client, notice, start, monkeypatch):
    """The click endpoint treats it as invisible."""
    later(monkeypatch, start, hours=1)
    response = client.post(
        reverse("newsroom:article-click", args=[notice.pk]), HTTP_USER_AGENT=BROWSER_UA
    )
    assert response.status_code == 404


def test_admin_marks_ended_notices_and_filters_them(client, notice, column, start, monkeypatch):
    """The admin list keeps it, marked 已到期, and the 公示 filter finds it."""
    other = ArticleFactory(category=column, title="普通新闻")
    client.force_login(SuperuserFactory())
    later(monkeypatch, start, hours=1)
    url = reverse("admin:newsroom_article_changelist")
    listing = client.get(url).text
    assert "拟录取名单公示" in listing and "已到期" in listing
    ended = client.get(url, {"display": "ended"}).text
    assert "拟录取名单公示" in ended and other.title not in ended
    running = client.get(url, {"display": "running"}).text
    assert "拟录取名单公示" not in running


def test_display_end_must_follow_the_publish_time(client, notice):
    """A display end before the publish time is a form error; a later one is saved."""
    client.force_login(SuperuserFactory())
    url = reverse("admin:newsroom_article_change", args=[notice.pk])
    data = article_change_data(notice, display_until_0="2000-01-01", display_until_1="00:00:00")
    response = client.post(url, data)
    assert response.status_code == 200
    assert "display_until" in response.context["adminform"].form.errors
    end = timezone.localtime(notice.publish_at + timedelta(days=7))
    data = article_change_data(
        notice,
        display_until_0=end.strftime("%Y-%m-%d"),
        display_until_1=end.strftime("%H:%M:%S"),
    )
    assert client.post(url, data).status_code == 302
    notice.refresh_from_db()
    assert notice.display_until == end.replace(microsecond=0)
