"""
Content-safety rules (内容安全) that admins maintain, and what checking them leaves behind.

The rules are word lists (site-wide or per department) and site-defined
personal-information patterns. Every change to them bumps ``RulesStamp``,
so that each process rebuilds its matcher once per rules version
(newsroom/services/safety.py), never per request.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RulesStamp(models.Model):
    """One row: the version of the content-safety rules, bumped by every change."""

    version = models.PositiveBigIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("rules version")
        verbose_name_plural = _("rules versions")

    def __str__(self):
        return str(self.version)


def rules_changed():
    """Bump the rules version (matchers built for an older one are rebuilt)."""
    if not RulesStamp.objects.filter(pk=1).update(version=F("version") + 1):
        RulesStamp.objects.get_or_create(pk=1, defaults={"version": 2})


def rules_version() -> int:
    return RulesStamp.objects.filter(pk=1).values_list("version", flat=True).first() or 1


class BumpsRules(models.Model):
    """A rule whose saves and deletions change the rules version."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        rules_changed()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        rules_changed()
        return result


class SafetyLevel(models.TextChoices):
    BLOCKED = "blocked", _("Blocked")
    CAUTION = "caution", _("Use with care")
    CORRECTION = "correction", _("Commonly miswritten")


class WordListQuerySet(models.QuerySet):
    def for_department(self, department_id):
        """The active lists that apply to a department: site-wide ones and its own."""
        scope = Q(department__isnull=True)
        if department_id is not None:
            scope |= Q(department_id=department_id)
        return self.filter(scope, is_active=True)


class WordList(BumpsRules):
    """A list of words to check, for the whole site or one department."""

    name = models.CharField(_("name"), max_length=100)
    department = models.ForeignKey(
        "newsroom.Department",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="word_lists",
        verbose_name=_("department"),
        help_text=_("Empty: the list applies to every department."),
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = WordListQuerySet.as_manager()

    class Meta:
        ordering = ("department_id", "name", "id")
        verbose_name = _("word list")
        verbose_name_plural = _("word lists")

    def __str__(self):
        return self.name


class WordEntry(BumpsRules):
    """
    One word of a list: 禁用 (blocked), 慎用 (allowed once a reviewer confirms),
    or a 易错词/固定表述 written wrongly, with the right form as the suggestion.
    """

    Level = SafetyLevel

    word_list = models.ForeignKey(
        WordList, on_delete=models.CASCADE, related_name="entries", verbose_name=_("word list")
    )
    word = models.CharField(_("word"), max_length=100)
    category = models.CharField(_("category"), max_length=40, blank=True)
    level = models.CharField(
        _("level"), max_length=16, choices=SafetyLevel.choices, default=SafetyLevel.CAUTION
    )
    suggestion = models.CharField(_("suggestion"), max_length=200, blank=True)

    class Meta:
        ordering = ("word_list", "word")
        verbose_name = _("word")
        verbose_name_plural = _("words")
        constraints = [
            models.UniqueConstraint(fields=("word_list", "word"), name="word_entry_unique_word"),
            models.CheckConstraint(condition=~Q(word=""), name="word_entry_word_not_empty"),
            models.CheckConstraint(
                condition=Q(level__in=SafetyLevel.values), name="word_entry_level_valid"
            ),
        ]

    def __str__(self):
        return self.word


class PersonalPattern(BumpsRules):
    """A site-defined kind of personal information, e.g. a university's 学号 format."""

    name = models.CharField(_("name"), max_length=60)
    pattern = models.CharField(
        _("regular expression"),
        max_length=300,
        help_text=_(
            "A Python regular expression, e.g. (?<!\\d)20\\d{8}(?!\\d) for a student number."
        ),
    )
    department = models.ForeignKey(
        "newsroom.Department",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="personal_patterns",
        verbose_name=_("department"),
        help_text=_("Empty: the pattern applies to every department."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ("name", "id")
        verbose_name = _("personal information pattern")
        verbose_name_plural = _("personal information patterns")

    def __str__(self):
        return self.name

    def clean(self):
        try:
            compiled = re.compile(self.pattern)
        except re.error as error:
            raise ValidationError(
                {"pattern": _("Not a valid regular expression: %(error)s") % {"error": error}}
            ) from error
        if compiled.search(""):
            raise ValidationError({"pattern": _("The expression must not match empty text.")})


class AttachmentText(models.Model):
    """The text of an attachment, extracted once per file (or why it could not be read)."""

    attachment = models.OneToOneField(
        "newsroom.Attachment",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="extracted",
        verbose_name=_("attachment"),
    )
    file_name = models.CharField(_("stored file"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    extracted_at = models.DateTimeField(_("extracted at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment text")
        verbose_name_plural = _("attachment texts")

    def __str__(self):
        return self.file_name


class ScanRequest(models.Model):
    """A re-scan of the archive asked for in the admin, run by ``scan_content --queued``."""

    department = models.ForeignKey(
        "newsroom.Department",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    articles = models.PositiveIntegerField(_("articles checked"), default=0)
    hits = models.PositiveIntegerField(_("hits"), default=0)

    class Meta:
        ordering = ("-requested_at", "-id")
        verbose_name = _("archive scan")
        verbose_name_plural = _("archive scans")

    def __str__(self):
        return f"{self.department or '*'} {self.requested_at:%Y-%m-%d %H:%M}"


class ScanFinding(models.Model):
    """One hit of the last archive scan on a published article (内容安全检查)."""

    article = models.ForeignKey(
        "newsroom.Article", on_delete=models.CASCADE, related_name="+", verbose_name=_("article")
    )
    department = models.ForeignKey(
        "newsroom.Department",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("department"),
    )
    field = models.CharField(_("field"), max_length=200)
    kind = models.CharField(_("kind"), max_length=40)
    level = models.CharField(_("level"), max_length=16)
    matched = models.CharField(_("matched text (masked)"), max_length=200)
    excerpt = models.CharField(_("excerpt"), max_length=300)
    suggestion = models.CharField(_("suggestion"), max_length=200, blank=True)
    found_at = models.DateTimeField(_("found at"), default=timezone.now)

    class Meta:
        ordering = ("department", "-article_id", "id")
        verbose_name = _("content-safety finding")
        verbose_name_plural = _("content-safety check")
        indexes = [models.Index(fields=("department", "kind"), name="scan_finding_dept_idx")]

    def __str__(self):
        return f"{self.article_id} {self.kind} {self.matched}"
