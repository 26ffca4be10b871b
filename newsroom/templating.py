"""
The Jinja2 environment of the public site's templates.

The public pages (``templates/`` except ``templates/admin/``) are Jinja2
templates: Jinja2 compiles a template to Python once, where Django's engine
walks a node tree and resolves every variable through several lookups on each
render. On an article page that walk was a third of the request; compiled, it
is a few percent (bench/RESULTS.md). The admin and its overrides in
``templates/admin/`` stay Django templates, as the admin requires.

What the templates get besides the context: ``_`` (Django's gettext, so the
one catalog in ``locale/`` serves both engines and ``makemessages`` finds
``{{ _("...") }}``), ``static``, ``url``, ``language_code`` and the filters and
helpers below.
"""

import html
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import defaultfilters
from django.templatetags.static import static
from django.utils import dateformat, timezone
from django.utils.translation import get_language, gettext, ngettext, trans_real
from jinja2 import Environment, FileSystemLoader, TemplateNotFound

from newsroom.core.renditions import Picture, picture, sizes
from newsroom.services.identity import identity_of
from newsroom.urlcache import url_for


class PublicTemplateLoader(FileSystemLoader):
    """``templates/`` without ``admin/``: those are Django templates for the admin."""

    def get_source(self, environment, template):
        if template.startswith("admin/"):
            raise TemplateNotFound(template)
        return super().get_source(environment, template)


def translations(request):
    """
    ``_`` bound to the active language's catalog for one render (a context
    processor of the Jinja2 engine).

    The environment's ``_`` looks the active language up again for each of a
    page's twenty-odd strings; the language cannot change during a render.
    Macros imported without context still get the environment's ``_``.
    """
    return {"_": trans_real.catalog().gettext}


@lru_cache(maxsize=512)
def static_url(path):
    """``static()``, remembered: the URL of a collected file is fixed until the
    process restarts (a new collectstatic means a new deploy), and looking it
    up in the manifest again cost more than any other call on the page."""
    return static(path)


@receiver(setting_changed)
def _forget_static_urls(*, setting, **kwargs):
    if setting in {"STATIC_URL", "STORAGES", "DEBUG"}:
        static_url.cache_clear()


def og_image_url(image):
    """The largest cover rendition (Open Graph previews want a big 16:9 picture)."""
    options = sizes(image, "cover")
    return options[-1].url if options else image.url


BODY_IMAGE_RE = re.compile(r'<img\b[^>]*?\ssrc="([^"]+)"[^>]*>')
SIZE_ATTR_RE = re.compile(r'\s(width|height)="(\d+)"')
SHARE_MIN = 300
DEFAULT_SHARE_IMAGE = "newsroom/share.png"  # 600×600


def share_images(article):
    """
    The pictures a shared link shows (Open Graph), as (url, width, height),
    site-relative: the cover (its large 16:9 crop and its square one), else the
    body's first picture; and always something square of 300×300 or more,
    which WeChat's card needs (the site's own picture if nothing else fits).
    """
    found = []
    square = None
    if article.cover_id and article.cover:
        cover = sizes(article.cover, "cover")
        if cover:
            found.append((cover[-1].url, cover[-1].width, cover[-1].height))
        shares = sizes(article.cover, "share")
        if shares and shares[-1].width >= SHARE_MIN:
            square = (shares[-1].url, shares[-1].width, shares[-1].height)
    else:
        match = BODY_IMAGE_RE.search(article.body or "")
        if match:
            attrs = dict(SIZE_ATTR_RE.findall(match.group(0)))
            width, height = int(attrs.get("width", 0)), int(attrs.get("height", 0))
            found.append((html.unescape(match.group(1)), width or None, height or None))
            if width >= SHARE_MIN and height >= SHARE_MIN:
                square = found[-1]
    if square is None:
        square = (static_url(DEFAULT_SHARE_IMAGE), 600, 600)
    if square not in found:
        found.append(square)
    return found


def share_description(article, length=120):
    """og:description: the summary, else the start of the body's text."""
    from newsroom.core.search_document import BLOCK_END_RE, body_text

    text = article.summary or body_text(BLOCK_END_RE.sub(" ", article.body or ""))
    return defaultfilters.truncatechars(text, length)


@dataclass(frozen=True)
class Row:
    """What a list row shows of an article (the ``article_rows`` macro writes it)."""

    url: str
    title: str
    published: str  # ISO 8601, for <time datetime>
    day: str
    pinned: bool
    thumb: Picture | None


def list_rows(articles):
    """
    The rows of an article list, sharing one "now" for the pins and one time
    zone for the dates.

    The values are worked out here rather than in the macro: read through the
    template, the same attributes and calls cost a list page most of its time
    (bench/RESULTS.md).
    """
    now = timezone.now()
    zone = timezone.get_current_timezone()
    rows = []
    for article in articles:
        published = article.publish_at.astimezone(zone).isoformat(timespec="seconds")
        rows.append(
            Row(
                url=article.get_absolute_url(),
                title=article.title,
                published=published,
                day=published[:10],  # ISO 8601 starts with the date, as YYYY-MM-DD
                pinned=article.is_pinned_now(at=now),
                thumb=picture(article.cover, "thumb") if article.cover_id else None,
            )
        )
    return rows


# The formats the templates use, done by the datetime itself: Django's
# formatter interprets the format string anew for each of a list's dates.
_FAST_FORMATS = {
    # Seconds at most: HTML's <time datetime> has no room for microseconds.
    "c": lambda value: value.isoformat(timespec="seconds"),
    "Y-m-d": lambda value: value.strftime("%Y-%m-%d"),
    "Y-m-d H:i:s": lambda value: value.strftime("%Y-%m-%d %H:%M:%S"),
}


def date(value, format_string="Y-m-d"):
    """Django's ``date`` filter: the value in the site's time zone, Django's format codes."""
    if not value:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    fast = _FAST_FORMATS.get(format_string)
    if fast is not None and isinstance(value, datetime):
        return fast(value)
    return dateformat.format(value, format_string)


def environment(**options):
    loader = options.pop("loader")
    options["loader"] = PublicTemplateLoader(loader.searchpath)
    options.setdefault("extensions", []).append("jinja2.ext.i18n")
    env = Environment(**options)
    # Old-style gettext: ``_()`` returns the plain translation, which the
    # ``format`` filter fills and autoescaping then escapes like any value.
    env.install_gettext_callables(gettext, ngettext, newstyle=False)
    env.globals.update(
        {
            "static": static_url,
            # URLs by name and keyword arguments, formatted from a pattern
            # reversed once per name (newsroom/urlcache.py).
            "url": url_for,
            "language_code": get_language,
            "picture": picture,
            "og_image_url": og_image_url,
            "share_images": share_images,
            # Header and footer: name, logo, links, grey mode (newsroom/services/identity.py).
            "identity_of": identity_of,
            "share_description": share_description,
            "list_rows": list_rows,
        }
    )
    env.filters.update(
        {
            "date": date,
            "truncatechars": defaultfilters.truncatechars,
            "filesizeformat": defaultfilters.filesizeformat,
        }
    )
    return env
