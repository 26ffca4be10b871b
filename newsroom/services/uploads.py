"""
Editor image uploads: validation and re-encoding.

Nothing the client sends is trusted: not the file name, not the content type,
not the bytes. A file becomes an ``Image`` only if Pillow decodes it as a
JPEG, PNG, GIF or WebP within the size and pixel limits, and what is stored is
a fresh encoding of the decoded pixels, so EXIF (with GPS), comments and any
bytes hidden after the end of the image are left behind.
"""

import io
import logging
import warnings

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image as PILImage
from PIL import ImageFile, ImageOps, UnidentifiedImageError

from newsroom.models import Image

logger = logging.getLogger(__name__)

# Pillow format name -> file extension of the stored file. MPO is how Pillow
# reads the JPEGs of cameras and phones that embed a second picture; it is
# stored as a plain JPEG of the first picture.
EXTENSIONS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
# Only these decoders ever see an upload: a smaller attack surface than every
# format Pillow knows (EPS, for one, would hand the file to Ghostscript).
DECODERS = ("JPEG", "PNG", "GIF", "WEBP")
ANIMATED_FORMATS = frozenset({"PNG", "GIF", "WEBP"})
JPEG_QUALITY = 85
WEBP_QUALITY = 85


class UploadRejected(Exception):
    """The upload is not an acceptable image; ``message`` is shown to the editor."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def image_create_from_upload(*, uploaded_file, user) -> Image:
    """Validate an uploaded picture, re-encode it and store it as an ``Image``."""
    _check_size(uploaded_file)
    data, extension, (width, height) = _decode_and_reencode(uploaded_file)
    original_name = (uploaded_file.name or "")[:255]
    image = Image(original_name=original_name, size=len(data), uploaded_by=user)
    # upload_path keeps only the extension and makes up a random name.
    image.file.save(f"upload.{extension}", ContentFile(data), save=False)
    # Set after the save, which does not measure an in-memory ContentFile.
    image.width, image.height = width, height
    try:
        with transaction.atomic():
            image.save()
    except Exception:
        image.file.delete(save=False)
        raise
    return image


def reencode_upload(*, uploaded_file) -> ContentFile:
    """The validated, re-encoded file, ready to assign to an ``ImageField``."""
    _check_size(uploaded_file)
    data, extension, _size = _decode_and_reencode(uploaded_file)
    return ContentFile(data, name=f"upload.{extension}")


def _check_size(uploaded_file) -> None:
    limit = settings.NEWSROOM_UPLOAD_MAX_BYTES
    if uploaded_file.size > limit:
        raise UploadRejected(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {"size": _megabytes(uploaded_file.size), "limit": _megabytes(limit)}
        )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.3g}"


def _decode_and_reencode(uploaded_file) -> tuple[bytes, str, tuple[int, int]]:
    """Return the re-encoded bytes, their file extension and size, or raise UploadRejected."""
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        # Some library switched this process-wide flag on: truncated files
        # would then decode as half-grey pictures instead of being refused.
        raise ImproperlyConfigured("PIL.ImageFile.LOAD_TRUNCATED_IMAGES must stay off.")
    not_an_image = _("The file is not a JPEG, PNG, GIF or WebP image.")
    uploaded_file.seek(0)
    try:
        # Pillow warns, then refuses, past its own pixel limit; both are a refusal.
        # (catch_warnings is process-wide; in the worst case a concurrent
        # request leaves this filter on, which only makes Pillow stricter.)
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(uploaded_file, formats=DECODERS) as picture:
                if picture.format not in EXTENSIONS:
                    raise UploadRejected(not_an_image)
                _check_pixels(picture)
                picture.load()
                data, size = _reencode(picture)
                extension = EXTENSIONS[picture.format]
    except UploadRejected:
        raise
    except UnidentifiedImageError as error:
        raise UploadRejected(not_an_image) from error
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as error:
        raise UploadRejected(_pixels_message()) from error
    except Exception as error:
        # Hostile or broken input makes Pillow raise almost anything (OSError,
        # SyntaxError, struct.error, EOFError, ValueError...): all are refusals.
        logger.info("Image upload refused: %r", error, exc_info=True)
        raise UploadRejected(_("The image is damaged or incomplete and cannot be read.")) from error
    return data, extension, size


def _pixels_message() -> str:
    return _("The image has too many pixels; the limit is %(limit)s million.") % {
        "limit": f"{settings.NEWSROOM_UPLOAD_MAX_PIXELS / 1_000_000:.3g}"
    }


def _check_pixels(picture) -> None:
    """Refuse from the header, before the pixels are decoded into memory."""
    width, height = picture.size
    frames = _frame_count(picture)
    # Every frame of an animation is decoded when it is re-encoded.
    if width * height * frames > settings.NEWSROOM_UPLOAD_MAX_PIXELS:
        raise UploadRejected(_pixels_message())


def _frame_count(picture) -> int:
    if picture.format in ANIMATED_FORMATS and getattr(picture, "is_animated", False):
        return picture.n_frames
    return 1


def _reencode(picture) -> tuple[bytes, tuple[int, int]]:
    output = io.BytesIO()
    if _frame_count(picture) > 1:
        # Frame timing, loop count and transparency are kept; a comment is not.
        options = {"comment": b""} if picture.format == "GIF" else {}
        if picture.format == "WEBP":
            options["quality"] = WEBP_QUALITY
        picture.seek(0)
        picture.save(output, picture.format, save_all=True, **options)
        return output.getvalue(), picture.size

    upright = ImageOps.exif_transpose(picture)
    # The colour profile is kept (photos from phones are often not sRGB) as
    # long as the pixels keep the colour space it describes.
    icc_profile = upright.info.get("icc_profile")
    if picture.format in ("JPEG", "MPO"):
        if upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
            icc_profile = None
        upright.save(
            output,
            "JPEG",
            quality=JPEG_QUALITY,
            optimize=True,
            icc_profile=icc_profile,
            comment=b"",
        )
    elif picture.format == "PNG":
        upright.save(output, "PNG", optimize=True, icc_profile=icc_profile)
    elif picture.format == "GIF":
        upright.save(output, "GIF", comment=b"")
    else:
        upright.save(output, "WEBP", quality=WEBP_QUALITY, icc_profile=icc_profile)
    return output.getvalue(), upright.size
