"""
Attachments (附件) on the article change form.

The inline takes files by the rules of ``newsroom/services/attachments.py``:
a refused file is a form error, and an accepted one is stored under a random
name with the detected content type and its real size.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminFileWidget
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from newsroom.models import Article, Attachment
from newsroom.services import moderation
from newsroom.services.attachments import (
    AttachmentRejected,
    attachment_name,
    validate_attachment,
)


class DownloadLink:
    """What the file widget shows for a stored file: its name, linked to the download view."""

    def __init__(self, attachment):
        self.url = attachment.get_absolute_url()
        self.name = attachment.name

    def __str__(self):
        return self.name


class AttachmentFileInput(AdminFileWidget):
    # Not the /media/ URL: attachments are only ever served through the
    # download view, which is what hides those of unpublished articles.
    attachment = None

    def is_initial(self, value):
        # The private storage gives files no URL, which the default test asks for.
        return bool(value and getattr(value, "name", None))

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if context["widget"]["is_initial"] and self.attachment is not None:
            context["widget"]["value"] = DownloadLink(self.attachment)
        return context


class AttachmentInlineForm(forms.ModelForm):
    class Meta:
        model = Attachment
        fields = ("file", "name", "order")
        widgets = {"file": AttachmentFileInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["file"].widget.attachment = self.instance
        # Left empty, the name is the uploaded file's.
        self.fields["name"].required = False
        self.detected = None  # (content type, extension, original name, size) of a new file
        self.replaced = None  # storage name of the file a new one replaces

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if isinstance(upload, UploadedFile) and "file" in self.changed_data:
            try:
                content_type, extension = validate_attachment(upload)
            except AttachmentRejected as rejected:
                raise forms.ValidationError(rejected.message) from rejected
            self.detected = (content_type, extension, upload.name, upload.size)
            if self.instance.pk and self.instance.file:
                self.replaced = self.instance.file.name
            # attachment_path keeps only this extension and makes up a random name.
            upload.name = f"upload.{extension}"
        return upload

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get("name", "")
        if self.detected:
            _content_type, extension, original_name, _size = self.detected
            cleaned["name"] = attachment_name(name or original_name, extension=extension)
        elif name and self.instance.file:
            extension = self.instance.file.name.rsplit(".", 1)[-1].lower()
            cleaned["name"] = attachment_name(name, extension=extension)
        elif "name" in cleaned and self.instance.pk:
            cleaned["name"] = self.instance.name
        return cleaned

    def save(self, commit=True):
        if self.detected:
            self.instance.content_type, _extension, _name, self.instance.size = self.detected
        return super().save(commit)


class AttachmentInline(admin.TabularInline):
    model = Attachment
    form = AttachmentInlineForm
    fields = ("file", "name", "order", "size", "content_type", "download_count")
    readonly_fields = ("size", "content_type", "download_count")
    extra = 1

    def editable_for(self, request, article):
        """Attachments of a live article change only with a reviewer's hand: an
        editor's edit of it waits for review, and attachments are not part of
        that pending revision."""
        if article is None or article.status != Article.Status.PUBLISHED:
            return True
        return moderation.can_review(request.user, article)

    def has_add_permission(self, request, obj=None):
        return self.editable_for(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self.editable_for(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.editable_for(request, obj) and super().has_delete_permission(request, obj)


def save_attachment_formset(request, formset) -> None:
    """
    Save the formset of ``AttachmentInline``: new and replaced files are
    recorded as uploaded by ``request.user``, and the stored files of removed
    or replaced attachments are deleted once the transaction commits.

    ``ArticleAdmin.save_formset`` calls it for this inline's formset::

        def save_formset(self, request, form, formset, change):
            if formset.model is Attachment:
                save_attachment_formset(request, formset)
            else:
                super().save_formset(request, form, formset, change)
    """
    forms_by_instance = {id(form.instance): form for form in formset.forms}
    instances = formset.save(commit=False)
    stale = []
    for attachment in formset.deleted_objects:
        stale.append(attachment.file.name)
        attachment.delete()
    for attachment in instances:
        form = forms_by_instance.get(id(attachment))
        if form is not None and form.detected:
            attachment.uploaded_by = request.user
            if form.replaced:
                stale.append(form.replaced)
        attachment.save()
    formset.save_m2m()
    storage = Attachment._meta.get_field("file").storage
    for name in filter(None, stale):
        transaction.on_commit(lambda name=name: storage.delete(name))
