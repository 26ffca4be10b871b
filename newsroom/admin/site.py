"""
Site identity and 一键变灰 in the admin: the site settings (one page) and the
identity fields of a department. Only site admins (superusers) see or change
them; saving bumps the content version, so every cached page follows at once.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from newsroom.models import FriendlyLink, GreyMode, SiteSettings
from newsroom.services import uploads
from newsroom.services.identity import identity_image_upload, identity_renditions_ensure

# The model fields of IdentityFields, for the forms' Meta.
IDENTITY_MODEL_FIELDS = (
    "english_name",
    "logo",
    "banner",
    "copyright",
    "address",
    "postcode",
    "phone",
    "email",
    "grey_mode",
    "grey_from",
    "grey_until",
)
IDENTITY_FIELDS = (
    "english_name",
    ("logo", "logo_upload"),
    ("banner", "banner_upload"),
    "copyright",
    ("address", "postcode"),
    ("phone", "email"),
)
GREY_FIELDS = ("grey_mode", ("grey_from", "grey_until"))


class IdentityForm(forms.ModelForm):
    """Logo and banner: chosen from the image library, or uploaded here through
    the same checks as any image."""

    logo_upload = forms.FileField(
        label=_("upload a logo"),
        required=False,
        help_text=_("PNG with transparency works best; replaces the logo chosen above."),
    )
    banner_upload = forms.FileField(
        label=_("upload a banner"), required=False, help_text=_("Replaces the banner above.")
    )

    def _checked_upload(self, name):
        upload = self.cleaned_data.get(name)
        if upload is not None:
            try:
                uploads.reencode_upload(uploaded_file=upload)
            except uploads.UploadRejected as rejected:
                raise ValidationError(rejected.message) from rejected
            upload.seek(0)
        return upload

    def clean_logo_upload(self):
        return self._checked_upload("logo_upload")

    def clean_banner_upload(self):
        return self._checked_upload("banner_upload")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("grey_mode") == GreyMode.SCHEDULED:
            start, end = cleaned.get("grey_from"), cleaned.get("grey_until")
            if not start or not end:
                raise ValidationError(_("Grey mode between two times needs both times."))
            if start >= end:
                raise ValidationError(_("Grey mode must end after it starts."))
        return cleaned


class IdentityAdminMixin:
    """Saves uploaded logos and banners as images, and makes their renditions."""

    def save_identity(self, request, obj, form):
        for field in ("logo", "banner"):
            upload = form.cleaned_data.get(f"{field}_upload")
            if upload is not None:
                image = identity_image_upload(uploaded_file=upload, user=request.user, field=field)
                setattr(obj, field, image)
        obj.save()
        identity_renditions_ensure(obj)


# Addresses typed without a scheme are https:// (Django 6's default already).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


class FriendlyLinkInline(admin.TabularInline):
    model = FriendlyLink
    extra = 1
    fields = ("name", "url", "order")
    formfield_overrides = HTTPS_URLS


class SiteFriendlyLinkInline(FriendlyLinkInline):
    fk_name = "site"


class DepartmentFriendlyLinkInline(FriendlyLinkInline):
    fk_name = "department"
    verbose_name_plural = _("friendly links (empty: the site's)")


def https_urls(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class SiteSettingsForm(IdentityForm):
    class Meta:
        model = SiteSettings
        fields = (
            "site_name",
            "university_name",
            "university_url",
            "icp_number",
            "psb_number",
            "psb_url",
            *IDENTITY_MODEL_FIELDS,
        )
        formfield_callback = https_urls


@admin.register(SiteSettings)
class SiteSettingsAdmin(IdentityAdminMixin, admin.ModelAdmin):
    """One page of settings: the list goes straight to it."""

    form = SiteSettingsForm
    formfield_overrides = HTTPS_URLS
    inlines = (SiteFriendlyLinkInline,)
    autocomplete_fields = ("logo", "banner")
    fieldsets = (
        (None, {"fields": ("site_name", ("university_name", "university_url"))}),
        (_("Header and footer (defaults for every department)"), {"fields": IDENTITY_FIELDS}),
        (_("Filing numbers"), {"fields": ("icp_number", ("psb_number", "psb_url"))}),
        (_("Grey mode (一键变灰), the whole site"), {"fields": GREY_FIELDS}),
    )

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    has_change_permission = has_view_permission

    def has_add_permission(self, request):
        return self.has_view_permission(request) and not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            return super().changelist_view(request, extra_context)
        if SiteSettings.objects.exists():
            return HttpResponseRedirect(reverse("admin:newsroom_sitesettings_change", args=[1]))
        return HttpResponseRedirect(reverse("admin:newsroom_sitesettings_add"))

    def save_model(self, request, obj, form, change):
        self.save_identity(request, obj, form)
