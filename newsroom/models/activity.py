from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .content import Article, ArticleStatus


class Transition(models.Model):
    """One step of an article through the review workflow: who, when, from, to, why."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("article")
    )
    from_status = models.CharField(_("from"), max_length=16, choices=ArticleStatus.choices)
    to_status = models.CharField(_("to"), max_length=16, choices=ArticleStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        indexes = [models.Index(fields=("article", "-created_at"), name="transition_article_idx")]

    def __str__(self):
        return f"{self.article_id}: {self.from_status} → {self.to_status}"


class Revision(models.Model):
    """
    A snapshot of an article's editable fields, stored on every save.

    A pending revision is an edit of a published article that waits for a
    reviewer; the live article keeps its approved content until then.
    """

    class State(models.TextChoices):
        SAVED = "saved", _("Saved")
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        DISCARDED = "discarded", _("Discarded")

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("article")
    )
    number = models.PositiveIntegerField(_("number"))
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.SAVED)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    # The other editable fields (column, summary, cover, credits, times …).
    fields = models.JSONField(_("fields"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("saved by"),
    )
    created_at = models.DateTimeField(_("saved at"), default=timezone.now)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ("-number",)
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        constraints = [
            models.UniqueConstraint(fields=("article", "number"), name="revision_unique_number"),
            models.UniqueConstraint(
                fields=("article",),
                condition=models.Q(state="pending"),
                name="revision_one_pending_per_article",
            ),
        ]

    def __str__(self):
        return f"{self.article_id} #{self.number}"


class DailyClickCount(models.Model):
    """Clicks of one article on one day (Asia/Shanghai), for the most-read reports."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="daily_clicks", verbose_name=_("article")
    )
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("clicks"), default=0)

    class Meta:
        ordering = ("-day",)
        verbose_name = _("daily clicks")
        verbose_name_plural = _("daily clicks")
        constraints = [
            models.UniqueConstraint(fields=("article", "day"), name="daily_click_unique_day"),
        ]
        indexes = [models.Index(fields=("day", "article"), name="daily_click_day_idx")]

    def __str__(self):
        return f"{self.article_id} {self.day}: {self.count}"


class ClickFlush(models.Model):
    """A batch of buffered clicks applied to the database (so none is applied twice)."""

    batch = models.CharField(_("batch"), max_length=64, unique=True)
    clicks = models.PositiveBigIntegerField(_("clicks"), default=0)
    applied_at = models.DateTimeField(_("applied at"), default=timezone.now)

    class Meta:
        ordering = ("-applied_at",)
        verbose_name = _("click flush")
        verbose_name_plural = _("click flushes")

    def __str__(self):
        return self.batch


class ReviewConfirmation(models.Model):
    """
    What a reviewer confirmed by ticking it before a move: for example the
    remaining 慎用 and 易错词 hits of the content-safety check (``kind``
    ``content_safety``). Recorded with the transition it allowed.
    """

    transition = models.ForeignKey(
        Transition,
        on_delete=models.CASCADE,
        related_name="confirmations",
        verbose_name=_("status change"),
    )
    kind = models.CharField(_("kind"), max_length=40)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now)
    # One dict per confirmed item, e.g. {"key", "field", "kind", "matched", "suggestion"}.
    items = models.JSONField(_("confirmed items"), default=list)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("review confirmation")
        verbose_name_plural = _("review confirmations")

    def __str__(self):
        return f"{self.transition_id} {self.kind}: {len(self.items)}"
