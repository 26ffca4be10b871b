"""
Writing what an importer read from an old site (see ``newsroom/importers/``).

One article at a time, in one transaction each, so an interrupted import keeps
everything finished before the interruption and the next run continues from
there. Everything is keyed by the old site's ids (``ImportedArticle``,
``ImportedFile``, ``LegacyRedirect``): a second run updates what changed and
creates nothing twice.

Imported articles are published directly, with their original time, rather
than sent through the review workflow: they were published on the old site
already, approving thousands by hand would be make-work, and an approval would
move a stale publish time to now. The move is recorded all the same: a
transition from draft to published whose reason names the old address, and a
revision of what was imported.
"""

import hashlib
import json
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from newsroom.core.legacy_urls import legacy_key_of_url
from newsroom.importers.base import ParsedArticle
from newsroom.importers.html import replace_sources
from newsroom.models import (
    Article,
    Category,
    Department,
    Image,
    ImportedArticle,
    ImportedFile,
    LegacyRedirect,
    Transition,
)
from newsroom.services import revisions
from newsroom.services.attachments import AttachmentRejected, attachment_create
from newsroom.services.uploads import image_create_from_upload


@dataclass
class Downloaded:
    """A file the runner fetched for an article (or failed to: ``error``)."""

    key: str
    url: str
    name: str = ""
    data: bytes | None = None
    error: str = ""


class ImportRefused(Exception):
    """The import cannot start (a bad department slug…); ``message`` says why."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def department_for_import(*, slug: str, name: str) -> Department:
    department = Department.objects.filter(slug=slug).first()
    if department is not None:
        return department
    department = Department(slug=slug, name=(name or slug)[:100])
    try:
        department.full_clean()
    except Exception as error:  # ValidationError: a reserved or malformed slug
        raise ImportRefused(_("Cannot create department “%(slug)s”: %(error)s") % {
            "slug": slug, "error": error
        }) from error  # fmt: skip
    department.save()
    return department


def column_slug(column_key: str) -> str:
    """A slug for a column from its old address (``xwdt/tzgg`` → ``xwdt-tzgg``)."""
    slug = slugify(column_key.replace("/", "-").replace(":", "-"))[:60].strip("-")
    return slug or "column"


def column_for_import(*, department: Department, name: str, slug: str) -> Category:
    column = Category.objects.filter(department=department, slug=slug).first()
    if column is None:
        order = Category.objects.filter(department=department).count()
        column = Category.objects.create(
            department=department, slug=slug, name=(name or slug)[:100], order=order
        )
    return column


def redirect_save(*, host: str, old_url: str, department: Department, **target) -> LegacyRedirect:
    """The redirect of an old address (all its spellings), created or pointed anew."""
    parts = urlsplit(old_url)
    old_url = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    key = legacy_key_of_url(old_url)
    redirect = LegacyRedirect.objects.filter(host=host, key=key).first()
    if redirect is None:
        redirect = LegacyRedirect(host=host, old_url=old_url)
    changed = redirect.pk is None or redirect.department_id != department.pk
    for name, value in target.items():
        if getattr(redirect, f"{name}_id") != value.pk:
            setattr(redirect, name, value)
            changed = True
    redirect.department = department
    if changed:
        redirect.save()
    return redirect


def image_import(*, department: Department, url: str, data: bytes, name: str) -> Image:
    """Store a downloaded picture as an upload would be stored (validated, re-encoded,
    with renditions); a picture already imported is not stored again."""
    key = image_key(url)
    known = ImportedFile.objects.filter(department=department, key=key).select_related("image")
    known = known.first()
    if known is not None:  # its row goes with the image (CASCADE), so the image is there
        return known.image
    image = image_create_from_upload(
        uploaded_file=SimpleUploadedFile(name or "image", data), user=None
    )
    # One writer (the runner's thread) and no row yet: a plain insert.
    ImportedFile.objects.create(department=department, key=key, old_url=url[:1000], image=image)
    return image


def image_key(url: str) -> str:
    return "image:" + legacy_key_of_url(url)


def known_file_keys(department: Department | None) -> set[str]:
    """Keys of the files already imported for a department (the runner skips them)."""
    if department is None:
        return set()
    return set(ImportedFile.objects.filter(department=department).values_list("key", flat=True))


def fingerprint(parsed: ParsedArticle, *, category: Category, publish_at) -> str:
    data = [
        category.pk,
        parsed.title,
        publish_at.isoformat() if publish_at else "",
        parsed.author,
        parsed.source,
        parsed.responsible_editor,
        parsed.photographer,
        parsed.body,
        sorted(link.key for link in parsed.attachments),
    ]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()


@transaction.atomic
def article_import(
    *,
    department: Department,
    category: Category,
    parsed: ParsedArticle,
    host: str,
    images: dict[str, Image | None],
    files: list[Downloaded],
    fallback_time=None,
) -> tuple[ImportedArticle, str]:
    """
    Create or update the article read from an old page; returns its record and
    what happened: "created", "updated" or "unchanged".
    """
    problems = list(parsed.problems)
    publish_at = parsed.publish_at or fallback_time
    if publish_at is None:
        problems.append(_("%(url)s: no publish time found; the import time was used.") % {
            "url": parsed.url
        })  # fmt: skip
    digest = fingerprint(parsed, category=category, publish_at=publish_at)
    record = (
        ImportedArticle.objects.select_for_update()
        .filter(department=department, system=parsed.system, old_id=parsed.old_id)
        .select_related("article")
        .first()
    )
    now = timezone.now()
    if record is not None and record.fingerprint == digest:
        outcome = "unchanged"
        article = record.article
        problems += _file_problems(files)
    else:
        article = record.article if record is not None else Article(status=Article.Status.DRAFT)
        article.category = category
        article.title = parsed.title[:200]
        article.author = parsed.author[:100]
        article.source = parsed.source[:100]
        article.responsible_editor = parsed.responsible_editor[:100]
        article.photographer = parsed.photographer[:100]
        article.publish_at = publish_at or now
        article.body = replace_sources(
            parsed.body, {url: image.url if image else None for url, image in images.items()}
        )
        if parsed.click_count is not None:
            article.click_count = parsed.click_count
        created = article.pk is None
        article.status = Article.Status.PUBLISHED
        article.save()
        if created:
            Transition.objects.create(
                article=article,
                from_status=Article.Status.DRAFT,
                to_status=Article.Status.PUBLISHED,
                actor=None,
                reason=_("Imported from %(url)s") % {"url": parsed.url},
                created_at=now,
            )
        note = _("Imported from %(url)s") if created else _("Updated from %(url)s")
        revisions.revision_record(
            article=article, user=None, note=(note % {"url": parsed.url})[:200]
        )
        problems += _attach(department, article, files, host)
        outcome = "created" if created else "updated"
        if _body_links_attachments(article, files, department):
            article.save()
    if (
        outcome == "unchanged"
        and parsed.click_count is not None
        and parsed.click_count != article.click_count
    ):
        Article.objects.filter(pk=article.pk).update(click_count=parsed.click_count)
        article.click_count = parsed.click_count
    record = record or ImportedArticle(
        department=department, system=parsed.system, old_id=parsed.old_id, article=article
    )
    record.old_url = parsed.url[:500]
    if outcome != "unchanged":
        record.fingerprint = digest
        record.updated_at = now
    record.problems = "\n".join(problems)
    record.save()
    redirect_save(host=host, old_url=parsed.url, department=department, article=article)
    return record, outcome


def _file_problems(files):
    return [f"{file.url}: {file.error}" for file in files if file.error]


def _attach(department, article, files, host):
    """Attach the downloaded files not attached before; returns the problems."""
    if not files:
        return []
    problems = []
    known = {
        f.key: f
        for f in ImportedFile.objects.filter(
            department=department, key__in=[file.key for file in files]
        ).select_related("attachment")
    }
    for order, file in enumerate(files):
        if file.error:
            problems.append(f"{file.url}: {file.error}")
            continue
        record = known.get(file.key)
        attachment = record.attachment if record else None
        if attachment is None and file.data is not None:
            try:
                attachment = attachment_create(
                    article=article,
                    uploaded_file=SimpleUploadedFile(file.name or "attachment", file.data),
                    user=None,
                    name=file.name,
                    order=order,
                )
            except AttachmentRejected as error:
                problems.append(f"{file.url}: {error.message}")
                continue
            ImportedFile.objects.create(
                department=department,
                key=file.key,
                old_url=file.url[:1000],
                attachment=attachment,
            )
        if attachment is not None:
            redirect_save(host=host, old_url=file.url, department=department, attachment=attachment)
    return problems


def _body_links_attachments(article, files, department) -> bool:
    """Point the body's links to old download addresses at the new attachments."""
    if not files:
        return False
    mapping = {}
    records = ImportedFile.objects.filter(
        department=department, key__in=[f.key for f in files], attachment__isnull=False
    ).select_related("attachment")
    by_key = {record.key: record.attachment for record in records}
    for file in files:
        if file.key in by_key:
            parts = urlsplit(file.url)
            relative = parts.path + (f"?{parts.query}" if parts.query else "")
            for spelling in (file.url, relative):
                mapping[spelling] = by_key[file.key].get_absolute_url()
    body = replace_sources(article.body, mapping)
    if body != article.body:
        article.body = body
        return True
    return False


def existing_problems(department: Department):
    return ImportedArticle.objects.filter(department=department, has_problems=True)
