"""
How text becomes search tokens (站内搜索), for documents and queries alike.

Text is normalised (NFKC, then case-folded) and cut into tokens: every CJK
character, every pair of neighbouring CJK characters, and every run of Latin
letters or digits. ``Article.save`` stores an article's tokens with
``build_document``; ``newsroom.services.search`` cuts queries the same way.
Migrations that rebuilt documents carry frozen copies of this code.
"""

import html
import re
import unicodedata

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef"
RUN_RE = re.compile(f"[{CJK}]+|[a-z0-9]+")
IS_CJK = re.compile(f"[{CJK}]")

# The full-width forms of ASCII (U+FF01–FF5E) and the ideographic space, as
# NFKC maps them: the only characters of most Chinese text it changes.
FULL_WIDTH = {0x3000: " ", **{code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)}}

# A start or end tag (quoted attribute values may hold ">"); "<" before
# anything but a letter or "/" is text, as in "1<2".
TAG_RE = re.compile(r"""</?[a-zA-Z](?:"[^"]*"|'[^']*'|[^'">])*>""")


def normalize(text: str) -> str:
    """
    NFKC, then case-folded.

    The full-width forms are mapped first, as NFKC maps them, because most
    Chinese text is then already in NFKC, which is cheap to tell; the full
    normalisation runs only on what still needs it. The result is the same.
    """
    text = (text or "").translate(FULL_WIDTH)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.casefold()


# Where one block of text ends and the next begins: paragraphs, headings, list
# items, cells, captions, line breaks (an excerpt keeps paragraphs apart).
BLOCK_END_RE = re.compile(r"</(?:p|h[1-6]|li|td|th|figcaption|blockquote|div)\s*>|<br\s*/?>", re.I)


def body_text(body_html: str) -> str:
    """
    The text of a stored body, whitespace collapsed.

    Bodies are cleaned by nh3 on every save (newsroom/core/html.py), so a
    pattern for tags is enough where Django's ``strip_tags`` would run an
    HTML parser over every body of a results page. The result is only ever
    shown escaped.
    """
    return " ".join(html.unescape(TAG_RE.sub("", body_html or "")).split())


def document_tokens(text: str) -> list[str]:
    tokens = []
    for run in RUN_RE.findall(normalize(text)):
        if IS_CJK.match(run):
            tokens.extend(run)
            tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            tokens.append(run)
    return tokens


def build_document(*parts: str) -> str:
    """The search document of an article: its distinct tokens, space-separated."""
    text = " ".join(body_text(p) for p in parts)
    return " ".join(dict.fromkeys(document_tokens(text)))
