"""
内容安全 in the admin: the word lists (with import and export), the site's
personal-information patterns, and the archive report (内容安全检查).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from newsroom.models import PersonalPattern, WordEntry, WordList
from newsroom.services.safety import lists

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
