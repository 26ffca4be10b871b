from django import forms
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_ckeditor_5.widgets import CKEditor5Widget

from newsroom.models import Article, Category, Image


class ArticleAdminForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = "__all__"
        widgets = {
            "body": CKEditor5Widget(config_name="default"),
            "summary": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "category" in self.fields:
            # Column labels name their department: fetch both in one query.
            self.fields["category"].queryset = Category.objects.select_related("department")
        if "body" in self.fields:
            # The editor replaces the textarea; the browser must not demand it.
            self.fields["body"].widget.attrs.pop("required", None)
            self.fields["body"].required = False

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("pinned_until") and not cleaned.get("is_pinned"):
            self.add_error("pinned_until", _("Only a pinned article can have a pin end time."))
        return cleaned


class CategoryListFilter(admin.RelatedFieldListFilter):
    """Column filter whose labels ("department / column") cost one query in all."""

    def field_choices(self, field, request, model_admin):
        columns = Category.objects.select_related("department").order_by(
            "department__order", "department_id", "order"
        )
        return [(column.pk, str(column)) for column in columns]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = ("title", "category", "status", "publish_at", "is_pinned", "click_count")
    list_filter = (
        "category__department", ("category", CategoryListFilter), "status", "is_pinned"
    )
    list_select_related = ("category__department",)
    search_fields = ("title",)
    date_hierarchy = "publish_at"
    ordering = ("-publish_at", "-id")
    autocomplete_fields = ("cover",)
    readonly_fields = ("click_count", "created_by", "created_at", "updated_at")
    list_per_page = 50
    show_full_result_count = False
    fieldsets = (
        (None, {"fields": ("category", "title", "summary", "cover", "body")}),
        (_("Credits"), {"fields": ("author", "source", "photographer", "responsible_editor")}),
        (_("Publishing"), {"fields": ("status", "publish_at", "is_pinned", "pinned_until")}),
        (_("Record"), {
            "classes": ("collapse",),
            "fields": ("click_count", "created_by", "created_at", "updated_at"),
        }),
    )

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ("thumbnail", "__str__", "width", "height", "uploaded_by", "uploaded_at")
    list_select_related = ("uploaded_by",)
    search_fields = ("alt_text", "original_name")
    readonly_fields = ("preview", "width", "height", "size", "uploaded_by", "uploaded_at")
    fields = ("file", "preview", "alt_text", "original_name", "width", "height", "size",
              "uploaded_by", "uploaded_at")

    @admin.display(description=_("preview"))
    def thumbnail(self, obj):
        return format_html(
            '<img src="{}" alt="" style="max-width:80px;max-height:60px">', obj.file.url
        )

    @admin.display(description=_("preview"))
    def preview(self, obj):
        if not obj.pk:
            return "-"
        return format_html('<img src="{}" alt="" style="max-width:400px">', obj.file.url)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
            if obj.file and not obj.original_name:
                obj.original_name = obj.file.name[:255]
        super().save_model(request, obj, form, change)
