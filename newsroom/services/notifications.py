"""Telling authors what happened to their articles (Django's e-mail framework)."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _

from newsroom.models import Article, Transition

logger = logging.getLogger(__name__)

NOTIFIED = {Article.Status.PUBLISHED, Article.Status.REJECTED, Article.Status.TAKEN_DOWN}


def notify_author(*, transition: Transition):
    """Mail the article's author the outcome of a review; other moves stay silent."""
    article = transition.article
    author = article.created_by
    if transition.to_status not in NOTIFIED or author is None or not author.email:
        return
    if transition.actor_id == author.pk:
        return
    subject = {
        Article.Status.PUBLISHED: _("Your article was approved: %(title)s"),
        Article.Status.REJECTED: _("Your article was returned: %(title)s"),
        Article.Status.TAKEN_DOWN: _("Your article was taken down: %(title)s"),
    }[transition.to_status] % {"title": article.title}
    lines = [
        _("Article: %(title)s") % {"title": article.title},
        _("Status: %(status)s") % {"status": article.get_status_display()},
    ]
    if transition.reason:
        lines.append(_("Reason: %(reason)s") % {"reason": transition.reason})
    if transition.actor:
        lines.append(_("Reviewer: %(name)s") % {"name": transition.actor.get_username()})
    try:
        send_mail(subject, "\n".join(lines), settings.DEFAULT_FROM_EMAIL, [author.email])
    except OSError:
        # A mail server outage must not undo the review; the history has the record.
        logger.exception("Could not send the review notice for article %s", article.pk)
