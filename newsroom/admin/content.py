from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_ckeditor_5.widgets import CKEditor5Widget

from newsroom.models import (
    Article,
    Attachment,
    Category,
    DailyClickCount,
    Department,
    Image,
    Revision,
)
from newsroom.services import moderation, revisions, safety
from newsroom.services.safety.mask import article_mask_personal, editing_copy
from newsroom.services.safety.text import body_parts

from .attachments import AttachmentInline, save_attachment_formset
from .review import (
    approve_selected,
    reject_selected,
    seen_from_post,
    seen_input,
    stale_review_response,
)
from .scoping import DepartmentScopedAdminMixin
from .word import import_word_view


class ArticleAdminForm(forms.ModelForm):
    # The version the editor started from; a newer one in the database is a conflict.
    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Article
        fields = (*Article.CONTENT_FIELDS, "is_pinned", "pinned_until")
        widgets = {
            "body": CKEditor5Widget(config_name="default"),
            "summary": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.fields["base_version"].initial = self.instance.version
        if "body" in self.fields:
            # The editor replaces the textarea; the browser must not demand it.
            self.fields["body"].widget.attrs.pop("required", None)
            self.fields["body"].required = False

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("pinned_until") and not cleaned.get("is_pinned", self.instance.is_pinned):
            self.add_error("pinned_until", _("Only a pinned article can have a pin end time."))
        display_until, publish_at = cleaned.get("display_until"), cleaned.get("publish_at")
        if display_until and publish_at and display_until <= publish_at:
            self.add_error("display_until", _("The display end must come after the publish time."))
        base = cleaned.get("base_version")
        if self.instance.pk and base is not None:
            live = Article.objects.select_related("updated_by").get(pk=self.instance.pk)
            if live.version != base:
                raise forms.ValidationError(revisions.EditConflict(article=live).message)
        return cleaned


class CategoryListFilter(admin.RelatedFieldListFilter):
    """Column filter limited to the user's departments, labelled in one query."""

    def field_choices(self, field, request, model_admin):
        columns = (
            Category.objects.filter(department__in=Department.objects.editable_by(request.user))
            .select_related("department")
            .order_by("department__order", "department_id", "order")
        )
        return [(column.pk, str(column)) for column in columns]


class DepartmentListFilter(admin.SimpleListFilter):
    title = gettext_lazy("department")
    parameter_name = "department"

    def lookups(self, request, model_admin):
        return [(d.pk, d.name) for d in Department.objects.editable_by(request.user)]

    def queryset(self, request, queryset):
        # Only one of the offered departments filters; any other value (another
        # department's id, a word, a number too large for the database) is ignored.
        chosen = {str(pk): pk for pk, _name in self.lookup_choices}.get(self.value())
        if chosen is not None:
            return queryset.filter(category__department_id=chosen)
        return queryset


def status_label(article, *, now=None):
    """The status as staff should read it: a published article whose time has
    not come is 定时发布 with its time, not 已发布."""
    now = now or timezone.now()
    if article.status == Article.Status.PUBLISHED and article.publish_at > now:
        moment = timezone.localtime(article.publish_at)
        # The time in an element of its own, which the list keeps on one line
        # while the label may wrap before it (admin.css).
        time = format_html(
            '<time datetime="{}">{}</time>', moment.isoformat(), moment.strftime("%Y-%m-%d %H:%M")
        )
        label = conditional_escape(_("Scheduled for %(time)s")) % {"time": time}
        return format_html('<span class="newsroom-scheduled">{}</span>', mark_safe(label))
    return article.get_status_display()


class PublicationListFilter(admin.SimpleListFilter):
    """已发布 articles that are live now, or 定时发布 ones whose time is still to come."""

    title = gettext_lazy("publication")
    parameter_name = "publication"

    def lookups(self, request, model_admin):
        return [("live", gettext_lazy("Live now")), ("scheduled", gettext_lazy("Scheduled"))]

    def queryset(self, request, queryset):
        published = queryset.filter(status=Article.Status.PUBLISHED)
        if self.value() == "live":
            return published.filter(publish_at__lte=timezone.now())
        if self.value() == "scheduled":
            return published.filter(publish_at__gt=timezone.now())
        return queryset


class DisplayPeriodListFilter(admin.SimpleListFilter):
    """公示: articles whose display period is over (已到期) or still running."""

    title = gettext_lazy("display period")
    parameter_name = "display"

    def lookups(self, request, model_admin):
        return (("ended", _("Ended")), ("running", _("Running")))

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "ended":
            return queryset.expired(at=now)
        if self.value() == "running":
            return queryset.filter(display_until__gt=now)
        return queryset


class ArticleScopeMixin(DepartmentScopedAdminMixin):
    def scope(self, request, queryset):
        return queryset.editable_by(request.user)


def run_bulk(modeladmin, request, queryset, label, action):
    """Apply a moderation service to each selected article; report what was refused."""
    done, refused = 0, []
    for article in queryset:
        try:
            action(article)
            done += 1
        except moderation.ModerationError as error:
            refused.append(f"{article.title}: {error.message}")
    if done:
        modeladmin.message_user(
            request,
            _("%(label)s: %(count)d article(s).") % {"label": label, "count": done},
            messages.SUCCESS,
        )
    for line in refused:
        modeladmin.message_user(request, line, messages.ERROR)


def bulk_action(description, label, service):
    """An admin action applying ``service(article=…, user=…)`` to each selected article."""

    @admin.action(description=description)
    def action(modeladmin, request, queryset):
        run_bulk(
            modeladmin, request, queryset, label, lambda a: service(article=a, user=request.user)
        )

    return action


class ModerationActionsMixin:
    """Bulk actions and the per-article moderation view, all through the services."""

    actions = (
        "submit_selected",
        "approve_selected",
        "reject_selected",
        "take_down_selected",
        "pin_selected",
        "unpin_selected",
    )

    submit_selected = bulk_action(
        gettext_lazy("Submit selected articles for review"),
        gettext_lazy("Submitted for review"),
        moderation.article_submit,
    )
    # Approvals and rejections carry the version each row was loaded at.
    approve_selected = approve_selected
    reject_selected = reject_selected

    take_down_selected = bulk_action(
        gettext_lazy("Take selected articles down"),
        gettext_lazy("Taken down"),
        moderation.article_take_down,
    )
    pin_selected = bulk_action(
        gettext_lazy("Pin selected articles"), gettext_lazy("Pinned"), moderation.article_pin
    )
    unpin_selected = bulk_action(
        gettext_lazy("Unpin selected articles"), gettext_lazy("Unpinned"), moderation.article_unpin
    )

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not Department.objects.reviewable_by(request.user).exists():
            for name in (
                "approve_selected",
                "reject_selected",
                "take_down_selected",
                "pin_selected",
                "unpin_selected",
            ):
                actions.pop(name, None)
        return actions


@admin.register(Article)
class ArticleAdmin(ModerationActionsMixin, ArticleScopeMixin, admin.ModelAdmin):
    form = ArticleAdminForm
    inlines = (AttachmentInline,)
    change_form_template = "admin/newsroom/article/change_form.html"
    change_list_template = "admin/newsroom/article/change_list.html"
    list_display = ("title", "category", "status_seen", "publish_at", "is_pinned", "click_count")
    list_filter = (
        DepartmentListFilter,
        ("category", CategoryListFilter),
        "status",
        PublicationListFilter,
        "is_pinned",
        DisplayPeriodListFilter,
    )
    list_select_related = ("category__department",)
    search_fields = ("title",)
    date_hierarchy = "publish_at"
    ordering = ("-publish_at", "-id")
    autocomplete_fields = ("cover",)
    readonly_fields = (
        "status",
        "click_count",
        "created_by",
        "updated_by",
        "created_at",
        "updated_at",
        "version",
    )
    list_per_page = 50
    show_full_result_count = False
    sortable_by = ("title", "status", "publish_at", "is_pinned", "click_count")

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def status_seen(self, obj):
        if obj.status == Article.Status.PUBLISHED and obj.is_expired():
            return format_html(
                '{} <span class="expired-badge">{}</span>{}',
                obj.get_status_display(),
                _("Expired"),
                seen_input(obj),
            )
        return format_html("{}{}", status_label(obj), seen_input(obj))

    def changelist_view(self, request, extra_context=None):
        # Six columns beside the filters need the page's whole width at 1280 px:
        # with the app sidebar as well the table scrolled sideways. The
        # breadcrumbs still lead back to the other lists.
        extra_context = {"is_nav_sidebar_enabled": False, **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def get_fieldsets(self, request, obj=None):
        publishing = ["status", "publish_at", "display_until"]
        if self.may_pin(request, obj):
            publishing += ["is_pinned", "pinned_until"]
        return (
            (None, {"fields": ("category", "title", "summary", "cover", "body", "base_version")}),
            (_("Credits"), {"fields": ("author", "source", "photographer", "responsible_editor")}),
            (_("Publishing"), {"fields": publishing}),
            (
                _("Record"),
                {
                    "classes": ("collapse",),
                    "fields": (
                        "click_count",
                        "version",
                        "created_by",
                        "created_at",
                        "updated_by",
                        "updated_at",
                    ),
                },
            ),
        )

    def may_pin(self, request, obj):
        if obj is not None:
            return moderation.can_review(request.user, obj)
        return Department.objects.reviewable_by(request.user).exists()

    def get_exclude(self, request, obj=None):
        # Fields a role may not change are left out of the form entirely, so a
        # crafted POST that sets them has nothing to bind to.
        if not self.may_pin(request, obj):
            return ("is_pinned", "pinned_until")
        return super().get_exclude(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "category":
            kwargs["queryset"] = Category.objects.filter(
                department__in=Department.objects.editable_by(request.user)
            ).select_related("department")
        elif db_field.name == "cover":
            # The choices, the autocomplete (ImageAdmin's scope) and what a POST
            # may save: the images this user may use.
            kwargs["queryset"] = Image.objects.usable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        cover = form.base_fields.get("cover")
        if cover is not None and obj is not None and obj.cover_id:
            # The cover the article has stays valid, whoever chose it.
            cover.queryset = cover.queryset | Image.objects.filter(pk=obj.cover_id)
        return form

    # The outcome of a save travels on the request: the ModelAdmin instance is
    # shared by every request (and thread) of the process.

    def save_model(self, request, obj, form, change):
        request.newsroom_conflict = None
        try:
            request.newsroom_revision = revisions.article_save(
                article=obj, user=request.user, base_version=form.cleaned_data.get("base_version")
            )
        except revisions.EditConflict as conflict:
            # Somebody saved between the form check and this save: keep the
            # attempt as a revision so that nothing typed is lost.
            request.newsroom_conflict = conflict
            request.newsroom_revision = revisions.conflict_keep(
                article=obj, user=request.user, live=conflict.article
            )

    def response_add(self, request, obj, post_url_continue=None):
        safety_message(self, request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        conflict = getattr(request, "newsroom_conflict", None)
        if conflict:
            self.message_user(request, conflict.message, messages.ERROR)
            return HttpResponseRedirect(request.path)
        safety_message(self, request, obj)
        revision = getattr(request, "newsroom_revision", None)
        if revision is not None and revision.state == Revision.State.PENDING:
            self.message_user(
                request,
                _(
                    "Your change is waiting for review; the published page is unchanged until "
                    "a reviewer approves it."
                ),
                messages.WARNING,
            )
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def save_formset(self, request, form, formset, change):
        if getattr(request, "newsroom_conflict", None):
            return  # the article's edit was refused: its attachments' changes are too
        if formset.model is Attachment:
            save_attachment_formset(request, formset)
        else:
            super().save_formset(request, form, formset, change)

    # --- moderation, history and revisions -------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("most-read/", wrap(self.most_read_view), name="newsroom_article_most_read"),
            path("import-word/", wrap(self.import_word_view), name="newsroom_article_import_word"),
            path(
                "<path:object_id>/moderate/",
                wrap(self.moderate_view),
                name="newsroom_article_moderate",
            ),
            path(
                "<path:object_id>/safety-mask/",
                wrap(self.safety_mask_view),
                name="newsroom_article_safety_mask",
            ),
            path(
                "<path:object_id>/revisions/compare/",
                wrap(self.revision_compare_view),
                name="newsroom_article_revision_compare",
            ),
            path(
                "<path:object_id>/revisions/<int:number>/restore/",
                wrap(self.revision_restore_view),
                name="newsroom_article_revision_restore",
            ),
        ] + super().get_urls()

    def import_word_view(self, request):
        return import_word_view(self, request)

    def most_read_view(self, request):
        """The most-read articles of each of the user's departments over 7 or 30 days."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        days = 30 if request.GET.get("days") == "30" else 7
        since = timezone.localdate() - timezone.timedelta(days=days - 1)
        tables = []
        for department in Department.objects.editable_by(request.user):
            rows = (
                DailyClickCount.objects.filter(
                    day__gte=since, article__category__department=department
                )
                .values("article_id", "article__title", "article__category__name")
                .annotate(total=Sum("count"))
                .order_by("-total", "article_id")[:20]
            )
            tables.append((department, list(rows)))
        return TemplateResponse(
            request,
            "admin/newsroom/article/most_read.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Most read articles"),
                "opts": self.model._meta,
                "days": days,
                "since": since,
                "tables": tables,
            },
        )

    def get_article(self, request, object_id):
        article = self.get_object(request, object_id)
        if article is None:
            from django.http import Http404

            raise Http404
        return article

    def moderate_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self.get_article(request, object_id)
        move = request.POST.get("move", "")
        try:
            message = self.moderate(request, article, move)
        except moderation.StaleReview as stale:
            return stale_review_response(request, self, article, stale)
        except moderation.NotPermitted:
            raise
        except (moderation.ModerationError, ValueError) as error:
            self.message_user(request, getattr(error, "message", str(error)), messages.ERROR)
        else:
            self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:newsroom_article_change", args=[article.pk]))

    def moderate(self, request, article, move):
        """Apply the posted move through its service; the success message, or an error."""
        data, user = request.POST, request.user
        if move == "approve":
            publish_at = data.get("publish_at", "").strip()
            moderation.article_approve(
                article=article,
                user=user,
                seen=seen_from_post(data),
                publish_at=parse_local_datetime(publish_at) if publish_at else None,
                confirmed=data.getlist("confirm"),
            )
        elif move == "reject":
            moderation.article_reject(
                article=article,
                user=user,
                reason=data.get("reason", ""),
                seen=seen_from_post(data),
            )
        elif move == "submit":
            moderation.article_submit(article=article, user=user)
        elif move == "take_down":
            moderation.article_take_down(article=article, user=user, reason=data.get("reason", ""))
        elif move == "pin":
            until = data.get("until", "").strip()
            moderation.article_pin(
                article=article, user=user, until=parse_local_datetime(until) if until else None
            )
            return _("The article is pinned.")
        elif move == "unpin":
            moderation.article_unpin(article=article, user=user)
            return _("The article is no longer pinned.")
        else:
            raise moderation.ModerationError(_("Unknown action."))
        return _("The article was %(move)s.") % {"move": moderation.move_label(move)}

    def safety_mask_view(self, request, object_id):
        """Mask the posted personal-information hits (``key``), or all of them (``all``)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self.get_article(request, object_id)
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        keys = None if request.POST.get("all") else request.POST.getlist("key")
        version = request.POST.get("version", "")
        try:
            count = article_mask_personal(
                article=article,
                user=request.user,
                keys=keys,
                base_version=int(version) if version.isdigit() and len(version) < 10 else None,
            )
        except moderation.ModerationError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.message_user(
                request,
                _("Masked %(count)d piece(s) of personal information.") % {"count": count},
                messages.SUCCESS if count else messages.WARNING,
            )
        return HttpResponseRedirect(
            reverse("admin:newsroom_article_change", args=[article.pk]) + "#content-safety"
        )

    def revision_compare_view(self, request, object_id):
        article = self.get_article(request, object_id)
        if not self.has_view_permission(request, article):
            raise PermissionDenied
        numbers = [request.GET.get("a", ""), request.GET.get("b", "")]
        if not all(n.isdigit() for n in numbers):
            from django.http import Http404

            raise Http404
        older = get_object_or_404(Revision, article=article, number=int(numbers[0]))
        newer = get_object_or_404(Revision, article=article, number=int(numbers[1]))
        return TemplateResponse(
            request,
            "admin/newsroom/article/revision_diff.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Changes between revisions %(a)s and %(b)s")
                % {"a": older.number, "b": newer.number},
                "opts": self.model._meta,
                "original": article,
                "older": older,
                "newer": newer,
                "changes": revisions.revision_diff(older, newer),
            },
        )

    def revision_restore_view(self, request, object_id, number):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self.get_article(request, object_id)
        revision = get_object_or_404(Revision, article=article, number=number)
        restored = revisions.revision_restore(revision=revision, user=request.user)
        if restored.state == Revision.State.PENDING:
            message = _("Revision %(number)s was restored as a change waiting for review.")
        else:
            message = _("Revision %(number)s was restored.")
        self.message_user(request, message % {"number": number}, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:newsroom_article_change", args=[article.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        article = self.get_object(request, object_id)
        if article is not None:
            user = request.user
            can_review = moderation.can_review(user, article)
            extra_context.update(
                {
                    "new_domains": moderation.review_new_domains(article) if can_review else [],
                    "transitions": article.transitions.select_related("actor")[:50],
                    "revision_list": article.revisions.select_related("created_by")[:50],
                    "pending_revision": moderation.pending_revision(article),
                    "can_review": can_review,
                    "moves": moderation.allowed_moves(article.status),
                    "seen": moderation.review_seen(article),
                    "now_local": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                    **safety_context(article),
                }
            )
        return super().change_view(request, object_id, form_url, extra_context)


def safety_message(model_admin, request, article):
    """After a save: how many content-safety hits the saved text has (listed on its page)."""
    report = safety.article_check(article=editing_copy(Article.objects.get(pk=article.pk)))
    if report.hits:
        model_admin.message_user(
            request,
            _(
                "The content-safety check found %(count)d hit(s): %(hits)s. They are listed "
                "under 内容安全 on the article's page."
            )
            % {
                "count": len(report.hits),
                "hits": "; ".join(hit.describe() for hit in report.hits[:5]),
            },
            messages.ERROR if report.blocking else messages.WARNING,
        )


def body_segments(text, hits):
    """The body's text cut into (text, hit or None) pieces, for marking the hits."""
    segments, position = [], 0
    for hit in sorted((h for h in hits if h.field == "body"), key=lambda h: h.start):
        if hit.start < position:
            continue  # overlapping hits: the first one is marked
        segments.append((text[position : hit.start], None))
        segments.append((text[hit.start : hit.end], hit))
        position = hit.end
    segments.append((text[position:], None))
    return segments


def safety_context(article):
    """What the 内容安全 box of the article's page shows: the version under review."""
    content = editing_copy(Article.objects.select_related("cover").get(pk=article.pk))
    report = safety.article_check(article=content)
    return {
        "safety": report,
        "safety_body": body_segments(body_parts(content.body)["body"], report.hits),
    }


def parse_local_datetime(value):
    """A datetime-local input value in the site's time zone; ValueError if malformed
    or outside the years a news article can have."""
    from datetime import datetime

    moment = datetime.strptime(value.strip()[:16], "%Y-%m-%dT%H:%M")
    if not 1900 <= moment.year <= 2999:
        raise ValueError(_("Give a time between the years 1900 and 2999."))
    return timezone.make_aware(moment)


class ImageScopeMixin(DepartmentScopedAdminMixin):
    """Staff see the images they may use (their departments' and the shared
    library, so that the cover autocomplete offers them) and change only their
    departments' ones; the shared library is changed by site admins."""

    def scope(self, request, queryset):
        return queryset.usable_by(request.user)

    def manages(self, request, obj):
        return Image.objects.managed_by(request.user).filter(pk=obj.pk).exists() and (
            request.user.is_superuser or not obj.is_shared
        )

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or self.manages(request, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or self.manages(request, obj))


class ImageAdminForm(forms.ModelForm):
    class Meta:
        model = Image
        fields = ("file", "alt_text", "is_shared")

    def clean_file(self):
        from newsroom.services import uploads

        upload = self.cleaned_data.get("file")
        if upload is not None and "file" in self.changed_data:
            # The library takes files by the same rules as the editor's upload.
            try:
                self.original_name = (upload.name or "")[:255]
                return uploads.reencode_upload(uploaded_file=upload)
            except uploads.UploadRejected as rejected:
                raise forms.ValidationError(rejected.message) from rejected
        return upload


@admin.register(Image)
class ImageAdmin(ImageScopeMixin, admin.ModelAdmin):
    form = ImageAdminForm
    list_display = (
        "thumbnail",
        "__str__",
        "width",
        "height",
        "uploaded_by",
        "uploaded_at",
        "is_shared",
    )
    list_filter = ("is_shared",)
    list_select_related = ("uploaded_by",)
    search_fields = ("alt_text", "original_name")
    readonly_fields = (
        "preview",
        "width",
        "height",
        "size",
        "uploaded_by",
        "uploaded_at",
        "original_name",
    )
    fields = (
        "file",
        "preview",
        "alt_text",
        "original_name",
        "width",
        "height",
        "size",
        "uploaded_by",
        "uploaded_at",
    )

    def get_fields(self, request, obj=None):
        # Only site admins put an image in (or take it out of) the shared library.
        if request.user.is_superuser:
            return (*self.fields, "is_shared")
        return self.fields

    @admin.display(description=gettext_lazy("preview"))
    def thumbnail(self, obj):
        return format_html('<img src="{}" alt="" class="newsroom-thumb">', obj.file.url)

    @admin.display(description=gettext_lazy("preview"))
    def preview(self, obj):
        if not obj.pk:
            return "-"
        return format_html('<img src="{}" alt="" class="newsroom-preview">', obj.file.url)

    def save_model(self, request, obj, form, change):
        if "file" in form.changed_data:
            obj.original_name = getattr(form, "original_name", obj.original_name)
            obj.size = obj.file.size
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)
