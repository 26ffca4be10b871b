"""
博达 VSB (Visual SiteBuilder) sites: ``/info/<column>/<id>.htm`` articles and their
``content.jsp?…wbnewsid=`` twins, ``<col>.htm`` lists paged backwards through
``<col>/<n>.htm``, attachments behind ``download.jsp?…wbfileid=``, and the click
counter at ``dynclicks.jsp``. See the markup notes in the README's migration guide.
"""

import re
from urllib.parse import parse_qsl, urljoin, urlsplit

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

_ARTICLE_PATH = re.compile(r"/info/(\d+)/(\d+)\.html?$")
_PAGED = re.compile(r"^(.+)/\d+\.html?$")
_ICON = re.compile(r"/system/resource/images/fileTypeImages/|/system/resource/images/")
_DYN_CLICKS = re.compile(r"""_showDynClicks\(\s*["']wbnews["']\s*,\s*(\d+)\s*,\s*(\d+)\s*\)""")
_JSQ = re.compile(r"""_jsq_\(\s*(\d+)\s*,\s*["'][^"']*["']\s*,\s*(\d+)\s*,\s*(\d+)\s*\)""")
_MARKERS = (
    "Visual SiteBuilder",
    "_sitegray",
    "vsb_content",
    "/system/resource/",
    'id="line_u',
    "content.jsp",
    "_newscontent_fromname",
)
_META_LABEL = re.compile(
    r"(发布时间|时间|日期|作者|来源|供稿单位|供稿|撰稿|发布单位|责任编辑|责编|摄影)\s*[：:]"
)
_NOT_COLUMNS = re.compile(r"(^|/)(index|main|default)\.html?$|^/?$|/system/|/_")
CLICK_PATH = "/system/resource/code/news/click/dynclicks.jsp"


def _query(url: str) -> dict:
    return {k.lower(): v for k, v in parse_qsl(urlsplit(url).query)}


class VsbImporter(Importer):
    system = "vsb"

    @classmethod
    def detect(cls, page: Page) -> bool:
        return any(marker in page.text for marker in _MARKERS) or bool(
            re.search(r"""href=["'][^"']*info/\d+/\d+\.htm""", page.text)
        )

    def site_name(self, page: Page) -> str:
        name = meta_content(page.tree, "SiteName") if page.tree is not None else ""
        if name:
            return name
        title = text_of(first(page.tree, "//title")) if page.tree is not None else ""
        return title.rsplit("-", 1)[-1].strip() or page.host

    # --- URLs ------------------------------------------------------------------------

    def is_article_url(self, url: str) -> bool:
        path = urlsplit(url).path
        if _ARTICLE_PATH.search(path):
            return True
        return path.lower().endswith(".jsp") and "wbnewsid" in _query(url)

    def is_list_url(self, url: str) -> bool:
        path = urlsplit(url).path
        if self.is_article_url(url) or _NOT_COLUMNS.search(path):
            return False
        if path.lower().endswith((".htm", ".html")):
            return True
        return path.lower().endswith(".jsp") and "wbtreeid" in _query(url)

    def column_key(self, url: str) -> str:
        parts = urlsplit(url)
        if parts.path.lower().endswith(".jsp"):
            return f"tree:{_query(url).get('wbtreeid', '')}"
        path = parts.path.lstrip("/")
        paged = _PAGED.match(path)
        if paged:
            return paged[1]
        return re.sub(r"\.html?$", "", path)

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
        crumbs = tree.xpath(
            f"//*[{has_class('location')} or {has_class('n_tit')} or {has_class('main_titT')}"
            f" or {has_class('breadcrumb')} or {has_class('position')}]//a"
        )
        names = [text_of(a) for a in crumbs if text_of(a) and text_of(a) not in ("正文", "首页")]
        if names:
            return names[-1]
        title = text_of(first(tree, "//title"))
        return title.split("-", 1)[0].strip()

    # --- list pages --------------------------------------------------------------------

    def parse_list(self, page: Page) -> ListPage | None:
        tree = page.tree
        if tree is None:
            return None
        rows = tree.xpath("//li[starts-with(@id, 'line_u')]") or tree.xpath(
            "//table[starts-with(@class, 'winstyle')]//tr[.//a[starts-with(@class, 'c')]]"
        )
        items = []
        for row in rows:
            link = first(row, ".//a[@title and @href]", ".//a[@href]")
            if link is None:
                continue
            title = (link.get("title") or text_of(link)).strip().removesuffix("...").strip()
            items.append(ListItem(page.absolute(link.get("href")), title, date_text(text_of(row))))
        if not rows:
            for link in tree.iter("a"):
                url = page.absolute(link.get("href", ""))
                if link.get("href") and self.is_article_url(url):
                    title = link.get("title") or text_of(link)
                    items.append(ListItem(url, title.strip()))
        key = self.column_key(page.url)
        pages = []
        for link in tree.iter("a"):
            url = page.absolute(link.get("href", "")).split("#", 1)[0]
            path = urlsplit(url).path.lstrip("/")
            if same_host(url, page.host) and _PAGED.match(path) and self.column_key(url) == key:
                pages.append(url)
        if not items and not pages:
            return None
        return ListPage(items=items, pages=pages)

    # --- articles ------------------------------------------------------------------------

    def parse_article(self, page: Page) -> ParsedArticle:
        tree = page.tree
        if page.status != 200 or tree is None:
            raise NotPublished(f"HTTP {page.status}")
        title_text = text_of(first(tree, "//title"))
        body_element = first(
            tree,
            "//*[starts-with(@id, 'vsb_content')]",
            f"//*[{has_class('v_news_content')}]",
        )
        if body_element is None and ("系统提示" in title_text or "系统提示" in page.text):
            raise NotPublished("系统提示")
        if body_element is not None:
            inner = first(body_element, f".//*[{has_class('v_news_content')}]")
            body_element = inner if inner is not None else body_element

        column_id, news_id = self._ids(page)
        owner = self._owner(page.text)
        title = self._title(tree, title_text)
        if not title or body_element is None and not news_id:
            raise NotPublished("no article on the page")
        article = ParsedArticle(
            system=self.system,
            old_id=news_id,
            url=page.url,
            title=title[:200],
            column_id=column_id,
        )
        article.attachments = self._attachments(page)
        if body_element is not None:
            article.body, article.images = prepare_body(
                body_element, page_url=page.url, host=page.host, icon_pattern=_ICON
            )
            body_element.getparent().remove(body_element)
        else:
            article.problems.append(f"{page.url}: no body found")

        meta_line = self._meta_line(tree)
        apply_meta_line(article, tree, meta_line)
        if owner and news_id and ("_showDynClicks" in page.text or "dynclicks" in page.text):
            article.click_url = urljoin(
                page.url, f"{CLICK_PATH}?clickid={news_id}&owner={owner}&clicktype=wbnews"
            )
        else:
            shown = re.search(r"(?:浏览|点击|阅读)[^：:]{0,3}[：:]\s*(\d+)", meta_line)
            article.click_count = int(shown[1]) if shown else None
        return article

    def _title(self, tree, title_text: str) -> str:
        form = "//form[@name='_newscontent_fromname']"
        return (
            meta_content(tree, "ArticleTitle")
            or text_of(
                first(
                    tree,
                    f"{form}//*[{has_class('title')}]",
                    f"//h2[{has_class('title')}]",
                    f"//h1[{has_class('title')}]",
                    f"//*[{has_class('main_contit')}]//h2",
                    f"{form}//h1",
                    f"{form}//h2",
                )
            )
            or title_text.rsplit("-", 1)[0].strip()
        )

    def _ids(self, page: Page) -> tuple[str, str]:
        match = _ARTICLE_PATH.search(urlsplit(page.url).path)
        if match:
            return match[1], match[2]
        query = _query(page.url)
        if query.get("wbnewsid"):
            return query.get("wbtreeid", ""), query["wbnewsid"]
        jsq = _JSQ.search(page.text)
        if jsq:
            return jsq[1], jsq[2]
        clicks = _DYN_CLICKS.search(page.text)
        return "", clicks[2] if clicks else ""

    def _owner(self, text: str) -> str:
        clicks = _DYN_CLICKS.search(text)
        if clicks:
            return clicks[1]
        jsq = _JSQ.search(text)
        return jsq[3] if jsq else ""

    def _meta_line(self, tree) -> str:
        """The text of the small elements that carry ``来源：…  发布时间：…``."""
        pieces = []
        for element in tree.iter("p", "div", "span", "td", "li", "h3", "h4", "h5", "h6"):
            text = text_of(element)
            if len(text) < 300 and _META_LABEL.search(text):
                pieces.append(text)
        return "   ".join(pieces)

    def _attachments(self, page: Page) -> list[FileLink]:
        found = {}
        for link in page.tree.iter("a"):
            href = link.get("href") or ""
            url = page.absolute(href)
            query = _query(url)
            if "download.jsp" in urlsplit(url).path.lower() and query.get("wbfileid"):
                key = f"file:{query['wbfileid'].lower()}"
                name = text_of(link).strip("【】[] ")
                found.setdefault(key, FileLink(url=url, name=name, key=key))
        return list(found.values())
