"""
The reviewer's side of the admin: what a page shows a reviewer carries the
version it shows (``Seen``), and every approval or rejection sends it back.

A decision on a version that is no longer current is refused and the reviewer
is shown what changed (``stale_review_response``).
"""

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from newsroom.services import moderation, revisions

# Versions and revision numbers are small counters: anything longer is not one.
_MAX_DIGITS = 9


def _number(value):
    value = (value or "").strip()
    if value.isdigit() and len(value) <= _MAX_DIGITS:
        return int(value)
    return None


def seen_from_post(data) -> moderation.Seen | None:
    """The ``version``/``revision`` pair a moderation form posted, or None."""
    version = _number(data.get("version"))
    if version is None:
        return None
    return moderation.Seen(version=version, revision=_number(data.get("revision")))


def seen_input(article):
    """A changelist row's hidden ``seen`` field: the version the row was loaded at."""
    return format_html(
        '<input type="hidden" name="seen" value="{}:{}">', article.pk, article.version
    )


def seen_rows(data) -> dict:
    """{article id: Seen} from the ``seen`` fields of a changelist POST."""
    rows = {}
    for value in data.getlist("seen"):
        pk, _sep, version = value.partition(":")
        pk, version = _number(pk), _number(version)
        if pk is not None and version is not None:
            rows[pk] = moderation.Seen(version=version)
    return rows


def stale_review_response(request, model_admin, article, stale: moderation.StaleReview):
    """The refusal page: who changed the article and when, and the difference (409)."""
    read, current, changes = revisions.review_changes(
        article=stale.article, seen_revision=stale.seen.revision
    )
    return TemplateResponse(
        request,
        "admin/newsroom/article/stale_review.html",
        {
            **model_admin.admin_site.each_context(request),
            "title": _("The article changed while you were reviewing it"),
            "opts": article._meta,
            "original": stale.article,
            "message": stale.message,
            "older": read,
            "newer": current,
            "changes": changes,
        },
        status=409,
    )


def run_bulk_decision(modeladmin, request, queryset, label, decide):
    """
    Apply ``decide(article, seen)`` to each selected article that was shown in
    the list as it is now; the others are reported by title and left alone.
    """
    seen = seen_rows(request.POST)
    done, refused = 0, []
    for article in queryset:
        try:
            if article.pk not in seen:
                raise moderation.ModerationError(
                    _("not in the list you loaded; open it and review it first.")
                )
            decide(article, seen[article.pk])
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


@admin.action(description=gettext_lazy("Approve and publish selected articles"))
def approve_selected(modeladmin, request, queryset):
    run_bulk_decision(
        modeladmin,
        request,
        queryset,
        _("Approved"),
        lambda article, seen: moderation.article_approve(
            article=article, user=request.user, seen=seen
        ),
    )


@admin.action(description=gettext_lazy("Reject selected articles…"))
def reject_selected(modeladmin, request, queryset):
    reason = request.POST.get("reason", "").strip()
    if "confirm" in request.POST:
        if reason:
            run_bulk_decision(
                modeladmin,
                request,
                queryset,
                _("Rejected"),
                lambda article, seen: moderation.article_reject(
                    article=article, user=request.user, reason=reason, seen=seen
                ),
            )
            return None
        modeladmin.message_user(
            request, _("Give the author a reason for the rejection."), messages.ERROR
        )
    return TemplateResponse(
        request,
        "admin/newsroom/article/reject_selected.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": _("Reject articles"),
            "articles": queryset,
            "opts": modeladmin.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "reason": reason,
            # The versions the list showed travel through the confirmation page.
            "seen": request.POST.getlist("seen"),
        },
    )
