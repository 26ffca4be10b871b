"""
Resized copies of images (renditions): 16:9 covers and 4:3 list thumbnails.

They are made once, when an image is stored (``Image.save``), and written to
a path that follows from the image's own file name and the size, so a page
can link to them with no query and no work per request:
``renditions/<image name>-<kind>-<width>.jpg``. Every rendition's width and
height follow from the original's size, so ``<img>`` gets exact
``width``/``height`` attributes and a ``srcset``.
"""

import io
import logging
import posixpath
from dataclasses import dataclass
from functools import lru_cache

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.signals import setting_changed
from django.dispatch import receiver
from PIL import Image as PILImage
from PIL import ImageOps

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Kind:
    name: str
    ratio: tuple[int, int] | None  # None: the picture's own shape, uncropped
    widths: tuple[int, ...]
    extension: str = "jpg"  # "png" keeps transparency (logos)


KINDS = {
    "cover": Kind("cover", (16, 9), (480, 960, 1440)),
    "thumb": Kind("thumb", (4, 3), (160, 320)),
    # The square picture a link shared in WeChat shows (it wants 300×300 or more).
    "share": Kind("share", (1, 1), (300, 600)),
    # A department's logo and header banner keep their own shape; they are
    # made when an image becomes one (services/identity.py), not for every image.
    "logo": Kind("logo", None, (160, 320), "png"),
    "banner": Kind("banner", None, (960, 1920)),
}
EVERY_IMAGE = ("cover", "thumb", "share")
QUALITY = 82


@dataclass(frozen=True)
class Size:
    width: int
    height: int
    path: str

    @property
    def url(self):
        return default_storage.url(self.path)


@dataclass(frozen=True)
class Picture:
    """What an ``<img>`` of one rendition kind needs: ``src``, ``srcset`` and its size."""

    src: str
    srcset: str
    width: int
    height: int


def _crop_box(width, height, ratio):
    """The largest centred box of the given ratio inside the image (all of it without one)."""
    if ratio is None:
        return (0, 0, width, height)
    rw, rh = ratio
    if width * rh > height * rw:  # too wide: trim the sides
        new_width = height * rw // rh
        left = (width - new_width) // 2
        return (left, 0, left + new_width, height)
    new_height = width * rh // rw
    top = (height - new_height) // 2
    return (0, top, width, top + new_height)


def sizes(image, kind_name):
    """The renditions an image has of one kind, smallest first (no upscaling)."""
    if not image.width or not image.height or not image.file:
        return []
    return _sizes(image.file.name, image.width, image.height, kind_name)


def _sizes(name, width, height, kind_name):
    kind = KINDS[kind_name]
    left, top, right, bottom = _crop_box(width, height, kind.ratio)
    crop_width = right - left
    widths = [w for w in kind.widths if w <= crop_width] or [crop_width]
    stem = posixpath.splitext(name)[0].replace("uploads/", "", 1)
    rw, rh = kind.ratio or (crop_width, bottom - top)
    return [
        Size(
            width=w, height=w * rh // rw, path=f"renditions/{stem}-{kind.name}-{w}.{kind.extension}"
        )
        for w in widths
    ]


def picture(image, kind_name):
    """
    The ``<img>`` attributes of an image's renditions of one kind, or None.

    ``src`` is the smallest width that still looks sharp at the layout size
    browsers assume without ``sizes`` support; the template's ``sizes`` tells
    the rest which ``srcset`` width to take.
    """
    if image is None or not image.width or not image.height or not image.file:
        return None
    return _picture(image.file.name, image.width, image.height, kind_name)


# Remembered by what the attributes follow from (media URLs are stable: no
# signed query strings): a list page shows the same covers on every request,
# and working out their renditions' URLs again was a large part of its Python
# work (bench/RESULTS.md). A new file or size is a new key; a change of the
# storage settings clears it.
@lru_cache(maxsize=4096)
def _picture(name, width, height, kind_name):
    options = _sizes(name, width, height, kind_name)
    default = options[1] if len(options) > 1 else options[0]
    return Picture(
        src=default.url,
        srcset=", ".join(f"{size.url} {size.width}w" for size in options),
        width=default.width,
        height=default.height,
    )


@receiver(setting_changed)
def _forget_pictures(*, setting, **kwargs):
    if setting in {"MEDIA_URL", "STORAGES"}:
        _picture.cache_clear()


def renditions_generate(image, kinds=EVERY_IMAGE):
    """Write the renditions of an image (skipping ones already on disk) and
    record each through the image's ``renditions`` relation."""
    planned = [(name, size) for name in kinds for size in sizes(image, name)]
    missing = [(name, size) for name, size in planned if not default_storage.exists(size.path)]
    if not missing:
        return
    try:
        image.file.open("rb")
        with PILImage.open(image.file) as source:
            source.load()
            upright = ImageOps.exif_transpose(source)
            picture = upright.convert("RGB")
            needs_alpha = any(KINDS[name].extension == "png" for name, _size in missing)
            with_alpha = upright.convert("RGBA") if needs_alpha else None
    except (OSError, ValueError, SyntaxError) as error:
        logger.warning("Cannot make renditions of image %s: %s", image.pk, error)
        return
    finally:
        image.file.close()
    for name, size in missing:
        kind = KINDS[name]
        source = with_alpha if kind.extension == "png" else picture
        box = _crop_box(source.width, source.height, kind.ratio)
        resized = source.crop(box).resize((size.width, size.height), PILImage.Resampling.LANCZOS)
        buffer = io.BytesIO()
        if kind.extension == "png":
            resized.save(buffer, "PNG", optimize=True)
        else:
            resized.save(buffer, "JPEG", quality=QUALITY, optimize=True, progressive=True)
        stored = default_storage.save(size.path, ContentFile(buffer.getvalue()))
        image.renditions.update_or_create(
            spec=f"{name}-{size.width}",
            defaults={"file": stored, "width": size.width, "height": size.height},
        )
