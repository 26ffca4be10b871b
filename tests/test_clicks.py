import json
import threading
import time
from datetime import date, timedelta

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.http import parse_http_date

from newsroom.models import Article
from newsroom.services import clicks
from newsroom.views.clicks import ArticleClickView, count_json
from tests.factories import ArticleFactory
from tests.utils import BROWSER_UA, click_count


@pytest.mark.django_db
def test_increment_adds_one_and_returns_the_count():
    """The service adds exactly one and returns the stored number."""
    article = ArticleFactory()
    assert clicks.article_click_increment(article_id=article.pk) == 1
    assert clicks.article_click_increment(article_id=article.pk) == 2
    assert click_count(article) == 2


@pytest.mark.django_db
def test_increment_refuses_invisible_articles():
    """Drafts and future articles are not counted and report None."""
    draft = ArticleFactory(status=Article.Status.DRAFT)
    future = ArticleFactory(publish_at=timezone.now() + timedelta(hours=1))
    assert clicks.article_click_increment(article_id=draft.pk) is None
    assert clicks.article_click_increment(article_id=future.pk) is None
    assert click_count(draft) == 0 and click_count(future) == 0


@pytest.mark.django_db
def test_click_endpoint_counts_once_per_visitor_window(client):
    """A reload inside the window does not count again; the endpoint says so."""
    article = ArticleFactory()
    url = reverse("newsroom:article-click", args=[article.pk])
    first = client.post(url, HTTP_USER_AGENT=BROWSER_UA)
    assert first.status_code == 200
    assert first.json() == {"count": 1, "counted": True}
    assert clicks.VISITOR_COOKIE in first.cookies
    again = client.post(url, HTTP_USER_AGENT=BROWSER_UA)
    assert again.json() == {"count": 1, "counted": False}
    assert click_count(article) == 1


@pytest.mark.django_db
def test_click_answers_are_never_cached(client):
    """Counts are per visitor and per moment: no browser or proxy may keep them."""
    article = ArticleFactory()
    response = client.post(
        reverse("newsroom:article-click", args=[article.pk]), HTTP_USER_AGENT=BROWSER_UA
    )
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "no-cache", "private", "max-age=0"} <= directives
    assert parse_http_date(response["Expires"]) <= time.time()


@pytest.mark.parametrize("count, counted", [(0, False), (7, True), (2**63 - 1, False)])
def test_click_answer_is_the_json_an_encoder_would_write(count, counted):
    assert count_json(count, counted) == json.dumps({"count": count, "counted": counted}).encode()


@pytest.mark.django_db
def test_click_endpoint_counts_different_visitors():
    """Two visitors (different cookies and addresses) each count."""
    from django.test import Client

    article = ArticleFactory()
    url = reverse("newsroom:article-click", args=[article.pk])
    Client(REMOTE_ADDR="10.0.0.1").post(url, HTTP_USER_AGENT=BROWSER_UA)
    Client(REMOTE_ADDR="10.0.0.2").post(url, HTTP_USER_AGENT=BROWSER_UA)
    assert click_count(article) == 2


@pytest.mark.django_db
def test_visitor_without_cookie_is_recognised_by_address(client):
    """A client that drops cookies is still deduplicated by its hashed address and agent."""
    from django.test import Client

    article = ArticleFactory()
    url = reverse("newsroom:article-click", args=[article.pk])
    for _ in range(3):
        Client(REMOTE_ADDR="10.0.0.9").post(url, HTTP_USER_AGENT=BROWSER_UA)
    assert click_count(article) == 1


def test_fallback_visitor_id_is_salted_with_the_day():
    """The fallback id is today's by default and changes with the day."""
    today = timezone.localdate()
    same = {"address": "10.0.0.9", "user_agent": BROWSER_UA}
    assert clicks.fallback_visitor_id(**same) == clicks.fallback_visitor_id(**same, day=today)
    assert clicks.fallback_visitor_id(**same) != clicks.fallback_visitor_id(
        **same, day=today + timedelta(days=1)
    )


@pytest.mark.django_db
def test_a_click_salts_and_counts_with_one_local_date(client, monkeypatch):
    """The fallback id's salt and the daily row take the same date, read once per click."""
    from django.core.cache import cache

    from newsroom.models import DailyClickCount

    article = ArticleFactory()
    days = iter([date(2030, 1, 1), date(2030, 1, 2), date(2030, 1, 3)])
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: next(days))
    client.post(reverse("newsroom:article-click", args=[article.pk]), HTTP_USER_AGENT=BROWSER_UA)
    row = DailyClickCount.objects.get(article=article)
    assert (row.day, row.count) == (date(2030, 1, 1), 1)
    fallback = clicks.fallback_visitor_id(
        address="127.0.0.1", user_agent=BROWSER_UA, day=date(2030, 1, 1)
    )
    assert cache.get(f"click:a{article.pk}:{fallback}") == 1


@pytest.mark.django_db
def test_window_expiry_counts_again(client, settings):
    """With the window switched off every view counts."""
    settings.NEWSROOM_CLICK_WINDOW_SECONDS = 0
    article = ArticleFactory()
    url = reverse("newsroom:article-click", args=[article.pk])
    for _ in range(3):
        client.post(url, HTTP_USER_AGENT=BROWSER_UA)
    assert click_count(article) == 3


@pytest.mark.parametrize(
    "user_agent",
    [
        "",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
        "Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)",
        "curl/8.5.0",
        "python-requests/2.31.0",
        "kube-probe/1.29",
    ],
)
@pytest.mark.django_db
def test_bots_are_not_counted(client, user_agent):
    """Crawlers, monitors and scripted clients never add a click."""
    article = ArticleFactory()
    response = client.post(
        reverse("newsroom:article-click", args=[article.pk]), HTTP_USER_AGENT=user_agent
    )
    assert response.json()["counted"] is False
    assert click_count(article) == 0


@pytest.mark.parametrize(
    "user_agent",
    [
        BROWSER_UA,
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 "
        "like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 "
        "MicroMessenger/8.0.40",
    ],
)
def test_real_browsers_are_not_bots(user_agent):
    """Ordinary desktop and WeChat browsers are counted."""
    assert not clicks.is_bot(user_agent)


@pytest.mark.parametrize("pattern", clicks.BOT_USER_AGENT_PATTERNS)
def test_bot_patterns_match_in_any_case(pattern):
    """Each bot pattern is found whatever the case of the agent, as IGNORECASE finds it."""
    for agent in (pattern, pattern.upper(), pattern.title(), f"Mozilla/5.0 ({pattern.upper()})"):
        assert clicks.is_bot(agent) is bool(clicks._BOT_RE.search(agent)) is True


@pytest.mark.parametrize(
    "user_agent",
    [
        "Mozilla/5.0 (compatible; ſpider/1.0)",  # the long s folds onto "s"
        "Mozilla/5.0 (compatible; BOT) 浏览器",
        "Mozilla/5.0 (Linux) Chrome/120 浏览器",
        "Mozilla/5.0 (İOS) Chrome/120",
    ],
)
def test_non_ascii_agents_are_judged_as_ignorecase_does(user_agent):
    """An agent with non-ASCII letters is judged by Unicode case folding, not lower()."""
    assert clicks.is_bot(user_agent) is bool(clicks._BOT_RE.search(user_agent))


@pytest.mark.django_db
def test_beacon_counts_and_head_does_not(client):
    """The no-JavaScript image beacon counts; a HEAD request never does."""
    article = ArticleFactory()
    url = reverse("newsroom:article-click-beacon", args=[article.pk])
    head = client.head(url, HTTP_USER_AGENT=BROWSER_UA)
    assert head.status_code == 200
    assert click_count(article) == 0
    response = client.get(url, HTTP_USER_AGENT=BROWSER_UA)
    assert response["Content-Type"] == "image/gif"
    assert "no-cache" in response["Cache-Control"]
    assert click_count(article) == 1


@pytest.mark.django_db
def test_article_page_itself_does_not_write(client):
    """Rendering the article page counts nothing: the script or beacon does."""
    article = ArticleFactory()
    client.get(article.get_absolute_url(), HTTP_USER_AGENT=BROWSER_UA)
    assert click_count(article) == 0


@pytest.mark.django_db
def test_click_endpoint_404_for_invisible_articles(client):
    """Clicks on drafts or unknown ids are a 404 and change nothing."""
    draft = ArticleFactory(status=Article.Status.DRAFT)
    assert (
        client.post(
            reverse("newsroom:article-click", args=[draft.pk]), HTTP_USER_AGENT=BROWSER_UA
        ).status_code
        == 404
    )
    assert client.post("/click/99999999/", HTTP_USER_AGENT=BROWSER_UA).status_code == 404
    assert click_count(draft) == 0


@pytest.mark.django_db
def test_click_endpoint_refuses_cross_site_posts(client):
    """A POST a browser marks as cross-site is refused (the endpoint has no CSRF token)."""
    article = ArticleFactory()
    response = client.post(
        reverse("newsroom:article-click", args=[article.pk]),
        HTTP_USER_AGENT=BROWSER_UA,
        HTTP_SEC_FETCH_SITE="cross-site",
    )
    assert response.status_code == 403
    assert click_count(article) == 0


@pytest.mark.django_db
def test_click_endpoint_needs_no_csrf_token():
    """Cached pages carry no CSRF token, so the endpoint counts a POST without one."""
    from django.test import Client

    article = ArticleFactory()
    url = reverse("newsroom:article-click", args=[article.pk])
    response = Client(enforce_csrf_checks=True).post(url, HTTP_USER_AGENT=BROWSER_UA)
    assert response.status_code == 200
    assert resolve(url).func.view_class is ArticleClickView
    assert click_count(article) == 1


@pytest.mark.parametrize(
    "site, status", [("same-origin", 200), ("none", 200), ("same-site", 403), ("cross-site", 403)]
)
@pytest.mark.django_db
def test_click_endpoint_reads_sec_fetch_site(client, site, status):
    """Only same-origin and user-initiated ("none") POSTs count; other sites are refused."""
    article = ArticleFactory()
    response = client.post(
        reverse("newsroom:article-click", args=[article.pk]),
        HTTP_USER_AGENT=BROWSER_UA,
        headers={"Sec-Fetch-Site": site},
    )
    assert response.status_code == status
    assert click_count(article) == (1 if status == 200 else 0)


@pytest.mark.django_db
def test_click_endpoint_query_budget(client, django_assert_num_queries):
    """A counted view is one statement on PostgreSQL (two on SQLite); a repeat is one read."""
    article = ArticleFactory()
    url = reverse("newsroom:article-click", args=[article.pk])
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 2):
        client.post(url, HTTP_USER_AGENT=BROWSER_UA)
    with django_assert_num_queries(1):
        client.post(url, HTTP_USER_AGENT=BROWSER_UA)


@pytest.mark.django_db
def test_counted_views_are_kept_per_day(client):
    """Each counted view also adds to the article's row for today (Asia/Shanghai)."""
    from newsroom.models import DailyClickCount

    article = ArticleFactory()
    for _ in range(3):
        clicks.article_click_increment(article_id=article.pk)
    row = DailyClickCount.objects.get(article=article)
    assert (row.day, row.count) == (timezone.localdate(), 3)
    other = ArticleFactory(status=Article.Status.DRAFT)
    clicks.article_click_increment(article_id=other.pk)
    assert not DailyClickCount.objects.filter(article=other).exists()


@pytest.mark.django_db
def test_click_endpoint_rejects_get(client):
    """The counting endpoint only accepts POST."""
    article = ArticleFactory()
    assert client.get(reverse("newsroom:article-click", args=[article.pk])).status_code == 405


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)")
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_200_concurrent_views_lose_nothing_on_postgresql():
    """200 counted views fired at once from 50 connections all land, daily row included."""
    from newsroom.models import DailyClickCount

    article = ArticleFactory()
    threads, per_thread = 50, 4
    barrier = threading.Barrier(threads)
    errors = []

    def work(n):
        try:
            barrier.wait()
            for i in range(per_thread):
                counted, _ = clicks.article_view_record(
                    article_id=article.pk, visitor_ids=[f"v{n}-{i}"], user_agent=BROWSER_UA
                )
                assert counted
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert click_count(article) == threads * per_thread
    assert DailyClickCount.objects.get(article=article).count == threads * per_thread


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)")
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_click_outside_a_transaction_skips_the_disk_wait_for_itself_only(settings):
    """One statement turns synchronous_commit off for its own commit; the
    connection's setting is the same afterwards."""
    settings.NEWSROOM_CLICK_ASYNC_COMMIT = True
    article = ArticleFactory()
    with CaptureQueriesContext(connection) as queries:
        assert clicks.article_click_increment(article_id=article.pk) == 1
    assert len(queries) == 1
    assert "set_config('synchronous_commit', 'off', true)" in queries[0]["sql"]
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
    assert clicks.article_click_count(article_id=article.pk) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_increments_lose_nothing(settings):
    """Concurrent increments on the configured database all land (SQLite too)."""
    article = ArticleFactory()
    threads, per_thread = 4, 10
    errors = []

    def work():
        try:
            for _ in range(per_thread):
                clicks.article_click_increment(article_id=article.pk)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert click_count(article) == threads * per_thread


@pytest.mark.django_db
def test_click_on_an_impossible_id_is_404(client):
    """Ids beyond a 64-bit integer are a 404, not an overflow."""
    for url in ("/click/99999999999999999999999/", "/click/99999999999999999999999/beacon.gif"):
        call = client.post if not url.endswith(".gif") else client.get
        assert call(url, HTTP_USER_AGENT=BROWSER_UA).status_code == 404
