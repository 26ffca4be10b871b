import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image as PILImage

from newsroom.core import renditions
from tests.factories import ArticleFactory, CategoryFactory, ImageFactory, image_bytes

pytestmark = pytest.mark.django_db


def make_image(size):
    return ImageFactory(file=ContentFile(image_bytes(size=size), name="p.jpg"))


def test_cover_renditions_are_16_9_at_each_width(media_root):
    """A large picture gets 16:9 covers at 480, 960 and 1440 pixels, written at upload."""
    image = make_image((2000, 1500))
    planned = renditions.sizes(image, "cover")
    assert [(s.width, s.height) for s in planned] == [(480, 270), (960, 540), (1440, 810)]
    for size in planned:
        with PILImage.open(media_root / size.path) as picture:
            assert picture.size == (size.width, size.height)


def test_thumbs_are_4_3(media_root):
    """List thumbnails are 4:3 at 160 and 320 pixels."""
    image = make_image((1200, 675))
    assert [(s.width, s.height) for s in renditions.sizes(image, "thumb")] == [
        (160, 120),
        (320, 240),
    ]


def test_small_pictures_are_not_upscaled(media_root):
    """A picture narrower than every size gets one rendition at its own width."""
    image = make_image((300, 300))
    assert [(s.width, s.height) for s in renditions.sizes(image, "cover")] == [(300, 168)]


def test_renditions_are_made_once(media_root):
    """Saving an image again does not rewrite existing renditions."""
    image = make_image((800, 600))
    path = media_root / renditions.sizes(image, "thumb")[0].path
    before = path.stat().st_mtime_ns
    image.alt_text = "新的说明"
    image.save()
    assert path.stat().st_mtime_ns == before
    # cover-480, thumb-160, thumb-320, share-300, share-600
    assert image.renditions.count() == 5


def test_pages_do_not_make_renditions(client, media_root, monkeypatch):
    """Rendering pages with covers never generates an image."""
    column = CategoryFactory()
    ArticleFactory(category=column, cover=make_image((1600, 900)))

    def forbidden(image):
        raise AssertionError("rendition generated during a request")

    monkeypatch.setattr(renditions, "renditions_generate", forbidden)
    assert client.get(column.get_absolute_url()).status_code == 200
    assert client.get(column.department.get_absolute_url()).status_code == 200


def test_share_pictures_are_square_and_large_enough(media_root):
    """The share rendition (WeChat's card) is square, 300 and 600 pixels wide."""
    image = make_image((1600, 900))
    assert [(s.width, s.height) for s in renditions.sizes(image, "share")] == [
        (300, 300),
        (600, 600),
    ]


def test_make_renditions_fills_in_missing_ones(media_root):
    """manage.py make_renditions makes renditions an image lacks (a kind added later)."""
    from django.core.management import call_command

    image = make_image((800, 600))
    path = media_root / renditions.sizes(image, "share")[0].path
    path.unlink()
    image.renditions.filter(spec__startswith="share").delete()
    call_command("make_renditions", stdout=io.StringIO())
    assert path.is_file()
    assert image.renditions.filter(spec="share-300").exists()


def test_picture_follows_the_file_the_size_and_the_media_url(media_root, settings):
    """``picture()`` is remembered, but by everything its attributes follow from."""
    image = ImageFactory()
    first = renditions.picture(image, "cover")
    widths = [size.width for size in renditions.sizes(image, "cover")]
    assert first.srcset == ", ".join(
        f"{size.url} {size.width}w" for size in renditions.sizes(image, "cover")
    )
    assert first.width == widths[1 if len(widths) > 1 else 0]

    image.file.name = "uploads/another.jpg"
    assert "another-cover" in renditions.picture(image, "cover").src

    settings.MEDIA_URL = "/files/"
    assert renditions.picture(image, "cover").src.startswith("/files/")
    assert renditions.picture(None, "cover") is None
