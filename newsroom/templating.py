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
``{{ _("...") }}``), ``static``, ``url``, ``language_code``, ``now``,
``renditions`` (the sizes of an image's renditions) and Django's ``date``,
``truncatechars`` and ``filesizeformat`` filters. HTML is written in templates
only: repeated pieces are macros in ``templates/includes/macros.html``.
"""

from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import defaultfilters
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import get_language, gettext, ngettext
from jinja2 import Environment, FileSystemLoader, TemplateNotFound

from newsroom.core.renditions import sizes
from newsroom.urlcache import url_for


class PublicTemplateLoader(FileSystemLoader):
    """``templates/`` without ``admin/``: those are Django templates for the admin."""

    def get_source(self, environment, template):
        if template.startswith("admin/"):
            raise TemplateNotFound(template)
        return super().get_source(environment, template)


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


def date(value, format_string="Y-m-d"):
    """Django's ``date`` filter, in the current time zone as Django's engine gives it."""
    return defaultfilters.date(timezone.template_localtime(value), format_string)


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
            "renditions": sizes,
            "og_image_url": og_image_url,
            # Looked up on each call, so that a clock moved in tests is seen.
            "now": lambda: timezone.now(),
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
