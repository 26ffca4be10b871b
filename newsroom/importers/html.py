"""
Helpers shared by the importers: reading dates and the meta line, and taking an
old body apart before the site's own cleaner (``core/html.clean_body``) sees it.

The nh3 cleaner would drop most of an old body's noise anyway, but not all of it
sensibly: a Word paste's ``<style>`` block, ``<o:p>``, empty styled spans, the
file-type icons beside attachment links, ``alt="undefined"``, and links written
relative to a page whose address is about to change.
"""

import copy
import re
from datetime import datetime
from urllib.parse import urljoin, urlsplit

import lxml.html
from django.utils import timezone
from lxml import etree

from newsroom.core.legacy_urls import legacy_key_of_url

_DATE_TIME = re.compile(
    r"(\d{4})\s*(?:[-/.年])\s*(\d{1,2})\s*(?:[-/.月])\s*(\d{1,2})\s*日?"
    r"(?:\s*(\d{1,2})\s*[:：时]\s*(\d{1,2}))?"
)
LABELS = {
    "author": ("作者", "撰稿", "撰稿人", "文字", "撰文"),
    "source": ("来源", "供稿单位", "供稿", "发布单位", "发布部门", "稿件来源"),
    "responsible_editor": ("责任编辑", "责编"),
    "photographer": ("摄影", "图片", "摄像"),
    "time": ("发布时间", "发布日期", "时间", "日期", "更新时间"),
}
_ALL_LABELS = sorted(
    {label for labels in LABELS.values() for label in labels}
    | {"浏览", "浏览量", "浏览次数", "点击", "点击数", "点击量", "阅读", "审核", "编辑", "审稿"}
    | {"上一条", "下一条", "上一篇", "下一篇", "附件", "当前位置", "发布者"},
    key=len,
    reverse=True,
)
_LABEL_ALTERNATION = "|".join(map(re.escape, _ALL_LABELS))


def parse_datetime(text: str) -> datetime | None:
    """The first date (and time, to the minute) in a text, aware in the site's time zone."""
    match = _DATE_TIME.search(text or "")
    if not match:
        return None
    year, month, day = int(match[1]), int(match[2]), int(match[3])
    hour, minute = int(match[4] or 0), int(match[5] or 0)
    try:
        naive = datetime(year, month, day, hour, minute)
    except ValueError:
        return None
    return timezone.make_aware(naive, timezone.get_default_timezone())


def meta_fields(text: str) -> dict[str, str]:
    """Credits and time from a meta line such as ``来源：学院办公室  发布时间：2024-12-20``."""
    text = " ".join((text or "").replace("\xa0", " ").replace("\u3000", " ").split())
    found = {}
    for field_name, labels in LABELS.items():
        for label in sorted(labels, key=len, reverse=True):
            pattern = (
                rf"{re.escape(label)}\s*[：:]\s*(.*?)"
                rf"(?=\s*(?:{_LABEL_ALTERNATION})\s*[：:]|\s{{2,}}|\s*[|｜【\[]|$)"
            )
            match = re.search(pattern, text)
            if match and match[1].strip():
                found[field_name] = match[1].strip()[:100]
                break
    return found


def meta_content(tree, name: str) -> str:
    """``<meta name=… content=…>`` whatever the case of its attributes and name."""
    for meta in tree.iter("meta"):
        attributes = {k.lower(): v for k, v in meta.attrib.items()}
        if attributes.get("name", "").lower() == name.lower():
            return (attributes.get("content") or "").strip()
    return ""


def text_of(element) -> str:
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).replace("\xa0", " ").split())


def has_class(name: str) -> str:
    """An XPath test for one class among several."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def first(tree, *paths):
    """The first element matched by any of the XPath expressions, in their order."""
    for path in paths:
        found = tree.xpath(path)
        if found:
            return found[0]
    return None


def same_host(url: str, host: str) -> bool:
    return urlsplit(url).netloc.lower() == host


def date_text(text: str) -> str:
    found = _DATE_TIME.search(text or "")
    return found[0] if found else ""


def prepare_body(element, *, page_url: str, host: str, icon_pattern=None):
    """
    The body's HTML with the old system's noise removed, every image ``src`` made
    absolute (the runner swaps them for the new copies), and same-site links made
    root-relative so the redirect table answers them. Returns (html, image URLs).
    """
    element = _copy(element)
    etree.strip_elements(element, "script", "style", "noscript", etree.Comment, with_tail=False)
    _strip_noise(element)
    images = _absolute_images(element, page_url=page_url, icon_pattern=icon_pattern)
    _root_relative_links(element, page_url=page_url, host=host)
    _drop_empty_spans(element)
    html = (element.text or "") + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in element
    )
    return html.strip(), images


def _strip_noise(element):
    """Word's namespaced tags, VSB's vote box, classes, ids, mso- styles, undefined alts."""
    for node in list(element.iter()):
        if not isinstance(node.tag, str):
            continue
        tag = node.tag.lower()
        if ":" in tag:  # <o:p>, <v:shape> from Word
            node.drop_tag() if node.text or len(node) else node.drop_tree()
            continue
        if tag == "vsbimg":
            node.tag = "img"
        if node.get("id") == "div_vote_id":
            node.drop_tree()
            continue
        _clean_style(node)
        for attribute in ("class", "id", "lang", "align", "vurl", "vsbhref", "name"):
            node.attrib.pop(attribute, None)
        for attribute in ("alt", "title"):
            if node.get(attribute, "").strip().lower() in ("undefined", "null"):
                del node.attrib[attribute]


def _absolute_images(element, *, page_url, icon_pattern):
    """Make each picture's address absolute (``orisrc`` first); drop file-type icons."""
    images = []
    for image in list(element.iter("img")):
        src = (image.get("orisrc") or image.get("src") or "").strip()
        image.attrib.pop("orisrc", None)
        absolute = urljoin(page_url, src)
        if not src or (icon_pattern and icon_pattern.search(absolute)):
            image.drop_tree()
            continue
        image.set("src", absolute)
        if absolute not in images:
            images.append(absolute)
    return images


def _root_relative_links(element, *, page_url, host):
    for link in element.iter("a"):
        href = (link.get("href") or "").strip()
        if not href or href.startswith(("#", "mailto:", "tel:")):
            continue
        absolute = urljoin(page_url, href)
        if same_host(absolute, host):
            parts = urlsplit(absolute)
            link.set("href", parts.path + (f"?{parts.query}" if parts.query else ""))
        else:
            link.set("href", absolute)


def apply_meta_line(article, tree, meta_line: str) -> None:
    """Credits and publish time of a parsed article from its meta tags and meta line."""
    fields = meta_fields(meta_line)
    article.author = fields.get("author", "")
    article.source = fields.get("source", "") or meta_content(tree, "ContentSource")[:100]
    article.responsible_editor = fields.get("responsible_editor", "")
    article.photographer = fields.get("photographer", "")
    article.publish_at = (
        parse_datetime(meta_content(tree, "PubDate"))
        or parse_datetime(fields.get("time", ""))
        or parse_datetime(meta_line)
    )


def _copy(element):
    copied = copy.deepcopy(element)
    copied.tail = None
    return copied


def _clean_style(node):
    style = node.get("style")
    if style is None:
        return
    kept = [
        declaration.strip()
        for declaration in style.split(";")
        if declaration.strip() and not declaration.strip().lower().startswith("mso-")
    ]
    if kept:
        node.set("style", ";".join(kept))
    else:
        del node.attrib["style"]


def _drop_empty_spans(element):
    """Old editors split text over styled spans and fonts that carry nothing the site
    keeps (fonts, sizes, colours): empty ones go, the others give up their text."""
    for span in list(element.iter("span", "font")):
        if span.getparent() is None:
            continue
        if not text_of(span) and not len(span):
            span.drop_tree()
        else:
            span.drop_tag()


def replace_sources(html: str, mapping: dict[str, str]) -> str:
    """The body with image and link addresses swapped for their new copies (None: dropped)."""
    if not html or not mapping:
        return html
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for node in list(root.iter("img", "a")):
        attribute = "src" if node.tag == "img" else "href"
        value = node.get(attribute)
        if value in mapping and mapping[value] is None:
            node.drop_tree()  # a picture that could not be brought over
        elif value in mapping:
            node.set(attribute, mapping[value])
    return (root.text or "") + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in root
    )


def old_key(url: str) -> str:
    return legacy_key_of_url(url)
