from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from newsroom.models import Category, Department, Membership
from newsroom.services.roles import membership_sync

from .scoping import DepartmentScopedAdminMixin
from .site import (
    GREY_FIELDS,
    IDENTITY_FIELDS,
    IDENTITY_MODEL_FIELDS,
    DepartmentFriendlyLinkInline,
    IdentityAdminMixin,
    IdentityForm,
)


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 0
    fields = ("name", "slug", "order")
    prepopulated_fields = {"slug": ("name",)}


class DepartmentForm(IdentityForm):
    class Meta:
        model = Department
        fields = ("name", "slug", "description", "order", "language", *IDENTITY_MODEL_FIELDS)


@admin.register(Department)
class DepartmentAdmin(IdentityAdminMixin, DepartmentScopedAdminMixin, admin.ModelAdmin):
    form = DepartmentForm
    list_display = ("name", "slug", "language", "order")
    list_editable = ("order",)
    search_fields = ("name", "slug")
    autocomplete_fields = ("logo", "banner")
    inlines = (CategoryInline,)

    def scope(self, request, queryset):
        return queryset.filter(pk__in=Department.objects.editable_by(request.user))

    # Identity, language and grey mode are the site admins' (superusers') alone:
    # for others they are not part of the form at all.

    def get_fieldsets(self, request, obj=None):
        fieldsets = [(None, {"fields": ("name", "slug", "description", "order")})]
        if request.user.is_superuser:
            fieldsets += [
                (_("Language"), {"fields": ("language",)}),
                (_("Header and footer (empty: the site's)"), {"fields": IDENTITY_FIELDS}),
                (_("Grey mode (一键变灰), this department"), {"fields": GREY_FIELDS}),
            ]
        return fieldsets

    def get_inlines(self, request, obj):
        if request.user.is_superuser:
            return (CategoryInline, DepartmentFriendlyLinkInline)
        return (CategoryInline,)

    def save_model(self, request, obj, form, change):
        if request.user.is_superuser:
            self.save_identity(request, obj, form)
        else:
            super().save_model(request, obj, form, change)


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
