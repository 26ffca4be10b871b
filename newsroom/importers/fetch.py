"""
Fetching an old site's pages and files: politely (a delay), several at a time
(one ``httpx.Client`` shared by the worker threads), and decoded right.

Old campus sites declare their charset in the header, in a ``<meta>``, or not
at all; GBK pages are common. GB18030 is used for every GB* declaration: it
is a superset of GB2312 and GBK, so characters outside the declared set do
not turn into replacement marks.
"""

import re
import threading
import time
from urllib.parse import unquote

import httpx
import lxml.html
from lxml import etree

from .base import Page

USER_AGENT = "newsroom-import/1.0 (+moving a department's news archive)"
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_-]+)""", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
GB_NAMES = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "gb_2312-80"}


class FetchError(Exception):
    pass


def normalise_charset(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    if name in GB_NAMES:
        return "gb18030"
    return name


def decode_html(content: bytes, content_type: str = "") -> str:
    """Text of an HTML page: header charset, then ``<meta>``, then UTF-8, then GB18030."""
    declared = None
    match = re.search(r"charset\s*=\s*([^\s;]+)", content_type or "", re.I)
    if match:
        declared = normalise_charset(match[1])
    if declared is None:
        meta = _META_CHARSET.search(content[:4096])
        if meta:
            declared = normalise_charset(meta[1].decode("ascii", "ignore"))
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", "replace")
    for encoding in filter(None, (declared, "utf-8", "gb18030")):
        try:
            return content.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return content.decode("utf-8", "replace")


def parse_html(text: str):
    """An lxml root, or None for a page that will not parse."""
    text = _XML_DECLARATION.sub("", text, count=1)
    if not text.strip():
        return None
    try:
        return lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return None


def filename_from_disposition(raw: bytes | str | None) -> str:
    """
    The file name of a ``Content-Disposition`` header: RFC 5987 ``filename*``
    first, then ``filename`` percent-encoded (VSB does this) or raw bytes in
    UTF-8 or GBK.
    """
    if not raw:
        return ""
    if isinstance(raw, str):
        raw = raw.encode("latin-1", "replace")
    star = re.search(rb"filename\*\s*=\s*([^;]+)", raw, re.I)
    if star:
        value = star[1].strip().strip(b"\"'")
        charset, _, rest = value.partition(b"'")
        _lang, _, encoded = rest.partition(b"'")
        if encoded:
            encoding = normalise_charset(charset.decode("ascii", "ignore")) or "utf-8"
            try:
                return unquote(
                    encoded.decode("ascii", "ignore"), encoding=encoding, errors="strict"
                )
            except (UnicodeDecodeError, LookupError):
                pass
    plain = re.search(rb"""filename\s*=\s*("([^"]*)"|[^;]+)""", raw, re.I)
    if not plain:
        return ""
    value = plain[2] if plain[2] is not None else plain[1].strip()
    for encoding in ("utf-8", "gb18030"):
        try:
            text = value.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "%" in text:
            for inner in ("utf-8", "gb18030"):
                try:
                    return unquote(text, encoding=inner, errors="strict")
                except UnicodeDecodeError:
                    continue
        return text
    return ""


class Fetcher:
    """Shared by the worker threads; waits ``delay`` seconds before each request."""

    def __init__(self, *, concurrency: int = 4, delay: float = 0.0, timeout: float = 20.0):
        self.delay = delay
        self.client = httpx.Client(
            timeout=timeout,
            follow_redirects=True,
            headers={"User-Agent": USER_AGENT},
            limits=httpx.Limits(max_connections=max(concurrency, 1) * 2),
        )
        self.requests = 0
        self._lock = threading.Lock()

    def close(self):
        self.client.close()

    def get(self, url: str) -> httpx.Response:
        if self.delay:
            time.sleep(self.delay)
        with self._lock:
            self.requests += 1
        try:
            return self.client.get(url)
        except (httpx.HTTPError, ValueError) as error:
            raise FetchError(f"{url}: {error}") from error

    def page(self, url: str) -> Page:
        response = self.get(url)
        text = decode_html(response.content, response.headers.get("content-type", ""))
        tree = parse_html(text) if response.status_code == 200 else None
        return Page(
            url=str(response.url),
            status=response.status_code,
            text=text,
            tree=tree,
            headers=dict(response.headers),
        )

    def file(self, url: str, *, max_bytes: int) -> tuple[bytes, str]:
        """The bytes of a file and the name its ``Content-Disposition`` gives."""
        response = self.get(url)
        if response.status_code != 200:
            raise FetchError(f"{url}: HTTP {response.status_code}")
        if len(response.content) > max_bytes:
            raise FetchError(f"{url}: larger than {max_bytes} bytes")
        raw = response.headers.raw if hasattr(response.headers, "raw") else []
        disposition = next(
            (value for name, value in raw if name.lower() == b"content-disposition"), None
        )
        return response.content, filename_from_disposition(disposition)
