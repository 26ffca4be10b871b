"""The Redis high-traffic mode: buffered increments, flushing, interruptions."""

import pytest
from django.urls import reverse

from newsroom.models import Article, ClickFlush, DailyClickCount
from newsroom.services import clicks
from tests.factories import ArticleFactory
from tests.utils import BROWSER_UA


@pytest.fixture
def redis_buffer(settings, redis_db):
    settings.REDIS_URL = redis_db.url
    settings.NEWSROOM_CLICK_BUFFER = "redis"
    clicks.redis_client.cache_clear()
    yield redis_db
    clicks.redis_client.cache_clear()


def stored(article):
    return Article.objects.values_list("click_count", flat=True).get(pk=article.pk)


def view(_client, article, n):
    """A view by a new visitor (no cookie, a user agent of its own)."""
    from django.test import Client

    return Client().post(
        reverse("newsroom:article-click", args=[article.pk]), HTTP_USER_AGENT=f"{BROWSER_UA} {n}"
    )


@pytest.mark.django_db
def test_buffered_views_show_at_once_and_reach_the_database_on_flush(client, redis_buffer):
    """Views go to Redis, the shown count includes them, and a flush stores them."""
    article = ArticleFactory(click_count=10)
    Article.objects.filter(pk=article.pk).update(click_count=10)
    responses = [view(client, article, n).json() for n in range(3)]
    assert [r["count"] for r in responses] == [11, 12, 13]
    assert stored(article) == 10
    assert clicks.flush_pending() == 3
    assert stored(article) == 13
    assert DailyClickCount.objects.get(article=article).count == 3
    assert clicks.buffered_count(article_id=article.pk) == 13
    assert clicks.flush_pending() == 0


@pytest.mark.django_db
def test_buffered_mode_refuses_invisible_articles(client, redis_buffer):
    """A draft is a 404 in the buffered mode too, and nothing is buffered."""
    draft = ArticleFactory(status=Article.Status.DRAFT)
    assert view(client, draft, 1).status_code == 404
    assert redis_buffer.hlen(clicks.PENDING_TOTALS) == 0


@pytest.mark.django_db(transaction=True)
def test_flush_interrupted_before_commit_loses_nothing(client, redis_buffer, monkeypatch):
    """A flush that fails mid-way leaves its batch pending; the next flush applies it once."""
    article = ArticleFactory()
    for n in range(4):
        view(client, article, n)
    original_create = ClickFlush.objects.create

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(ClickFlush.objects, "create", broken)
    with pytest.raises(RuntimeError):
        clicks.flush_pending()
    assert stored(article) == 0  # the transaction rolled back
    assert clicks.buffered_count(article_id=article.pk) == 4  # still shown
    view(client, article, 99)  # views keep counting meanwhile
    monkeypatch.setattr(ClickFlush.objects, "create", original_create)
    assert clicks.flush_pending() == 5
    assert stored(article) == 5
    assert DailyClickCount.objects.get(article=article).count == 5


@pytest.mark.django_db(transaction=True)
def test_flush_interrupted_after_commit_applies_nothing_twice(client, redis_buffer, monkeypatch):
    """If the process dies after the commit but before cleaning Redis, no click is doubled."""
    article = ArticleFactory()
    for n in range(3):
        view(client, article, n)
    original = clicks._forget_batch

    def die(client_, batch):
        raise KeyboardInterrupt

    monkeypatch.setattr(clicks, "_forget_batch", die)
    with pytest.raises(KeyboardInterrupt):
        clicks.flush_pending()
    assert stored(article) == 3
    monkeypatch.setattr(clicks, "_forget_batch", original)
    assert clicks.flush_pending() == 0
    assert stored(article) == 3
    assert redis_buffer.scard(clicks.IN_FLIGHT) == 0
    assert clicks.buffered_count(article_id=article.pk) == 3


@pytest.mark.django_db
def test_flush_command(redis_buffer, client):
    """manage.py flush_clicks applies the buffer and reports the number."""
    from io import StringIO

    from django.core.management import call_command

    article = ArticleFactory()
    view(client, article, 1)
    out = StringIO()
    call_command("flush_clicks", stdout=out)
    assert "Flushed 1 clicks." in out.getvalue()
    assert stored(article) == 1
