"""
Links in published articles: finding them, checking them, keeping the results.

``links_check()`` (``manage.py check_links``) collects every link and image
source of the published articles' bodies and every attachment's address.

- Links to this site (relative ones, or to a host in ``NEWSROOM_LINK_SITE_HOSTS``)
  are checked against the site itself, without HTTP: the URL must resolve, and
  an article, column, department or attachment must be visible to the public;
  a media or static file must exist.
- Outside links are requested with HEAD, falling back to GET when HEAD gets an
  error (some servers refuse HEAD), following up to five redirects, each
  request given up after ``NEWSROOM_LINK_TIMEOUT`` seconds. At most two
  requests run at once per host and sixteen in all: waiting for a busy host
  never holds one of the sixteen. A host that refuses connections, is unknown
  or does not answer within the timeout is not asked again in the same run: its
  other links get the same reason at once (a host whose pages twice time out
  after connecting is treated the same).

The requests are plain ``http.client`` calls run in a pool of sixteen threads
and scheduled by asyncio, which holds the per-host and overall limits; no
dependency is needed.
"""

import asyncio
import http.client
import socket
import ssl
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from html.parser import HTMLParser
from urllib.parse import quote, unquote, urljoin, urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _

from newsroom.models import (
    Article,
    Attachment,
    Category,
    ConfirmedDomain,
    Department,
    Link,
    LinkOccurrence,
)

TOTAL_CONCURRENCY = 16
PER_HOST_CONCURRENCY = 2
MAX_REDIRECTS = 5
# Read timeouts on one host (after connecting) before the host counts as down.
HOST_TIMEOUTS_BEFORE_SKIPPING = 2
USER_AGENT = "newsroom-link-check/1.0 (+site health; HEAD then GET)"
REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_URL_LENGTH = 2000

# Reasons, in the words the report and the command print.
TIMEOUT = "timeout"
REFUSED = "refused"
UNKNOWN_HOST = "unknown host"
NOT_ON_SITE = "not found on this site"
NOTICE_ENDED = "410 notice ended"


# --- finding links -----------------------------------------------------------------------


class _LinkParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.found.append((values["href"], LinkOccurrence.Kind.LINK))
        elif tag == "img" and values.get("src"):
            self.found.append((values["src"], LinkOccurrence.Kind.IMAGE))

    handle_startendtag = handle_starttag


def body_links(html: str) -> list[tuple[str, str]]:
    """[(raw address, kind)] of the links and image sources in an article body."""
    parser = _LinkParser()
    parser.feed(html or "")
    parser.close()
    return parser.found


@dataclass(frozen=True)
class Target:
    """A link as checked: ``key`` is the path for this site's links, else the URL."""

    key: str
    internal: bool
    host: str = ""  # host[:port] of an outside link

    @property
    def hostname(self):
        return urlsplit(self.key).hostname or ""


def site_hosts():
    return {host.lower() for host in settings.NEWSROOM_LINK_SITE_HOSTS}


def normalize(raw: str, *, hosts=None) -> Target | None:
    """The link to check for an address in a body, or None when there is nothing to
    check (a fragment, mailto:, tel:, javascript: …, or an address too long to keep)."""
    raw = (raw or "").strip()
    if not raw or raw.startswith("#"):
        return None
    try:
        parts = urlsplit(raw)
        if raw.startswith("//"):
            parts = urlsplit("https:" + raw)
        hostname = parts.hostname
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme and scheme not in ("http", "https"):
        return None
    hosts = site_hosts() if hosts is None else hosts
    if not parts.netloc or (hostname or "") in hosts:
        path = urljoin("/", parts.path or "/")
        key = path + (f"?{parts.query}" if parts.query else "")
        return Target(key, True) if len(key) <= MAX_URL_LENGTH else None
    if not hostname:
        return None
    netloc = hostname + (f":{port}" if port else "")
    key = f"{scheme}://{netloc}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")
    return Target(key, False, netloc) if len(key) <= MAX_URL_LENGTH else None


def article_targets(article, attachment_ids=(), *, hosts=None) -> dict[Target, str]:
    """{link: kind} of an article: body links, image sources, attachment addresses."""
    found = {}
    for raw, kind in body_links(article.body):
        target = normalize(raw, hosts=hosts)
        if target is not None:
            found.setdefault(target, kind)
    for pk in attachment_ids:
        found.setdefault(Target(f"/attachments/{pk}/", True), LinkOccurrence.Kind.ATTACHMENT)
    return found


# --- outside domains (外链) --------------------------------------------------------------


def domain_allowed(hostname: str) -> bool:
    """On this site or under ``NEWSROOM_LINK_ALLOWED_DOMAINS`` (``*.edu.cn`` …)."""
    hostname = hostname.lower().rstrip(".")
    if hostname in site_hosts():
        return True
    for pattern in settings.NEWSROOM_LINK_ALLOWED_DOMAINS:
        pattern = pattern.lower()
        if pattern.startswith("*."):
            if hostname == pattern[2:] or hostname.endswith(pattern[1:]):
                return True
        elif fnmatchcase(hostname, pattern):
            return True
    return False


def outside_domains(html: str) -> set[str]:
    """The host names of a body's links outside the allowed domains."""
    hosts = site_hosts()
    domains = set()
    for raw, _kind in body_links(html):
        target = normalize(raw, hosts=hosts)
        if target is not None and not target.internal and not domain_allowed(target.hostname):
            domains.add(target.hostname)
    return domains


def confirmed_domains(department_id) -> set[str]:
    return set(
        ConfirmedDomain.objects.filter(department_id=department_id).values_list("domain", flat=True)
    )


def new_outside_domains(*, html: str, department_id) -> list[str]:
    """新外链: outside domains of ``html`` no reviewer of the department confirmed yet."""
    return sorted(outside_domains(html) - confirmed_domains(department_id))


def domains_confirm(*, domains, department_id, user, article) -> None:
    """Record a reviewer's confirmation of outside domains (who, when, in which article)."""
    now = timezone.now()
    for domain in sorted(set(domains)):
        ConfirmedDomain.objects.get_or_create(
            department_id=department_id,
            domain=domain,
            defaults={"confirmed_by": user, "confirmed_at": now, "article": article},
        )


# --- checking this site's links ----------------------------------------------------------


def check_internal(key: str) -> str:
    """ "" when a link to this site works, else the reason it does not."""
    path = unquote(urlsplit(key).path)
    if path.startswith(settings.MEDIA_URL):
        from django.core.files.storage import default_storage

        name = path[len(settings.MEDIA_URL) :]
        return "" if name and _exists(default_storage, name) else NOT_ON_SITE
    if path.startswith(settings.STATIC_URL):
        from django.contrib.staticfiles import finders
        from django.contrib.staticfiles.storage import staticfiles_storage

        name = path[len(settings.STATIC_URL) :]
        found = finders.find(name) or _exists(staticfiles_storage, name)
        return "" if name and found else NOT_ON_SITE
    try:
        match = resolve(path)
    except Resolver404:
        return NOT_ON_SITE
    kwargs = match.kwargs
    name = match.url_name
    if name == "article-detail":
        if Article.objects.published().filter(pk=kwargs["pk"]).exists():
            return ""
        if Article.objects.expired().filter(pk=kwargs["pk"]).exists():
            return NOTICE_ENDED
        return NOT_ON_SITE
    if name == "attachment-download":
        visible = Attachment.objects.filter(
            pk=kwargs["pk"], article__in=Article.objects.published().values("pk")
        )
        return "" if visible.exists() else NOT_ON_SITE
    if name == "department-detail":
        return "" if Department.objects.filter(slug=kwargs["slug"]).exists() else NOT_ON_SITE
    if name == "category-article-list":
        column = Category.objects.filter(
            department__slug=kwargs["department_slug"], slug=kwargs["slug"]
        )
        return "" if column.exists() else NOT_ON_SITE
    return ""


def _exists(storage, name):
    try:
        return storage.exists(name)
    except Exception:  # a name the storage refuses (outside its folder …) is no file
        return False


# --- checking outside links --------------------------------------------------------------


@dataclass
class Failure:
    reason: str
    # True when the host itself is unreachable: its other links are not tried.
    host_down: bool = False
    read_timeout: bool = False


@dataclass
class CheckStats:
    requests: int = 0
    max_in_flight: int = 0
    max_per_host: int = 0
    in_flight: int = 0
    per_host: dict = field(default_factory=lambda: defaultdict(int))


class LinkChecker:
    """Checks outside URLs within the concurrency limits (see the module doc)."""

    def __init__(
        self,
        *,
        timeout: float | None = None,
        total: int = TOTAL_CONCURRENCY,
        per_host: int = PER_HOST_CONCURRENCY,
    ):
        self.timeout = settings.NEWSROOM_LINK_TIMEOUT if timeout is None else timeout
        self.total = total
        self.per_host = per_host
        self.stats = CheckStats()
        self.tls = ssl.create_default_context()

    def run(self, urls) -> dict[str, str]:
        """{url: ""} for the working ones, {url: reason} for the broken ones."""
        urls = list(dict.fromkeys(urls))
        if not urls:
            return {}
        return asyncio.run(self._run(urls))

    async def _run(self, urls):
        self.dead = {}
        self.read_timeouts = defaultdict(int)
        self.host_slots = defaultdict(lambda: asyncio.Semaphore(self.per_host))
        self.slots = asyncio.Semaphore(self.total)
        with ThreadPoolExecutor(max_workers=self.total) as pool:
            self.pool = pool
            results = await asyncio.gather(*(self._check(url) for url in urls))
        return dict(zip(urls, results, strict=True))

    async def _check(self, url) -> str:
        for _hop in range(MAX_REDIRECTS + 1):
            parts = urlsplit(url)
            host = parts.netloc.lower()
            if host in self.dead:
                return self.dead[host]
            async with self.host_slots[host]:
                if host in self.dead:
                    return self.dead[host]
                outcome = await self._request(parts, "HEAD")
                if not isinstance(outcome, Failure) and outcome[0] >= 400:
                    outcome = await self._request(parts, "GET")
                elif isinstance(outcome, Failure) and not outcome.host_down:
                    if not outcome.read_timeout:
                        outcome = await self._request(parts, "GET")
            if isinstance(outcome, Failure):
                if outcome.read_timeout:
                    self.read_timeouts[host] += 1
                    if self.read_timeouts[host] >= HOST_TIMEOUTS_BEFORE_SKIPPING:
                        self.dead.setdefault(host, outcome.reason)
                elif outcome.host_down:
                    self.dead.setdefault(host, outcome.reason)
                return outcome.reason
            status, location = outcome
            if status in REDIRECTS and location:
                url = urljoin(url, location)
                if urlsplit(url).scheme not in ("http", "https"):
                    return ""  # a redirect to mailto: and the like: nothing to check
                continue
            return "" if status < 400 else str(status)
        return "too many redirects"

    async def _request(self, parts, method):
        async with self.slots:
            stats = self.stats
            host = parts.netloc.lower()
            stats.requests += 1
            stats.in_flight += 1
            stats.per_host[host] += 1
            stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
            stats.max_per_host = max(stats.max_per_host, stats.per_host[host])
            try:
                loop = asyncio.get_running_loop()
                return await loop.run_in_executor(self.pool, self._fetch, parts, method)
            finally:
                stats.in_flight -= 1
                stats.per_host[host] -= 1

    def _fetch(self, parts, method):
        """(status, location) of one request, or a Failure; runs in a worker thread."""
        try:
            hostname = parts.hostname.encode("idna").decode("ascii")
            port = parts.port
        except (UnicodeError, ValueError, AttributeError):
            return Failure(UNKNOWN_HOST, host_down=True)
        target = quote(parts.path or "/", safe="/%!$&'()*+,;=:@~-._")
        if parts.query:
            target += "?" + quote(parts.query, safe="/%!$&'()*+,;=:@~-._?")
        if parts.scheme == "https":
            connection = http.client.HTTPSConnection(
                hostname, port, timeout=self.timeout, context=self.tls
            )
        else:
            connection = http.client.HTTPConnection(hostname, port, timeout=self.timeout)
        try:
            try:
                connection.connect()
            except socket.gaierror:
                return Failure(UNKNOWN_HOST, host_down=True)
            except ConnectionRefusedError:
                return Failure(REFUSED, host_down=True)
            except TimeoutError:
                return Failure(TIMEOUT, host_down=True)
            except ssl.SSLError as error:
                return Failure(f"TLS error: {error.reason or error}")
            except OSError as error:
                return Failure(f"error: {error.strerror or error}", host_down=True)
            try:
                connection.request(
                    method,
                    target,
                    headers={"User-Agent": USER_AGENT, "Accept": "*/*", "Connection": "close"},
                )
                response = connection.getresponse()
                return response.status, response.getheader("Location")
            except TimeoutError:
                return Failure(TIMEOUT, read_timeout=True)
            except (http.client.HTTPException, OSError) as error:
                return Failure(f"error: {type(error).__name__}")
        finally:
            connection.close()


# --- a whole run --------------------------------------------------------------------------


@dataclass
class CheckReport:
    articles: int = 0
    internal: int = 0
    external: int = 0
    # (article id, url, reason), in article then URL order.
    broken: list = field(default_factory=list)
    outside_domains: set = field(default_factory=set)
    seconds: float = 0.0


def _attachment_ids(articles):
    """{article id: [attachment ids]} of the articles that have attachments."""
    attachments = defaultdict(list)
    with_files = [a.pk for a in articles if a.has_attachments]
    for start in range(0, len(with_files), 500):
        rows = Attachment.objects.filter(article_id__in=with_files[start : start + 500])
        for article_id, pk in rows.values_list("article_id", "pk"):
            attachments[article_id].append(pk)
    return attachments


def links_check(*, department: Department | None = None, checker=None) -> CheckReport:
    """Check the links of the published articles (of one department) and store the results."""
    started = time.monotonic()
    hosts = site_hosts()
    articles = Article.objects.published().order_by("pk").only("id", "body", "has_attachments")
    if department is not None:
        articles = articles.filter(category__department=department)
    articles = list(articles)
    attachments = _attachment_ids(articles)
    found = {a.pk: article_targets(a, attachments[a.pk], hosts=hosts) for a in articles}
    targets = {target for links in found.values() for target in links}
    results = {t.key: check_internal(t.key) for t in targets if t.internal}
    external = [t.key for t in targets if not t.internal]
    results.update((checker or LinkChecker()).run(sorted(external)))

    report = CheckReport(
        articles=len(articles), internal=len(results) - len(external), external=len(external)
    )
    for article_id, links in found.items():
        for target in sorted(links, key=lambda t: t.key):
            if results[target.key]:
                report.broken.append((article_id, target.key, results[target.key]))
    report.outside_domains = {
        t.hostname for t in targets if not t.internal and not domain_allowed(t.hostname)
    }
    _store(department, found, results, [a.pk for a in articles])
    report.seconds = time.monotonic() - started
    return report


@transaction.atomic
def _store(department, found, results, article_ids):
    now = timezone.now()
    keys = sorted(results)
    existing = {}
    for start in range(0, len(keys), 500):
        for link in Link.objects.filter(url__in=keys[start : start + 500]):
            existing[link.url] = link
    by_key = {t.key: t for links in found.values() for t in links}
    new, changed = [], []
    for key in keys:
        reason = results[key]
        link = existing.get(key)
        if link is None:
            link = Link(url=key)
            new.append(link)
        else:
            changed.append(link)
        target = by_key[key]
        link.is_internal = target.internal
        link.host = target.host
        link.status = Link.Status.BROKEN if reason else Link.Status.OK
        link.reason = reason[:200]
        if reason:
            link.first_broken_at = link.first_broken_at or now
        else:
            link.first_broken_at = None
        link.last_checked_at = now
    Link.objects.bulk_create(new, batch_size=500)
    Link.objects.bulk_update(
        changed,
        ["is_internal", "host", "status", "reason", "first_broken_at", "last_checked_at"],
        batch_size=500,
    )
    ids = {link.url: link.pk for link in [*new, *changed]}
    # The scope's occurrences are replaced: a link fixed in an article (or an
    # article no longer public) leaves the report with this check.
    stale = LinkOccurrence.objects.all()
    if department is not None:
        stale = stale.filter(article__category__department=department)
    stale.delete()
    LinkOccurrence.objects.bulk_create(
        [
            LinkOccurrence(link_id=ids[target.key], article_id=article_id, kind=kind)
            for article_id, links in found.items()
            for target, kind in links.items()
        ],
        batch_size=1000,
    )
    Link.objects.filter(~Exists(LinkOccurrence.objects.filter(link=OuterRef("pk")))).delete()


def reason_label(reason: str) -> str:
    """A stored reason in the reader's language."""
    labels = {
        TIMEOUT: _("timeout"),
        REFUSED: _("connection refused"),
        UNKNOWN_HOST: _("unknown host"),
        NOT_ON_SITE: _("not found on this site"),
        NOTICE_ENDED: _("notice period ended (410)"),
        "too many redirects": _("too many redirects"),
    }
    return labels.get(reason, reason)
