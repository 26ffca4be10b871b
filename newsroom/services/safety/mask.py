"""One-click masking of personal information in an article's own text."""

import html

from django.db import transaction

from newsroom.models import Article, Revision
from newsroom.services import revisions

from .check import BODY_FIELDS, article_check


def _replace_in_markup(markup: str, matched: str, masked: str) -> str:
    # The text was read from the markup: the number is there as written, or
    # with &nbsp; (or another escape) between its groups.
    for spelling in (
        matched,
        matched.replace("\xa0", "&nbsp;"),
        html.escape(matched, quote=False).replace("\xa0", "&nbsp;"),
    ):
        if spelling in markup:
            return markup.replace(spelling, masked)
    return markup


def editing_copy(article) -> Article:
    """The article as its editors now see it: the pending edit of a live article, if any."""
    edit = article.revisions.filter(state=Revision.State.PENDING).first()
    if article.status == Article.Status.PUBLISHED and edit is not None:
        return revisions.revision_preview(article=article, revision=edit)
    return article


@transaction.atomic
def article_mask_personal(*, article, user, keys=None, base_version=None) -> int:
    """
    Replace the personal information found in the article's text by its masked
    form (``110101********1234``, ``138****5678``): the hits named by ``keys``,
    or all of them. Saved as an edit by ``user`` (a pending revision when the
    article is live and they do not review it). Returns how many were masked.
    """
    article = editing_copy(Article.objects.get(pk=article.pk))
    hits = article_check(article=article, attachments=False).maskable
    if keys is not None:
        keys = set(keys)
        hits = [hit for hit in hits if hit.key in keys]
    masked = 0
    for hit in hits:
        if hit.field in BODY_FIELDS:
            before = article.body
            article.body = _replace_in_markup(article.body, hit.matched, hit.masked)
            masked += article.body != before
        else:
            value = getattr(article, hit.field)
            if hit.matched in value:
                setattr(article, hit.field, value.replace(hit.matched, hit.masked))
                masked += 1
    if masked:
        revisions.article_save(article=article, user=user, base_version=base_version)
    return masked
