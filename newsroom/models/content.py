import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from newsroom.core.html import clean_body
from newsroom.core.renditions import renditions_generate
from newsroom.core.search_document import build_document
from newsroom.storage import attachment_storage
from newsroom.urlcache import url_for

from .base import ChangesPublicPages, ChangesPublicPagesQuerySet
from .org import Category, Department, Membership


def upload_path(instance, filename):
    """Random name under uploads/YYYY/MM/: the uploader's name never reaches the disk."""
    now = timezone.localtime()
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"uploads/{now:%Y/%m}/{uuid.uuid4().hex}.{extension}"


class ImageQuerySet(ChangesPublicPagesQuerySet):
    def managed_by(self, user):
        """Images of the user's departments: uploaded by them or a colleague."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        colleagues = Membership.objects.filter(
            department__in=Department.objects.editable_by(user)
        ).values("user_id")
        return self.filter(Q(uploaded_by=user) | Q(uploaded_by__in=colleagues))

    def usable_by(self, user):
        """Images the user may put on an article: their departments' and the shared library."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(Q(pk__in=self.managed_by(user).values("pk")) | Q(is_shared=True))


class Image(ChangesPublicPages):
    """An uploaded picture: an article cover or an image placed in a body."""

    objects = ImageQuerySet.as_manager()

    file = models.ImageField(
        _("file"),
        upload_to=upload_path,
        width_field="width",
        height_field="height",
        max_length=200,
    )
    width = models.PositiveIntegerField(_("width"), editable=False, default=0)
    height = models.PositiveIntegerField(_("height"), editable=False, default=0)
    alt_text = models.CharField(
        _("alt text"),
        max_length=200,
        blank=True,
        help_text=_("Describes the picture for readers who cannot see it."),
    )
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    size = models.PositiveIntegerField(_("size in bytes"), default=0, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now, editable=False)
    is_shared = models.BooleanField(
        _("shared library"),
        default=False,
        help_text=_("Every department may use a shared image; only site admins change it."),
    )

    class Meta:
        ordering = ("-uploaded_at", "-id")
        verbose_name = _("image")
        verbose_name_plural = _("images")

    def __str__(self):
        return self.alt_text or self.original_name or self.file.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # Renditions are made here, once, so that no page ever resizes an image.
        renditions_generate(self)

    @property
    def url(self):
        return self.file.url


class ArticleQuerySet(ChangesPublicPagesQuerySet):
    def published(self, *, at=None):
        """The one definition of "visible to the public": published, its time
        come, and its display period (公示) not over."""
        now = at or timezone.now()
        return self.filter(
            Q(display_until__isnull=True) | Q(display_until__gt=now),
            status=Article.Status.PUBLISHED,
            publish_at__lte=now,
        )

    def expired(self, *, at=None):
        """Published articles whose display period (公示) has ended: gone for the public."""
        now = at or timezone.now()
        return self.filter(status=Article.Status.PUBLISHED, display_until__lte=now)

    @staticmethod
    def pinned_condition(*, at=None):
        now = at or timezone.now()
        return Q(is_pinned=True) & (Q(pinned_until__isnull=True) | Q(pinned_until__gt=now))

    def pinned(self, *, at=None):
        """Articles pinned now (a pin with a passed end time no longer counts)."""
        return self.filter(self.pinned_condition(at=at))

    def not_pinned(self, *, at=None):
        return self.exclude(self.pinned_condition(at=at))

    def editable_by(self, user):
        return self.filter(category__department__in=Department.objects.editable_by(user))

    def reviewable_by(self, user):
        return self.filter(category__department__in=Department.objects.reviewable_by(user))

    def awaiting_review(self):
        """Submitted articles and published ones with an edit waiting for approval."""
        # Revision is defined below Article (models/activity.py); reached
        # through the relation rather than imported back.
        revisions = self.model._meta.get_field("revisions").related_model
        pending_edit = revisions.objects.filter(
            article=models.OuterRef("pk"), state=revisions.State.PENDING
        )
        return self.filter(Q(status=Article.Status.PENDING) | models.Exists(pending_edit))

    def most_read(self, *, days=30, at=None):
        """Ordered by clicks counted in the last ``days`` days (daily counts)."""
        since = timezone.localdate(at or timezone.now()) - timezone.timedelta(days=days - 1)
        return (
            self.filter(daily_clicks__day__gte=since)
            .annotate(recent_clicks=models.Sum("daily_clicks__count"))
            .order_by("-recent_clicks", "-publish_at", "-id")
        )

    def newest_first(self):
        return self.order_by("-publish_at", "-id")

    def next_change(self, now):
        """When public content next changes by itself (a scheduled article
        appears, a pin ends, a 公示 reaches its display end), or None: the
        content version's boundary."""
        published = self.filter(status=Article.Status.PUBLISHED)
        moments = [
            published.filter(publish_at__gt=now).aggregate(m=models.Min("publish_at"))["m"],
            published.filter(is_pinned=True, pinned_until__gt=now).aggregate(
                m=models.Min("pinned_until")
            )["m"],
            published.filter(display_until__gt=now).aggregate(m=models.Min("display_until"))["m"],
        ]
        moments = [m for m in moments if m is not None]
        return min(moments) if moments else None

    def with_cover_columns(self):
        """
        The cover's columns as annotations, for queries run raw (newsroom/sqlcache.py),
        which cannot ``select_related``; ``attach_covers`` makes them Images again.
        """
        return self.annotate(
            cover_file_=models.F("cover__file"),
            cover_width_=models.F("cover__width"),
            cover_height_=models.F("cover__height"),
            cover_alt_=models.F("cover__alt_text"),
        )

    def for_listing_raw(self):
        """The columns a list row shows, for a raw query: the cover's annotated."""
        return self.only(*LISTING_FIELDS, "cover").with_cover_columns()


LISTING_FIELDS = (
    "id",
    "title",
    "publish_at",
    "category_id",
    "is_pinned",
    "pinned_until",
)


# In the model's field order: from_db() takes the values in that order.
COVER_FIELDS = ("id", "file", "width", "height", "alt_text")


def attach_covers(articles):
    """
    Each article's cover from the columns ``with_cover_columns`` added (no query).

    The covers are loaded as a query loads them (``from_db``), with the fields
    not selected deferred rather than set to their defaults.
    """
    for article in articles:
        if article.cover_id:
            article.cover = Image.from_db(
                article._state.db,
                COVER_FIELDS,
                (
                    article.cover_id,
                    article.cover_file_,
                    article.cover_width_,
                    article.cover_height_,
                    article.cover_alt_,
                ),
            )
        else:
            article.cover = None
    return articles


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Pending review")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")
    TAKEN_DOWN = "taken_down", _("Taken down")


class Article(ChangesPublicPages):
    Status = ArticleStatus

    # The content an author edits: what a revision keeps and the form shows.
    # Status, pins and counters change only through the services.
    CONTENT_FIELDS = (
        "category", "title", "summary", "cover", "body", "author", "source", "photographer",
        "responsible_editor", "publish_at", "display_until",
    )  # fmt: skip

    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="articles", verbose_name=_("column")
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(
        _("summary"),
        max_length=500,
        blank=True,
        help_text=_("Shown in lists and in search results; plain text."),
    )
    cover = models.ForeignKey(
        Image,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cover image"),
    )
    body = models.TextField(_("body"), blank=True)
    author = models.CharField(_("author"), max_length=100, blank=True)
    source = models.CharField(_("source"), max_length=100, blank=True)
    photographer = models.CharField(_("photographer"), max_length=100, blank=True)
    responsible_editor = models.CharField(_("responsible editor"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    publish_at = models.DateTimeField(
        _("publish time"),
        default=timezone.now,
        help_text=_("The article becomes visible at this time; the date shown to readers."),
    )
    display_until = models.DateTimeField(
        _("display until"),
        null=True,
        blank=True,
        help_text=_(
            "For a public notice (公示): at this time the article leaves the site and its "
            "address answers that the notice period has ended. Leave empty to keep it."
        ),
    )
    is_pinned = models.BooleanField(_("pinned"), default=False)
    pinned_until = models.DateTimeField(
        _("pinned until"),
        null=True,
        blank=True,
        help_text=_("Leave empty to keep the article pinned until it is unpinned."),
    )
    click_count = models.PositiveBigIntegerField(_("clicks"), default=0, editable=False)
    # Kept by Attachment.save/delete, so that the article page of the many
    # articles without attachments needs no query for them.
    has_attachments = models.BooleanField(_("has attachments"), default=False, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
        editable=False,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last saved by"),
        editable=False,
    )
    # Bumped by every save; a save based on an older version is an edit conflict.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True, editable=False)
    # Words of title, summary and body prepared for search (see services/search.py).
    search_document = models.TextField(editable=False, blank=True, default="")
    search_title = models.TextField(editable=False, blank=True, default="")

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ("-publish_at", "-id")
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [
            # Column lists, prev/next and the homepage's per-column blocks.
            models.Index(
                fields=("category", "status", "-publish_at", "-id"), name="article_column_list_idx"
            ),
            # Site-wide newest (feeds, sitemap).
            models.Index(fields=("status", "-publish_at", "-id"), name="article_newest_idx"),
            # The few pinned articles of a column, found without scanning the column.
            models.Index(
                fields=("category", "publish_at"),
                name="article_pinned_idx",
                condition=Q(is_pinned=True),
            ),
            # The next display end (the page cache's boundary) and the dashboard's list.
            models.Index(
                fields=("display_until",),
                name="article_display_until_idx",
                condition=Q(display_until__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ArticleStatus.values),
                name="article_status_valid",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="article_title_not_empty"),
            models.CheckConstraint(
                condition=Q(is_pinned=True) | Q(pinned_until__isnull=True),
                name="article_pinned_until_only_when_pinned",
            ),
            models.CheckConstraint(
                condition=Q(click_count__gte=0), name="article_click_count_not_negative"
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Every path that writes an article (admin, services, shell, seeders)
        # stores a cleaned body: cleaning lives here, not in a form.
        self.body = clean_body(self.body)
        self.search_title = build_document(self.title)
        self.search_document = build_document(self.title, self.summary, self.body)
        if not self.is_pinned:
            self.pinned_until = None
        # Whole seconds: what pages show and <time datetime> may carry.
        if self.publish_at is not None:
            self.publish_at = self.publish_at.replace(microsecond=0)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return url_for("newsroom:article-detail", pk=self.pk)

    def is_expired(self, *, at=None):
        """Its display period (公示) is over: the public no longer sees it."""
        return self.display_until is not None and self.display_until <= (at or timezone.now())

    def is_pinned_now(self, *, at=None):
        now = at or timezone.now()
        return self.is_pinned and (self.pinned_until is None or self.pinned_until > now)


def attachment_path(instance, filename):
    now = timezone.localtime()
    return f"attachments/{now:%Y/%m}/{uuid.uuid4().hex}{_safe_extension(filename)}"


def _safe_extension(filename):
    if "." not in filename:
        return ""
    extension = filename.rsplit(".", 1)[-1].lower()
    return f".{extension}" if extension.isalnum() and len(extension) <= 8 else ""


class Attachment(ChangesPublicPages):
    """A file (PDF, Word, Excel …) listed under an article, downloadable by readers."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("article")
    )
    file = models.FileField(
        _("file"), upload_to=attachment_path, storage=attachment_storage, max_length=200
    )
    name = models.CharField(
        _("name"), max_length=255, help_text=_("The file name readers see and download.")
    )
    content_type = models.CharField(_("content type"), max_length=100, editable=False)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0, editable=False)
    download_count = models.PositiveBigIntegerField(_("downloads"), default=0, editable=False)
    order = models.PositiveIntegerField(_("order"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
        editable=False,
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ("order", "id")
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        indexes = [models.Index(fields=("article", "order"), name="attachment_article_idx")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self.update_article_flag()

    def get_absolute_url(self):
        return reverse("newsroom:attachment-download", kwargs={"pk": self.pk})

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        self.update_article_flag()
        return result

    def update_article_flag(self):
        others = Attachment.objects.filter(article=models.OuterRef("pk"))
        Article.objects.filter(pk=self.article_id).update(has_attachments=models.Exists(others))


class Rendition(models.Model):
    """A resized copy of an image (a cover crop, a list thumbnail), made once and kept."""

    image = models.ForeignKey(
        Image, on_delete=models.CASCADE, related_name="renditions", verbose_name=_("image")
    )
    spec = models.CharField(_("specification"), max_length=40)
    file = models.ImageField(
        _("file"),
        upload_to="renditions/",
        max_length=200,
        width_field="width",
        height_field="height",
    )
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)

    class Meta:
        verbose_name = _("rendition")
        verbose_name_plural = _("renditions")
        constraints = [
            models.UniqueConstraint(fields=("image", "spec"), name="rendition_unique_spec"),
        ]

    def __str__(self):
        return f"{self.image_id} {self.spec}"

    @property
    def url(self):
        return self.file.url


class ReviewItem(Article):
    """The reviewers' queue in the admin: articles waiting for a decision."""

    class Meta:
        proxy = True
        verbose_name = _("article to review")
        verbose_name_plural = _("review queue")
