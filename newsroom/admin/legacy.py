"""The old site's addresses and what its import left: for site admins."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from newsroom.models import ImportedArticle, ImportedFile, LegacyRedirect


@admin.register(LegacyRedirect)
class LegacyRedirectAdmin(admin.ModelAdmin):
    """Redirects made by the importer, and any added by hand (an old page nobody imported)."""

    list_display = ("old_url", "host", "key", "department", "destination_shown", "created_at")
    list_filter = (("department", admin.RelatedOnlyFieldListFilter), "host")
    list_select_related = ("department", "article", "category__department", "attachment")
    search_fields = ("old_url", "key", "host")
    raw_id_fields = ("article", "attachment")
    fields = (
        "old_url",
        "host",
        "key",
        "department",
        "article",
        "category",
        "attachment",
        "target_url",
    )
    readonly_fields = ("key",)
    list_per_page = 100
    show_full_result_count = False

    @admin.display(description=_("new address"))
    def destination_shown(self, obj):
        return obj.destination()


@admin.register(ImportedArticle)
class ImportedArticleAdmin(admin.ModelAdmin):
    """Every imported article with its old address and the problems its import met."""

    list_display = ("old_url", "article", "system", "has_problems", "updated_at")
    list_filter = ("has_problems", "system", ("department", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("article",)
    search_fields = ("old_url", "old_id", "article__title", "problems")
    readonly_fields = (
        "department",
        "system",
        "old_id",
        "old_url",
        "article",
        "problems",
        "has_problems",
        "imported_at",
        "updated_at",
    )
    exclude = ("fingerprint",)
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ImportedFile)
class ImportedFileAdmin(admin.ModelAdmin):
    list_display = ("old_url", "image", "attachment", "imported_at")
    list_filter = (("department", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("old_url", "key")
    readonly_fields = ("department", "key", "old_url", "image", "attachment", "imported_at")
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
