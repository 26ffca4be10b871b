from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
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


# --- site identity ----------------------------------------------------------------------
# What a department and the whole site show around the articles: the name,
# logo and banner in the header, the footer (版权所有, address, 友情链接), the
# filing numbers (ICP 备案号, 公安备案号), the university as the first crumb, and
# 一键变灰 (grey mode). Site admins edit them in the admin; every save bumps the
# content version, so cached pages follow at once.
MIIT_FILING_URL = "https://beian.miit.gov.cn/"


class GreyMode(models.TextChoices):
    OFF = "off", _("Off")
    ON = "on", _("On now")
    SCHEDULED = "scheduled", _("Between two times")


class IdentityFields(models.Model):
    """The fields a department and the site share; a department's empty ones
    fall back to the site's."""

    english_name = models.CharField(
        _("English name"), max_length=200, blank=True, help_text=_("Shown under the name.")
    )
    logo = models.ForeignKey(
        "newsroom.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("logo"),
    )
    banner = models.ForeignKey(
        "newsroom.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("header banner"),
        help_text=_("A wide picture across the top of every page (about 1920×240)."),
    )
    copyright = models.CharField(
        _("copyright line"),
        max_length=200,
        blank=True,
        help_text=_("For example: 版权所有 © 某某大学信息科学与工程学院"),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    grey_mode = models.CharField(
        _("grey mode (一键变灰)"),
        max_length=16,
        choices=GreyMode.choices,
        default=GreyMode.OFF,
        help_text=_("Shows the pages in grey, for days of mourning."),
    )
    grey_from = models.DateTimeField(_("grey from"), null=True, blank=True)
    grey_until = models.DateTimeField(_("grey until"), null=True, blank=True)

    class Meta:
        abstract = True

    def is_grey(self, *, at=None):
        """Whether grey mode is on at that moment (decided per request, like publishing)."""
        if self.grey_mode == GreyMode.ON:
            return True
        if self.grey_mode == GreyMode.SCHEDULED and self.grey_from and self.grey_until:
            return self.grey_from <= (at or timezone.now()) < self.grey_until
        return False

    def grey_moments(self):
        """The times at which grey mode switches by itself (for the page cache)."""
        if self.grey_mode == GreyMode.SCHEDULED:
            return [m for m in (self.grey_from, self.grey_until) if m is not None]
        return []


class SiteSettings(IdentityFields, ChangesPublicPages):
    """The site-wide settings: one row (id 1); departments fall back to it."""

    site_name = models.CharField(
        _("site name"),
        max_length=200,
        blank=True,
        help_text=_("In titles and on the home page; empty: NEWSROOM_SITE_NAME or 校园新闻网."),
    )
    university_name = models.CharField(
        _("university name"),
        max_length=200,
        blank=True,
        help_text=_("The first crumb of every breadcrumb, linked to the homepage below."),
    )
    university_url = models.URLField(_("university homepage"), blank=True)
    icp_number = models.CharField(
        _("ICP filing number (ICP备案号)"),
        max_length=100,
        blank=True,
        help_text=_(
            "For example 京ICP备12345678号-1; shown at the bottom of every page, linked to the "
            "MIIT filing site as the rules require."
        ),
    )
    psb_number = models.CharField(
        _("public security filing number (公安备案号)"),
        max_length=100,
        blank=True,
        help_text=_("For example 京公网安备 11010802012345号."),
    )
    psb_url = models.URLField(
        _("public security filing link"),
        blank=True,
        help_text=_("The record's page on beian.mps.gov.cn."),
    )

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="site_settings_single_row")]

    def __str__(self):
        return str(_("Site settings"))

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @property
    def name(self):
        return self.site_name or settings.NEWSROOM_SITE_NAME or str(_("Campus News"))

    @property
    def icp_url(self):
        return MIIT_FILING_URL


def next_grey_change(now):
    """The next moment a scheduled grey mode (the site's or a department's)
    starts or ends, or None: a boundary of the content version."""
    moments = []
    for model in (SiteSettings, Department):
        owners = model.objects.filter(grey_mode=GreyMode.SCHEDULED).only(
            "grey_mode", "grey_from", "grey_until"
        )
        moments.extend(m for owner in owners for m in owner.grey_moments() if m > now)
    return min(moments, default=None)


class FriendlyLink(ChangesPublicPages):
    """友情链接 in the footer: the site's, or one department's (which replace the site's)."""

    site = models.ForeignKey(
        SiteSettings,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="links",
        verbose_name=_("site"),
    )
    department = models.ForeignKey(
        "newsroom.Department",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="links",
        verbose_name=_("department"),
    )
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("address"))
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ("order", "id")
        verbose_name = _("friendly link")
        verbose_name_plural = _("friendly links")
        constraints = [
            models.CheckConstraint(
                condition=Q(site__isnull=True, department__isnull=False)
                | Q(site__isnull=False, department__isnull=True),
                name="friendly_link_of_site_or_department",
            )
        ]

    def __str__(self):
        return self.name


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


class Department(IdentityFields, ChangesPublicPages):
    class Language(models.TextChoices):
        CHINESE = "zh-hans", "简体中文"
        ENGLISH = "en", "English"

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
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=Language.choices,
        default=Language.CHINESE,
        help_text=_(
            "The language of the department's pages (labels, dates, the 404 page), "
            "whatever the visitor's browser prefers; English for an English site."
        ),
    )

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        ordering = ("order", "id")
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(language__in=["zh-hans", "en"]),
                name="department_language_valid",
            ),
        ]

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
        for department in Department.objects.select_related("logo", "banner"):
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
