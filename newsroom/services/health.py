"""
网站体检: what a department's site admin should look at, in one place.

``department_health()`` gathers it for one department (the admin dashboard
shows it, the weekly digest mails it): columns left to go stale or empty,
reviews waiting too long, staff accounts nobody uses, the monthly publishing
count, 公示 about to end, broken links and outside domains awaiting
confirmation. Reads only; each part is one query.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from newsroom.models import (
    Article,
    Category,
    ConfirmedDomain,
    Department,
    Link,
    LinkOccurrence,
    Membership,
)
from newsroom.services.links import domain_allowed, reason_label

PENDING_REVIEW_DAYS = 3
IDLE_ACCOUNT_DAYS = 180
EXPIRING_NOTICE_DAYS = 7
CHART_MONTHS = 12


@dataclass
class ColumnHealth:
    column: Category
    last_publish: datetime | None
    stale: bool

    @property
    def empty(self):
        return self.last_publish is None


@dataclass
class OutsideDomain:
    domain: str
    links: int
    articles: list = field(default_factory=list)
    confirmed: ConfirmedDomain | None = None


@dataclass
class DepartmentHealth:
    department: Department
    columns: list
    old_pending: list
    idle_staff: list
    per_month: list  # [(first day of the month, count)], oldest first
    expiring: list
    broken_links: list  # [(Link, [article ids])]
    outside_domains: list

    @property
    def stale_columns(self):
        return [c for c in self.columns if c.stale or c.empty]

    @property
    def unconfirmed_domains(self):
        return [d for d in self.outside_domains if d.confirmed is None]


def _visible(now, prefix=""):
    """``published()`` as a condition on a related article (for aggregates)."""
    return Q(**{f"{prefix}status": Article.Status.PUBLISHED, f"{prefix}publish_at__lte": now}) & (
        Q(**{f"{prefix}display_until__isnull": True}) | Q(**{f"{prefix}display_until__gt": now})
    )


def column_health(department, now):
    stale_before = now - timedelta(days=settings.NEWSROOM_STALE_DAYS)
    columns = Category.objects.filter(department=department).annotate(
        last_publish=Max("articles__publish_at", filter=_visible(now, "articles__"))
    )
    return [
        ColumnHealth(
            column=column,
            last_publish=column.last_publish,
            stale=column.last_publish is not None and column.last_publish < stale_before,
        )
        for column in columns.order_by("order", "id")
    ]


def old_pending_reviews(department, now):
    """Articles (or edits of live ones) waiting for review longer than three days."""
    return list(
        Article.objects.filter(category__department=department)
        .awaiting_review()
        .filter(submitted_at__lt=now - timedelta(days=PENDING_REVIEW_DAYS))
        .select_related("category")
        .only("id", "title", "submitted_at", "status", "category__name")
        .order_by("submitted_at", "id")
    )


def idle_staff(department, now):
    """Active members who have not signed in for 180 days (or never, if older than that)."""
    before = now - timedelta(days=IDLE_ACCOUNT_DAYS)
    members = Membership.objects.filter(department=department, user=OuterRef("pk"))
    return list(
        get_user_model()
        .objects.filter(Exists(members), is_active=True)
        .filter(Q(last_login__lt=before) | Q(last_login__isnull=True, date_joined__lt=before))
        .order_by("last_login", "username")
    )


def month_starts(now, months=CHART_MONTHS):
    """The first days of the last ``months`` months (local time), oldest first."""
    day = timezone.localtime(now).date().replace(day=1)
    starts = [day]
    for _ in range(months - 1):
        day = (day - timedelta(days=1)).replace(day=1)
        starts.append(day)
    return starts[::-1]


def published_per_month(department, now, months=CHART_MONTHS):
    """[(first day of the month, articles published in it)] over the last ``months``."""
    starts = month_starts(now, months)
    zone = timezone.get_current_timezone()
    since = timezone.make_aware(datetime.combine(starts[0], datetime.min.time()), zone)
    moments = Article.objects.published(at=now).filter(
        category__department=department, publish_at__gte=since
    )
    counts = dict.fromkeys(starts, 0)
    # Counted in Python from the publish times: the months are the site's
    # local months on every database, without time zone tables.
    for moment in moments.values_list("publish_at", flat=True).iterator():
        counts[timezone.localtime(moment, zone).date().replace(day=1)] += 1
    return list(counts.items())


def expiring_notices(department, now, days=EXPIRING_NOTICE_DAYS):
    """Public 公示 whose display ends in the next ``days`` days, soonest first."""
    return list(
        Article.objects.published(at=now)
        .filter(
            category__department=department,
            display_until__lte=now + timedelta(days=days),
        )
        .select_related("category")
        .only("id", "title", "display_until", "category__name")
        .order_by("display_until", "id")
    )


def broken_links(department, *, since=None):
    """[(Link, [article ids of the department])] of its broken links, newest first."""
    links = Link.objects.broken().of_department(department.pk)
    if since is not None:
        links = links.filter(first_broken_at__gte=since)
    links = list(links.order_by("-first_broken_at", "url"))
    holders = {}
    occurrences = LinkOccurrence.objects.filter(
        link__in=[link.pk for link in links], article__category__department=department
    )
    for link_id, article_id in occurrences.values_list("link_id", "article_id"):
        holders.setdefault(link_id, []).append(article_id)
    return [(link, sorted(holders.get(link.pk, []))) for link in links]


def outside_domains(department):
    """The department's linked domains outside the allowed ones (外链), with whether a
    reviewer confirmed each."""
    rows = (
        LinkOccurrence.objects.filter(
            article__category__department=department, link__is_internal=False
        )
        .values_list("link__url", "link__host", "article_id")
        .order_by("link__host")
    )
    found = {}
    for _url, host, article_id in rows:
        hostname = host.rsplit(":", 1)[0] if not host.startswith("[") else host
        if domain_allowed(hostname):
            continue
        entry = found.setdefault(hostname, OutsideDomain(domain=hostname, links=0))
        entry.links += 1
        if article_id not in entry.articles:
            entry.articles.append(article_id)
    confirmed = ConfirmedDomain.objects.filter(
        department=department, domain__in=list(found)
    ).select_related("confirmed_by")
    for record in confirmed:
        found[record.domain].confirmed = record
    return [found[domain] for domain in sorted(found)]


def department_health(department, *, now=None) -> DepartmentHealth:
    now = now or timezone.now()
    return DepartmentHealth(
        department=department,
        columns=column_health(department, now),
        old_pending=old_pending_reviews(department, now),
        idle_staff=idle_staff(department, now),
        per_month=published_per_month(department, now),
        expiring=expiring_notices(department, now),
        broken_links=broken_links(department),
        outside_domains=outside_domains(department),
    )


# --- the weekly digest ----------------------------------------------------------------

DIGEST_DAYS = 7


def digest_text(report: DepartmentHealth, *, now) -> str:
    """The digest of one department as plain text, or "" when there is nothing to tell."""
    from django.utils.translation import gettext as _

    site = settings.NEWSROOM_SITE_URL

    def admin_link(name, *args):
        from django.urls import reverse

        return f"{site}{reverse(name, args=args)}"

    sections = []
    since = now - timedelta(days=DIGEST_DAYS)
    new_broken = [(link, ids) for link, ids in report.broken_links if link.first_broken_at >= since]
    if new_broken:
        lines = [_("New broken links:")]
        for link, ids in new_broken:
            articles = ", ".join(f"#{pk}" for pk in ids)
            held = _("in articles %(ids)s") % {"ids": articles}
            lines.append(f"  {link.url}  ({reason_label(link.reason)}; {held})")
        sections.append(lines)
    if report.unconfirmed_domains:
        lines = [_("Outside links (外链) awaiting confirmation:")]
        for entry in report.unconfirmed_domains:
            lines.append(
                "  "
                + _("%(domain)s: %(count)s link(s)")
                % {"domain": entry.domain, "count": entry.links}
            )
        sections.append(lines)
    if report.stale_columns:
        lines = [_("Columns with nothing new:")]
        for entry in report.stale_columns:
            when = (
                timezone.localtime(entry.last_publish).strftime("%Y-%m-%d")
                if entry.last_publish
                else _("never")
            )
            last = _("last published %(day)s") % {"day": when}
            lines.append(f"  {entry.column.name}  ({last})")
        sections.append(lines)
    if report.expiring:
        lines = [_("公示 ending in the next 7 days:")]
        for article in report.expiring:
            until = timezone.localtime(article.display_until).strftime("%Y-%m-%d %H:%M")
            lines.append(f"  {article.title}  ({until})")
        sections.append(lines)
    if report.old_pending:
        lines = [_("Waiting for review more than 3 days:")]
        for article in report.old_pending:
            submitted = timezone.localtime(article.submitted_at).strftime("%Y-%m-%d")
            lines.append(f"  {article.title}  ({submitted})")
        sections.append(lines)
    if not sections:
        return ""
    head = [
        _("Site health of %(department)s, week to %(day)s")
        % {"department": report.department.name, "day": timezone.localdate(now).isoformat()},
        "",
    ]
    body = "\n\n".join("\n".join(lines) for lines in sections)
    tail = [
        "",
        "",
        _("Site health check: %(url)s")
        % {"url": admin_link("admin:newsroom_sitehealth_changelist")},
        _("Link check: %(url)s") % {"url": admin_link("admin:newsroom_link_changelist")},
    ]
    return "\n".join(head) + body + "\n".join(tail)
