from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from newsroom.core.content_version import versioned_value
from newsroom.urlcache import url_for

from .base import ChangesPublicPages, ChangesPublicPagesQuerySet

COLUMNS_CACHE_SECONDS = 3600


# First path segments the site itself uses; a department slug may not shadow them.
RESERVED_SLUGS = frozenset(
    {
        "admin",
        "articles",
        "static",
        "media",
        "click",
        "editor",
        "search",
        "feeds",
        "sitemap.xml",
        "robots.txt",
        "healthz",
        "preview",
        "attachments",
        "i18n",
    }
)


def validate_department_slug(value):
    if value.lower() in RESERVED_SLUGS:
        raise ValidationError(_("“%(slug)s” is reserved by the site."), params={"slug": value})


class DepartmentQuerySet(ChangesPublicPagesQuerySet):
    """Who may work where: the department scoping used by every admin screen and service."""

    def _with_role(self, user, roles):
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(
            pk__in=Membership.objects.filter(user=user, role__in=roles).values("department_id")
        )

    def editable_by(self, user):
        """Departments whose articles the user may write (editors and reviewers)."""
        return self._with_role(user, [Membership.Role.EDITOR, Membership.Role.REVIEWER])

    def reviewable_by(self, user):
        """Departments whose articles the user may approve, reject, take down and pin."""
        return self._with_role(user, [Membership.Role.REVIEWER])

    def cached(self, slug):
        """A department by slug, from the cached site map (see ``site_map``), or None."""
        return site_map().get(("department", slug))


class Department(ChangesPublicPages):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(
        _("slug"),
        max_length=60,
        unique=True,
        validators=[validate_department_slug],
        help_text=_("Used in the address of the department's pages."),
    )
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        ordering = ("order", "id")
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return url_for("newsroom:department-detail", slug=self.slug)


class CategoryQuerySet(ChangesPublicPagesQuerySet):
    def cached(self, pk=None, *, department_slug=None, slug=None):
        """One column with its department, by id or by slugs, or None.

        By id, a column missing from the map is read from the database: an
        article can name a column created after this request read the map."""
        if pk is None:
            return site_map().get((department_slug, slug))
        column = site_map().get(pk)
        if column is None:
            column = self.select_related("department").filter(pk=pk).first()
        return column

    def navigation(self, department):
        """A department's columns in menu order."""
        return site_map().get(("menu", department.pk), [])


def site_map():
    """
    Every department by slug, every column (with its department) by id and by
    slugs, and each department's menu (its columns in order): a site has
    dozens, and every public page needs some. Kept under the content version,
    which any column or department change bumps.
    """

    def build():
        found = {}
        departments = {}
        for department in Department.objects.all():
            departments[department.pk] = department
            found[("department", department.slug)] = department
        # Meta.ordering puts each department's columns in menu order.
        for column in Category.objects.all():
            column.department = departments[column.department_id]
            found[column.pk] = column
            found[(column.department.slug, column.slug)] = column
            found.setdefault(("menu", column.department_id), []).append(column)
        return found

    return versioned_value("site-map", build, COLUMNS_CACHE_SECONDS)


class Category(ChangesPublicPages):
    """A column (栏目) of a department: 最新动态, 通知公告 …"""

    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="categories",
        verbose_name=_("department"),
    )
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=60)
    order = models.PositiveIntegerField(_("order"), default=0)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ("department__order", "department_id", "order", "id")
        verbose_name = _("column")
        verbose_name_plural = _("columns")
        constraints = [
            models.UniqueConstraint(
                fields=("department", "slug"), name="category_unique_slug_per_department"
            ),
        ]
        indexes = [models.Index(fields=("department", "order"), name="category_nav_idx")]

    def __str__(self):
        return f"{self.department.name} / {self.name}"

    def get_absolute_url(self):
        return url_for(
            "newsroom:category-article-list", department_slug=self.department.slug, slug=self.slug
        )


class SiteHealth(Department):
    """The admin's 网站体检 dashboard, one panel per department (no data of its own)."""

    class Meta:
        proxy = True
        verbose_name = _("site health check")
        verbose_name_plural = _("site health check")


class Membership(models.Model):
    """A staff user's role in one department. Roles are data, edited in the admin."""

    class Role(models.TextChoices):
        EDITOR = "editor", _("Editor")
        REVIEWER = "reviewer", _("Reviewer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("department"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.EDITOR)

    class Meta:
        ordering = ("department__order", "department_id", "user_id")
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=("user", "department"), name="membership_one_role_per_department"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["editor", "reviewer"]), name="membership_role_valid"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.department} · {self.get_role_display()}"
