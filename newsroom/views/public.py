"""
The public site: home, department homepage, column list, article.

Every page starts from ``Article.objects.published()`` and runs a fixed
number of queries whatever the size of the archive (pinned in tests).
"""

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.views.generic import DetailView, ListView, TemplateView

from newsroom import sqlcache
from newsroom.core.content_version import versioned_value
from newsroom.models import Article, Category, Department
from newsroom.models.content import attach_covers
from newsroom.pagination import (
    Cursor,
    newer_than,
    older_than,
    paginate_column,
    parse_page_number,
)
from newsroom.services.pagecache import cached_page

HOMEPAGE_ITEMS_PER_COLUMN = 8
IMAGE_NEWS_ITEMS = 5
MOST_READ_CACHE_SECONDS = 300
MAX_PINNED_PER_COLUMN = 50


class DepartmentNavigationMixin:
    """Adds the department and its columns (the site navigation) to the context."""

    department = None

    def get_navigation(self, department):
        return Category.objects.navigation(department)

    def get_context_data(self, **kwargs):
        if self.department is not None:
            # The page speaks its department's language (newsroom/middleware.py).
            translation.activate(self.department.language)
        context = super().get_context_data(**kwargs)
        context["department"] = self.department
        context["columns"] = self.get_navigation(self.department)
        return context


@method_decorator(cached_page, name="dispatch")
class HomeView(TemplateView):
    template_name = "newsroom/home.html"

    def get(self, request, *args, **kwargs):
        self.departments = list(Department.objects.all())
        if len(self.departments) == 1:
            return redirect(self.departments[0])
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["departments"] = self.departments
        return context


@method_decorator(cached_page, name="dispatch")
class DepartmentDetailView(DepartmentNavigationMixin, DetailView):
    """The department homepage: each column's pinned and newest articles."""

    model = Department
    template_name = "newsroom/department_detail.html"
    context_object_name = "department"

    def get_object(self, queryset=None):
        self.department = Department.objects.cached(self.kwargs["slug"])
        if self.department is None:
            raise Http404("No such department.")
        return self.department

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["blocks"] = column_blocks(context["columns"])
        context["image_news"] = image_news(self.department)
        context["most_read"] = most_read(self.department)
        return context


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


@method_decorator(cached_page, name="dispatch")
class CategoryArticleListView(DepartmentNavigationMixin, ListView):
    """A column's articles, 20 a page: pinned first, then newest."""

    template_name = "newsroom/article_list.html"
    context_object_name = "articles"

    def get(self, request, *args, **kwargs):
        self.category = Category.objects.cached(
            department_slug=kwargs["department_slug"], slug=kwargs["slug"]
        )
        if self.category is None:
            raise Http404("No such column.")
        self.department = self.category.department
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        rows = ColumnRows(self.category, timezone.now())
        params = self.request.GET
        try:
            page = paginate_column(
                pinned=rows.pinned(MAX_PINNED_PER_COLUMN),
                rest=rows,
                per_page=settings.NEWSROOM_PAGE_SIZE,
                number=parse_page_number(params.get("page")),
                after=Cursor.decode(params.get("after")),
                before=Cursor.decode(params.get("before")),
            )
        except sqlcache.OutOfRange:  # a cursor naming an id no article can have
            raise Http404("No such page.") from None
        if not page.object_list and page.number > 1:
            raise Http404("No such page.")
        self.page = page
        return page.object_list

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["category"] = self.category
        context["page"] = self.page
        return context


class ArticlePageMixin(DepartmentNavigationMixin):
    """What an article page shows besides the article: its neighbours and attachments."""

    template_name = "newsroom/article_detail.html"
    context_object_name = "article"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        article = self.object
        context["previous_article"], context["next_article"] = neighbours(article)
        context["attachments"] = list(article.attachments.all()) if article.has_attachments else []
        return context


class NoticeEnded(Exception):
    """The article was a notice (公示) whose display period is over."""

    def __init__(self, article):
        super().__init__(article.pk)
        self.article = article


@method_decorator(cached_page, name="dispatch")
class ArticleDetailView(ArticlePageMixin, DetailView):
    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except NoticeEnded as ended:
            return notice_ended_response(request, ended.article)

    def get_object(self, queryset=None):
        article = article_for_page(self.kwargs["pk"])
        if article is None:
            ended = ended_notice(self.kwargs["pk"])
            if ended is not None:
                raise NoticeEnded(ended)
            raise Http404("No such article.")
        self.department = article.category.department
        return article


def ended_notice(pk):
    """The article if it was published and its display period (公示) is over, else None."""
    if pk not in sqlcache.BIGINT:
        return None
    return (
        Article.objects.expired()
        .filter(pk=pk)
        .select_related("category__department")
        .defer("body", "search_document", "search_title")
        .first()
    )


def notice_ended_response(request, article):
    """410 Gone, in the site's style: the address existed, the notice period is over.

    Not cached (only 200s are): the page is rare and cheap."""
    department = article.category.department
    context = {
        "article": None,
        "ended": article,
        "department": department,
        "columns": Category.objects.navigation(department),
    }
    return TemplateResponse(request, "newsroom/article_ended.html", context, status=410)


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
