"""
从 Word 导入: a .docx 投稿 becomes a draft article.

mammoth turns the document's structure (headings, lists, tables, bold, links,
pictures) into plain HTML and ignores its looks (fonts, colours, sizes), which
is what a news body wants. Headings move one level down (the page's title is
the ``h1``), pictures are stored like uploads, and the body is cleaned like
every save. The draft then goes through review as usual.
"""

import io
import logging
import posixpath

import lxml.html
import mammoth
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from newsroom.models import Article
from newsroom.services import revisions
from newsroom.services.access import NotPermitted
from newsroom.services.attachments import AttachmentRejected, validate_attachment
from newsroom.services.uploads import UploadRejected, image_create_from_upload

logger = logging.getLogger(__name__)

# Word's built-in names, in both spellings Word writes; the document title is marked h1
# only to be taken out as the article's title.
STYLE_MAP = "\n".join(
    f"p[style-name='{name}'] => {tag}:fresh"
    for names, tag in (
        (("Title", "title"), "h1"),
        (("Heading 1", "heading 1"), "h2"),
        (("Heading 2", "heading 2"), "h3"),
        (("Heading 3", "heading 3"), "h4"),
        (("Heading 4", "heading 4"), "h5"),
        (("Heading 5", "heading 5", "Heading 6", "heading 6"), "h6"),
    )
    for name in names
)


class WordRejected(Exception):
    """The file cannot be turned into a draft; ``message`` says why."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def article_from_docx(*, uploaded_file, category, user) -> tuple[Article, list[str]]:
    """A draft in ``category`` from a .docx; returns it and notes on what was left out."""
    name = uploaded_file.name or ""
    if not name.lower().endswith(".docx"):
        raise WordRejected(_("Choose a Word document saved as .docx."))
    try:
        validate_attachment(uploaded_file)
    except AttachmentRejected as error:
        raise WordRejected(error.message) from error
    notes = []
    stored = []

    def store_image(image):
        try:
            with image.open() as data:
                content = data.read()
            extension = (image.content_type or "image/png").rsplit("/", 1)[-1]
            picture = image_create_from_upload(
                uploaded_file=SimpleUploadedFile(f"word-image.{extension}", content), user=user
            )
        except UploadRejected as error:
            notes.append(error.message)
            return {}
        stored.append(picture)
        return {"src": picture.url, "alt": image.alt_text or ""}

    uploaded_file.seek(0)
    data = uploaded_file.read()
    with transaction.atomic():
        try:
            result = mammoth.convert_to_html(
                io.BytesIO(data),
                style_map=STYLE_MAP,
                convert_image=mammoth.images.img_element(store_image),
            )
            title, body = _title_and_body(result.value)
        except Exception as error:
            # Broken input makes the converter raise almost anything (a missing part is an
            # OSError, bad XML a ValueError …): all of them are a refusal, never a 500.
            logger.info("Word import refused: %r", error, exc_info=True)
            for picture in stored:
                picture.file.delete(save=False)
            raise WordRejected(_("The Word document is damaged and cannot be read.")) from error
        article = Article(category=category, title=(title or _file_title(name))[:200], body=body)
        try:
            revisions.article_save(article=article, user=user)
        except NotPermitted as error:
            raise WordRejected(str(error)) from error
    return article, notes


def _title_and_body(html: str) -> tuple[str, str]:
    """The first heading (the document title, else the first level-1 heading) and the rest."""
    if not html.strip():
        return "", ""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    heading = next(iter(root.xpath("./h1")), None)
    if heading is None:
        heading = next(iter(root.xpath("./h2")), None)
    title = ""
    if heading is not None:
        title = " ".join(heading.text_content().split())
        heading.drop_tree()
    for extra in root.xpath(".//h1"):
        extra.tag = "h2"
    body = (root.text or "") + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in root
    )
    return title, body


def _file_title(name: str) -> str:
    stem = posixpath.splitext(name.replace("\\", "/").rsplit("/", 1)[-1])[0]
    return " ".join(stem.split()) or _("Imported from Word")
