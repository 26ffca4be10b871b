"""
The one small interface every old-site importer implements, and what it hands back.

An importer only reads pages: it recognises its system, finds the columns and
list pages, and turns a list page or an article page into plain data. Fetching
is ``fetch.Fetcher``'s, writing is the services'; ``runner`` drives all three.
A third system (帝国CMS, a WordPress export) is one new module with a subclass.
"""

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin, urlsplit


class NotPublished(Exception):
    """The page is a 系统提示 wall or otherwise not a published article."""


@dataclass
class Page:
    url: str
    status: int
    text: str
    tree: object = None  # lxml root, None when the page did not parse
    headers: dict = field(default_factory=dict)

    def absolute(self, href: str) -> str:
        return urljoin(self.url, (href or "").strip())

    @property
    def host(self) -> str:
        """Host and port: what "the same site" means while crawling."""
        return urlsplit(self.url).netloc.lower()

    @property
    def hostname(self) -> str:
        """The host alone: what visitors' requests name once the domain points here."""
        return (urlsplit(self.url).hostname or "").lower()


@dataclass
class ListItem:
    url: str
    title: str = ""
    date: str = ""


@dataclass
class ListPage:
    items: list[ListItem]
    pages: list[str]  # other pages of the same column's list


@dataclass
class FileLink:
    url: str
    name: str = ""
    key: str = ""  # the old site's id of the file (``wbfileid``) or its path


@dataclass
class ParsedArticle:
    system: str
    old_id: str
    url: str
    title: str
    publish_at: datetime | None = None
    author: str = ""
    source: str = ""
    responsible_editor: str = ""
    photographer: str = ""
    body: str = ""
    images: list[str] = field(default_factory=list)  # absolute URLs, as in ``body``
    attachments: list[FileLink] = field(default_factory=list)
    click_url: str = ""
    click_count: int | None = None
    column_id: str = ""  # the old site's column id (wbtreeid), when the URL names it
    old_urls: list[str] = field(default_factory=list)  # every spelling to redirect
    problems: list[str] = field(default_factory=list)


class Importer:
    """One old system. Subclasses fill in the methods; ``runner`` does the rest."""

    system = ""

    @classmethod
    def detect(cls, page: Page) -> bool:
        """True if the page comes from this system."""
        raise NotImplementedError

    def site_name(self, page: Page) -> str:
        raise NotImplementedError

    def column_links(self, page: Page) -> list[tuple[str, str]]:
        """(absolute URL, link text) of the list pages a page links to on the same host."""
        raise NotImplementedError

    def column_key(self, url: str) -> str:
        """What every page of one column's list has in common (``xwdt`` for ``xwdt/2.htm``)."""
        raise NotImplementedError

    def column_name(self, page: Page) -> str:
        """The column's name as its list page shows it, if the link text gave none."""
        raise NotImplementedError

    def parse_list(self, page: Page) -> ListPage | None:
        """The articles and further pages of a list page, or None if it is not one."""
        raise NotImplementedError

    def is_article_url(self, url: str) -> bool:
        raise NotImplementedError

    def parse_article(self, page: Page) -> ParsedArticle:
        """The article on a page; raises ``NotPublished`` for walls and empty pages."""
        raise NotImplementedError

    def parse_click_count(self, text: str) -> int | None:
        digits = "".join(ch for ch in text.strip() if ch.isdigit())
        return int(digits) if digits and len(digits) < 15 else None
