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
is looked for among recent articles first (``_windowed_sql``).
"""

import html
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from django.db import connection
from django.db.models import BooleanField, Case, Q, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.safestring import mark_safe

from newsroom import sqlcache
from newsroom.models import Article, Category
from newsroom.services.pagecache import versioned_value

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
MAX_QUERY_LENGTH = 100
MAX_TOKENS = 12
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef"
RUN_RE = re.compile(f"[{CJK}]+|[a-z0-9]+")
IS_CJK = re.compile(f"[{CJK}]")


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").casefold()


def document_tokens(text: str) -> list[str]:
    tokens = []
    for run in RUN_RE.findall(normalize(text)):
        if IS_CJK.match(run):
            tokens.extend(run)
            tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            tokens.append(run)
    return tokens


def build_document(*parts: str) -> str:
    """The search document of an article: its distinct tokens, space-separated."""
    text = " ".join(body_text(p) for p in parts)
    return " ".join(dict.fromkeys(document_tokens(text)))


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


def _conditions(queryset, tokens, *, tsquery=None, title_tsquery=None):
    """(matches anywhere, matches in the title) for a token list, per database;
    on PostgreSQL ``tsquery`` and ``title_tsquery`` may stand in for the tokens'
    query text, in the search vector and in the title's."""
    if connection.vendor == "postgresql":
        words = tsquery_text(tokens)

        def match(expression, tsquery):
            return Q(RawSQL(f"{expression} @@ %s::tsquery", [tsquery], output_field=BooleanField()))

        # Unqualified on purpose: the same condition is used inside subqueries,
        # where Django gives the table another alias; no joined table has these.
        return (
            match("search_vector", words if tsquery is None else tsquery),
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


def _candidates(published, tokens, **tsqueries):
    """The newest ``CANDIDATES`` matches with whether the title matches."""
    anywhere, in_title = _conditions(published, tokens, **tsqueries)
    return (
        published.filter(anywhere)
        .annotate(title_match=_title_match(in_title))
        .newest_first()
        .values("pk", "publish_at", "title_match")[:CANDIDATES]
    )


def _candidates_sql(tokens, department, now, *, tsquery=None):
    """(sql, params) of ``_candidates`` over the published articles (of a department);
    on PostgreSQL ``tsquery`` may stand in for the tokens' query text in the
    search vector (the title's is always the tokens')."""

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
        return _candidates(
            articles,
            tokens,
            tsquery=stand.text("tsquery"),
            title_tsquery=stand.text("title_tsquery"),
        )

    words = tsquery_text(tokens)
    values = {"now": now, "tsquery": tsquery or words, "title_tsquery": words}
    if department_id is not None:
        values["department"] = department_id
    return sqlcache.bound(("search", department_id is not None), build, **values)


def time_bucket(moment) -> int:
    """The 30-day period ``moment`` falls in, counted from 2000-01-01 UTC."""
    return (moment - BUCKET_EPOCH) // BUCKET


def time_lexemes(moment) -> list[str]:
    """The lexemes of ``moment``'s bucket and of the aligned runs holding it,
    as PostgreSQL puts them in the search vector (``_level.number``)."""
    bucket = time_bucket(moment)
    return [f"_{level}.{bucket >> level}" for level in range(BUCKET_LEVELS)]


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


def window_start(now):
    """
    The first time bucket of the search window: the bucket of the
    ``WINDOW_ARTICLES``-th newest published article, or None when there are
    not that many. Remembered with the content version, for ten minutes at
    most: it only decides how much the first pass looks at, never what a
    search finds.
    """

    def build():
        newest = Article.objects.published(at=now).newest_first()
        moments = newest.values_list("publish_at", flat=True)[WINDOW_ARTICLES - 1 : WINDOW_ARTICLES]
        # In a tuple: the cache cannot tell a remembered None from a miss.
        return (time_bucket(moments[0]) if moments else None,)

    return versioned_value("search-window", build, WINDOW_CACHE_SECONDS)[0]


def _windowed_sql(tokens, department, now):
    """
    (sql, params) of the same candidates as ``_candidates_sql``, found in two
    passes on PostgreSQL when the archive is large.

    Ranking the newest matches of a common word meant fetching every match
    from the table for its date: 7,000 rows for the newest 1,000 at 100,000
    articles. The index also knows each article's time buckets (migration 0014),
    so the first pass asks it for matches in the window's buckets only. If
    those are ``CANDIDATES`` or more, they are the newest ones, since every
    later article is in the window; otherwise the second pass adds the matches
    outside it. Either way the candidates are exactly those of one pass.
    """
    start = window_start(now) if connection.vendor == "postgresql" else None
    end = time_bucket(now)
    if start is None or end - start >= MAX_WINDOW_BUCKETS:
        return _candidates_sql(tokens, department, now)
    words = tsquery_text(tokens)
    window = " | ".join(f"'{lexeme}'" for lexeme in window_lexemes(start, end))
    recent, recent_params = _candidates_sql(
        tokens, department, now, tsquery=f"{words} & ({window})"
    )
    older, older_params = _candidates_sql(tokens, department, now, tsquery=f"{words} & !({window})")
    sql = (
        f"WITH recent AS ({recent}) SELECT * FROM recent UNION ALL "
        f"SELECT * FROM ({older}) older WHERE (SELECT count(*) FROM recent) < %s "
        "ORDER BY publish_at DESC, pk DESC LIMIT %s"
    )
    return sql, [*recent_params, *older_params, CANDIDATES, CANDIDATES]


def search_page(query: str, *, department=None, start: int, size: int):
    """
    One page of results, ranked: of the newest ``CANDIDATES`` matches, title
    matches first, then newer. Returns ([articles], has_next).

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
        ("search-page", department is not None),
        # Ranked and cut to the page before the join: only the page's rows
        # are read again, for their bodies.
        f"SELECT {table}.id, {table}.category_id, {table}.title, {table}.body, "
        f"{table}.publish_at FROM (SELECT * FROM ({sql}) candidates "
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


# A start or end tag (quoted attribute values may hold ">"); "<" before
# anything but a letter or "/" is text, as in "1<2".
TAG_RE = re.compile(r"""</?[a-zA-Z](?:"[^"]*"|'[^']*'|[^'">])*>""")


def body_text(body_html: str) -> str:
    """
    The text of a stored body, whitespace collapsed.

    Bodies are cleaned by nh3 on every save (newsroom/services/html.py), so a
    pattern for tags is enough; Django's ``strip_tags`` runs an HTML parser
    and cost a page of 20 results several milliseconds. The result is only
    ever shown escaped.
    """
    return " ".join(html.unescape(TAG_RE.sub("", body_html or "")).split())


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
    """A short, highlighted piece of the body around the first match."""
    text = body_text(body_html)
    first = _first_match(text, query)
    start = max(first - before, 0) if first is not None else 0
    piece = text[start : start + length]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + length < len(text) else ""
    return mark_safe(prefix + highlight(piece, query) + suffix)
