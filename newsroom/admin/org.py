from django.contrib import admin

from newsroom.models import Category, Department, Membership
from newsroom.services.roles import membership_sync

from .scoping import DepartmentScopedAdminMixin


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 0
    fields = ("name", "slug", "order")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Department)
class DepartmentAdmin(DepartmentScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "order")
    list_editable = ("order",)
    search_fields = ("name", "slug")
    inlines = (CategoryInline,)

    def scope(self, request, queryset):
        return queryset.filter(pk__in=Department.objects.editable_by(request.user))


@admin.register(Category)
class CategoryAdmin(DepartmentScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "department", "slug", "order")
    list_filter = (("department", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("department",)
    search_fields = ("name", "department__name")
    ordering = ("department__order", "order")

    def scope(self, request, queryset):
        return queryset.filter(department__in=Department.objects.editable_by(request.user))


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Who is an editor or reviewer where. Site admins (superusers) manage this."""

    list_display = ("user", "department", "role")
    list_filter = ("role", "department")
    list_select_related = ("user", "department")
    search_fields = ("user__username", "user__first_name", "user__last_name", "department__name")
    autocomplete_fields = ("user",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        membership_sync(user=obj.user)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        membership_sync(user=obj.user)

    def delete_queryset(self, request, queryset):
        users = {membership.user for membership in queryset.select_related("user")}
        super().delete_queryset(request, queryset)
        for user in users:
            membership_sync(user=user)
