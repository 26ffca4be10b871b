"""
The lookup key of an old site's URL, shared by the redirect table and the importers.

Old 博达 VSB and 苏迪 WebPlus sites spell one page many ways: an article is
``/info/1021/3456.htm`` and ``content.jsp?urltype=news.NewsContentUrl&wbtreeid=1021&wbnewsid=3456``
(any parameter order, any template name: ``show.jsp``, ``/2022/show.jsp`` …); a column's
list is ``xwdt.htm`` and every page of its reversed pagination ``xwdt/<n>.htm``. Each
spelling reduces to one key (``news:3456``, ``list:xwdt``), so one redirect row answers
them all. Pure: no Django, no database.
"""

import re
from urllib.parse import parse_qsl, unquote, urlsplit

_VSB_ARTICLE = re.compile(r"/(?:.*/)?info/(\d+)/(\d+)\.html?")
_WEBPLUS_ARTICLE = re.compile(r"/(?:.*/)?c(\d+)a(\d+)/page\.(?:html?|psp)")
_WEBPLUS_LIST = re.compile(r"/(.+?)/list\d*\.(?:html?|psp)")
_UPLOAD = re.compile(r"/_upload/.+")
_STATIC_LIST = re.compile(r"/(.+?)(?:/\d+)?\.html?")


def legacy_key(path: str, query: str = "") -> str:
    """The key of an old URL given as path and query string (case of the path kept)."""
    path = "/" + unquote(path or "").lstrip("/")
    params = {k.lower(): v.strip() for k, v in parse_qsl(query or "", keep_blank_values=True)}
    name = path.rsplit("/", 1)[-1].lower()
    if name.endswith((".jsp", ".psp")) and not name.startswith("page."):
        if params.get("wbnewsid"):
            return f"news:{params['wbnewsid']}"
        if params.get("wbfileid"):
            return f"file:{params['wbfileid'].lower()}"
        if params.get("wbtreeid"):
            return f"tree:{params['wbtreeid']}"
    if match := _VSB_ARTICLE.fullmatch(path):
        return f"news:{match[2]}"
    if match := _WEBPLUS_ARTICLE.fullmatch(path):
        return f"wp:news:{match[2]}"
    if match := _WEBPLUS_LIST.fullmatch(path):
        return f"wp:list:{match[1]}"
    if _UPLOAD.fullmatch(path):
        return f"file:{path}"
    if match := _STATIC_LIST.fullmatch(path):
        return f"list:{match[1]}"
    # Anything else is kept as it is, with its parameters in a stable order.
    ordered = "&".join(f"{k}={v}" for k, v in sorted(params.items()))
    return f"url:{path}?{ordered}" if ordered else f"url:{path}"


def legacy_key_of_url(url: str) -> str:
    """The key of a full or root-relative URL."""
    parts = urlsplit(url)
    return legacy_key(parts.path, parts.query)
