"""
Checking an article: every hit of the rules in every field a reader sees, and
what it means for the workflow. 禁用 words and unmasked personal information
block submission and approval; 慎用 words, 易错词 and attachments that could not
be read need a reviewer's tick before approval (recorded with the transition).
"""

import hashlib
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from newsroom.models import Article, AttachmentText, Category
from newsroom.services.access import ModerationError

from .matcher import matcher_for
from .personal import BANK_CARD, ID_CARD, MOBILE
from .text import Unreadable, attachment_text, body_parts

BLOCKED, CAUTION, CORRECTION = "blocked", "caution", "correction"
PERSONAL, UNREADABLE = "personal", "unreadable"
# What stops a submission or an approval, and what a reviewer must tick.
BLOCKING = frozenset({BLOCKED, PERSONAL})
TO_CONFIRM = frozenset({CAUTION, CORRECTION, UNREADABLE})

CREDIT_FIELDS = ("author", "source", "photographer", "responsible_editor")
# Fields whose personal information one click can mask (the article's own text).
BODY_FIELDS = frozenset({"body", "caption", "alt"})
MASKABLE = frozenset({"title", "summary", *CREDIT_FIELDS, *BODY_FIELDS})

KIND_LABELS = {
    BLOCKED: gettext_lazy("Blocked word"),
    CAUTION: gettext_lazy("Word to use with care"),
    CORRECTION: gettext_lazy("Commonly miswritten"),
    ID_CARD: gettext_lazy("ID card number"),
    MOBILE: gettext_lazy("Mobile number"),
    BANK_CARD: gettext_lazy("Bank card number"),
    UNREADABLE: gettext_lazy("Attachment not read"),
}
FIELD_LABELS = {
    "body": gettext_lazy("body"),
    "caption": gettext_lazy("image caption"),
    "alt": gettext_lazy("image alt text"),
    "cover_alt": gettext_lazy("cover alt text"),
}
CONTEXT = 20


@dataclass(frozen=True)
class Hit:
    field: str
    field_label: str
    kind: str
    level: str
    matched: str
    masked: str
    start: int
    end: int
    before: str
    after: str
    suggestion: str = ""
    occurrence: int = 0

    @property
    def key(self) -> str:
        """Names the hit across page loads of the same content (what a tick posts)."""
        raw = f"{self.field}\0{self.kind}\0{self.matched}\0{self.occurrence}"
        return hashlib.sha1(raw.encode()).hexdigest()[:16]

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))

    @property
    def shown(self) -> str:
        """The matched text as lists and messages show it (personal information masked)."""
        return self.masked if self.level == PERSONAL else self.matched

    @property
    def excerpt(self) -> str:
        return f"{self.before}{self.shown}{self.after}"

    def describe(self) -> str:
        return _("%(kind)s “%(text)s” in %(field)s") % {
            "kind": self.kind_label,
            "text": self.shown,
            "field": self.field_label,
        }

    def record(self) -> dict:
        return {
            "key": self.key,
            "field": self.field,
            "kind": self.kind,
            "level": self.level,
            "matched": self.shown,
            "suggestion": self.suggestion,
        }


@dataclass
class Report:
    hits: list = field(default_factory=list)

    @property
    def blocking(self):
        return [hit for hit in self.hits if hit.level in BLOCKING]

    @property
    def to_confirm(self):
        return [hit for hit in self.hits if hit.level in TO_CONFIRM]

    @property
    def maskable(self):
        return [hit for hit in self.hits if hit.level == PERSONAL and hit.field in MASKABLE]


def _one_line(text: str) -> str:
    return text.replace("\n", " ").replace("\t", " ")


def check_text(matcher, field_name, label, text, hits):
    """Add the hits of one field's text to ``hits``."""
    if not text:
        return
    seen = {}

    def add(kind, level, start, end, masked, suggestion=""):
        matched = text[start:end]
        occurrence = seen[(kind, matched)] = seen.get((kind, matched), -1) + 1
        hits.append(
            Hit(
                field=field_name,
                field_label=str(label),
                kind=kind,
                level=level,
                matched=matched,
                masked=masked,
                start=start,
                end=end,
                before=_one_line(text[max(0, start - CONTEXT) : start]),
                after=_one_line(text[end : end + CONTEXT]),
                suggestion=suggestion,
                occurrence=occurrence,
            )
        )

    for start, end, rule in matcher.words(text):
        kind = rule.level
        if rule.level == CORRECTION and rule.category:
            kind = rule.category
        add(kind, rule.level, start, end, text[start:end], rule.suggestion)
    for found in matcher.personal(text):
        add(found.kind, PERSONAL, found.start, found.end, found.masked)


def article_fields(article, *, related=True):
    """(field, label, text) for each part of the article a reader sees."""
    meta = Article._meta
    fields = [("title", meta.get_field("title").verbose_name, article.title or "")]
    fields.append(("summary", meta.get_field("summary").verbose_name, article.summary or ""))
    for name in CREDIT_FIELDS:
        fields.append((name, meta.get_field(name).verbose_name, getattr(article, name) or ""))
    parts = body_parts(article.body or "")
    for name in ("body", "caption", "alt"):
        fields.append((name, FIELD_LABELS[name], parts[name]))
    if related and article.cover_id:
        cover = article.cover
        fields.append(("cover_alt", FIELD_LABELS["cover_alt"], cover.alt_text if cover else ""))
    return fields


def _department_id(article):
    category = Article.category.field.get_cached_value(article, None)
    if category is not None:
        return category.department_id
    return (
        Category.objects.filter(pk=article.category_id)
        .values_list("department_id", flat=True)
        .first()
    )


def article_check(*, article, attachments=True, department_id=None, matcher=None) -> Report:
    """Every hit in the article as it is in memory (a pending edit shown with
    ``revisions.revision_preview`` is checked as it would go live)."""
    if matcher is None:
        if department_id is None:
            department_id = _department_id(article)
        matcher = matcher_for(department_id)
    report = Report()
    for name, label, text in article_fields(article, related=attachments):
        check_text(matcher, name, label, text, report.hits)
    if attachments and article.pk:
        for attachment in article.attachments.all():
            check_attachment(matcher, attachment, report.hits)
    return report


def attachment_label(attachment):
    return _("attachment “%(name)s”") % {"name": attachment.name}


def check_attachment(matcher, attachment, hits, *, text=None, error=None):
    field_name = f"attachment:{attachment.pk}"
    label = attachment_label(attachment)
    if text is None and error is None:
        text, error = attachment_content(attachment)
    if error:
        hits.append(
            Hit(
                field=field_name,
                field_label=label,
                kind=UNREADABLE,
                level=UNREADABLE,
                matched=attachment.name,
                masked=attachment.name,
                start=0,
                end=0,
                before="",
                after=f" ({error})",
            )
        )
    check_text(matcher, field_name, label, text or "", hits)


def attachment_content(attachment) -> tuple[str, str]:
    """(text, error) of an attachment, extracted once per stored file and kept."""
    stored = attachment.file.name
    cached = AttachmentText.objects.filter(attachment=attachment, file_name=stored).first()
    if cached is not None:
        return cached.text, cached.error
    text, error = "", ""
    try:
        with attachment.file.open("rb") as handle:
            data = handle.read()
    except OSError:
        error = _("the file is missing; upload it again")
    else:
        try:
            text = attachment_text(data, name=stored)
        except Unreadable as unreadable:
            error = unreadable.message
    AttachmentText.objects.update_or_create(
        attachment=attachment,
        defaults={
            "file_name": stored,
            "text": text,
            "error": error[:300],
            "extracted_at": timezone.now(),
        },
    )
    return text, error


# --- the workflow's checks ----------------------------------------------------

MAX_LISTED = 20


def _listing(hits) -> str:
    lines = [hit.describe() for hit in hits[:MAX_LISTED]]
    if len(hits) > MAX_LISTED:
        lines.append(_("and %(count)d more") % {"count": len(hits) - MAX_LISTED})
    return "; ".join(lines)


class ContentBlocked(ModerationError):
    """Blocked words or unmasked personal information: the move is refused."""

    def __init__(self, hits):
        super().__init__(
            _(
                "The content-safety check found what must be changed first (blocked words, "
                "unmasked personal information): %(hits)s."
            )
            % {"hits": _listing(hits)}
        )
        self.hits = hits


class ConfirmationNeeded(ModerationError):
    """Hits a reviewer must tick as checked before approving."""

    def __init__(self, hits):
        super().__init__(
            _(
                "Tick each remaining content-safety hit as checked before approving "
                "(on the article's page): %(hits)s."
            )
            % {"hits": _listing(hits)}
        )
        self.hits = hits


def submit_check(*, article):
    """Refuse a submission with blocked words or unmasked personal information."""
    report = article_check(article=article)
    if report.blocking:
        raise ContentBlocked(report.blocking)


def approve_check(*, article, confirmed) -> list[dict]:
    """
    Refuse an approval with blocking hits or with hits the reviewer did not
    tick (``confirmed``: the keys ticked); return the records of the ticked ones.
    """
    report = article_check(article=article)
    if report.blocking:
        raise ContentBlocked(report.blocking)
    confirmed = set(confirmed or ())
    missing = [hit for hit in report.to_confirm if hit.key not in confirmed]
    if missing:
        raise ConfirmationNeeded(missing)
    return [hit.record() for hit in report.to_confirm]
