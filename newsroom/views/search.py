import re

from django.http import Http404
from django.utils.decorators import method_decorator
from django.views.generic import ListView

from newsroom import selectors
from newsroom.models import Department
from newsroom.pagination import parse_page_number
from newsroom.services import search
from newsroom.services.pagecache import cached_page

from .public import DepartmentNavigationMixin

SLUG = re.compile(r"[-a-zA-Z0-9_]{1,60}")


@method_decorator(cached_page, name="dispatch")
class ArticleSearchView(DepartmentNavigationMixin, ListView):
    """站内搜索: published articles across the site or one department, 20 a page."""

    template_name = "newsroom/article_search.html"
    context_object_name = "results"

    def get(self, request, *args, **kwargs):
        self.query = " ".join(request.GET.get("q", "")[: search.MAX_QUERY_LENGTH].split())
        slug = request.GET.get("department", "")
        self.department = None
        if slug:
            if not SLUG.fullmatch(slug):
                raise Http404("No such department.")
            self.department = Department.objects.cached(slug)
            if self.department is None:
                raise Http404("No such department.")
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        number = parse_page_number(self.request.GET.get("page"))
        self.page = selectors.search_results(self.query, department=self.department, number=number)
        if self.page is None:
            raise Http404("No such page.")
        return self.page.object_list

    def get_navigation(self, department):
        return super().get_navigation(department) if department else []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = self.page.object_list
        context.update(
            {
                "query": self.query,
                "page": self.page,
                "search_scope": self.department,
                # Every row carries the number of matches (services/search.py).
                "found_total": rows[0].found_total if rows else 0,
                "found_more": bool(rows) and rows[0].found_total >= search.CANDIDATES,
            }
        )
        return context
