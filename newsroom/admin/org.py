from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from newsroom.models import Category, Department


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 0
    fields = ("name", "slug", "order")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "order")
    list_editable = ("order",)
    search_fields = ("name", "slug")
    inlines = (CategoryInline,)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "department", "slug", "order")
    list_filter = (("department", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("department",)
    search_fields = ("name", "department__name")
    ordering = ("department__order", "order")

    @admin.display(description=_("department"))
    def department_name(self, obj):
        return obj.department.name
