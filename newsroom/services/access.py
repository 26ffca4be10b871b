"""
Who may do what to an article, and the errors the workflow raises.

The moderation and revision services both ask these questions, so they live
below both (neither imports the other's checks).
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from newsroom.models import Department, Image


class ModerationError(Exception):
    """A move the state machine does not allow (shown to the user as an error)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class NotPermitted(ModerationError, PermissionDenied):
    """The user's role in the article's department does not allow this (a 403)."""


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


def require_image(user, image_id):
    """An article may show only images its editor may use (see ``Image.objects.usable_by``)."""
    if image_id is not None and not Image.objects.usable_by(user).filter(pk=image_id).exists():
        raise NotPermitted(_("You may not use this image."))
