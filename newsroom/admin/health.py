"""
Site health in the admin: the 链接检查 report and the 网站体检 dashboard.

Both are scoped like every admin screen: a member sees the departments of
their memberships (the dashboard: those they review), a site admin sees every
department side by side.
"""

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from newsroom.models import Department, Link, LinkOccurrence, SiteHealth
from newsroom.services import health
from newsroom.services.links import domain_allowed, reason_label

from .scoping import DepartmentScopedAdminMixin

CHART_WIDTH, CHART_HEIGHT, BAR_SPACE = 600, 160, 50


class LinkDepartmentFilter(admin.SimpleListFilter):
    title = gettext_lazy("department")
    parameter_name = "department"

    def lookups(self, request, model_admin):
        return [(d.pk, d.name) for d in Department.objects.editable_by(request.user)]

    def queryset(self, request, queryset):
        # Only an offered department filters; any other value is ignored.
        chosen = {str(pk): pk for pk, _name in self.lookup_choices}.get(self.value())
        if chosen is not None:
            return queryset.of_department(chosen)
        return queryset


class LinkPlaceFilter(admin.SimpleListFilter):
    """This site, allowed outside domains, or 外链 (outside the allowed domains)."""

    title = gettext_lazy("where it points")
    parameter_name = "where"

    def lookups(self, request, model_admin):
        return (
            ("internal", _("This site")),
            ("allowed", _("Allowed outside domains")),
            ("outside", _("Outside links (外链)")),
        )

    def queryset(self, request, queryset):
        if self.value() == "internal":
            return queryset.filter(is_internal=True)
        if self.value() in ("allowed", "outside"):
            hosts = queryset.filter(is_internal=False).values_list("host", flat=True).distinct()
            allowed = [h for h in hosts if domain_allowed(h.rsplit(":", 1)[0])]
            external = queryset.filter(is_internal=False)
            if self.value() == "allowed":
                return external.filter(host__in=allowed)
            return external.exclude(host__in=allowed)
        return queryset


@admin.register(Link)
class LinkAdmin(DepartmentScopedAdminMixin, admin.ModelAdmin):
    """链接检查: the links found by the last check, broken ones first, with their articles."""

    change_list_template = "admin/newsroom/link/change_list.html"
    list_display = (
        "address",
        "status",
        "reason_shown",
        "outside",
        "article_links",
        "first_broken_at",
        "last_checked_at",
    )
    list_display_links = None
    list_filter = (LinkDepartmentFilter, "status", LinkPlaceFilter)
    search_fields = ("url",)
    ordering = ("status", "-first_broken_at", "url")
    list_per_page = 100
    show_full_result_count = False

    def scope(self, request, queryset):
        departments = Department.objects.editable_by(request.user)
        held = LinkOccurrence.objects.filter(
            link=OuterRef("pk"), article__category__department__in=departments
        )
        return queryset.filter(Exists(held))

    def get_queryset(self, request):
        # Each row lists only the articles of the user's departments.
        occurrences = LinkOccurrence.objects.filter(
            article__category__department__in=Department.objects.editable_by(request.user)
        ).select_related("article")
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("occurrences", queryset=occurrences, to_attr="held"))
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("address"), ordering="url")
    def address(self, obj):
        return format_html('<a href="{0}" rel="noopener noreferrer">{0}</a>', obj.url)

    @admin.display(description=gettext_lazy("reason"), ordering="reason")
    def reason_shown(self, obj):
        return reason_label(obj.reason) if obj.reason else "-"

    @admin.display(description=gettext_lazy("outside link (外链)"))
    def outside(self, obj):
        if obj.is_internal or domain_allowed(obj.host.rsplit(":", 1)[0]):
            return ""
        return format_html('<span class="health-flag health-flag--warn">{}</span>', _("Outside"))

    @admin.display(description=gettext_lazy("articles"))
    def article_links(self, obj):
        return format_html_join(
            "<br>",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:newsroom_article_change", args=[o.article_id]), o.article.title)
                for o in obj.held
            ),
        )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "outside-domains/",
                wrap(self.outside_domains_view),
                name="newsroom_link_outside_domains",
            ),
        ] + super().get_urls()

    def outside_domains_view(self, request):
        """The outside domains (外链) of each of the user's departments, confirmed or not."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        tables = [
            (department, health.outside_domains(department))
            for department in Department.objects.editable_by(request.user)
        ]
        return TemplateResponse(
            request,
            "admin/newsroom/link/outside_domains.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Outside links (外链)"),
                "opts": self.model._meta,
                "tables": tables,
            },
        )


def chart(per_month):
    """Bars of a month chart, drawn by the template as SVG (no script)."""
    peak = max((count for _month, count in per_month), default=0) or 1
    bars = []
    for index, (month, count) in enumerate(per_month):
        height = round(count / peak * (CHART_HEIGHT - 40))
        bars.append(
            {
                "month": month,
                "count": count,
                "x": index * BAR_SPACE + 10,
                "y": CHART_HEIGHT - 20 - height,
                "height": height,
                "label_x": index * BAR_SPACE + 25,
                "count_y": CHART_HEIGHT - 24 - height,
            }
        )
    return {"bars": bars, "width": CHART_WIDTH, "height": CHART_HEIGHT}


@admin.register(SiteHealth)
class SiteHealthAdmin(admin.ModelAdmin):
    """网站体检: one panel per department the user reviews (site admins: all of them)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        # The dashboard takes the changelist's place; the other admin URLs stay
        # (other code reverses them) and refuse, as there is no object to show.
        return [
            path("", wrap(self.dashboard_view), name="newsroom_sitehealth_changelist"),
        ] + super().get_urls()

    def has_view_permission(self, request, obj=None):
        return obj is None and super().has_view_permission(request)

    def dashboard_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        now = timezone.now()
        panels = []
        for department in Department.objects.reviewable_by(request.user):
            report = health.department_health(department, now=now)
            panels.append({"report": report, "chart": chart(report.per_month)})
        return TemplateResponse(
            request,
            "admin/newsroom/sitehealth/dashboard.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Site health check"),
                "opts": self.model._meta,
                "panels": panels,
                "now": now,
                "stale_days": settings.NEWSROOM_STALE_DAYS,
                "pending_days": health.PENDING_REVIEW_DAYS,
                "idle_days": health.IDLE_ACCOUNT_DAYS,
                "expiring_days": health.EXPIRING_NOTICE_DAYS,
            },
        )
