"""从 Word 导入 on the article add page: a .docx becomes a draft to review and submit."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from newsroom.models import Category, Department
from newsroom.services.word import WordRejected, article_from_docx


class WordImportForm(forms.Form):
    category = forms.ModelChoiceField(
        queryset=Category.objects.none(), label=gettext_lazy("column")
    )
    document = forms.FileField(
        label=gettext_lazy("Word document (.docx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".docx"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(
            department__in=Department.objects.editable_by(user)
        ).select_related("department")


def import_word_view(model_admin, request):
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    form = WordImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            article, notes = article_from_docx(
                uploaded_file=form.cleaned_data["document"],
                category=form.cleaned_data["category"],
                user=request.user,
            )
        except WordRejected as error:
            form.add_error("document", error.message)
        else:
            model_admin.message_user(
                request,
                _("A draft was made from the Word document: review it, then submit it."),
                messages.SUCCESS,
            )
            for note in notes:
                model_admin.message_user(
                    request, _("A picture was left out: %(reason)s") % {"reason": note}
                )
            return HttpResponseRedirect(reverse("admin:newsroom_article_change", args=[article.pk]))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Import from Word"),
        "form": form,
    }
    return TemplateResponse(request, "admin/newsroom/article/import_word.html", context)
