from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from newsroom.models import ReviewItem
from newsroom.services import moderation

from .content import ModerationActionsMixin
from .review import seen_input
from .scoping import DepartmentScopedAdminMixin


@admin.register(ReviewItem)
class ReviewQueueAdmin(ModerationActionsMixin, DepartmentScopedAdminMixin, admin.ModelAdmin):
    """A reviewer's queue: what waits in their departments, oldest first."""

    list_display = (
        "title",
        "category",
        "status",
        "submitted_at",
        "updated_by",
        "new_domains",
        "links",
    )
    list_select_related = ("category__department", "updated_by")
    list_display_links = None
    ordering = ("submitted_at", "id")
    actions = ("approve_selected", "reject_selected")
    search_fields = ("title",)
    show_full_result_count = False

    def scope(self, request, queryset):
        return queryset.reviewable_by(request.user).awaiting_review()

    def get_actions(self, request):
        actions = super().get_actions(request)
        return {name: actions[name] for name in self.actions if name in actions}

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("new outside links"))
    def new_domains(self, obj):
        """Outside domains the approval must confirm (it is refused in bulk until then)."""
        domains = moderation.review_new_domains(obj)
        if not domains:
            return "-"
        return format_html_join(
            " ", '<span class="new-domain-badge">{}</span>', ((d,) for d in domains)
        )

    @admin.display(description=_("review"))
    def links(self, obj):
        return format_html(
            '<a href="{}">{}</a> · <a href="{}" target="_blank" rel="noopener">{}</a>{}',
            reverse("admin:newsroom_article_change", args=[obj.pk]),
            _("Review"),
            reverse("newsroom:article-preview", args=[obj.pk]),
            _("Preview"),
            seen_input(obj),
        )
