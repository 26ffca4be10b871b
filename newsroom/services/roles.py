"""
The staff roles: the permission groups and keeping users' groups in step with
their department memberships.

Which department a user may work in is data (``Membership``); these groups
only open the admin screens a role needs.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from newsroom.models import Membership

EDITORS_GROUP = "编辑"
REVIEWERS_GROUP = "审核员"

EDITOR_PERMISSIONS = (
    "view_department",
    "view_category",
    "add_article",
    "change_article",
    "view_article",
    "add_image",
    "change_image",
    "view_image",
    "add_attachment",
    "change_attachment",
    "delete_attachment",
    "view_attachment",
    "view_revision",
    "view_transition",
    "view_link",
)
REVIEWER_PERMISSIONS = EDITOR_PERMISSIONS + (
    "view_dailyclickcount",
    "view_reviewitem",
    "view_confirmeddomain",
    "view_sitehealth",
    "view_scanfinding",
)


def roles_install():
    """Create (or complete) the editor and reviewer groups. Safe to run again."""
    for name, codenames in (
        (EDITORS_GROUP, EDITOR_PERMISSIONS),
        (REVIEWERS_GROUP, REVIEWER_PERMISSIONS),
    ):
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(
            content_type__app_label="newsroom", codename__in=codenames
        )
        group.permissions.add(*permissions)


@transaction.atomic
def membership_sync(*, user):
    """Give a user the groups (and admin access) their memberships call for."""
    roles_install()
    roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    editors = Group.objects.get(name=EDITORS_GROUP)
    reviewers = Group.objects.get(name=REVIEWERS_GROUP)
    if roles:
        user.groups.add(editors)
    else:
        user.groups.remove(editors)
    if Membership.Role.REVIEWER in roles:
        user.groups.add(reviewers)
    else:
        user.groups.remove(reviewers)
    if roles and not user.is_staff:
        get_user_model().objects.filter(pk=user.pk).update(is_staff=True)
        user.is_staff = True


def membership_grant(*, user, department, role) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        user=user, department=department, defaults={"role": role}
    )
    membership_sync(user=user)
    return membership
