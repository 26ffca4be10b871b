"""Helpers shared by several test modules (fixtures live in conftest.py)."""

import itertools
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import lxml.html
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
# templates under templates/newsroom/), with lxml as the importers use it.


def has_class(name):
    """An XPath predicate: the element's class attribute lists ``name``."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def parse_html(html):
    """A page (a response, or its text) as an lxml tree; entities come decoded."""
    return lxml.html.document_fromstring(html if isinstance(html, str) else html.text)


def _tree(html):
    return html if isinstance(html, lxml.html.HtmlElement) else parse_html(html)


def row_titles(html) -> list[str]:
    """The titles of the article rows of a page or an element (article_rows in
    macros.html), in order. The title is the link's own text: the 置顶 badge is a
    ``<span>`` inside it."""
    links = _tree(html).xpath(f".//a[{has_class('article-row__title')}]")
    return ["".join(link.xpath("text()")).strip() for link in links]


def _pagination(html):
    found = _tree(html).xpath(f".//nav[{has_class('pagination')}]")
    return found[0] if found else None


def pagination_link(html, rel) -> str | None:
    """The href of the pagination's ``rel="next"`` or ``rel="prev"`` link, or None
    when the page has no such link."""
    nav = _pagination(html)
    links = nav.xpath(f".//a[@rel='{rel}']") if nav is not None else []
    return links[0].get("href") if links else None


def current_page_number(html) -> int:
    """The number the pagination shows as the current page (第 N 页)."""
    nav = _pagination(html)
    assert nav is not None, "the page has no pagination"
    (current,) = nav.xpath(f".//span[{has_class('pagination__current')}]")
    return int(re.search(r"\d+", current.text_content()).group())


def search_result_titles(html) -> list[str]:
    """The titles of a search page's results in order (highlighting marks dropped)."""
    links = _tree(html).xpath(f".//a[{has_class('search-result__title')}]")
    return [link.text_content().strip() for link in links]
