"""Helpers shared by several test modules (fixtures live in conftest.py)."""

import itertools
import os
import re
import subprocess
import sys
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from newsroom.models import Article
from newsroom.services import search
from tests.factories import ArticleFactory

BROWSER_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0 Safari/537.36"
)


def click_count(article):
    return Article.objects.values_list("click_count", flat=True).get(pk=article.pk)


BASE = Path(settings.BASE_DIR)


def run_settings(env, code):
    """Import the settings in a fresh interpreter with the given environment."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "NEWSROOM_"))}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE,
        env={**clean, **env},
        capture_output=True,
        text=True,
    )


def as_sent_by_psycopg(sql):
    """``sql`` (Django's placeholders) as psycopg sends it with server-side binding,
    the text ``pg_prepared_statements`` shows: $1, $2 … for %s and % for %%."""
    numbers = itertools.count(1)
    return re.sub(r"%%|%s", lambda m: "%" if m.group() == "%%" else f"${next(numbers)}", sql)


def database_url():
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


MARKER = b"UNPUBLISHED-ATTACHMENT-CONTENT"


def spellings(name: str) -> list[str]:
    """
    Every way of asking for the stored file ``name`` (``attachments/YYYY/MM/x.pdf``)
    under /media/ or /static/ that a hand test or a path normaliser suggests.
    The private folder is ``private/`` beside ``media/`` in the tests and in
    production (/srv/newsroom/private), so ``..`` spellings aim there too.
    """
    folder, _slash, rest = name.partition("/")  # "attachments", "YYYY/MM/x.pdf"
    stem, _dot, extension = name.rpartition(".")
    paths = [
        f"/media/{name}",
        f"/media//{name}",
        f"/media/./{name}",
        f"/media/%2e/{name}",
        f"/media/%2E/{name}",
        f"/media/uploads/../{name}",
        f"/media/uploads/%2e%2e/{name}",
        f"/media///{name}",
        f"/media/{folder}//{rest}",
        # Backslashes, raw and encoded.
        f"/media/{name.replace('/', chr(92))}",
        f"/media/{folder}%5c{rest}",
        f"/media/%5c{name}",
        f"/media/uploads%5c..%5c{name}",
        # Double-encoded dots and slashes.
        f"/media/%252e/{name}",
        f"/media/uploads/%252e%252e/{name}",
        f"/media/%252e%252e/private/{name}",
        f"/media/{folder}%252f{rest}",
        # Trailing dots and spaces (Windows-style names).
        f"/media/{folder}./{rest}",
        f"/media/{folder}../{rest}",
        f"/media/{name}.",
        f"/media/{name}%20",
        f"/media/{stem}.{extension}::$DATA",
        # Out of the media root, into the private one.
        f"/media/../private/{name}",
        f"/media/%2e%2e/private/{name}",
        f"/media/..%2fprivate%2f{name}",
        f"/media/uploads/../../private/{name}",
        f"/static/../private/{name}",
        f"/static/%2e%2e/private/{name}",
        f"/static/../media/{name}",
        f"/private/{name}",
        f"/{name}",
        f"/media/private/{name}",
        f"/media/{name}?download=1",
    ]
    return paths


def unpublished_articles():
    """A draft, a scheduled and a taken-down article, each with an attachment."""
    now = timezone.now()
    return {
        "draft": ArticleFactory(status=Article.Status.DRAFT),
        "scheduled": ArticleFactory(
            status=Article.Status.PUBLISHED, publish_at=now + timedelta(days=3)
        ),
        "taken down": ArticleFactory(status=Article.Status.TAKEN_DOWN),
    }


def time_lexemes(moment) -> list[str]:
    """The lexemes of ``moment``'s search bucket and of the aligned runs holding it,
    as PostgreSQL puts them in the search vector (``_level.number``)."""
    bucket = search.time_bucket(moment)
    return [f"_{level}.{bucket >> level}" for level in range(search.BUCKET_LEVELS)]


# --- reading the public pages' HTML ------------------------------------------------------
#
# The public pages are Jinja2 templates, whose context Django's test client does
# not record; the tests read what a visitor gets instead, through the templates'
# stable class names (templates/includes/macros.html, pagination.html, the
# templates under templates/newsroom/).

VOID_ELEMENTS = frozenset("area base br col embed hr img input link meta source track wbr".split())


class Element:
    """An element of a parsed page: its tag, attributes and children (elements
    and text, in document order)."""

    def __init__(self, tag, attrs, parent):
        self.tag = tag
        self.attrs = dict(attrs)
        self.parent = parent
        self.children = []

    @property
    def classes(self):
        return (self.attrs.get("class") or "").split()

    def descendants(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.descendants()

    def find_all(self, tag=None, cls=None, **attrs):
        """The descendants with this tag, class and attribute values, in document order."""
        return [
            element
            for element in self.descendants()
            if (tag is None or element.tag == tag)
            and (cls is None or cls in element.classes)
            and all(element.attrs.get(name) == value for name, value in attrs.items())
        ]

    def find(self, tag=None, cls=None, **attrs):
        found = self.find_all(tag, cls, **attrs)
        return found[0] if found else None

    def text(self, skip=()):
        """The element's text, entities decoded, without the elements of a class in
        ``skip``, stripped at both ends."""
        parts = []

        def walk(element):
            for child in element.children:
                if isinstance(child, str):
                    parts.append(child)
                elif not set(child.classes) & set(skip):
                    walk(child)

        walk(self)
        return "".join(parts).strip()


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Element("#document", [], None)

    def handle_starttag(self, tag, attrs):
        element = Element(tag, attrs, self.current)
        self.current.children.append(element)
        if tag not in VOID_ELEMENTS:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Element(tag, attrs, self.current))

    def handle_endtag(self, tag):
        element = self.current
        while element is not self.root and element.tag != tag:
            element = element.parent
        if element is not self.root:  # a stray end tag closes nothing
            self.current = element.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse_html(html) -> Element:
    """A page (a response, or its text) as a tree of ``Element``s."""
    builder = _TreeBuilder()
    builder.feed(html if isinstance(html, str) else html.text)
    builder.close()
    return builder.root


def row_titles(html) -> list[str]:
    """The titles of the article rows of a page (article_rows in macros.html), in
    order, without the 置顶 badge."""
    element = html if isinstance(html, Element) else parse_html(html)
    return [link.text(skip={"badge"}) for link in element.find_all("a", cls="article-row__title")]


def pagination_link(html, rel) -> str | None:
    """The href (decoded) of the pagination's ``rel="next"`` or ``rel="prev"`` link, or
    None when the page has no such link."""
    nav = parse_html(html).find("nav", cls="pagination")
    link = nav.find("a", rel=rel) if nav else None
    return link.attrs["href"] if link else None


def current_page_number(html) -> int:
    """The number the pagination shows as the current page (第 N 页)."""
    nav = parse_html(html).find("nav", cls="pagination")
    assert nav is not None, "the page has no pagination"
    return int(re.search(r"\d+", nav.find("span", cls="pagination__current").text()).group())


def search_result_titles(html) -> list[str]:
    """The titles of a search page's results in order (highlighting marks dropped)."""
    return [link.text() for link in parse_html(html).find_all("a", cls="search-result__title")]
