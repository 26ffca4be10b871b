"""
Site health: the links found in published articles and what checking them
found, and the outside domains reviewers confirmed (外链).

Relations name their models as strings, so this module imports no other
model module (nor, through them, the services those still import).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LinkQuerySet(models.QuerySet):
    def broken(self):
        return self.filter(status=Link.Status.BROKEN)

    def in_use(self):
        """Links some article still holds (a link fixed in every article drops out)."""
        return self.filter(models.Exists(LinkOccurrence.objects.filter(link=models.OuterRef("pk"))))

    def of_department(self, department_id):
        """Links held by the department's articles."""
        return self.filter(
            models.Exists(
                LinkOccurrence.objects.filter(
                    link=models.OuterRef("pk"), article__category__department_id=department_id
                )
            )
        )


class Link(models.Model):
    """One URL found in published articles, with the result of its last check."""

    class Status(models.TextChoices):
        UNCHECKED = "unchecked", _("Not checked yet")
        OK = "ok", _("Working")
        BROKEN = "broken", _("Broken")

    url = models.CharField(_("address"), max_length=2000, unique=True)
    host = models.CharField(_("host"), max_length=255, blank=True, db_index=True)
    is_internal = models.BooleanField(_("on this site"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.UNCHECKED
    )
    # A status code ("404"), or timeout, refused, unknown host, not found on this site.
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    first_broken_at = models.DateTimeField(_("first found broken"), null=True, blank=True)
    last_checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)

    objects = LinkQuerySet.as_manager()

    class Meta:
        ordering = ("url",)
        verbose_name = _("link")
        verbose_name_plural = _("link check")
        indexes = [models.Index(fields=("status", "host"), name="link_status_host_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="broken") | Q(first_broken_at__isnull=True),
                name="link_first_broken_only_when_broken",
            ),
        ]

    def __str__(self):
        return self.url


class LinkOccurrence(models.Model):
    """A link held by an article (in its body, as an image, or as an attachment)."""

    class Kind(models.TextChoices):
        LINK = "link", _("link")
        IMAGE = "image", _("image")
        ATTACHMENT = "attachment", _("attachment")

    link = models.ForeignKey(
        Link, on_delete=models.CASCADE, related_name="occurrences", verbose_name=_("link")
    )
    article = models.ForeignKey(
        "newsroom.Article",
        on_delete=models.CASCADE,
        related_name="link_occurrences",
        verbose_name=_("article"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.LINK)

    class Meta:
        ordering = ("article_id", "link_id")
        verbose_name = _("link in an article")
        verbose_name_plural = _("links in articles")
        constraints = [
            models.UniqueConstraint(fields=("link", "article"), name="link_occurrence_unique"),
        ]

    def __str__(self):
        return f"{self.article_id}: {self.link_id}"


class ConfirmedDomain(models.Model):
    """
    An outside domain (外链) a reviewer of a department confirmed, when approving
    the article that first linked to it: the department's later articles may
    link there without asking again.
    """

    department = models.ForeignKey(
        "newsroom.Department",
        on_delete=models.CASCADE,
        related_name="confirmed_domains",
        verbose_name=_("department"),
    )
    domain = models.CharField(_("domain"), max_length=255)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), default=timezone.now)
    article = models.ForeignKey(
        "newsroom.Article",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("in the article"),
    )

    class Meta:
        ordering = ("department_id", "domain")
        verbose_name = _("confirmed outside domain")
        verbose_name_plural = _("confirmed outside domains")
        constraints = [
            models.UniqueConstraint(
                fields=("department", "domain"), name="confirmed_domain_unique"
            ),
        ]

    def __str__(self):
        return self.domain
