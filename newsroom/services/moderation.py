"""
The review workflow (先审后发): the state machine and who may move an article.

Every status change of an article goes through ``transition()`` here, whatever
calls it (admin buttons, bulk actions, the review queue, the shell), so the
allowed moves, the role checks and the history record are written once.

    draft ──submit──▶ pending ──approve──▶ published ──take down──▶ taken down
      rejected ◀──reject──┘                     taken down / rejected ──submit──▶ pending

A published article with an edit waiting for review (a pending revision) is
approved or rejected the same way; its live content changes only on approval.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from newsroom.models import Article, Department, Revision, Transition

Status = Article.Status


class ModerationError(Exception):
    """A move the state machine does not allow (shown to the user as an error)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class NotPermitted(ModerationError, PermissionDenied):
    """The user's role in the article's department does not allow this (a 403)."""


@dataclass(frozen=True)
class Move:
    name: str
    sources: frozenset
    target: str
    needs_reviewer: bool


MOVES = {
    "submit": Move(
        "submit",
        frozenset({Status.DRAFT, Status.REJECTED, Status.TAKEN_DOWN}),
        Status.PENDING,
        needs_reviewer=False,
    ),
    "approve": Move("approve", frozenset({Status.PENDING}), Status.PUBLISHED, needs_reviewer=True),
    "reject": Move("reject", frozenset({Status.PENDING}), Status.REJECTED, needs_reviewer=True),
    "take_down": Move(
        "take_down", frozenset({Status.PUBLISHED}), Status.TAKEN_DOWN, needs_reviewer=True
    ),
}


def allowed_moves(status):
    """Names of the moves possible from a status (ignoring roles)."""
    return [move.name for move in MOVES.values() if status in move.sources]


# --- who may do what ----------------------------------------------------------


def can_edit(user, article) -> bool:
    if article.category_id is None:
        return Department.objects.editable_by(user).exists()
    return Department.objects.editable_by(user).filter(categories=article.category_id).exists()


def can_review(user, article) -> bool:
    return reviews_column(user, article.category_id)


def reviews_column(user, category_id) -> bool:
    return Department.objects.reviewable_by(user).filter(categories=category_id).exists()


def require_edit(user, article):
    if not can_edit(user, article):
        raise NotPermitted(_("You may not edit articles of this department."))


def require_review(user, article):
    if not can_review(user, article):
        raise NotPermitted(_("Only a reviewer of this department may do this."))


# --- the transitions ----------------------------------------------------------


def pending_revision(article):
    return article.revisions.filter(state=Revision.State.PENDING).first()


@transaction.atomic
def transition(*, article: Article, user, move: str, reason: str = "", publish_at=None):
    """Apply one move of the state machine to an article, record it and tell the author."""
    from newsroom.services import notifications, revisions

    spec = MOVES[move]
    article = Article.objects.select_for_update().get(pk=article.pk)
    if spec.needs_reviewer:
        require_review(user, article)
    else:
        require_edit(user, article)

    edit = pending_revision(article) if article.status == Status.PUBLISHED else None
    if edit is not None and move == "approve":
        # An edit that moves the article to another department needs a reviewer there too.
        moved_to = edit.fields.get("category_id", article.category_id)
        if moved_to != article.category_id and not reviews_column(user, moved_to):
            raise NotPermitted(_("Only a reviewer of this department may do this."))
    if edit is not None and move in ("approve", "reject"):
        # Reviewing an edit of a live article: its status stays published.
        target = Status.PUBLISHED
    elif article.status not in spec.sources:
        raise ModerationError(
            _("An article that is “%(status)s” cannot be %(move)s.")
            % {"status": article.get_status_display(), "move": move_label(move)}
        )
    else:
        target = spec.target

    if move == "reject" and not reason.strip():
        raise ModerationError(_("Give the author a reason for the rejection."))

    source = article.status
    now = timezone.now()
    if move == "submit":
        article.submitted_at = now
        article.rejection_reason = ""
    elif move == "approve":
        if edit is not None:
            revisions.revision_apply(article=article, revision=edit)
        if publish_at is not None:
            article.publish_at = publish_at
        elif source != Status.PUBLISHED and article.publish_at < now:
            # A stale date from the draft would bury the article in its column.
            article.publish_at = now
        article.rejection_reason = ""
        article.submitted_at = None
    elif move == "reject":
        article.rejection_reason = reason.strip()
        if edit is not None:
            edit.state = Revision.State.SAVED
            edit.note = _("Rejected: %(reason)s") % {"reason": reason.strip()[:150]}
            edit.save(update_fields=["state", "note"])
        article.submitted_at = None
    article.status = target
    article.updated_by = user
    article.version += 1
    article.save()
    record = Transition.objects.create(
        article=article,
        from_status=source,
        to_status=target,
        actor=user,
        reason=reason.strip() if reason else "",
        created_at=now,
    )
    transaction.on_commit(lambda: notifications.notify_author(transition=record))
    return article


def move_label(move):
    return {
        "submit": _("submitted for review"),
        "approve": _("approved"),
        "reject": _("rejected"),
        "take_down": _("taken down"),
    }[move]


def article_submit(*, article, user):
    return transition(article=article, user=user, move="submit")


def article_approve(*, article, user, publish_at=None):
    """Publish now, or at ``publish_at`` (a future time schedules the article)."""
    return transition(article=article, user=user, move="approve", publish_at=publish_at)


def article_reject(*, article, user, reason: str):
    return transition(article=article, user=user, move="reject", reason=reason)


def article_take_down(*, article, user, reason: str = ""):
    return transition(article=article, user=user, move="take_down", reason=reason)


@transaction.atomic
def article_pin(*, article, user, until=None):
    """Pin (置顶) an article, optionally until a time; reviewers only."""
    require_review(user, article)
    if until is not None and until <= timezone.now():
        raise ModerationError(_("The pin end time must be in the future."))
    Article.objects.filter(pk=article.pk).update(is_pinned=True, pinned_until=until)
    article.is_pinned, article.pinned_until = True, until
    return article


@transaction.atomic
def article_unpin(*, article, user):
    require_review(user, article)
    Article.objects.filter(pk=article.pk).update(is_pinned=False, pinned_until=None)
    article.is_pinned, article.pinned_until = False, None
    return article
