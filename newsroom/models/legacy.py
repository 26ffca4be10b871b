"""What an import from an old site leaves behind: redirects for its URLs, and records
keyed by the old site's ids that make a second run update instead of duplicate."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from newsroom.core.legacy_urls import legacy_key_of_url

# Models are named by string: this module adds no import edge to the others.
Article = "newsroom.Article"
Attachment = "newsroom.Attachment"
Category = "newsroom.Category"
Department = "newsroom.Department"
Image = "newsroom.Image"


class LegacyRedirect(models.Model):
    """An old URL (every spelling of it, see ``newsroom/core/legacy_urls.py``) and its new home."""

    host = models.CharField(
        _("old host"),
        max_length=200,
        blank=True,
        help_text=_("The old site's domain, e.g. cs.example.edu.cn; empty matches any domain."),
    )
    old_url = models.CharField(
        _("old address"),
        max_length=500,
        help_text=_("As the old site wrote it, e.g. /info/1021/3456.htm or /xwdt.htm."),
    )
    key = models.CharField(_("key"), max_length=500, editable=False)
    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("article"),
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("column"),
    )
    attachment = models.ForeignKey(
        Attachment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("attachment"),
    )
    target_url = models.CharField(
        _("other address"),
        max_length=500,
        blank=True,
        help_text=_("Where to send visitors when the target is not an article, column or file."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ("host", "key")
        verbose_name = _("old address")
        verbose_name_plural = _("old addresses (redirects)")
        constraints = [
            models.UniqueConstraint(fields=("host", "key"), name="legacy_redirect_unique_key"),
            models.CheckConstraint(
                condition=Q(article__isnull=False)
                | Q(category__isnull=False)
                | Q(attachment__isnull=False)
                | Q(department__isnull=False)
                | ~Q(target_url=""),
                name="legacy_redirect_has_target",
            ),
        ]

    def __str__(self):
        return f"{self.host}{self.old_url}"

    def save(self, *args, **kwargs):
        self.host = self.host.strip().lower()
        self.key = legacy_key_of_url(self.old_url.strip())
        super().save(*args, **kwargs)

    def clean(self):
        if not (self.article_id or self.category_id or self.attachment_id or self.target_url):
            if not self.department_id:
                raise ValidationError(_("Choose where the old address should lead."))
        self.host = self.host.strip().lower()
        self.key = legacy_key_of_url(self.old_url.strip())
        clash = LegacyRedirect.objects.filter(host=self.host, key=self.key).exclude(pk=self.pk)
        if clash.exists():
            raise ValidationError({"old_url": _("This old address already has a redirect.")})
        if self.target_url and not self.target_url.startswith(("/", "http://", "https://")):
            raise ValidationError(
                {"target_url": _("Give an address starting with /, http:// or https://.")}
            )

    def destination(self) -> str:
        """The new address: the article, column, attachment, other address or department."""
        for target in (self.article, self.category, self.attachment):
            if target is not None:
                return target.get_absolute_url()
        if self.target_url:
            return self.target_url
        return self.department.get_absolute_url()


class ImportedArticle(models.Model):
    """An article brought over from an old site, keyed by that site's own id."""

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="+", verbose_name=_("department")
    )
    system = models.CharField(_("old system"), max_length=20)
    old_id = models.CharField(_("old id"), max_length=64)
    old_url = models.CharField(_("old address"), max_length=500)
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="+", verbose_name=_("article")
    )
    # A digest of what was imported: an unchanged page is not written again.
    fingerprint = models.CharField(_("fingerprint"), max_length=64, editable=False)
    problems = models.TextField(
        _("problems"), blank=True, help_text=_("What could not be imported, with its address.")
    )
    has_problems = models.BooleanField(_("has problems"), default=False)
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ("-imported_at", "-id")
        verbose_name = _("imported article")
        verbose_name_plural = _("imported articles")
        constraints = [
            models.UniqueConstraint(
                fields=("department", "system", "old_id"), name="imported_article_unique_old_id"
            ),
        ]

    def __str__(self):
        return self.old_url

    def save(self, *args, **kwargs):
        self.has_problems = bool(self.problems.strip())
        super().save(*args, **kwargs)


class ImportedFile(models.Model):
    """An image or attachment downloaded from an old site (not downloaded twice)."""

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="+", verbose_name=_("department")
    )
    key = models.CharField(_("key"), max_length=500)
    old_url = models.CharField(_("old address"), max_length=1000)
    image = models.ForeignKey(
        Image,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("image"),
    )
    attachment = models.ForeignKey(
        Attachment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("attachment"),
    )
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)

    class Meta:
        ordering = ("-imported_at", "-id")
        verbose_name = _("imported file")
        verbose_name_plural = _("imported files")
        constraints = [
            models.UniqueConstraint(fields=("department", "key"), name="imported_file_unique_key"),
        ]

    def __str__(self):
        return self.old_url
