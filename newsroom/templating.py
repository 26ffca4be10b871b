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
from datetime import datetime
from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaultfilters import filesizeformat, truncatechars
from django.templatetags.static import static
from django.utils import dateformat, timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, ngettext, trans_real
from jinja2 import Environment, FileSystemLoader, TemplateNotFound

from newsroom.core.renditions import sizes
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


# --- helpers: HTML built in Python where a template per item was the cost ------------


def escape(value):
    """What django.utils.html.escape() writes (it is html.escape of the text),
    without its check for lazy strings: a homepage escapes a hundred values."""
    return html.escape(str(value))


def rendition_img(image, kind, sizes_attr="100vw", css_class="", alt=None, eager=False):
    """
    An <img> of a rendition with width/height and a srcset of every width.

    ``src`` is the smallest width that still looks sharp at the layout size
    browsers assume without ``sizes`` support; ``sizes_attr`` tells the rest.
    """
    if image is None:
        return ""
    options = sizes(image, kind)
    if not options:
        return ""
    default = options[1] if len(options) > 1 else options[0]
    urls = [size.url for size in options]
    srcset = ", ".join(f"{url} {size.width}w" for url, size in zip(urls, options, strict=True))
    # URLs are built from stored names (escaped all the same); alt text and the
    # class come from people and templates, so every value goes through escape().
    extra = f' class="{escape(css_class)}"' if css_class else ""
    if not eager:  # pictures below the fold load when scrolled to
        extra += ' loading="lazy"'
    return mark_safe(
        f'<img src="{escape(urls[options.index(default)])}" srcset="{escape(srcset)}" '
        f'sizes="{escape(sizes_attr)}" width="{default.width}" height="{default.height}" '
        f'alt="{escape(image.alt_text if alt is None else alt)}"{extra} decoding="async">'
    )


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
    return truncatechars(text, length)


def article_row(article, *, now, zone, badge):
    """
    One row of an article list: thumbnail, 置顶 badge, title, date.

    Written in Python rather than as an included template: a list page renders
    twenty of them and an ``{% include %}`` per row was most of its time.
    """
    # Plain string building: the URL and dates are made here and only the
    # title comes from users, so it alone needs escaping.
    url = article.get_absolute_url()
    local = article.publish_at.astimezone(zone)
    thumb = ""
    if article.cover_id and article.cover:
        image = rendition_img(article.cover, "thumb", sizes_attr="96px", alt="")
        thumb = (
            f'<a class="article-row__thumb" href="{url}" tabindex="-1" aria-hidden="true">'
            f"{image}</a>"
        )
    return (
        f'<li class="article-row{" article-row--with-thumb" if thumb else ""}">{thumb}'
        f'<a class="article-row__title" href="{url}">'
        f"{badge if article.is_pinned_now(at=now) else ''}{escape(article.title)}</a>"
        f'<time class="article-row__date" datetime="{local.isoformat(timespec="seconds")}">'
        f"{local:%Y-%m-%d}</time></li>"
    )


def article_rows(articles):
    """Every row of a list, sharing one notion of "now" for the pins, the time
    zone and the 置顶 badge."""
    now = timezone.now()
    zone = timezone.get_current_timezone()
    badge = f'<span class="badge">{escape(gettext("Pinned"))}</span> '
    return mark_safe("\n".join(article_row(a, now=now, zone=zone, badge=badge) for a in articles))


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
            "rendition_img": rendition_img,
            "og_image_url": og_image_url,
            "share_images": share_images,
            # Header and footer: name, logo, links, grey mode (newsroom/services/identity.py).
            "identity_of": identity_of,
            "share_description": share_description,
            "article_rows": article_rows,
        }
    )
    env.filters.update(
        {
            "date": date,
            "truncatechars": truncatechars,
            "filesizeformat": filesizeformat,
        }
    )
    return env
