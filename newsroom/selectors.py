"""
What the public pages read: every query of the public site, in one place.

Views ask these functions for what to show and pass it to a template; they
hold no query logic of their own. Every read starts from
``Article.objects.published()`` and runs a fixed number of queries whatever the
size of the archive (pinned by tests/test_queries.py).

The queries run on every public request (the article, its neighbours, the
column lists, the homepage blocks) are compiled once through
``newsroom.sqlcache``, whose contract is written there and checked in tests:
a cache key names every choice that shapes the SQL, and every value goes
through a stand-in. Nothing outside this module and the search and click
services uses it.
"""

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from newsroom import sqlcache
from newsroom.core.content_version import versioned_value
from newsroom.models import Article, Category, Department
from newsroom.models.content import attach_covers
from newsroom.pagination import (
    Cursor,
    KeysetPage,
    newer_than,
    older_than,
    paginate_column,
)
from newsroom.services import search

HOMEPAGE_ITEMS_PER_COLUMN = 8
IMAGE_NEWS_ITEMS = 5
MOST_READ_CACHE_SECONDS = 300
MAX_PINNED_PER_COLUMN = 50
MAX_SEARCH_PAGES = search.CANDIDATES // 20


def departments():
    """Every department, in menu order (the site's front page)."""
    return list(Department.objects.all())


def image_news(department, *, limit=IMAGE_NEWS_ITEMS):
    """图片新闻: the department's newest articles with a cover."""

    def build(stand):
        return (
            Article.objects.published(at=stand.moment("now"))
            .filter(category__department_id=stand.number("department"), cover__isnull=False)
            .for_listing_raw()
            .newest_first()[:limit]
        )

    key = ("image-news", limit)
    found = sqlcache.rows(Article, key, build, now=timezone.now(), department=department.pk)
    return attach_covers(found)


def most_read(department, *, days=30, limit=10):
    """热门文章 of a department. Kept in the cache for a few minutes: it needs no
    second-by-second accuracy and it is the most expensive query of the page."""
    return versioned_value(
        f"most-read:{department.pk}:{days}:{timezone.localdate().isoformat()}",
        lambda: list(
            Article.objects.published()
            .filter(category__department=department)
            .most_read(days=days)
            .only("id", "title", "publish_at")[:limit]
        ),
        MOST_READ_CACHE_SECONDS,
    )


def ids_of_any(querysets):
    """The ids of several LIMITed id subqueries, as one id subquery.

    On PostgreSQL a ``UNION ALL`` lets the planner fetch the few rows by
    primary key; ``OR``-ed ``IN``s would make it scan the table. SQLite cannot
    LIMIT the parts of a UNION, so it gets the ``OR`` form.
    """
    first, *others = querysets
    if connection.features.supports_slicing_ordering_in_compound:
        return first.union(*others, all=True) if others else first
    condition = Q()
    for queryset in querysets:
        condition |= Q(pk__in=queryset)
    return Article.objects.filter(condition).values("pk")


def column_blocks(columns, *, per_column=HOMEPAGE_ITEMS_PER_COLUMN):
    """
    [(column, [articles])] for the homepage, in one query.

    Each column contributes two index-backed LIMIT subqueries (its pinned and
    its newest articles) instead of a window over the whole department.
    """
    if not columns:
        return []

    def build(stand):
        now = stand.moment("now")
        published = Article.objects.published(at=now)
        parts = []
        for index in range(len(columns)):
            in_column = published.filter(category_id=stand.number(f"column{index}"))
            parts.append(in_column.pinned(at=now).newest_first().values("pk")[:per_column])
            parts.append(in_column.not_pinned(at=now).newest_first().values("pk")[:per_column])
        return ids_of_any(parts)

    def build_rows(stand):
        ids = build(stand)
        return Article.objects.filter(pk__in=ids).for_listing_raw().newest_first()

    now = timezone.now()
    values = {f"column{index}": column.pk for index, column in enumerate(columns)}
    key = ("column-blocks", len(columns), per_column)
    by_column = {column.pk: [] for column in columns}
    for article in attach_covers(sqlcache.rows(Article, key, build_rows, now=now, **values)):
        by_column[article.category_id].append(article)
    blocks = []
    for column in columns:
        articles = by_column[column.pk]
        ordered = [a for a in articles if a.is_pinned_now(at=now)]
        ordered += [a for a in articles if not a.is_pinned_now(at=now)]
        blocks.append((column, ordered[:per_column]))
    return blocks


class ColumnRows:
    """
    A column's rows for ``paginate_column``: its pinned articles and the
    unpinned ones newest first, each query compiled once (newsroom/sqlcache.py).
    """

    def __init__(self, category, now):
        self.category = category
        self.now = now

    @staticmethod
    def _in_column(now, column):
        return Article.objects.published(at=now).filter(category_id=column)

    @classmethod
    def _unpinned(cls, now, column):
        return cls._in_column(now, column).not_pinned(at=now).for_listing_raw()

    @staticmethod
    def _stand_ins(stand):
        """(now, column) as stand-ins, for queries compiled once."""
        return stand.moment("now"), stand.number("column")

    def _rows(self, key, build, **values):
        found = sqlcache.rows(Article, key, build, now=self.now, column=self.category.pk, **values)
        return attach_covers(found)

    def pinned(self, limit):
        def build(stand):
            now, column = self._stand_ins(stand)
            return (
                self._in_column(now, column).pinned(at=now).for_listing_raw().newest_first()[:limit]
            )

        return self._rows(("column-pinned", limit), build)

    def newest(self, offset, limit):
        if offset:
            # Only a page number typed into the address gets here (the links
            # carry cursors); compiling each offset once would keep them all.
            rows = self._unpinned(self.now, self.category.pk).newest_first()
            return attach_covers(list(rows[offset : offset + limit]))
        return self._rows(
            ("column-newest", limit),
            lambda stand: self._unpinned(*self._stand_ins(stand)).newest_first()[:limit],
        )

    def older(self, cursor, limit):
        def build(stand):
            below = older_than(Cursor(stand.moment("at"), stand.number("pk")))
            return self._unpinned(*self._stand_ins(stand)).filter(below).newest_first()[:limit]

        return self._rows(("column-older", limit), build, at=cursor.publish_at, pk=cursor.pk)

    def newer(self, cursor, limit):
        """The ``limit`` rows just above the cursor, nearest first."""

        def build(stand):
            above = newer_than(Cursor(stand.moment("at"), stand.number("pk")))
            unpinned = self._unpinned(*self._stand_ins(stand))
            return unpinned.filter(above).order_by("publish_at", "pk")[:limit]

        return self._rows(("column-newer", limit), build, at=cursor.publish_at, pk=cursor.pk)


def column_page(category, *, number, after=None, before=None):
    """One page of a column (pinned first, then newest), or None when there is no
    such page (past the end, or a cursor naming an id no article can have)."""
    rows = ColumnRows(category, timezone.now())
    try:
        page = paginate_column(
            pinned=rows.pinned(MAX_PINNED_PER_COLUMN),
            rest=rows,
            per_page=settings.NEWSROOM_PAGE_SIZE,
            number=number,
            after=after,
            before=before,
        )
    except sqlcache.OutOfRange:
        return None
    if not page.object_list and page.number > 1:
        return None
    return page


def search_results(query, *, department, number):
    """A page of search results with highlighted titles and excerpts, or None
    when a page past the first has no results."""
    number = min(number, MAX_SEARCH_PAGES)
    per_page = settings.NEWSROOM_PAGE_SIZE
    start = (number - 1) * per_page
    rows, has_next = search.search_page(query, department=department, start=start, size=per_page)
    if not rows and number > 1:
        return None
    for article in rows:
        article.title_highlighted = search.highlight(article.title, query)
        article.excerpt = search.excerpt(article.body, query)
    return KeysetPage(
        number=number,
        object_list=rows,
        has_next=has_next and number < MAX_SEARCH_PAGES,
        extra={"start": start + 1},
    )


def attachments_of(article):
    """An article's attachments; no query for the many articles without any."""
    return list(article.attachments.all()) if article.has_attachments else []


def ended_notice(pk):
    """The article if it was published and its display period (公示) is over, else None.

    Asked on every missing article's 404, so compiled once like the article
    page's query; the column and department come from the cached map of columns.
    """

    def build(stand):
        return (
            Article.objects.expired(at=stand.moment("now"))
            .filter(pk=stand.number("pk"))
            .order_by()
            .only("id", "title", "category_id", "display_until")
        )

    try:
        found = sqlcache.rows(Article, "ended-notice", build, now=timezone.now(), pk=pk)
    except sqlcache.OutOfRange:
        return None
    if not found:
        return None
    (article,) = found
    article.category = Category.objects.cached(article.category_id)
    return article


def article_for_page(pk):
    """
    A visible article with its column, department and cover, or None.

    One query compiled once (see newsroom/sqlcache.py): the article's own
    columns and its cover's; the column and department come from the cached
    map of columns instead of a join.
    """

    def build(stand):
        return (
            Article.objects.published(at=stand.moment("now"))
            .filter(pk=stand.number("pk"))
            .defer("search_document", "search_title")
            .with_cover_columns()
        )

    try:
        found = sqlcache.rows(Article, "article-page", build, now=timezone.now(), pk=pk)
    except sqlcache.OutOfRange:
        return None
    if not found:
        return None
    (article,) = attach_covers(found)
    article.category = Category.objects.cached(article.category_id)
    return article


def neighbours(article):
    """
    (上一篇, 下一篇) of an article in its column's list order, in one query.

    The list is the pinned articles, then the rest newest first; the query
    fetches the pinned few plus the unpinned rows just above and below.
    """

    def build(stand):
        now = stand.moment("now")
        in_column = Article.objects.published(at=now).filter(category_id=stand.number("column"))
        rest = in_column.not_pinned(at=now)
        cursor = Cursor(stand.moment("at"), stand.number("pk"))
        ids = ids_of_any(
            [
                in_column.pinned(at=now).newest_first().values("pk")[:MAX_PINNED_PER_COLUMN],
                rest.filter(newer_than(cursor)).order_by("publish_at", "pk").values("pk")[:1],
                rest.filter(older_than(cursor)).newest_first().values("pk")[:1],
                rest.newest_first().values("pk")[:1],
            ]
        )
        return (
            Article.objects.filter(pk__in=ids)
            .only("id", "title", "publish_at", "is_pinned", "pinned_until", "category_id")
            .newest_first()
        )

    now = timezone.now()
    # The whole query is compiled once; only these plain columns are needed.
    rows = sqlcache.rows(
        Article,
        "neighbours",
        build,
        now=now,
        column=article.category_id,
        at=article.publish_at,
        pk=article.pk,
    )
    return _neighbours_among(rows, article, now)


def _neighbours_among(rows, article, now):
    """(previous, following) of ``article`` among the rows ``neighbours`` fetched."""
    pinned = [row for row in rows if row.is_pinned_now(at=now)]
    unpinned = [row for row in rows if not row.is_pinned_now(at=now) and row.pk != article.pk]
    pinned_ids = [row.pk for row in pinned]

    def key(row):
        return (row.publish_at, row.pk)

    if article.pk in pinned_ids:
        index = pinned_ids.index(article.pk)
        previous = pinned[index - 1] if index > 0 else None
        if index + 1 < len(pinned):
            following = pinned[index + 1]
        else:
            following = max(unpinned, key=key, default=None)
        return previous, following
    newer = [row for row in unpinned if key(row) > key(article)]
    older = [row for row in unpinned if key(row) < key(article)]
    previous = min(newer, key=key, default=None) or (pinned[-1] if pinned else None)
    following = max(older, key=key, default=None)
    return previous, following
