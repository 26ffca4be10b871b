"""
内容安全 in the admin: the word lists (with import and export), the site's
personal-information patterns, and the archive report (内容安全检查).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from newsroom.models import (
    Department,
    PersonalPattern,
    ScanFinding,
    ScanRequest,
    WordEntry,
    WordList,
)
from newsroom.services.safety import lists, scan

from .scoping import DepartmentScopedAdminMixin

MAX_IMPORT_BYTES = 20 * 1024 * 1024


class WordListImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("file"),
        required=False,
        help_text=gettext_lazy("UTF-8 text, one entry a line: 词语<TAB>类别<TAB>级别<TAB>建议."),
    )
    text = forms.CharField(
        label=gettext_lazy("or paste the entries"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 80}),
    )
    replace = forms.BooleanField(
        label=gettext_lazy("Remove the words that are not in the file"), required=False
    )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is not None:
            if upload.size > MAX_IMPORT_BYTES:
                raise forms.ValidationError(_("The file is larger than 20 MB."))
            try:
                cleaned["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError as error:
                raise forms.ValidationError(_("The file is not UTF-8 text.")) from error
        if not cleaned.get("text", "").strip():
            raise forms.ValidationError(_("Choose a file or paste the entries."))
        return cleaned


@admin.register(WordList)
class WordListAdmin(admin.ModelAdmin):
    list_display = ("name", "department", "is_active", "entry_count", "updated_at")
    fields = ("name", "department", "description", "is_active")
    list_filter = ("is_active", "department")
    list_select_related = ("department",)
    search_fields = ("name",)
    change_form_template = "admin/newsroom/wordlist/change_form.html"

    @admin.display(description=gettext_lazy("words"))
    def entry_count(self, obj):
        return obj.entries.count()

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/import/",
                wrap(self.import_view),
                name="newsroom_wordlist_import",
            ),
            path(
                "<path:object_id>/export/",
                wrap(self.export_view),
                name="newsroom_wordlist_export",
            ),
        ] + super().get_urls()

    def _list(self, request, object_id, *, change):
        word_list = self.get_object(request, object_id)
        if word_list is None:
            from django.http import Http404

            raise Http404
        allowed = (
            self.has_change_permission(request, word_list)
            if change
            else self.has_view_permission(request, word_list)
        )
        if not allowed:
            raise PermissionDenied
        return word_list

    def export_view(self, request, object_id):
        word_list = self._list(request, object_id, change=False)
        response = HttpResponse(
            lists.wordlist_export(word_list), content_type="text/plain; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="wordlist-{word_list.pk}.txt"'
        return response

    def import_view(self, request, object_id):
        word_list = self._list(request, object_id, change=True)
        errors = []
        if request.method == "POST":
            form = WordListImportForm(request.POST, request.FILES)
            if form.is_valid():
                result = lists.wordlist_import(
                    word_list=word_list,
                    text=form.cleaned_data["text"],
                    replace=form.cleaned_data["replace"],
                )
                if not result.errors:
                    self.message_user(
                        request,
                        _("Imported: %(created)d new, %(updated)d changed, %(removed)d removed.")
                        % {
                            "created": result.created,
                            "updated": result.updated,
                            "removed": result.removed,
                        },
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(
                        reverse("admin:newsroom_wordlist_change", args=[word_list.pk])
                    )
                errors = result.errors[:100]
        else:
            form = WordListImportForm()
        return TemplateResponse(
            request,
            "admin/newsroom/wordlist/import.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Import words into “%(name)s”") % {"name": word_list.name},
                "opts": self.model._meta,
                "original": word_list,
                "form": form,
                "line_errors": errors,
            },
            status=400 if request.method == "POST" else 200,
        )


@admin.register(WordEntry)
class WordEntryAdmin(admin.ModelAdmin):
    list_display = ("word", "category", "level", "suggestion", "word_list")
    list_filter = ("level", "word_list")
    list_select_related = ("word_list",)
    search_fields = ("word", "suggestion", "category")
    list_per_page = 100


@admin.register(PersonalPattern)
class PersonalPatternAdmin(admin.ModelAdmin):
    list_display = ("name", "pattern", "department", "is_active")
    list_filter = ("is_active", "department")
    list_select_related = ("department",)
    search_fields = ("name",)


class FindingDepartmentFilter(admin.SimpleListFilter):
    title = gettext_lazy("department")
    parameter_name = "department"

    def lookups(self, request, model_admin):
        return [(d.pk, d.name) for d in Department.objects.reviewable_by(request.user)]

    def queryset(self, request, queryset):
        # Only an offered department filters; anything else is ignored.
        chosen = {str(pk): pk for pk, _name in self.lookup_choices}.get(self.value())
        if chosen is not None:
            return queryset.filter(department_id=chosen)
        return queryset


class FindingKindFilter(admin.SimpleListFilter):
    title = gettext_lazy("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        kinds = model_admin.get_queryset(request).values_list("kind", flat=True).distinct()
        return [(kind, kind) for kind in sorted(kinds)[:50]]

    def queryset(self, request, queryset):
        if self.value() in {value for value, _label in self.lookup_choices}:
            return queryset.filter(kind=self.value())
        return queryset


@admin.register(ScanFinding)
class ScanFindingAdmin(DepartmentScopedAdminMixin, admin.ModelAdmin):
    """内容安全检查: the hits of the last archive scan, per department, with a re-scan button."""

    list_display = (
        "article_link",
        "department",
        "field",
        "kind",
        "matched",
        "excerpt",
        "suggestion",
        "found_at",
    )
    list_filter = (FindingDepartmentFilter, FindingKindFilter)
    list_select_related = ("article", "department")
    search_fields = ("article__title", "matched")
    list_display_links = None
    list_per_page = 100
    show_full_result_count = False
    change_list_template = "admin/newsroom/scanfinding/change_list.html"

    def scope(self, request, queryset):
        return queryset.filter(department__in=Department.objects.reviewable_by(request.user))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("article"), ordering="article_id")
    def article_link(self, obj):
        return format_html(
            '<a href="{}">{} · {}</a>',
            reverse("admin:newsroom_article_change", args=[obj.article_id]),
            obj.article_id,
            obj.article.title,
        )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("rescan/", wrap(self.rescan_view), name="newsroom_scanfinding_rescan"),
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        departments = Department.objects.reviewable_by(request.user)
        extra_context = {
            **(extra_context or {}),
            "rescan_departments": departments,
            "scans": ScanRequest.objects.filter(
                Q(department__in=departments)
                | Q(department__isnull=True, requested_by=request.user)
            ).select_related("department", "requested_by")[:5],
        }
        return super().changelist_view(request, extra_context)

    def rescan_view(self, request):
        """Queue a re-scan of one department (or, for site admins, all of them)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_view_permission(request):
            raise PermissionDenied
        value = request.POST.get("department", "")
        department = None
        if value:
            department = (
                Department.objects.reviewable_by(request.user)
                .filter(pk=int(value) if value.isdigit() and len(value) < 10 else None)
                .first()
            )
            if department is None:
                raise PermissionDenied
        elif not request.user.is_superuser:
            raise PermissionDenied
        scan.scan_request(department=department, user=request.user)
        self.message_user(
            request,
            _(
                "The re-scan is queued; the report is replaced when it has run "
                "(manage.py scan_content --queued, every few minutes by the timer)."
            ),
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:newsroom_scanfinding_changelist"))
