"""
The archive (存量) scan: every published article and attachment checked with
the current rules, as ``manage.py scan_content`` and the admin's 内容安全检查
report run it. Articles are read in chunks (``iterator``), so memory stays flat
whatever the size of the archive; the matcher of each department is built once.
"""

import re
import time
from collections import Counter
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db import transaction
from django.utils import timezone

from newsroom.models import Article, Attachment, AttachmentText, ScanFinding, ScanRequest
from newsroom.models.safety import rules_version

from .check import article_fields, check_attachment, check_text
from .matcher import matcher_for
from .personal import generic_mask

CHUNK = 2000
COLUMNS = (
    "id",
    "title",
    "summary",
    "body",
    "author",
    "source",
    "photographer",
    "responsible_editor",
    "has_attachments",
    "category__department_id",
)
_LONG_NUMBER = re.compile(r"\d{7,}")


def scrub(text: str) -> str:
    """An excerpt with any other long number in it masked (reports leak nothing)."""
    return _LONG_NUMBER.sub(lambda m: generic_mask(m.group(0)), text)


@dataclass
class ScanSummary:
    articles: int = 0
    attachments: int = 0
    hits: int = 0
    articles_with_hits: int = 0
    by_kind: Counter = field(default_factory=Counter)
    seconds: float = 0.0


def published_articles(department=None):
    articles = Article.objects.filter(status=Article.Status.PUBLISHED)
    if department is not None:
        articles = articles.filter(category__department=department)
    return articles.order_by("id").values_list(*COLUMNS)


def _attachment_hits(matcher, article_id, hits):
    attachments = list(Attachment.objects.filter(article_id=article_id))
    texts = {
        row.attachment_id: row for row in AttachmentText.objects.filter(attachment__in=attachments)
    }
    for attachment in attachments:
        cached = texts.get(attachment.pk)
        if cached is not None and cached.file_name == attachment.file.name:
            check_attachment(matcher, attachment, hits, text=cached.text, error=cached.error)
        else:
            check_attachment(matcher, attachment, hits)
    return len(attachments)


def scan_archive(*, department=None, summary=None):
    """Yield (article id, department id, hits) for each published article with hits."""
    summary = summary if summary is not None else ScanSummary()
    started = time.perf_counter()
    version = rules_version()
    matchers = {}
    for row in published_articles(department).iterator(chunk_size=CHUNK):
        values = dict(zip(COLUMNS, row, strict=True))
        department_id = values.pop("category__department_id")
        matcher = matchers.get(department_id)
        if matcher is None:
            matcher = matchers[department_id] = matcher_for(department_id, version=version)
        article = SimpleNamespace(**values, cover_id=None)
        hits = []
        for name, label, text in article_fields(article, related=False):
            check_text(matcher, name, label, text, hits)
        if values["has_attachments"]:
            summary.attachments += _attachment_hits(matcher, values["id"], hits)
        summary.articles += 1
        if hits:
            summary.hits += len(hits)
            summary.articles_with_hits += 1
            summary.by_kind.update(hit.kind_label for hit in hits)
            yield values["id"], department_id, hits
    summary.seconds = time.perf_counter() - started


def finding(article_id, department_id, hit, now) -> ScanFinding:
    return ScanFinding(
        article_id=article_id,
        department_id=department_id,
        field=hit.field_label[:200],
        kind=hit.kind_label[:40],
        level=hit.level,
        matched=hit.shown[:200],
        excerpt=scrub(hit.excerpt)[:300],
        suggestion=hit.suggestion[:200],
        found_at=now,
    )


@transaction.atomic
def findings_replace(*, department, results) -> None:
    """Keep the findings of this scan (of one department, or all) in place of the last."""
    old = ScanFinding.objects.all()
    if department is not None:
        old = old.filter(department=department)
    old.delete()
    now = timezone.now()
    batch = []
    for article_id, department_id, hits in results:
        batch.extend(finding(article_id, department_id, hit, now) for hit in hits)
        if len(batch) >= 1000:
            ScanFinding.objects.bulk_create(batch)
            batch = []
    ScanFinding.objects.bulk_create(batch)


def scan_request(*, department, user) -> ScanRequest:
    """Queue a re-scan (of one department, or all); one waiting request per scope is enough."""
    waiting = ScanRequest.objects.filter(started_at__isnull=True, department=department).first()
    if waiting is not None:
        return waiting
    return ScanRequest.objects.create(department=department, requested_by=user)


def scan_queued() -> list[ScanRequest]:
    """Run the waiting re-scan requests, oldest first; store their findings."""
    done = []
    while True:
        with transaction.atomic():
            request = (
                ScanRequest.objects.select_for_update(skip_locked=True)
                .filter(started_at__isnull=True)
                .order_by("requested_at", "id")
                .first()
            )
            if request is None:
                return done
            request.started_at = timezone.now()
            request.save(update_fields=["started_at"])
        summary = ScanSummary()
        findings_replace(
            department=request.department,
            results=scan_archive(department=request.department, summary=summary),
        )
        request.finished_at = timezone.now()
        request.articles, request.hits = summary.articles, summary.hits
        request.save(update_fields=["finished_at", "articles", "hits"])
        done.append(request)
