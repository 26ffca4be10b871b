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

from datetime import datetime

from django.template.defaultfilters import filesizeformat, truncatechars
from django.templatetags.static import static
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import get_language, gettext, ngettext
from jinja2 import Environment, FileSystemLoader, TemplateNotFound

from newsroom.templatetags.newsroom_images import og_image_url, rendition_img
from newsroom.templatetags.newsroom_tags import article_rows


class PublicTemplateLoader(FileSystemLoader):
    """``templates/`` without ``admin/``: those are Django templates for the admin."""

    def get_source(self, environment, template):
        if template.startswith("admin/"):
            raise TemplateNotFound(template)
        return super().get_source(environment, template)


# The formats the templates use, done by the datetime itself: Django's
# formatter interprets the format string anew for each of a list's dates.
_FAST_FORMATS = {
    "c": datetime.isoformat,
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


def url(name, *args, **kwargs):
    return reverse(name, args=args or None, kwargs=kwargs or None)


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
            "static": static,
            "url": url,
            "language_code": get_language,
            "rendition_img": rendition_img,
            "og_image_url": og_image_url,
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
