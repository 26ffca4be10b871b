"""
The review workflow (先审后发): the state machine and who may move an article.

Every status change of an article goes through the ``article_<move>`` service
functions here, whatever calls them (admin buttons, bulk actions, the review
queue, the preview page, the shell); ``transition()`` is the same by name. The
allowed moves are the ``MOVES`` table; the role checks and the history record
are written once, in ``_apply_move``.

    draft ──submit──▶ pending ──approve──▶ published ──take down──▶ taken down
      rejected ◀──reject──┘                     taken down / rejected ──submit──▶ pending

A published article with an edit waiting for review (a pending revision) is
approved or rejected the same way; its live content changes only on approval.

An approval or a rejection names the version the reviewer saw (``Seen``): if
the article or its pending revision changed since, it is refused
(``StaleReview``) and nothing is published. Every approval, from wherever,
goes through ``article_approve``.

An approval also confirms the article's new outside domains (新外链: linked
domains outside ``NEWSROOM_LINK_ALLOWED_DOMAINS`` that no reviewer of the
department confirmed yet): the reviewer ticks each (``confirmed`` holds
``outside:<domain>``), or the approval is refused (``UnconfirmedDomains``).
The ticks are recorded with the transition like the content-safety ones
(``ReviewConfirmation``, kind ``outside_link``) and remembered for the
department (``ConfirmedDomain``), whose later articles may link there without
asking again.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from newsroom.models import Article, Category, ReviewConfirmation, Revision, Transition
from newsroom.services import links, notifications, revisions, safety
from newsroom.services.access import (
    ModerationError,
    NotPermitted,
    can_edit,
    can_review,
    require_edit,
    require_review,
    reviews_column,
)

__all__ = [
    "MOVES",
    "ModerationError",
    "NotPermitted",
    "Seen",
    "StaleReview",
    "UnconfirmedDomains",
    "allowed_moves",
    "article_approve",
    "article_pin",
    "article_reject",
    "article_submit",
    "article_take_down",
    "article_unpin",
    "can_edit",
    "can_review",
    "move_label",
    "pending_revision",
    "require_edit",
    "require_review",
    "review_new_domains",
    "review_seen",
    "reviews_column",
    "transition",
]

Status = Article.Status


@dataclass(frozen=True)
class Seen:
    """What a reviewer had in front of them: the article's version and, when
    there was one, the number of the revision shown (the pending edit, or the
    latest revision of a submitted article)."""

    version: int
    revision: int | None = None


class StaleReview(ModerationError):
    """The article changed after the reviewer read it; nothing was decided."""

    def __init__(self, *, article, seen: Seen):
        who = article.updated_by.get_username() if article.updated_by else _("someone")
        when = timezone.localtime(article.updated_at).strftime("%Y-%m-%d %H:%M:%S")
        super().__init__(
            _(
                "%(who)s changed this article at %(when)s, after you opened it. Nothing was "
                "published or rejected: read the changes and decide again."
            )
            % {"who": who, "when": when}
        )
        self.article = article
        self.seen = seen


class UnconfirmedDomains(ModerationError):
    """The article links to outside domains (新外链) the reviewer has not confirmed."""

    def __init__(self, *, domains):
        super().__init__(
            _(
                "New outside links (新外链) to confirm: %(domains)s. Open the article, check "
                "them and tick them on its review form."
            )
            % {"domains": ", ".join(domains)}
        )
        self.domains = domains


OUTSIDE_KEY = "outside:"


@dataclass
class Step:
    """One move being applied: the locked article and what the caller gave."""

    article: Article
    user: object
    edit: Revision | None
    reason: str
    publish_at: object
    now: object
    # Keys of the items the reviewer ticked as checked (content-safety hits …),
    # and what the checks ask to record with the transition: (kind, items).
    confirmed: frozenset = frozenset()
    confirmations: list = field(default_factory=list)


def _submit(step):
    step.article.submitted_at = step.now
    step.article.rejection_reason = ""


def _approve(step):
    article, edit = step.article, step.edit
    if edit is not None:
        # An edit that moves the article to another department needs a reviewer there too.
        moved_to = edit.fields.get("category_id", article.category_id)
        if moved_to != article.category_id and not reviews_column(step.user, moved_to):
            raise NotPermitted(_("Only a reviewer of this department may do this."))
        revisions.revision_apply(article=article, revision=edit)
    if step.publish_at is not None:
        article.publish_at = step.publish_at
    elif article.status != Status.PUBLISHED and article.publish_at < step.now:
        # A stale date from the draft would bury the article in its column.
        article.publish_at = step.now
    article.rejection_reason = ""
    article.submitted_at = None


def _reject(step):
    step.article.rejection_reason = step.reason
    if step.edit is not None:
        step.edit.state = Revision.State.SAVED
        step.edit.note = _("Rejected: %(reason)s") % {"reason": step.reason[:150]}
        step.edit.save(update_fields=["state", "note"])
    step.article.submitted_at = None


def _nothing(step):
    pass


def _check_submit(step):
    # What is submitted is the article as it is (a draft, or one sent back).
    safety.submit_check(article=step.article)


def _check_approve(step):
    # Runs after the effect: the article then holds what goes live (a pending
    # edit applied), whichever path the approval came by.
    items = safety.approve_check(article=step.article, confirmed=step.confirmed)
    if items:
        step.confirmations.append(("content_safety", items))
    _check_outside_domains(step)


def _check_outside_domains(step):
    """Refuse an approval that leaves 新外链 unticked; record the ticks."""
    article = step.article
    if not links.outside_domains(article.body):
        return
    department_id = _department_of(article.category_id)
    new = links.new_outside_domains(html=article.body, department_id=department_id)
    unconfirmed = [domain for domain in new if OUTSIDE_KEY + domain not in step.confirmed]
    if unconfirmed:
        raise UnconfirmedDomains(domains=unconfirmed)
    if new:
        links.domains_confirm(
            domains=new, department_id=department_id, user=step.user, article=article
        )
        items = [{"key": OUTSIDE_KEY + domain, "domain": domain} for domain in new]
        step.confirmations.append(("outside_link", items))


def _department_of(column_id):
    return Category.objects.filter(pk=column_id).values_list("department_id", flat=True).first()


@dataclass(frozen=True)
class Move:
    name: str
    sources: frozenset
    target: str
    label: str
    effect: Callable[[Step], None]
    needs_reviewer: bool = True
    # Approve and reject decide on what a reviewer read: they name it (Seen) and
    # also decide a pending edit of a live article, which stays published.
    decides_review: bool = False
    needs_reason: bool = False
    # Checks of the content the move would leave (content safety); raise to refuse.
    check: Callable[[Step], None] | None = None


MOVES = {
    move.name: move
    for move in (
        Move(
            "submit",
            frozenset({Status.DRAFT, Status.REJECTED, Status.TAKEN_DOWN}),
            Status.PENDING,
            gettext_lazy("submitted for review"),
            _submit,
            needs_reviewer=False,
            check=_check_submit,
        ),
        Move(
            "approve",
            frozenset({Status.PENDING}),
            Status.PUBLISHED,
            gettext_lazy("approved"),
            _approve,
            decides_review=True,
            check=_check_approve,
        ),
        Move(
            "reject",
            frozenset({Status.PENDING}),
            Status.REJECTED,
            gettext_lazy("rejected"),
            _reject,
            decides_review=True,
            needs_reason=True,
        ),
        Move(
            "take_down",
            frozenset({Status.PUBLISHED}),
            Status.TAKEN_DOWN,
            gettext_lazy("taken down"),
            _nothing,
        ),
    )
}


def allowed_moves(status):
    """Names of the moves possible from a status (ignoring roles)."""
    return [move.name for move in MOVES.values() if status in move.sources]


def move_label(move):
    return str(MOVES[move].label)


def pending_revision(article):
    return article.revisions.filter(state=Revision.State.PENDING).first()


def review_new_domains(article) -> list[str]:
    """新外链 of what an approval would publish: the pending edit of a live article,
    else the article itself."""
    edit = pending_revision(article) if article.status == Status.PUBLISHED else None
    body = edit.body if edit is not None else article.body
    if not links.outside_domains(body):
        return []
    column = edit.fields.get("category_id", article.category_id) if edit else article.category_id
    return links.new_outside_domains(html=body, department_id=_department_of(column))


def review_seen(article) -> Seen:
    """What a reviewer shown ``article`` now is looking at (for the forms to carry)."""
    edit = pending_revision(article) if article.status == Status.PUBLISHED else None
    if edit is None:
        edit = article.revisions.order_by("-number").first()
    return Seen(version=article.version, revision=edit.number if edit else None)


# --- the transitions ----------------------------------------------------------


def _target(spec: Move, article: Article, edit) -> str:
    if edit is not None and spec.decides_review:
        # Reviewing an edit of a live article: its status stays published.
        return Status.PUBLISHED
    if article.status not in spec.sources:
        raise ModerationError(
            _("An article that is “%(status)s” cannot be %(move)s.")
            % {"status": article.get_status_display(), "move": spec.label}
        )
    return spec.target


def _check_seen(spec: Move, article: Article, edit, seen: Seen | None):
    if not spec.decides_review:
        return
    if seen is None:
        raise ModerationError(_("Say which version of the article you reviewed."))
    edit_changed = edit is not None and seen.revision is not None and edit.number != seen.revision
    if article.version != seen.version or edit_changed:
        raise StaleReview(article=article, seen=seen)


@transaction.atomic
def _apply_move(*, article, user, move, reason="", publish_at=None, seen=None, confirmed=()):
    """Apply one move of the MOVES table to an article, record it and tell the author."""
    spec = MOVES[move]
    article = (
        Article.objects.select_for_update(of=("self",))
        .select_related("updated_by")
        .get(pk=article.pk)
    )
    (require_review if spec.needs_reviewer else require_edit)(user, article)
    edit = pending_revision(article) if article.status == Status.PUBLISHED else None
    _check_seen(spec, article, edit, seen)
    target = _target(spec, article, edit)
    reason = (reason or "").strip()
    if spec.needs_reason and not reason:
        raise ModerationError(_("Give the author a reason for the rejection."))

    source = article.status
    step = Step(article, user, edit, reason, publish_at, timezone.now(), frozenset(confirmed))
    spec.effect(step)
    if spec.check is not None:
        spec.check(step)
    article.status = target
    article.updated_by = user
    article.version += 1
    article.save()
    record = Transition.objects.create(
        article=article,
        from_status=source,
        to_status=target,
        actor=user,
        reason=reason,
        created_at=step.now,
    )
    for kind, items in step.confirmations:
        ReviewConfirmation.objects.create(
            transition=record, kind=kind, user=user, created_at=step.now, items=items
        )
    transaction.on_commit(lambda: notifications.notify_author(transition=record))
    return article


def article_submit(*, article, user):
    return _apply_move(article=article, user=user, move="submit")


def article_approve(*, article, user, seen: Seen, publish_at=None, confirmed=()):
    """
    Publish what the reviewer read (``seen``), now or at ``publish_at`` (a future
    time schedules the article). The one way in to publishing: the admin's button,
    the preview page, the queue's bulk action and scheduled approvals all call it.

    The content-safety check runs on what would go live: blocked words and
    unmasked personal information refuse it, and every remaining 慎用/易错词 hit
    must be among ``confirmed`` (the keys the reviewer ticked); the ticks are
    recorded with the transition (``ReviewConfirmation``). So must every new
    outside domain (新外链), as ``outside:<domain>``.
    """
    return _apply_move(
        article=article,
        user=user,
        move="approve",
        seen=seen,
        publish_at=publish_at,
        confirmed=confirmed,
    )


def article_reject(*, article, user, reason: str, seen: Seen):
    """Send back what the reviewer read (``seen``) with a reason for the author."""
    return _apply_move(article=article, user=user, move="reject", reason=reason, seen=seen)


def article_take_down(*, article, user, reason: str = ""):
    return _apply_move(article=article, user=user, move="take_down", reason=reason)


SERVICES = {
    "submit": article_submit,
    "approve": article_approve,
    "reject": article_reject,
    "take_down": article_take_down,
}


def transition(*, article: Article, user, move: str, **options):
    """A move by name, through its service function (so approvals too pass ``article_approve``)."""
    return SERVICES[move](article=article, user=user, **options)


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
