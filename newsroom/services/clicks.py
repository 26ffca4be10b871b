"""
Click counting (点击): who counts, and how a count is stored without loss.

A view of an article counts once per visitor per window
(``NEWSROOM_CLICK_WINDOW_SECONDS``). Crawlers and monitors never count.

Stored in the database (the default), one counted view is one statement on
PostgreSQL: the article's counter and its row of daily counts are both
incremented in the database (``UPDATE … RETURNING`` and an upsert), never read
and written back from Python, so concurrent views never lose one.

In the high-traffic mode (``NEWSROOM_CLICK_BUFFER=redis``) a view is an
``HINCRBY`` in Redis and ``flush_clicks`` moves the pending counts into the
database in batches; see ``flush_pending`` for why no increment is lost or
applied twice when a flush or a web process is interrupted.
"""

import hashlib
import re
import uuid
from datetime import date
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone

from newsroom import sqlcache
from newsroom.models import Article, ClickFlush, DailyClickCount

VISITOR_COOKIE = "nr_vid"
VISITOR_COOKIE_SALT = "newsroom.clicks.visitor"
VISITOR_COOKIE_MAX_AGE = 365 * 24 * 3600

# Substrings (case-insensitive) of the user agents of crawlers, link
# previewers, monitors and scripted clients. An empty user agent is a bot too.
BOT_USER_AGENT_PATTERNS = (
    "bot", "spider", "crawl", "slurp", "archiver", "scrapy", "facebookexternalhit",
    "embedly", "preview", "feedfetcher", "mediapartners", "sogou", "yisou", "360spider",
    "haosou", "bytespider", "petalbot", "yandex", "baiduspider", "uptimerobot", "pingdom",
    "statuscake", "site24x7", "nagios", "zabbix", "monitor", "check_http", "kube-probe",
    "healthcheck", "health-check", "elb-healthchecker", "googlestackdrivermonitoring",
    "prometheus", "blackbox", "curl/", "wget/", "python-requests", "python-urllib", "aiohttp",
    "httpx", "go-http-client", "java/", "okhttp", "libwww-perl", "apache-httpclient",
    "headless-shell", "phantomjs", "lighthouse", "pagespeed", "gtmetrix",
)  # fmt: skip
_BOT_RE = re.compile("|".join(re.escape(p) for p in BOT_USER_AGENT_PATTERNS), re.IGNORECASE)
# The same patterns, case-sensitive, for an ASCII agent lowered first: `re`
# tries fifty case-folded alternatives at every position slowly, exact ones
# much faster, and every click asks. Only ASCII agents take this path:
# IGNORECASE also folds some other letters onto ASCII ones ("ſ", the long s,
# matches "s"), which lower() does not.
_BOT_RE_LOWERED = re.compile("|".join(re.escape(p) for p in BOT_USER_AGENT_PATTERNS))


def is_bot(user_agent: str | None) -> bool:
    """True for crawlers, monitors and scripted clients, whose views never count."""
    if not user_agent or not user_agent.strip():
        return True
    if user_agent.isascii():
        return bool(_BOT_RE_LOWERED.search(user_agent.lower()))
    return bool(_BOT_RE.search(user_agent))


def new_visitor_id() -> str:
    return uuid.uuid4().hex


def fallback_visitor_id(*, address: str, user_agent: str, day: date | None = None) -> str:
    """
    A salted hash of address and user agent for visitors without our cookie.

    The salt changes every day (``day``, by default today), so the stored keys
    cannot be joined across days or reversed into an address.
    """
    day = day or timezone.localdate()
    material = f"{settings.SECRET_KEY}|{day.isoformat()}|{address}|{user_agent}".encode()
    return "h" + hashlib.sha256(material).hexdigest()[:32]


def claim_view(*, visitor_ids: list[str], article_id: int, kind: str = "a") -> bool:
    """
    True if none of the visitor's ids viewed the item inside the window.

    ``cache.add`` is atomic in Redis and in the local-memory cache, so two
    simultaneous views of one visitor still count once.
    """
    window = settings.NEWSROOM_CLICK_WINDOW_SECONDS
    if window <= 0:
        return True
    claimed = True
    for visitor_id in visitor_ids:
        if not cache.add(f"click:{kind}{article_id}:{visitor_id}", 1, timeout=window):
            claimed = False
    return claimed


# --- the database path ----------------------------------------------------------------

ARTICLE_TABLE = Article._meta.db_table
DAILY_TABLE = DailyClickCount._meta.db_table


def _visible_ids_sql(article_id: int):
    """
    SQL selecting the id if the article is visible now, with its parameters.

    Compiled once from ``Article.objects.published()`` (see newsroom/sqlcache.py):
    compiling it for every click cost more than the database work itself.
    Raises ``sqlcache.OutOfRange`` for an id no article can have.
    """
    return sqlcache.bound(
        "visible-id",
        lambda stand: (
            # Unordered: the default ordering made PostgreSQL sort and
            # de-duplicate the single row before updating it.
            Article.objects.published(at=stand.moment("now"))
            .filter(pk=stand.number("id"))
            .order_by()
            .values("pk")
        ),
        now=timezone.now(),
        id=article_id,
    )


# Adding to an article's row for a day, creating it on the first click.
ADD_TO_DAY = (
    f"ON CONFLICT (article_id, day) DO UPDATE SET count = {DAILY_TABLE}.count + excluded.count"
)


def _daily_upsert_sql():
    return f"INSERT INTO {DAILY_TABLE} (article_id, day, count) VALUES (%s, %s, %s) {ADD_TO_DAY}"


def article_click_increment(*, article_id: int, by: int = 1, day: date | None = None) -> int | None:
    """Add ``by`` clicks to a visible article and the row of ``day`` (by default
    today); the new count, or None."""
    try:
        visible_sql, params = _visible_ids_sql(article_id)
    except sqlcache.OutOfRange:
        return None
    day = day or timezone.localdate()
    # Looked up once: each read through the ``connection`` proxy finds the
    # connection again.
    db = connections[DEFAULT_DB_ALIAS]
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            # One statement: the counter and the daily row move together. A
            # counter need not wait for the disk: a server crash may lose the
            # last fraction of a second of clicks, never make them
            # inconsistent. The setting is made inside the statement (with
            # server-side binding a second statement cannot share its round
            # trip) and holds until its transaction ends; a commit obeys the
            # value in force when it happens. Inside a caller's transaction it
            # would outlive this statement, so it is left out there.
            no_wait = (
                ", set_config('synchronous_commit', 'off', true)"
                if settings.NEWSROOM_CLICK_ASYNC_COMMIT and not db.in_atomic_block
                else ""
            )
            cursor.execute(
                f"WITH bumped AS "
                f"(UPDATE {ARTICLE_TABLE} SET click_count = click_count + %s::integer "
                f"WHERE id IN ({visible_sql}) RETURNING id, click_count), "
                f"daily AS (INSERT INTO {DAILY_TABLE} (article_id, day, count) "
                f"SELECT id, %s::date, %s::integer FROM bumped {ADD_TO_DAY}) "
                f"SELECT click_count{no_wait} FROM bumped",
                [by, *params, day, by],
            )
            row = cursor.fetchone()
            return row[0] if row else None
        # No savepoint: inside a caller's transaction this joins it as it is.
        with transaction.atomic(savepoint=False):
            cursor.execute(
                f"UPDATE {ARTICLE_TABLE} SET click_count = click_count + %s "
                f"WHERE id IN ({visible_sql}) RETURNING click_count",
                [by, *params],
            )
            row = cursor.fetchone()
            if row is None:
                return None
            cursor.execute(_daily_upsert_sql(), [article_id, day, by])
            return row[0]


def article_click_count(*, article_id: int) -> int | None:
    """The stored count of a visible article, or None if it is not visible."""
    try:
        visible_sql, params = _visible_ids_sql(article_id)
    except sqlcache.OutOfRange:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT click_count FROM {ARTICLE_TABLE} WHERE id IN ({visible_sql})", params
        )
        row = cursor.fetchone()
    return row[0] if row else None


# --- the Redis buffer -------------------------------------------------------------------

PENDING_TOTALS = "newsroom:clicks:pending:totals"  # article id -> increments
PENDING_DAILY = "newsroom:clicks:pending:daily"  # "article id:YYYY-MM-DD" -> increments
IN_FLIGHT = "newsroom:clicks:batches"  # batches renamed away but not yet deleted

# Atomically move the pending hashes to a batch's own keys (if there is anything).
_SEAL_BATCH = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('RENAME', KEYS[1], KEYS[3])
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('RENAME', KEYS[2], KEYS[4]) end
redis.call('SADD', KEYS[5], ARGV[1])
return 1
"""


def buffered() -> bool:
    return settings.NEWSROOM_CLICK_BUFFER == "redis"


@lru_cache(maxsize=1)
def redis_client():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL)


def _batch_keys(batch: str):
    return f"newsroom:clicks:batch:{batch}:totals", f"newsroom:clicks:batch:{batch}:daily"


def buffered_increment(*, article_id: int, day: date | None = None) -> int | None:
    """Count a view in Redis; the displayed count includes what is not flushed yet."""
    stored = article_click_count(article_id=article_id)
    if stored is None:
        return None
    client = redis_client()
    day = (day or timezone.localdate()).isoformat()
    pipe = client.pipeline(transaction=True)
    pipe.hincrby(PENDING_TOTALS, article_id, 1)
    pipe.hincrby(PENDING_DAILY, f"{article_id}:{day}", 1)
    pipe.smembers(IN_FLIGHT)
    pending, _daily, batches = pipe.execute()
    return stored + pending + _in_flight(client, batches, article_id)


def buffered_count(*, article_id: int) -> int | None:
    stored = article_click_count(article_id=article_id)
    if stored is None:
        return None
    client = redis_client()
    pipe = client.pipeline(transaction=False)
    pipe.hget(PENDING_TOTALS, article_id)
    pipe.smembers(IN_FLIGHT)
    pending, batches = pipe.execute()
    return stored + int(pending or 0) + _in_flight(client, batches, article_id)


def _in_flight(client, batches, article_id) -> int:
    if not batches:
        return 0
    total = 0
    for batch in batches:
        value = client.hget(_batch_keys(batch.decode())[0], article_id)
        total += int(value or 0)
    return total


def flush_pending() -> int:
    """
    Move buffered clicks into the database; returns the number of clicks applied.

    The pending hashes are first renamed to a batch of their own (atomic in
    Redis), so new views keep counting while the batch is applied. The batch is
    applied in one database transaction that also records its id
    (``ClickFlush``); only after that commits are its keys deleted. A flush
    interrupted before the commit leaves the batch in Redis and the next flush
    applies it; one interrupted after the commit finds the id recorded and only
    deletes the keys. So every click is applied exactly once.
    """
    client = redis_client()
    applied = 0
    for batch in sorted(b.decode() for b in client.smembers(IN_FLIGHT)):
        applied += _apply_batch(client, batch)
    batch = uuid.uuid4().hex
    totals_key, daily_key = _batch_keys(batch)
    keys = [PENDING_TOTALS, PENDING_DAILY, totals_key, daily_key, IN_FLIGHT]
    if client.eval(_SEAL_BATCH, len(keys), *keys, batch):
        applied += _apply_batch(client, batch)
    return applied


def _apply_batch(client, batch: str) -> int:
    totals_key, daily_key = _batch_keys(batch)
    if not ClickFlush.objects.filter(batch=batch).exists():
        totals = {int(k): int(v) for k, v in client.hgetall(totals_key).items()}
        daily = {k.decode(): int(v) for k, v in client.hgetall(daily_key).items()}
        with transaction.atomic():
            with connection.cursor() as cursor:
                for article_id, count in sorted(totals.items()):
                    cursor.execute(
                        f"UPDATE {ARTICLE_TABLE} SET click_count = click_count + %s WHERE id = %s",
                        [count, article_id],
                    )
                existing = set(Article.objects.filter(pk__in=totals).values_list("pk", flat=True))
                for key, count in sorted(daily.items()):
                    article_id, day = key.split(":", 1)
                    if int(article_id) in existing:
                        cursor.execute(_daily_upsert_sql(), [int(article_id), day, count])
            ClickFlush.objects.create(batch=batch, clicks=sum(totals.values()))
        applied = sum(totals.values())
    else:
        applied = 0
    _forget_batch(client, batch)
    return applied


def _forget_batch(client, batch: str):
    pipe = client.pipeline(transaction=True)
    pipe.delete(*_batch_keys(batch))
    pipe.srem(IN_FLIGHT, batch)
    pipe.execute()


# --- recording a view -------------------------------------------------------------------


def article_view_record(
    *, article_id: int, visitor_ids: list[str], user_agent: str, day: date | None = None
):
    """
    Record one view on ``day`` (by default today); returns (counted, count).
    ``count`` is None when the article is not visible to the public.
    """
    if is_bot(user_agent) or not claim_view(visitor_ids=visitor_ids, article_id=article_id):
        reader = buffered_count if buffered() else article_click_count
        return False, reader(article_id=article_id)
    writer = buffered_increment if buffered() else article_click_increment
    count = writer(article_id=article_id, day=day)
    return count is not None, count
