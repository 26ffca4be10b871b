"""
The text an article shows, field by field, as the content-safety check reads it:
the body without its markup (captions and alt texts apart), the credits, and
the text of attachments (.docx .xlsx .pptx .pdf .txt .csv).
"""

import html
import io
import re

from django.utils.translation import gettext as _

# Tags that end a line of text: words never run across them.
_BLOCK = re.compile(
    r"</?(?:p|div|br|li|ul|ol|h[1-6]|tr|td|th|table|blockquote|figure|section|pre|hr)\b[^>]*>",
    re.I,
)
_TAG = re.compile(r"<[^>]*>")
_CAPTION = re.compile(r"<figcaption\b[^>]*>(.*?)</figcaption>", re.I | re.S)
_IMG = re.compile(r"<img\b[^>]*>", re.I)
_ALT = re.compile(r"""\balt\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_SPACES = re.compile(r"[ \t\r\f\v]+")
_LINES = re.compile(r"\n\s*\n+")


def html_text(markup: str) -> str:
    """Text of an HTML fragment as a reader sees it (inline tags vanish, blocks end lines)."""
    if "<" not in markup and "&" not in markup:
        return markup
    text = _TAG.sub("", _BLOCK.sub("\n", markup))
    text = html.unescape(text)
    return _LINES.sub("\n", _SPACES.sub(" ", text)).strip()


def body_parts(markup: str) -> dict:
    """{"body": text without captions, "caption": captions, "alt": image alt texts}."""
    captions = [html_text(m.group(1)) for m in _CAPTION.finditer(markup)]
    alts = []
    for tag in _IMG.findall(markup):
        found = _ALT.search(tag)
        if found:
            alt = html.unescape(found.group(1) or found.group(2) or "").strip()
            if alt:
                alts.append(alt)
    return {
        "body": html_text(_CAPTION.sub("\n", markup) if captions else markup),
        "caption": "\n".join(captions),
        "alt": "\n".join(alts),
    }


# --- attachments ---------------------------------------------------------------

# Enough for any notice; a larger text is checked up to here and said so.
MAX_TEXT = 2_000_000
READABLE = ("docx", "xlsx", "pptx", "pdf", "txt", "csv")


class Unreadable(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = str(message)


def extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def attachment_text(data: bytes, *, name: str) -> str:
    """The text of an attachment file; ``Unreadable`` says why there is none."""
    kind = extension(name)
    if kind not in READABLE:
        raise Unreadable(
            _("files of type “%(type)s” are not read; check it by eye") % {"type": kind or "?"}
        )
    try:
        text = _READERS[kind](data)
    except Unreadable:
        raise
    except Exception as error:  # a damaged or encrypted file of any library
        raise Unreadable(
            _("the file could not be read (%(error)s); check it by eye")
            % {"error": type(error).__name__}
        ) from error
    if kind == "pdf" and not text.strip():
        raise Unreadable(_("the PDF has no text layer (a scan?); check it by eye"))
    return text[:MAX_TEXT]


def _plain(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Unreadable(_("the text is neither UTF-8 nor GB18030; check it by eye"))


def _docx(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append("\t".join(cell.text for cell in row.cells))
    for section in document.sections:
        for part in (section.header, section.footer):
            lines.extend(paragraph.text for paragraph in part.paragraphs)
    return "\n".join(lines)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx(data: bytes) -> str:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    lines, size = [], 0
    try:
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                line = "\t".join(_cell(value) for value in row)
                lines.append(line)
                size += len(line)
                if size > MAX_TEXT:
                    return "\n".join(lines)
    finally:
        book.close()
    return "\n".join(lines)


def _pptx(data: bytes) -> str:
    import pptx

    presentation = pptx.Presentation(io.BytesIO(data))
    lines = []
    for slide in presentation.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                lines.append(shape.text_frame.text)
            if getattr(shape, "has_table", False) and shape.has_table:
                for row in shape.table.rows:
                    lines.append("\t".join(cell.text for cell in row.cells))
        if slide.has_notes_slide:
            lines.append(slide.notes_slide.notes_text_frame.text)
    return "\n".join(lines)


def _pdf(data: bytes) -> str:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        raise Unreadable(_("the PDF is encrypted; check it by eye"))
    pages, size = [], 0
    for page in reader.pages:
        text = page.extract_text() or ""
        pages.append(text)
        size += len(text)
        if size > MAX_TEXT:
            break
    return "\n".join(pages)


_READERS = {
    "txt": _plain,
    "csv": _plain,
    "docx": _docx,
    "xlsx": _xlsx,
    "pptx": _pptx,
    "pdf": _pdf,
}
