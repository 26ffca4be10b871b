"""
Site search (站内搜索) that understands Chinese without spaces.

Text is normalised (NFKC, so full-width letters and digits become half-width,
then case-folded) and cut into tokens: every CJK character and every pair of
neighbouring CJK characters, and every run of Latin letters or digits. A
document stores its tokens as plain words; a query becomes the AND of its
tokens (its CJK bigrams, or the character itself for a one-character query).
So 教学 finds 新学期教学工作会议, 学 finds it too, and ２０２４ matches 2024.

On PostgreSQL the tokens become a stored tsvector as they are
(``array_to_tsvector``, no parser) with a GIN index (migrations 0007, 0009), and
the title's tokens one more (0012), so a
search never scans the table; on SQLite a LIKE scan over
the same tokens stands in. Results rank title matches first, then newer.
The vector also names the article's time buckets (0014), so a common word
is looked for among recent articles first (``_windowed_sql``); where a second
index holds the recent articles alone (``refresh_recent_index``), the first
pass reads that one.
"""

import html
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from django.db import connection
from django.db.models import BooleanField, Case, Q, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.safestring import mark_safe

from newsroom import sqlcache
from newsroom.core.content_version import content_changed, versioned_value
from newsroom.core.search_document import (
    BLOCK_END_RE,
    IS_CJK,
    RUN_RE,
    body_text,
    normalize,
)
from newsroom.models import Article, Category

# The index the PostgreSQL query below is answered from (migration 0009: a stored
# tsvector column, search_vector, generated from search_document), as seed_bench
# rebuilds it; without a pending list (migration 0013).
SEARCH_INDEX_SQL = (
    "CREATE INDEX IF NOT EXISTS article_search_idx ON newsroom_article "
    "USING gin (search_vector) WITH (fastupdate = off)",
)
# Results are ranked among the newest matches only (title matches first within
# them): a word found in every article (学院) then costs no more to rank than
# one found in a thousand. 50 pages of 20.
CANDIDATES = 1000
# Matches are first looked for among about this many of the newest articles:
# a word in at least one article of 20 then finds its CANDIDATES there, and the
# rest of the archive is never fetched (see ``_windowed_sql``).
WINDOW_ARTICLES = 20 * CANDIDATES
# Time buckets (migration 0014): 30-day periods counted from 2000-01-01 UTC,
# named alone and in aligned runs of 2, 4 … 2 ** (BUCKET_LEVELS - 1).
BUCKET = timedelta(days=30)
BUCKET_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
BUCKET_LEVELS = 6
# A window of more periods than this (a quiet site) is not worth a first pass.
MAX_WINDOW_BUCKETS = 60
WINDOW_CACHE_SECONDS = 600
# The partial index of the recent articles (``refresh_recent_index``), named
# after its first day (UTC): article_search_since_20250519.
RECENT_INDEX_PREFIX = "article_search_since_"
# What that index holds: the vector without positions, which it never has
# (array_to_tsvector gives none), so the same words. A different expression
# from the main index's on purpose: the first pass's words are a parameter of
# a prepared statement, so its generic plan cannot tell how common they are,
# and given the choice it combined the main index with the date index, reading
# several times more entries than this one (bench/RESULTS.md has the plans).
# Written this way, the first pass can use this index and no other.
RECENT_INDEX_VECTOR = "strip(search_vector)"
# The advisory lock a refresh holds (an arbitrary number of our own).
RECENT_INDEX_LOCK = 7_202_614
MAX_QUERY_LENGTH = 100
MAX_TOKENS = 12


@lru_cache(maxsize=256)
def query_runs(query: str) -> tuple[str, ...]:
    """The query's CJK and Latin/digit runs, normalised (what gets highlighted).
    Remembered: a page of results asks for them sixty times."""
    return tuple(RUN_RE.findall(normalize(query[:MAX_QUERY_LENGTH])))


def query_tokens(query: str) -> list[str]:
    tokens = []
    for run in query_runs(query):
        if IS_CJK.match(run) and len(run) > 1:
            tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            tokens.append(run)
    # Duplicates add nothing to an AND; a cap keeps hostile queries cheap.
    return list(dict.fromkeys(tokens))[:MAX_TOKENS]


def tsquery_text(tokens):
    # The tokens are the lexemes, used as they are (no text search parser):
    # they hold only letters and digits, so quoting them is enough.
    return " & ".join(f"'{token}'" for token in tokens)


def _conditions(queryset, tokens, *, tsquery=None, title_tsquery=None, vector="search_vector"):
    """(matches anywhere, matches in the title) for a token list, per database;
    on PostgreSQL ``tsquery`` and ``title_tsquery`` may stand in for the tokens'
    query text, in the search vector (or ``vector``, an expression of it) and
    in the title's."""
    if connection.vendor == "postgresql":
        words = tsquery_text(tokens)

        def match(expression, tsquery):
            return Q(RawSQL(f"{expression} @@ %s::tsquery", [tsquery], output_field=BooleanField()))

        # Unqualified on purpose: the same condition is used inside subqueries,
        # where Django gives the table another alias; no joined table has these.
        return (
            match(vector, words if tsquery is None else tsquery),
            match("search_title_vector", words if title_tsquery is None else title_tsquery),
        )
    anywhere, in_title = Q(), Q()
    for token in tokens:
        anywhere &= _has_token("search_document", token)
        in_title &= _has_token("search_title", token)
    return anywhere, in_title


def _has_token(field, token):
    """A space-separated token list contains ``token`` (SQLite, no index)."""
    return (
        Q(**{f"{field}__contains": f" {token} "})
        | Q(**{f"{field}__startswith": f"{token} "})
        | Q(**{f"{field}__endswith": f" {token}"})
        | Q(**{field: token})
    )


def _title_match(in_title):
    return Case(When(in_title, then=Value(True)), default=Value(False), output_field=BooleanField())


def _candidates(published, tokens, **conditions):
    """The newest ``CANDIDATES`` matches with whether the title matches."""
    anywhere, in_title = _conditions(published, tokens, **conditions)
    return (
        published.filter(anywhere)
        .annotate(title_match=_title_match(in_title))
        .newest_first()
        .values("pk", "publish_at", "title_match")[:CANDIDATES]
    )


def _candidates_sql(tokens, department, now, *, tsquery=None, since=None, before=None):
    """(sql, params) of ``_candidates`` over the published articles (of a department);
    on PostgreSQL ``tsquery`` may stand in for the tokens' query text in the
    search vector (the title's is always the tokens'), and the articles may be
    those published ``since`` or ``before`` a moment."""

    def published(at, department_id):
        articles = Article.objects.published(at=at)
        if department_id is not None:
            articles = articles.filter(category__department_id=department_id)
        return articles

    department_id = department.pk if department is not None else None
    if connection.vendor != "postgresql":
        # SQLite's conditions are one LIKE group per token: compiled per query.
        return _candidates(published(now, department_id), tokens).query.sql_with_params()

    # On PostgreSQL the tokens are one parameter: compiled once per scope
    # (newsroom/sqlcache.py).
    def build(stand):
        scope = stand.number("department") if department_id is not None else None
        articles = published(stand.moment("now"), scope)
        vector = "search_vector"
        if since is not None:
            articles = articles.filter(Q(RawSQL(_since_sql(since), [], BooleanField())))
            vector = RECENT_INDEX_VECTOR
        if before is not None:
            articles = articles.filter(publish_at__lt=stand.moment("before"))
        return _candidates(
            articles,
            tokens,
            tsquery=stand.text("tsquery"),
            title_tsquery=stand.text("title_tsquery"),
            vector=vector,
        )

    words = tsquery_text(tokens)
    values = {"now": now, "tsquery": tsquery or words, "title_tsquery": words}
    if department_id is not None:
        values["department"] = department_id
    if before is not None:
        values["before"] = before
    # The literal ``since`` is part of the statement's text, so of its key.
    key = ("search", department_id is not None, since, before is not None)
    return sqlcache.bound(key, build, **values)


def time_bucket(moment) -> int:
    """The 30-day period ``moment`` falls in, counted from 2000-01-01 UTC."""
    return (moment - BUCKET_EPOCH) // BUCKET


def window_lexemes(start: int, end: int) -> list[str]:
    """
    The fewest lexemes naming buckets ``start`` to ``end`` and nothing else:
    the largest aligned runs that fit, so a window of nineteen periods is four
    lexemes, not nineteen. The index's work per match grows with the number
    of lexemes it has to check.
    """
    lexemes, bucket = [], start
    while bucket <= end:
        level = 0
        while (
            level < BUCKET_LEVELS - 1
            and bucket % (2 << level) == 0
            and bucket + (2 << level) - 1 <= end
        ):
            level += 1
        lexemes.append(f"_{level}.{bucket >> level}")
        bucket += 1 << level
    return lexemes


def _window(now):
    """
    (first bucket of the search window, first day of the recent index or None).

    The window starts at the bucket of the ``WINDOW_ARTICLES``-th newest
    published article (None when there are not that many). Remembered with
    the content version, for ten minutes at most: it only decides how much
    the first pass looks at, never what a search finds.
    """

    def build():
        start = _window_start(now)
        # Without a window (a small site, most of them) there is no index to
        # look for, and no second catalog query after each content change.
        return (start, recent_index_since() if start is not None else None)

    return versioned_value("search-window", build, WINDOW_CACHE_SECONDS)


def _window_start(now):
    newest = Article.objects.published(at=now).newest_first()
    moments = newest.values_list("publish_at", flat=True)[WINDOW_ARTICLES - 1 : WINDOW_ARTICLES]
    return time_bucket(moments[0]) if moments else None


def bucket_start(bucket: int) -> datetime:
    return BUCKET_EPOCH + bucket * BUCKET


# --- the index of recent articles (PostgreSQL) ---------------------------------------------


def _recent_indexes(cursor):
    """[(name, valid)] of the recent-articles indexes, newest first."""
    cursor.execute(
        "SELECT c.relname, i.indisvalid FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = %s::regclass AND c.relname LIKE %s "
        "ORDER BY c.relname DESC",
        [Article._meta.db_table, RECENT_INDEX_PREFIX.replace("_", r"\_") + "%"],
    )
    return cursor.fetchall()


def _since_of(name: str) -> datetime:
    return datetime.strptime(name.removeprefix(RECENT_INDEX_PREFIX), "%Y%m%d").replace(tzinfo=UTC)


def recent_index_since():
    """The first day of the usable recent-articles index, or None."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        valid = [name for name, is_valid in _recent_indexes(cursor) if is_valid]
    return _since_of(valid[0]) if valid else None


def _since_sql(since: datetime) -> str:
    # A literal, not a parameter: only then can the planner see that a query
    # falls inside the partial index, in the generic plan of a prepared statement.
    return f"publish_at >= '{since.isoformat()}'::timestamptz"


def drop_recent_indexes():
    """Drop every recent-articles index (before a bulk load)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for name, _valid in _recent_indexes(cursor):
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


def _replace_recent_index(cursor, wanted, wanted_name, concurrently):
    """Build ``wanted_name`` unless it is there, drop every other recent-articles
    index; the indexes there were before, as ``_recent_indexes`` lists them."""
    # Outside a transaction the index is built and dropped without blocking
    # writes to the articles; inside one (tests), it cannot be.
    concurrently = "CONCURRENTLY " if concurrently and not connection.in_atomic_block else ""
    if connection.in_atomic_block:
        # Indexes cannot change under deferred checks still pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    existing = _recent_indexes(cursor)
    for name, valid in existing:
        if not valid:  # an interrupted concurrent build
            cursor.execute(f"DROP INDEX {concurrently}IF EXISTS {name}")
    if wanted_name and (wanted_name, True) not in existing:
        cursor.execute(
            f"CREATE INDEX {concurrently}{wanted_name} ON {Article._meta.db_table} "
            f"USING gin (({RECENT_INDEX_VECTOR})) WITH (fastupdate = off) "
            f"WHERE {_since_sql(wanted)}"
        )
    for name, valid in existing:
        if valid and name != wanted_name:
            cursor.execute(f"DROP INDEX {concurrently}IF EXISTS {name}")
    return existing


def refresh_recent_index(now=None, *, concurrently=True) -> str:
    """
    Build the index of the recent articles for the window as it now is, and
    drop the one it replaces; says what it did.

    The common-word search's first pass walked the postings of the whole
    archive in the main index and kept the window's: a partial index that
    holds only articles published since the window's first bucket has
    nothing else to walk. The window moves by a bucket a month on a busy site; run this
    daily (``manage.py refresh_search_index``). A stale index is never
    wrong, only slower: an old one holds more than the window, and one newer
    than the window sends more searches to the second pass. Small sites
    (no window) need none, and lose theirs. A bulk load passes
    ``concurrently=False``: it builds the main index at the same time, and a
    concurrent build would wait for that one to finish.
    """
    if connection.vendor != "postgresql":
        return "No recent-articles index: the database is not PostgreSQL."
    now = now or timezone.now()
    start = _window_start(now)
    wanted = None
    if start is not None and time_bucket(now) - start < MAX_WINDOW_BUCKETS:
        wanted = bucket_start(start)
    wanted_name = wanted and f"{RECENT_INDEX_PREFIX}{wanted:%Y%m%d}"
    with connection.cursor() as cursor:
        # One refresh at a time (a timer on two servers, a person by hand):
        # two concurrent builds of one index would fail, or drop each other's.
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [RECENT_INDEX_LOCK])
        if not cursor.fetchone()[0]:
            return "Another refresh of the recent-articles index is running; nothing done."
        try:
            existing = _replace_recent_index(cursor, wanted, wanted_name, concurrently)
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [RECENT_INDEX_LOCK])
    if existing != ([(wanted_name, True)] if wanted_name else []):
        # Every process looks the window up again (it is kept with the
        # content version): none goes on naming a dropped index.
        content_changed()
    if wanted_name is None:
        return "No recent-articles index: the archive is small enough for one pass."
    if (wanted_name, True) in existing:
        return f"The recent-articles index {wanted_name} is up to date."
    return f"Built the recent-articles index {wanted_name}."


def _windowed_sql(tokens, department, now):
    """
    (sql, params) of the same candidates as ``_candidates_sql``, found in two
    passes on PostgreSQL when the archive is large.

    Ranking the newest matches of a common word meant fetching every match
    from the table for its date: 7,000 rows for the newest 1,000 at 100,000
    articles. The first pass asks for the matches published since the
    window's start only: from the recent-articles index where there is one,
    else from the main index through the window's time buckets (migration
    0014). If those are ``CANDIDATES`` or more, they are the newest ones,
    since every later article is in the window; otherwise the second pass
    adds the matches before it. Either way the candidates are exactly those
    of one pass.
    """
    if connection.vendor != "postgresql":
        return _candidates_sql(tokens, department, now)
    start, since = _window(now)
    end = time_bucket(now)
    if since is not None:
        recent, recent_params = _candidates_sql(tokens, department, now, since=since)
        older, older_params = _candidates_sql(tokens, department, now, before=since)
    elif start is not None and end - start < MAX_WINDOW_BUCKETS:
        words = tsquery_text(tokens)
        window = " | ".join(f"'{lexeme}'" for lexeme in window_lexemes(start, end))
        recent, recent_params = _candidates_sql(
            tokens, department, now, tsquery=f"{words} & ({window})"
        )
        older, older_params = _candidates_sql(
            tokens, department, now, tsquery=f"{words} & !({window})"
        )
    else:
        return _candidates_sql(tokens, department, now)
    sql = (
        f"WITH recent AS ({recent}) SELECT * FROM recent UNION ALL "
        f"SELECT * FROM ({older}) older WHERE (SELECT count(*) FROM recent) < %s "
        "ORDER BY publish_at DESC, pk DESC LIMIT %s"
    )
    return sql, [*recent_params, *older_params, CANDIDATES, CANDIDATES]


def search_page(query: str, *, department=None, start: int, size: int):
    """
    One page of results, ranked: of the newest ``CANDIDATES`` matches, title
    matches first, then newer. Returns ([articles], has_next); each article
    carries ``found_total``, the number of matches (at most ``CANDIDATES``).

    One query: the newest ``CANDIDATES`` matches are taken with their title
    match worked out on the way (the index answers the match, a stored title
    vector the title), ranked, and only the page's rows bring their bodies.
    Each article comes with its column and department (from the site map).
    (Ranking title and body matches as two date-ordered walks was tried: fast
    for common words, but PostgreSQL then walked the whole table for rare ones.)
    """
    tokens = query_tokens(query)
    if not tokens:
        return [], False
    sql, params = _windowed_sql(tokens, department, timezone.now())
    table = Article._meta.db_table
    rows = sqlcache.raw_rows(
        Article,
        # Ranked and cut to the page before the join: only the page's rows
        # are read again, for their bodies.
        # found_total: how many candidates there are, counted over the ranked
        # rows before the LIMIT (at most CANDIDATES), for "N results".
        f"SELECT {table}.id, {table}.category_id, {table}.title, {table}.body, "
        f"{table}.publish_at, page.found_total FROM (SELECT *, count(*) OVER () AS found_total "
        f"FROM ({sql}) candidates "
        "ORDER BY title_match DESC, publish_at DESC, pk DESC LIMIT %s OFFSET %s) page "
        f"JOIN {table} ON {table}.id = page.pk "
        "ORDER BY page.title_match DESC, page.publish_at DESC, page.pk DESC",
        [*params, size + 1, start],
    )
    for row in rows:
        row.category = Category.objects.cached(row.category_id)
    return rows[:size], len(rows) > size


# --- highlighting ------------------------------------------------------------------------


def _normalized_with_map(text: str):
    """The normalised text and, for each of its characters, the original index."""
    folded = normalize(text)
    if len(folded) == len(text):
        # The usual case (no character expanded or merged): positions agree.
        return folded, range(len(text))
    pieces, index = [], []
    for position, char in enumerate(text):
        folded = normalize(char)
        pieces.append(folded)
        index.extend([position] * len(folded))
    return "".join(pieces), index


def _spans(text: str, query: str):
    folded, index = _normalized_with_map(text)
    terms = []
    for run in query_runs(query):
        if run in folded:
            terms.append(run)
        elif IS_CJK.match(run):
            terms.extend(run[i : i + 2] for i in range(len(run) - 1))
    spans = []
    for term in sorted(set(terms), key=len, reverse=True):
        # Left to right without overlaps, as re.finditer would; terms are
        # plain text, and str.find needs no pattern built for each.
        at = folded.find(term)
        while at >= 0:
            start, end = index[at], index[at + len(term) - 1] + 1
            if not any(s < end and start < e for s, e in spans):
                spans.append((start, end))
            at = folded.find(term, at + len(term))
    return sorted(spans)


def highlight(text: str, query: str):
    """``text`` escaped, with the query's words wrapped in <mark>."""
    out, last = [], 0
    for start, end in _spans(text, query):
        out.append(html.escape(text[last:start]))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        last = end
    out.append(html.escape(text[last:]))
    return mark_safe("".join(out))


def _first_match(text: str, query: str):
    """Where the first highlighted word of ``query`` starts in ``text``, or None.

    Chinese words are looked for in the text as it is: ideographs are their
    own NFKC form, and normalising a whole body cost more than the rest of the
    excerpt. Anything else, or no such match, goes the normalising way."""
    runs = query_runs(query)
    if runs and all(IS_CJK.match(run) for run in runs):
        found = []
        for run in runs:
            at = text.find(run)
            if at >= 0:
                found.append(at)
            else:
                found.extend(text.find(run[i : i + 2]) for i in range(len(run) - 1))
        found = [at for at in found if at >= 0]
        if found:
            return min(found)
    spans = _spans(text, query)
    return spans[0][0] if spans else None


def excerpt(body_html: str, query: str, *, before=40, length=120):
    """A short, highlighted piece of the body around the first match.

    Blocks are kept apart by a space: without it the last sentence of one
    paragraph ran into the first of the next ("…持续一个月。校园远眺…")."""
    text = body_text(BLOCK_END_RE.sub(" ", body_html or ""))
    first = _first_match(text, query)
    start = max(first - before, 0) if first is not None else 0
    piece = text[start : start + length]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + length < len(text) else ""
    return mark_safe(prefix + highlight(piece, query) + suffix)
