"""
The public site: home, department homepage, column list, article.

Each view wires a selector (newsroom/selectors.py, where every query of these
pages lives) to its template; the page cache wraps them all.
"""

from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.views.generic import DetailView, ListView, TemplateView

from newsroom import selectors
from newsroom.models import Category, Department
from newsroom.pagination import Cursor, parse_page_number
from newsroom.services.pagecache import cached_page


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
        self.departments = selectors.departments()
        if len(self.departments) == 1:
            return redirect(self.departments[0])
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(departments=self.departments, **kwargs)


@method_decorator(cached_page, name="dispatch")
class DepartmentDetailView(DepartmentNavigationMixin, DetailView):
    """The department homepage: each column's pinned and newest articles."""

    template_name = "newsroom/department_detail.html"
    context_object_name = "department"

    def get_object(self, queryset=None):
        self.department = Department.objects.cached(self.kwargs["slug"])
        if self.department is None:
            raise Http404("No such department.")
        return self.department

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["blocks"] = selectors.column_blocks(context["columns"])
        context["image_news"] = selectors.image_news(self.department)
        context["most_read"] = selectors.most_read(self.department)
        return context


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
        params = self.request.GET
        self.page = selectors.column_page(
            self.category,
            number=parse_page_number(params.get("page")),
            after=Cursor.decode(params.get("after")),
            before=Cursor.decode(params.get("before")),
        )
        if self.page is None:
            raise Http404("No such page.")
        return self.page.object_list

    def get_context_data(self, **kwargs):
        return super().get_context_data(category=self.category, page=self.page, **kwargs)


class ArticlePageMixin(DepartmentNavigationMixin):
    """What an article page shows besides the article: its neighbours and attachments."""

    template_name = "newsroom/article_detail.html"
    context_object_name = "article"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["previous_article"], context["next_article"] = selectors.neighbours(self.object)
        context["attachments"] = selectors.attachments_of(self.object)
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
        article = selectors.article_for_page(self.kwargs["pk"])
        if article is None:
            ended = selectors.ended_notice(self.kwargs["pk"])
            if ended is not None:
                raise NoticeEnded(ended)
            raise Http404("No such article.")
        self.department = article.category.department
        return article


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
