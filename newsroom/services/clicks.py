"""
Click counting (点击): who counts, and the atomic increment.

A view of an article counts once per visitor per window
(``NEWSROOM_CLICK_WINDOW_SECONDS``). Crawlers and monitors never count. The
increment is one UPDATE … RETURNING in the database, so concurrent readers
never lose an update and the endpoint runs a single query.
"""

import hashlib
import re
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from newsroom.models import Article

VISITOR_COOKIE = "nr_vid"
VISITOR_COOKIE_SALT = "newsroom.clicks.visitor"
VISITOR_COOKIE_MAX_AGE = 365 * 24 * 3600

# Substrings (case-insensitive) of the user agents of crawlers, link
# previewers, monitors and scripted clients. An empty user agent is a bot too.
BOT_USER_AGENT_PATTERNS = (
    "bot",
    "spider",
    "crawl",
    "slurp",
    "archiver",
    "scrapy",
    "facebookexternalhit",
    "embedly",
    "preview",
    "feedfetcher",
    "mediapartners",
    "yahoo! slurp",
    "sogou",
    "yisou",
    "360spider",
    "haosou",
    "bytespider",
    "petalbot",
    "yandex",
    "baiduspider",
    "uptimerobot",
    "pingdom",
    "statuscake",
    "site24x7",
    "nagios",
    "zabbix",
    "monitor",
    "check_http",
    "kube-probe",
    "healthcheck",
    "health-check",
    "elb-healthchecker",
    "googlestackdrivermonitoring",
    "prometheus",
    "blackbox",
    "curl/",
    "wget/",
    "python-requests",
    "python-urllib",
    "aiohttp",
    "httpx",
    "go-http-client",
    "java/",
    "okhttp",
    "libwww-perl",
    "apache-httpclient",
    "headless-shell",
    "phantomjs",
    "lighthouse",
    "pagespeed",
    "gtmetrix",
)
_BOT_RE = re.compile("|".join(re.escape(p) for p in BOT_USER_AGENT_PATTERNS), re.IGNORECASE)


def is_bot(user_agent: str | None) -> bool:
    """True for crawlers, monitors and scripted clients, whose views never count."""
    if not user_agent or not user_agent.strip():
        return True
    return bool(_BOT_RE.search(user_agent))


def new_visitor_id() -> str:
    return uuid.uuid4().hex


def fallback_visitor_id(*, address: str, user_agent: str) -> str:
    """
    A salted hash of address and user agent for visitors without our cookie.

    The salt changes every day, so the stored keys cannot be joined across
    days or reversed into an address.
    """
    day = timezone.localdate().isoformat()
    material = f"{settings.SECRET_KEY}|{day}|{address}|{user_agent}".encode()
    return "h" + hashlib.sha256(material).hexdigest()[:32]


def _window_key(visitor_id: str, article_id: int) -> str:
    return f"click:{article_id}:{visitor_id}"


def claim_view(*, visitor_ids: list[str], article_id: int) -> bool:
    """
    True if none of the visitor's ids viewed the article inside the window.

    ``cache.add`` is atomic in Redis and in the local-memory cache, so two
    simultaneous views of one visitor still count once.
    """
    window = settings.NEWSROOM_CLICK_WINDOW_SECONDS
    if window <= 0:
        return True
    first, *others = visitor_ids
    if not cache.add(_window_key(first, article_id), 1, timeout=window):
        return False
    for other in others:
        if not cache.add(_window_key(other, article_id), 1, timeout=window):
            return False
    return True


def _published_subquery(article_id: int):
    query = Article.objects.published().filter(pk=article_id).values("pk").query
    return query.sql_with_params()


def article_click_increment(*, article_id: int) -> int | None:
    """Add one click to a visible article; the new count, or None if not visible."""
    sql, params = _published_subquery(article_id)
    table = connection.ops.quote_name(Article._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET click_count = click_count + 1 "
            f"WHERE id IN ({sql}) RETURNING click_count",
            params,
        )
        row = cursor.fetchone()
    return row[0] if row else None


def article_click_count(*, article_id: int) -> int | None:
    """The current count of a visible article, or None if not visible."""
    return (
        Article.objects.published()
        .filter(pk=article_id)
        .values_list("click_count", flat=True)
        .first()
    )


def article_view_record(*, article_id: int, visitor_ids: list[str], user_agent: str):
    """
    Record one view; returns (counted, count). ``count`` is None when the
    article is not visible to the public.
    """
    if is_bot(user_agent) or not claim_view(visitor_ids=visitor_ids, article_id=article_id):
        return False, article_click_count(article_id=article_id)
    count = article_click_increment(article_id=article_id)
    return count is not None, count
