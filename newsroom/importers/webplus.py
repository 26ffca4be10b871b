"""
苏迪 WebPlus sites: ``/<yyyy>/<mmdd>/c<column>a<id>/page.htm`` (or ``.psp``) articles,
``/<column>/list.htm`` lists paged forwards through ``list2.htm``, ``list3.htm`` …,
bodies in ``div.wp_articlecontent`` and files under ``/_upload/article/files/``.
"""

import re
from urllib.parse import unquote, urlsplit

from .base import FileLink, Importer, ListItem, ListPage, NotPublished, Page, ParsedArticle
from .html import (
    apply_meta_line,
    date_text,
    first,
    has_class,
    meta_content,
    prepare_body,
    same_host,
    text_of,
)

_ARTICLE_PATH = re.compile(r"/c(\d+)a(\d+)/page\.(?:html?|psp)$")
_LIST_PATH = re.compile(r"^/(.+)/list\d*\.(?:html?|psp)$")
_FILE_PATH = re.compile(r"/_upload/article/files/")
_IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp")
_SUDY_TITLE = re.compile(r"""['"]title['"]\s*:\s*['"]([^'"]+)['"]""")
_MARKERS = (
    "wp_articlecontent",
    "wp_article_list",
    "/_upload/article/",
    "sudyfile-attr",
    "WP_VisitCount",
    "wp_column",
    "wp_paging",
)
_META_LABEL = re.compile(
    r"(发布时间|时间|日期|作者|来源|供稿|撰稿|责任编辑|责编|摄影|发布者)\s*[：:]"
)


class WebPlusImporter(Importer):
    system = "webplus"

    @classmethod
    def detect(cls, page: Page) -> bool:
        return any(marker in page.text for marker in _MARKERS)

    def site_name(self, page: Page) -> str:
        name = meta_content(page.tree, "SiteName") if page.tree is not None else ""
        if name:
            return name
        title = text_of(first(page.tree, "//title")) if page.tree is not None else ""
        return title.rsplit("-", 1)[-1].strip() or page.host

    def is_article_url(self, url: str) -> bool:
        return bool(_ARTICLE_PATH.search(urlsplit(url).path))

    def is_list_url(self, url: str) -> bool:
        return bool(_LIST_PATH.match(urlsplit(url).path))

    def column_key(self, url: str) -> str:
        match = _LIST_PATH.match(urlsplit(url).path)
        return match[1] if match else urlsplit(url).path.strip("/")

    def column_links(self, page: Page) -> list[tuple[str, str]]:
        if page.tree is None:
            return []
        found = []
        for link in page.tree.iter("a"):
            url = page.absolute(link.get("href", "")).split("#", 1)[0]
            if same_host(url, page.host) and self.is_list_url(url):
                found.append((url, text_of(link)))
        return found

    def column_name(self, page: Page) -> str:
        tree = page.tree
        crumbs = tree.xpath(f"//*[{has_class('col_path')} or {has_class('path')}]//a")
        names = [text_of(a) for a in crumbs if text_of(a) and text_of(a) != "首页"]
        if names:
            return names[-1]
        named = first(tree, f"//*[{has_class('col_name')}]", f"//*[{has_class('col_title')}]")
        if named is not None and text_of(named):
            return text_of(named)
        return text_of(first(tree, "//title")).split("-", 1)[0].strip()

    def parse_list(self, page: Page) -> ListPage | None:
        tree = page.tree
        if tree is None:
            return None
        items = []
        rows = tree.xpath(
            f"//ul[{has_class('wp_article_list')}]/li | //*[{has_class('news_list')}]//li"
        )
        for row in rows:
            link = first(
                row,
                f".//*[{has_class('Article_Title')}]//a[@href]",
                f".//*[{has_class('news_title')}]//a[@href]",
                ".//a[@href]",
            )
            if link is None:
                continue
            title = (link.get("title") or text_of(link)).strip().removesuffix("...").strip()
            when = first(
                row,
                f".//*[{has_class('Article_PublishDate')}]",
                f".//*[{has_class('news_meta')}]",
            )
            date = date_text(text_of(when) if when is not None else text_of(row))
            items.append(ListItem(page.absolute(link.get("href")), title, date))
        if not rows:
            for link in tree.iter("a"):
                url = page.absolute(link.get("href", ""))
                if link.get("href") and self.is_article_url(url):
                    items.append(ListItem(url, (link.get("title") or text_of(link)).strip()))
        key = self.column_key(page.url)
        pages = [
            url
            for url in (page.absolute(a.get("href", "")).split("#", 1)[0] for a in tree.iter("a"))
            if same_host(url, page.host) and self.is_list_url(url) and self.column_key(url) == key
        ]
        if not items:
            return None
        return ListPage(items=items, pages=pages)

    def parse_article(self, page: Page) -> ParsedArticle:
        tree = page.tree
        if page.status != 200 or tree is None:
            raise NotPublished(f"HTTP {page.status}")
        match = _ARTICLE_PATH.search(urlsplit(page.url).path)
        if match is None:
            raise NotPublished("not an article address")
        body_element = first(tree, f"//*[{has_class('wp_articlecontent')}]")
        title = (
            meta_content(tree, "ArticleTitle")
            or text_of(
                first(
                    tree,
                    f"//*[{has_class('arti_title')}]",
                    f"//*[{has_class('Article_Title')}]",
                    "//h1",
                )
            )
            or text_of(first(tree, "//title")).rsplit("-", 1)[0].strip()
        )
        if body_element is None and not title:
            raise NotPublished("no article on the page")
        article = ParsedArticle(
            system=self.system,
            old_id=match[2],
            url=page.url,
            title=title[:200],
            column_id=match[1],
        )
        article.attachments = self._attachments(page)
        views = first(tree, f"//*[{has_class('WP_VisitCount')}]")
        if views is not None and views.get("url"):
            article.click_url = page.absolute(views.get("url"))
        elif views is not None:
            article.click_count = self.parse_click_count(text_of(views))
        if body_element is not None:
            article.body, article.images = prepare_body(
                body_element, page_url=page.url, host=page.host
            )
            body_element.getparent().remove(body_element)
        else:
            article.problems.append(f"{page.url}: no body found")
        meta_line = "   ".join(
            text_of(element)
            for element in tree.iter("p", "div", "span", "li", "td")
            if len(text_of(element)) < 300 and _META_LABEL.search(text_of(element))
        )
        apply_meta_line(article, tree, meta_line)
        return article

    def _attachments(self, page: Page) -> list[FileLink]:
        found = {}
        for element in page.tree.iter("a", "div"):
            href = element.get("href") if element.tag == "a" else element.get("pdfsrc")
            if not href:
                continue
            url = page.absolute(href)
            path = urlsplit(url).path
            if not _FILE_PATH.search(path) or path.lower().endswith(_IMAGE_EXTENSIONS):
                continue
            titled = _SUDY_TITLE.search(element.get("sudyfile-attr") or "")
            name = titled[1] if titled else text_of(element) if element.tag == "a" else ""
            name = name or unquote(path.rsplit("/", 1)[-1])
            key = f"file:{path}"
            found.setdefault(key, FileLink(url=url, name=name, key=key))
        return list(found.values())
