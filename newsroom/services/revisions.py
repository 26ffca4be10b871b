"""
Saving articles so that nothing is lost.

Every save stores a revision. A save based on an older version than the one
in the database is an edit conflict and is refused. An editor's change to a
published article is stored as a pending revision: the live page keeps the
approved content until a reviewer approves the change.
"""

import difflib
import re
from datetime import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from newsroom.core.html import clean_body
from newsroom.models import Article, Revision
from newsroom.services.access import (
    ModerationError,
    NotPermitted,
    can_review,
    require_edit,
    require_image,
)

# Editable content captured by a revision (the workflow fields are not content).
CONTENT_FIELDS = tuple(Article._meta.get_field(name).attname for name in Article.CONTENT_FIELDS)
PIN_FIELDS = ("is_pinned", "pinned_until")


class EditConflict(ModerationError):
    def __init__(self, *, article):
        who = article.updated_by.get_username() if article.updated_by else _("someone")
        when = timezone.localtime(article.updated_at).strftime("%Y-%m-%d %H:%M:%S")
        super().__init__(
            _(
                "%(who)s saved this article at %(when)s, after you opened it. Your text has "
                "not been saved and is still in the form: compare it with the current version "
                "(reload the page in another tab), merge, and save again."
            )
            % {"who": who, "when": when}
        )
        self.article = article


def snapshot(article) -> dict:
    data = {}
    for name in CONTENT_FIELDS:
        value = getattr(article, name)
        data[name] = value.isoformat() if isinstance(value, datetime) else value
    return data


def _load(data: dict) -> dict:
    values = dict(data)
    for name in ("publish_at", "display_until"):
        if isinstance(values.get(name), str):
            values[name] = parse_datetime(values[name])
    return values


def _next_number(article_id) -> int:
    current = Revision.objects.filter(article_id=article_id).aggregate(n=Max("number"))["n"]
    return (current or 0) + 1


def _store(article, *, data, user, state, note="") -> Revision:
    fields = {k: v for k, v in data.items() if k not in ("title", "body")}
    return Revision.objects.create(
        article=article,
        number=_next_number(article.pk),
        state=state,
        title=data["title"],
        body=data["body"],
        fields=fields,
        created_by=user,
        note=note,
    )


@transaction.atomic
def article_save(*, article: Article, user, base_version: int | None = None) -> Revision:
    """
    Save an article edited in memory (new or existing) and store its revision.

    ``base_version`` is the version the user started from; if somebody saved in
    between, ``EditConflict`` is raised and nothing changes.
    """
    article.body = clean_body(article.body)
    require_edit(user, article)
    if article.pk is None:
        if article.is_pinned and not can_review(user, article):
            raise NotPermitted(_("Only a reviewer of this department may pin articles."))
        require_image(user, article.cover_id)
        article.created_by = article.updated_by = user
        article.status = Article.Status.DRAFT
        article.save()
        return _store(article, data=snapshot(article), user=user, state=Revision.State.SAVED)

    live = (
        Article.objects.select_for_update(of=("self",))
        .select_related("updated_by")
        .get(pk=article.pk)
    )
    # The department before the edit decides too: nobody moves another's article in.
    require_edit(user, live)
    if article.cover_id != live.cover_id:
        require_image(user, article.cover_id)
    if base_version is not None and live.version != base_version:
        raise EditConflict(article=live)
    pin_changed = any(getattr(article, f) != getattr(live, f) for f in PIN_FIELDS)
    if pin_changed and not can_review(user, live):
        raise NotPermitted(_("Only a reviewer of this department may pin articles."))

    data = snapshot(article)
    # A live article goes live elsewhere only if the user reviews both columns'
    # departments; otherwise the change waits for a reviewer.
    reviews_both = can_review(user, live) and can_review(user, article)
    if live.status == Article.Status.PUBLISHED and not reviews_both:
        # The public keeps seeing the approved version until a reviewer approves this.
        Revision.objects.filter(article=live, state=Revision.State.PENDING).update(
            state=Revision.State.SAVED, note=_("Replaced by a newer edit")
        )
        revision = _store(live, data=data, user=user, state=Revision.State.PENDING)
        Article.objects.filter(pk=live.pk).update(
            version=live.version + 1,
            updated_by=user,
            updated_at=timezone.now(),
            submitted_at=timezone.now(),
        )
        _reset_to(article, Article.objects.get(pk=live.pk))
        return revision

    article.version = live.version + 1
    article.updated_by = user
    # Workflow fields only change through the moderation service.
    for name in (
        "status",
        "submitted_at",
        "rejection_reason",
        "click_count",
        "created_by_id",
        "has_attachments",
    ):
        setattr(article, name, getattr(live, name))
    article.save()
    state = (
        Revision.State.APPROVED
        if article.status == Article.Status.PUBLISHED
        else Revision.State.SAVED
    )
    return _store(article, data=data, user=user, state=state)


def conflict_keep(*, article: Article, user, live: Article) -> Revision:
    """Keep an edit that lost a race with another save as a revision to merge from."""
    article.body = clean_body(article.body)
    who = live.updated_by.get_username() if live.updated_by else "?"
    return _store(
        live,
        data=snapshot(article),
        user=user,
        state=Revision.State.SAVED,
        note=_("Not applied: %(who)s saved first") % {"who": who},
    )


def _reset_to(instance, fresh):
    for field in Article._meta.concrete_fields:
        setattr(instance, field.attname, getattr(fresh, field.attname))


def _copy_onto(article: Article, revision: Revision) -> Article:
    """Put a revision's content on an article instance in memory (nothing is saved)."""
    values = _load({**revision.fields, "title": revision.title, "body": revision.body})
    for name in CONTENT_FIELDS:
        if name in values:
            setattr(article, name, values[name])
    return article


def revision_apply(*, article: Article, revision: Revision):
    """Copy a revision's content onto the article (the caller saves)."""
    _copy_onto(article, revision)
    revision.state = Revision.State.APPROVED
    revision.save(update_fields=["state"])


def revision_preview(*, article: Article, revision: Revision) -> Article:
    """The article as the revision would make it: the given instance, changed in
    memory and never saved (the caller must not save it)."""
    return _copy_onto(article, revision)


@transaction.atomic
def revision_restore(*, revision: Revision, user) -> Revision:
    """Bring back an old revision's content as a new save; history is never deleted."""
    article = _copy_onto(Article.objects.get(pk=revision.article_id), revision)
    restored = article_save(article=article, user=user, base_version=None)
    restored.note = _("Restored from revision %(number)s") % {"number": revision.number}
    restored.save(update_fields=["note"])
    return restored


# --- reading revisions ----------------------------------------------------------


def _lines(name, value):
    if value is None:
        return []
    if name == "body":
        # One line per block element, tags removed: readable for editors.
        text = re.sub(r"(?i)</(p|h\d|li|figcaption|tr|blockquote)>|<br\s*/?>", "\n", value)
        text = re.sub(r"(?i)<img[^>]*src=\"([^\"]*)\"[^>]*>", r"\n[img \1]\n", text)
        return [line.strip() for line in strip_tags(text).splitlines() if line.strip()]
    return [str(value)]


def revision_diff(older: Revision, newer: Revision):
    """[(field label, [(kind, text)])] for the fields that differ, title first;
    kind is ' ', '-' or '+'."""
    old = {**older.fields, "title": older.title, "body": older.body}
    new = {**newer.fields, "title": newer.title, "body": newer.body}
    changes = []
    fields = [Article._meta.get_field(name) for name in Article.CONTENT_FIELDS]
    for field in sorted(fields, key=lambda field: field.name != "title"):
        name = field.attname
        a, b = _lines(name, old.get(name)), _lines(name, new.get(name))
        if a == b:
            continue
        rows = []
        for line in difflib.ndiff(a, b):
            if line.startswith("? "):
                continue
            rows.append((line[0], line[2:]))
        changes.append((str(field.verbose_name), rows))
    return changes


def _as_revision(article: Article) -> Revision:
    """The article's current content as an unsaved revision (for a diff)."""
    data = snapshot(article)
    fields = {k: v for k, v in data.items() if k not in ("title", "body")}
    return Revision(
        article=article,
        title=data["title"],
        body=data["body"],
        fields=fields,
        created_by=article.updated_by,
        created_at=article.updated_at,
    )


def review_changes(*, article: Article, seen_revision: int | None):
    """
    What changed since a reviewer read revision ``seen_revision``:
    ``(read, current, changes)``; ``read`` is None when it is not known.
    The current side is the pending edit of a live article, else its content.
    """
    current = article.revisions.filter(state=Revision.State.PENDING).first()
    if current is None or article.status != Article.Status.PUBLISHED:
        current = _as_revision(article)
        latest = article.revisions.first()
        if latest is not None and revision_diff(latest, current) == []:
            current = latest
    read = None
    if seen_revision is not None:
        read = article.revisions.filter(number=seen_revision).first()
    changes = revision_diff(read, current) if read is not None else []
    return read, current, changes


def revision_record(*, article: Article, user, note: str = "") -> Revision:
    """Keep the article as it now is as a saved revision (an import, a conversion)."""
    return _store(article, data=snapshot(article), user=user, state=Revision.State.SAVED, note=note)
