"""
Article attachments (附件): what may be attached, and counting downloads.

A file is accepted only when its name and its bytes agree on one of the kinds
below: the extension says what the file claims to be and the content must
prove it (a PDF starts with ``%PDF-``, a .docx is a ZIP with
``[Content_Types].xml`` and a ``word/`` part, a picture decodes with Pillow…).
Programs, scripts, web pages and SVG are refused whatever they are called, and
so is anything not recognised. The client's file name and content type are
never trusted: the stored name is random, the content type is the detected
kind's, and the name readers see is a cleaned copy of the original.

Archives are never unpacked on the server; the ZIP checks (entry count, total
unpacked size, ratio) only spare readers a zip bomb. Entries with absolute
paths or ``..`` are therefore harmless here and not looked at, and neither are
archives nested inside an archive.

Downloads count like clicks: once per visitor per window, never for bots, and
only for attachments of visible articles, with the increment done in the
database.
"""

import codecs
import logging
import struct
import unicodedata
import zipfile

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from PIL import Image as PILImage

from newsroom.models import Article, Attachment
from newsroom.services import clicks

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
HEAD_BYTES = 8192
SNIFF_BYTES = 1024
CHUNK_BYTES = 1024 * 1024  # a multiple of every OLE2 sector size

# Extension -> (kind the content must have, content type served to readers).
KINDS = {
    "pdf": ("pdf", "application/pdf"),
    "doc": ("ole:WordDocument", "application/msword"),
    "xls": ("ole:Workbook", "application/vnd.ms-excel"),
    "ppt": ("ole:PowerPoint Document", "application/vnd.ms-powerpoint"),
    "docx": (
        "ooxml:word/",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xlsx": ("ooxml:xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pptx": (
        "ooxml:ppt/",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    "odt": ("odf:text", "application/vnd.oasis.opendocument.text"),
    "ods": ("odf:spreadsheet", "application/vnd.oasis.opendocument.spreadsheet"),
    "odp": ("odf:presentation", "application/vnd.oasis.opendocument.presentation"),
    "zip": ("zip", "application/zip"),
    "rar": ("rar", "application/vnd.rar"),
    "7z": ("7z", "application/x-7z-compressed"),
    "jpg": ("image:JPEG", "image/jpeg"),
    "jpeg": ("image:JPEG", "image/jpeg"),
    "png": ("image:PNG", "image/png"),
    "gif": ("image:GIF", "image/gif"),
    "webp": ("image:WEBP", "image/webp"),
    "txt": ("text", "text/plain"),
    "csv": ("text", "text/csv"),
}
# The stored file's extension where the name may use another spelling.
CANONICAL_EXTENSIONS = {"jpeg": "jpg"}

# Names that are refused before the content is even read.
PROGRAM_EXTENSIONS = frozenset(
    "exe com scr pif bat cmd sh bash zsh csh ps1 psm1 vbs vbe js jse mjs wsf wsh hta msi msp "
    "apk jar dll sys cpl lnk reg app dmg deb rpm run py pl rb php phar".split()
)
# Magic numbers of programs and scripts: Windows (MZ), Linux (ELF), macOS
# (Mach-O, both byte orders, and fat binaries), and scripts (#!).
PROGRAM_MAGICS = (
    b"MZ",
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"#!",
)
# Markers of a document a browser would render (HTML, XHTML, SVG); looked for
# in the first KB of every file, whatever its name.
MARKUP_MARKERS = (
    b"<!doctype",
    b"<html",
    b"<head",
    b"<body",
    b"<script",
    b"<svg",
    b"<iframe",
)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
RAR_MAGICS = (b"Rar!\x1a\x07\x00", b"Rar!\x1a\x07\x01\x00")
SEVEN_ZIP_MAGIC = b"7z\xbc\xaf\x27\x1c"
IMAGE_DECODERS = ("JPEG", "PNG", "GIF", "WEBP")
# The Excel 5/95 workbook stream is called "Book".
OLE_ALIASES = {"Workbook": ("Workbook", "Book")}

ZIP_MAX_ENTRIES = 10_000
ZIP_MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
ZIP_MAX_RATIO = 100
# Below this unpacked size any ratio is harmless (a text file of spaces…).
ZIP_RATIO_FLOOR_BYTES = 10 * 1024 * 1024


class AttachmentRejected(Exception):
    """The file may not be attached; ``message`` is shown to the editor."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def max_bytes() -> int:
    return getattr(settings, "NEWSROOM_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES)


def validate_attachment(uploaded_file) -> tuple[str, str]:
    """
    The content type and stored extension of an acceptable file, or raise
    ``AttachmentRejected``.
    """
    size = uploaded_file.size or 0
    if size == 0:
        raise AttachmentRejected(_("The file is empty."))
    limit = max_bytes()
    if size > limit:
        raise AttachmentRejected(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {"size": _megabytes(size), "limit": _megabytes(limit)}
        )
    extension = _extension(uploaded_file.name or "")
    if extension in PROGRAM_EXTENSIONS:
        raise AttachmentRejected(_programs_message())
    uploaded_file.seek(0)
    head = uploaded_file.read(HEAD_BYTES)
    uploaded_file.seek(0)
    if head.startswith(PROGRAM_MAGICS):
        raise AttachmentRejected(_programs_message())
    sniffed = head[:SNIFF_BYTES].lower()
    if any(marker in sniffed for marker in MARKUP_MARKERS):
        raise AttachmentRejected(_("Web pages, SVG images and scripts cannot be attached."))
    if extension not in KINDS:
        raise AttachmentRejected(_unknown_message())
    expected, content_type = KINDS[extension]
    if expected == "text":
        content_type = f"{content_type}; charset={_text_encoding(uploaded_file, sniffed)}"
    elif _content_kind(uploaded_file, head, expected) != expected:
        raise AttachmentRejected(
            _("The content of the file does not match its extension “.%(extension)s”.")
            % {"extension": extension}
        )
    uploaded_file.seek(0)
    return content_type, CANONICAL_EXTENSIONS.get(extension, extension)


def attachment_name(raw_name: str, *, extension: str) -> str:
    """
    The name readers see: the original's last path component, without
    control or formatting characters (a right-to-left override can make
    ``exe.pdf`` read as ``fdp.exe``), ending in the real extension, at most
    255 characters.
    """
    name = unicodedata.normalize("NFC", raw_name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp"))
    name = " ".join(name.split()).strip(" .")
    suffix = f".{extension}"
    if _extension(name) not in _spellings(extension):
        name = f"{name}{suffix}" if name else f"attachment{suffix}"
    if len(name) > 255:
        stem, dot, ending = name.rpartition(".")
        name = f"{stem[: 255 - len(ending) - 1]}{dot}{ending}"
    return name


def attachment_create(
    *, article, uploaded_file, user, name: str | None = None, order: int = 0
) -> Attachment:
    """Validate an uploaded file and attach it to an article under a random stored name."""
    content_type, extension = validate_attachment(uploaded_file)
    attachment = Attachment(
        article=article,
        name=attachment_name(name or uploaded_file.name, extension=extension),
        content_type=content_type,
        size=uploaded_file.size,
        order=order,
        uploaded_by=user,
    )
    # attachment_path keeps only the extension and makes up a random name.
    attachment.file.save(f"upload.{extension}", uploaded_file, save=False)
    try:
        with transaction.atomic():
            attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment


def attachment_get_visible(*, attachment_id: int) -> Attachment | None:
    """The attachment if its article is visible to the public, else None."""
    return (
        Attachment.objects.filter(
            pk=attachment_id, article__in=Article.objects.published().values("pk")
        )
        .select_related("article")
        .first()
    )


def attachment_download_record(
    *, attachment_id: int, visitor_ids: list[str], user_agent: str
) -> tuple[bool, Attachment | None]:
    """
    Record one download; returns (counted, attachment). ``attachment`` is None
    when it does not exist or its article is not visible to the public.
    """
    attachment = attachment_get_visible(attachment_id=attachment_id)
    if attachment is None:
        return False, None
    if clicks.is_bot(user_agent) or not clicks.claim_view(
        visitor_ids=visitor_ids, article_id=attachment.pk, kind="d"
    ):
        return False, attachment
    # In the database, never read and written back: concurrent downloads all count.
    updated = Attachment.objects.filter(pk=attachment.pk).update(
        download_count=F("download_count") + 1
    )
    return updated == 1, attachment


# --- recognising the content ---------------------------------------------------------


def _extension(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[-1].strip().lower() if "." in base else ""


def _spellings(extension: str) -> set[str]:
    return {extension} | {k for k, v in CANONICAL_EXTENSIONS.items() if v == extension}


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.3g}"


def _programs_message() -> str:
    return _("Programs and scripts cannot be attached.")


def _unknown_message() -> str:
    return _(
        "This kind of file cannot be attached. Allowed are PDF, Word, Excel, PowerPoint, "
        "OpenDocument, ZIP, RAR and 7z archives, JPEG, PNG, GIF and WebP images, and "
        "TXT and CSV text files."
    )


def _content_kind(uploaded_file, head: bytes, expected: str) -> str | None:
    """What the bytes are, in the terms of ``KINDS``; None if not recognised."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(OLE_MAGIC):
        wanted = expected.removeprefix("ole:") if expected.startswith("ole:") else None
        return f"ole:{wanted}" if wanted and _ole_has_stream(uploaded_file, wanted) else "ole"
    if head.startswith(ZIP_MAGIC):
        return _zip_kind(uploaded_file, expected)
    if head.startswith(RAR_MAGICS):
        return "rar"
    if head.startswith(SEVEN_ZIP_MAGIC):
        return "7z"
    return _image_kind(uploaded_file)


def _ole_has_stream(uploaded_file, stream: str) -> bool:
    """
    True if the OLE2 compound file has a stream of that name: Word keeps its
    text in "WordDocument", Excel in "Workbook", PowerPoint in "PowerPoint
    Document". Directory entries are 128-byte slots inside sectors of 512 or
    4096 bytes, so looking at each aligned slot finds them without walking
    the allocation table; an installer (.msi, also OLE2) has none of them.
    """
    names = [
        (n.encode("utf-16-le"), len(n.encode("utf-16-le")) + 2)
        for n in OLE_ALIASES.get(stream, (stream,))
    ]
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks(CHUNK_BYTES):
        for encoded, length in names:
            start = chunk.find(encoded)
            while start != -1:
                if start % 128 == 0 and len(chunk) >= start + 128:
                    slot = chunk[start : start + 128]
                    name_length, kind = struct.unpack_from("<HB", slot, 64)
                    if name_length == length and slot[length - 2 : length] == b"\0\0" and kind == 2:
                        return True
                start = chunk.find(encoded, start + 1)
    return False


def _zip_kind(uploaded_file, expected: str) -> str | None:
    uploaded_file.seek(0)
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            entries = archive.infolist()
            _check_zip_bomb(entries)
            names = {entry.filename for entry in entries}
            if "[Content_Types].xml" in names and expected.startswith("ooxml:"):
                part = expected.removeprefix("ooxml:")
                return expected if any(n.startswith(part) for n in names) else "ooxml"
            if "mimetype" in names and expected.startswith("odf:"):
                info = archive.getinfo("mimetype")
                if info.file_size > 100:
                    return "odf"
                mimetype = archive.read(info).decode("ascii", "replace").strip()
                kind = mimetype.removeprefix("application/vnd.oasis.opendocument.")
                return f"odf:{kind}"
            if not entries:
                return None
            return "zip"
    except AttachmentRejected:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as error:
        logger.info("Attachment refused, bad ZIP: %r", error)
        raise AttachmentRejected(_("The archive is damaged and cannot be read.")) from error
    finally:
        uploaded_file.seek(0)


def _check_zip_bomb(entries) -> None:
    unpacked = sum(entry.file_size for entry in entries)
    packed = sum(entry.compress_size for entry in entries)
    if (
        len(entries) > ZIP_MAX_ENTRIES
        or unpacked > ZIP_MAX_UNPACKED_BYTES
        or (unpacked > ZIP_RATIO_FLOOR_BYTES and unpacked > ZIP_MAX_RATIO * max(packed, 1))
    ):
        raise AttachmentRejected(_("The archive unpacks to too many files or too much data."))


def _image_kind(uploaded_file) -> str | None:
    uploaded_file.seek(0)
    try:
        with PILImage.open(uploaded_file, formats=IMAGE_DECODERS) as picture:
            image_format = "JPEG" if picture.format == "MPO" else picture.format
            picture.verify()
    except PILImage.UnidentifiedImageError:
        return None
    except Exception as error:
        # Broken input makes Pillow raise almost anything; all are refusals.
        logger.info("Attachment refused, bad image: %r", error)
        raise AttachmentRejected(
            _("The image is damaged or incomplete and cannot be read.")
        ) from error
    finally:
        uploaded_file.seek(0)
    return f"image:{image_format}"


def _text_encoding(uploaded_file, sniffed: bytes) -> str:
    """UTF-8 or GB18030 (which includes GBK and GB2312), for text without NUL bytes."""
    not_text = _("The file is not plain text in UTF-8 or GB18030 (GBK).")
    if sniffed.lstrip().startswith(b"<?xml"):
        raise AttachmentRejected(not_text)
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        uploaded_file.seek(0)
        try:
            for chunk in uploaded_file.chunks(CHUNK_BYTES):
                if b"\0" in chunk:
                    raise AttachmentRejected(not_text)
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        finally:
            uploaded_file.seek(0)
        return "utf-8" if encoding == "utf-8-sig" else "gb18030"
    raise AttachmentRejected(not_text)
