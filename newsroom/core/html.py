"""
The article body cleaner.

CKEditor 5 produces a small, known vocabulary of HTML; everything outside it is
dropped. This runs on every save of an article (see ``Article.save``), so a
body written through the admin, a service, the shell or an import is cleaned
the same way.
"""

import re

import nh3

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "hr",
        "h1",  # renumbered to h2 by headings_from_h2: the page's title is the h1
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "s",
        "del",
        "sub",
        "sup",
        "mark",
        "span",
        "blockquote",
        "pre",
        "code",
        "ul",
        "ol",
        "li",
        "a",
        "img",
        "figure",
        "figcaption",
        "table",
        "caption",
        "colgroup",
        "col",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "th",
        "td",
    }
)

# Removed together with everything inside them, not just unwrapped.
REMOVED_WITH_CONTENT = frozenset(
    {
        "script",
        "style",
        "iframe",
        "object",
        "embed",
        "svg",
        "math",
        "template",
        "noscript",
        "textarea",
        "select",
        "title",
    }
)

ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "target"},
    "img": {"src", "alt", "width", "height", "title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "col": {"span"},
    "ol": {"start", "reversed"},
    # "class" is not listed: ALLOWED_CLASSES admits it per tag, value by value.
    "*": {"style"},
}

# The classes CKEditor 5 writes for image placement, tables and resizing.
ALLOWED_CLASSES = {
    "figure": {
        "image",
        "table",
        "image_resized",
        "image-style-side",
        "image-style-align-left",
        "image-style-align-right",
        "image-style-align-center",
        "image-style-block-align-left",
        "image-style-block-align-right",
        "image-inline",
    },
    "img": {"image_resized"},
    "p": {"text-tiny", "text-small", "text-big", "text-huge"},
    "span": {"text-tiny", "text-small", "text-big", "text-huge"},
}

# Only alignment and image width survive from inline styles: enough for the
# editor's alignment and resize features, too little for overlays or tracking.
ALLOWED_STYLE_PROPERTIES = frozenset({"text-align", "width"})

URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})

# What CKEditor writes as values ("center", "50%", "320px"). No parentheses,
# quotes, slashes or backslashes: no url(), expression(), comments or escapes.
_SAFE_STYLE_VALUE = re.compile(r"[A-Za-z0-9 .%-]+")


def _filter_attribute(tag, attribute, value):
    """Keep only plain declarations of the allowed style properties; drop an empty style."""
    if attribute != "style":
        return value
    declarations = []
    for declaration in value.split(";"):
        name, _, css_value = declaration.partition(":")
        name, css_value = name.strip().lower(), css_value.strip()
        if name in ALLOWED_STYLE_PROPERTIES and _SAFE_STYLE_VALUE.fullmatch(css_value):
            declarations.append(f"{name}:{css_value}")
    return ";".join(declarations) or None


_cleaner = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(REMOVED_WITH_CONTENT),
    attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
    allowed_classes={tag: set(classes) for tag, classes in ALLOWED_CLASSES.items()},
    filter_style_properties=set(ALLOWED_STYLE_PROPERTIES),
    attribute_filter=_filter_attribute,
    url_schemes=set(URL_SCHEMES),
    link_rel="noopener noreferrer",
    strip_comments=True,
)


# A heading tag, opening or closing (matched on the cleaned HTML, where tags
# are well formed and attribute values escaped).
_HEADING_TAG = re.compile(r"<(/?)h([1-6])\b", re.I)


def headings_from_h2(html: str) -> str:
    """
    The body's headings renumbered to start at h2 and go down one level at a
    time: the page's title is the h1, and a body that jumped from it to h3
    (or from h2 to h4) broke the outline screen readers navigate by. The
    levels used keep their order: h3, h5 become h2, h3.
    """
    levels = sorted({int(level) for _slash, level in _HEADING_TAG.findall(html)})
    mapping = {level: min(2 + rank, 6) for rank, level in enumerate(levels)}
    if all(level == new for level, new in mapping.items()):
        return html
    return _HEADING_TAG.sub(lambda m: f"<{m.group(1)}h{mapping[int(m.group(2))]}", html)


def clean_body(html: str) -> str:
    """The body with only the editor's vocabulary left, its headings starting at h2."""
    if not html:
        return ""
    # An h1 (pasted in) is kept as a heading: renumbered, it becomes an h2.
    return headings_from_h2(_cleaner.clean(html))
