import io
import struct
import zlib

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from PIL import ExifTags, ImageCms, ImageFile, ImageSequence
from PIL import Image as PILImage

from newsroom.models import Image
from newsroom.services.uploads import UploadRejected, image_create_from_upload
from tests.factories import (
    DepartmentFactory,
    StaffFactory,
    SuperuserFactory,
    UserFactory,
    image_bytes,
    member,
)

UPLOAD_URL = "/editor/images/"
ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
PAYLOAD = b"<?php system($_GET['c']); ?><script>alert(document.cookie)</script>"


# --- test files ---------------------------------------------------------------


def photo_bytes(fmt="JPEG", size=(320, 240), **save_options):
    """A picture with some detail, so encoders cannot shrink it to nothing."""
    picture = PILImage.linear_gradient("L").resize(size).convert("RGB")
    buffer = io.BytesIO()
    picture.save(buffer, fmt, **save_options)
    return buffer.getvalue()


def jpeg_with_gps():
    exif = PILImage.Exif()
    exif[ExifTags.Base.Make] = "Phone"
    exif[ExifTags.Base.Orientation] = 1
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (31.0, 1.0, 45.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (121.0, 26.0, 10.0)
    return photo_bytes("JPEG", exif=exif)


def animation(fmt="GIF", frames=4, size=(40, 30)):
    colours = ["red", "green", "blue", "yellow", "white", "black"]
    pictures = [PILImage.new("RGB", size, colours[i % len(colours)]) for i in range(frames)]
    options = {"comment": PAYLOAD} if fmt == "GIF" else {}
    buffer = io.BytesIO()
    pictures[0].save(
        buffer, fmt, save_all=True, append_images=pictures[1:], duration=120, loop=0, **options
    )
    return buffer.getvalue()


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width=20000, height=20000):
    """A PNG of a few kilobytes whose header claims width x height grey pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (width + 1) * 64, 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", rows)
        + png_chunk(b"IEND", b"")
    )


def upload(content, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files(media_root):
    if not media_root.exists():
        return []
    return [path for path in media_root.rglob("*") if path.is_file()]


def stored_uploads(media_root):
    """Stored originals, leaving out the renditions made from them."""
    return [path for path in stored_files(media_root) if "renditions" not in path.parts]


def stored_path(media_root, image):
    return media_root / image.file.name


BAD_FILES = {
    "svg": (
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>',
        "logo.svg",
        "image/svg+xml",
    ),
    "html": (b"<html><body><script>alert(1)</script></body></html>", "page.html", "text/html"),
    "html-named-jpg": (b"<!DOCTYPE html><script>alert(1)</script>", "photo.jpg", "image/jpeg"),
    "text-renamed-jpg": ("会议纪要：下周一开会。\n".encode(), "notes.jpg", "image/jpeg"),
    "empty": (b"", "empty.png", "image/png"),
    "bmp": (image_bytes("BMP"), "old.bmp", "image/bmp"),
    "tiff-named-png": (image_bytes("TIFF"), "scan.png", "image/png"),
    "truncated-jpeg": (photo_bytes("JPEG")[:1200], "cut.jpg", "image/jpeg"),
    "truncated-png": (photo_bytes("PNG")[:200], "cut.png", "image/png"),
    "decompression-bomb": (png_bomb(), "bomb.png", "image/png"),
    "moderate-bomb": (png_bomb(10000, 10000), "bomb.png", "image/png"),
}


# --- the service ----------------------------------------------------------------


@pytest.mark.django_db
def test_service_stores_a_jpeg_under_a_random_name(media_root):
    """A valid JPEG becomes an Image row and a .jpg file under uploads/YYYY/MM/."""
    user = StaffFactory()
    image = image_create_from_upload(uploaded_file=upload(photo_bytes()), user=user)

    now = timezone.localtime()
    path = stored_path(media_root, image)
    assert path.parent == media_root / "uploads" / f"{now:%Y}" / f"{now:%m}"
    assert path.suffix == ".jpg"
    assert len(path.stem) == 32 and path.stem != "photo"
    assert (image.width, image.height) == (320, 240)
    assert image.uploaded_by == user
    assert image.original_name == "photo.jpg"
    assert image.alt_text == ""
    assert image.size == path.stat().st_size
    assert Image.objects.get() == image


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fmt", "name", "extension"),
    [
        ("JPEG", "a.jpeg", ".jpg"),
        ("PNG", "a.png", ".png"),
        ("GIF", "a.gif", ".gif"),
        ("WEBP", "a.webp", ".webp"),
    ],
)
def test_service_keeps_the_format(media_root, fmt, name, extension):
    """Each accepted format is stored in the same format, with its own extension."""
    image = image_create_from_upload(uploaded_file=upload(photo_bytes(fmt), name=name), user=None)

    path = stored_path(media_root, image)
    assert path.suffix == extension
    with PILImage.open(path) as stored:
        assert stored.format == fmt
        assert stored.size == (320, 240)


@pytest.mark.django_db
def test_service_trusts_content_not_the_file_name(media_root):
    """A PNG named .jpg is stored as a .png: the decoded format decides, not the name."""
    image = image_create_from_upload(
        uploaded_file=upload(photo_bytes("PNG"), name="photo.jpg"), user=None
    )

    assert stored_path(media_root, image).suffix == ".png"


@pytest.mark.django_db
def test_service_truncates_a_long_original_name():
    """The client's file name is kept, cut to the column's 255 characters."""
    name = "新闻" * 200 + ".jpg"
    # ContentFile, unlike an UploadedFile, does not shorten the name itself.
    image = image_create_from_upload(uploaded_file=ContentFile(photo_bytes(), name), user=None)

    assert image.original_name == name[:255]


@pytest.mark.django_db
def test_service_removes_exif_gps(media_root):
    """Re-encoding drops EXIF, so a photo's GPS position is not published."""
    original = jpeg_with_gps()
    with PILImage.open(io.BytesIO(original)) as source:
        assert source.getexif().get_ifd(ExifTags.IFD.GPSInfo)

    image = image_create_from_upload(uploaded_file=upload(original), user=None)

    with PILImage.open(stored_path(media_root, image)) as stored:
        assert "exif" not in stored.info
        assert not stored.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert ExifTags.Base.Make not in stored.getexif()


@pytest.mark.django_db
def test_service_applies_exif_orientation(media_root):
    """A phone photo tagged "rotate 90°" is stored upright, since the tag itself is dropped."""
    exif = PILImage.Exif()
    exif[ExifTags.Base.Orientation] = 6
    original = photo_bytes("JPEG", size=(320, 240), exif=exif)

    image = image_create_from_upload(uploaded_file=upload(original), user=None)

    assert (image.width, image.height) == (240, 320)
    with PILImage.open(stored_path(media_root, image)) as stored:
        assert stored.size == (240, 320)
        assert stored.getexif().get(ExifTags.Base.Orientation) is None


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF", "WEBP"])
def test_service_drops_bytes_appended_after_the_image(media_root, fmt):
    """A script glued after the end of the image (a polyglot) is not stored."""
    original = photo_bytes(fmt) + PAYLOAD

    image = image_create_from_upload(uploaded_file=upload(original, name=f"x.{fmt}"), user=None)

    stored = stored_path(media_root, image).read_bytes()
    assert b"<?php" not in stored
    assert b"<script" not in stored


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["JPEG", "GIF"])
def test_service_drops_a_comment(media_root, fmt):
    """A payload hidden in a JPEG or GIF comment block is not stored."""
    original = photo_bytes(fmt, comment=PAYLOAD)
    with PILImage.open(io.BytesIO(original)) as source:
        assert source.info["comment"] == PAYLOAD

    image = image_create_from_upload(uploaded_file=upload(original, f"x.{fmt}"), user=None)

    assert b"<?php" not in stored_path(media_root, image).read_bytes()


@pytest.mark.django_db
def test_service_converts_cmyk_jpeg_to_rgb(media_root):
    """A CMYK JPEG (print artwork) is stored as RGB, without its now wrong colour profile."""
    buffer = io.BytesIO()
    PILImage.new("CMYK", (50, 40), (0, 255, 255, 0)).save(buffer, "JPEG", icc_profile=ICC)

    image = image_create_from_upload(uploaded_file=upload(buffer.getvalue()), user=None)

    with PILImage.open(stored_path(media_root, image)) as stored:
        assert stored.mode == "RGB"
        assert "icc_profile" not in stored.info


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_service_keeps_the_colour_profile(media_root, fmt):
    """A photo's ICC profile survives re-encoding, so wide-gamut phone photos keep their colours."""
    original = photo_bytes(fmt, icc_profile=ICC)

    image = image_create_from_upload(uploaded_file=upload(original, f"x.{fmt}"), user=None)

    with PILImage.open(stored_path(media_root, image)) as stored:
        assert stored.info["icc_profile"] == ICC


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["GIF", "WEBP", "PNG"])
def test_service_keeps_animation(media_root, fmt):
    """An animated GIF, WebP or PNG keeps all its frames and timing, but not a GIF comment."""
    original = animation(fmt, frames=4)

    image = image_create_from_upload(uploaded_file=upload(original, name="a.img"), user=None)

    path = stored_path(media_root, image)
    with PILImage.open(path) as stored:
        assert stored.format == fmt
        assert stored.is_animated and stored.n_frames == 4
        frames = ImageSequence.all_frames(stored)
        assert [frame.info["duration"] for frame in frames] == [120] * 4
        assert len({frame.convert("RGB").getpixel((0, 0)) for frame in frames}) == 4
    assert b"<?php" not in path.read_bytes()


@pytest.mark.django_db
def test_service_accepts_a_multi_picture_jpeg_as_jpeg(media_root):
    """A camera's MPO (a JPEG carrying a second picture) is stored as a plain JPEG."""
    buffer = io.BytesIO()
    first, second = PILImage.new("RGB", (60, 40), "red"), PILImage.new("RGB", (60, 40), "blue")
    first.save(buffer, "MPO", save_all=True, append_images=[second])

    image = image_create_from_upload(uploaded_file=upload(buffer.getvalue()), user=None)

    path = stored_path(media_root, image)
    assert path.suffix == ".jpg"
    with PILImage.open(path) as stored:
        assert stored.format == "JPEG"


@pytest.mark.django_db
@pytest.mark.parametrize("case", BAD_FILES)
def test_service_refuses_bad_files_without_writing(media_root, case):
    """Non-images, other formats, broken files and bombs are refused; nothing is stored."""
    content, name, content_type = BAD_FILES[case]

    with pytest.raises(UploadRejected) as refused:
        image_create_from_upload(uploaded_file=upload(content, name, content_type), user=None)

    assert str(refused.value.message)
    assert not Image.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("svg", "not a JPEG, PNG, GIF or WebP"),
        ("text-renamed-jpg", "not a JPEG, PNG, GIF or WebP"),
        ("bmp", "not a JPEG, PNG, GIF or WebP"),
        ("truncated-jpeg", "damaged or incomplete"),
        ("truncated-png", "damaged or incomplete"),
        ("decompression-bomb", "too many pixels"),
        ("moderate-bomb", "too many pixels"),
    ],
)
def test_service_says_why_a_file_is_refused(case, words):
    """Each kind of refusal has its own message, so the editor knows what to fix."""
    content, name, content_type = BAD_FILES[case]

    with translation.override("en"), pytest.raises(UploadRejected) as refused:
        image_create_from_upload(uploaded_file=upload(content, name, content_type), user=None)

    assert words in str(refused.value.message)


@pytest.mark.django_db
def test_service_refuses_over_size_before_reading(settings):
    """A file over NEWSROOM_UPLOAD_MAX_BYTES is refused from its size, with the limit in MB."""
    settings.NEWSROOM_UPLOAD_MAX_BYTES = 2 * 1024 * 1024

    class Unreadable(SimpleUploadedFile):
        def read(self, *args, **kwargs):
            raise AssertionError("the file was read")

    too_big = Unreadable("big.jpg", b"x", content_type="image/jpeg")
    too_big.size = 2 * 1024 * 1024 + 1

    with translation.override("en"), pytest.raises(UploadRejected) as refused:
        image_create_from_upload(uploaded_file=too_big, user=None)

    assert "the limit is 2 MB" in str(refused.value.message)


@pytest.mark.django_db
def test_service_refuses_over_pixels_before_decoding(settings, monkeypatch):
    """Too many pixels is decided from the header: the pixel data is never decoded."""
    settings.NEWSROOM_UPLOAD_MAX_PIXELS = 320 * 240 - 1

    def no_decoding(self):
        raise AssertionError("the pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)

    with translation.override("en"), pytest.raises(UploadRejected) as refused:
        image_create_from_upload(uploaded_file=upload(photo_bytes()), user=None)

    assert "too many pixels" in str(refused.value.message)


@pytest.mark.django_db
def test_service_refuses_pillow_bomb_warning_when_the_setting_allows_more(settings):
    """Past Pillow's own pixel limit the file is refused even if the setting is higher."""
    settings.NEWSROOM_UPLOAD_MAX_PIXELS = 10**12
    assert 10000 * 10000 > PILImage.MAX_IMAGE_PIXELS

    with translation.override("en"), pytest.raises(UploadRejected) as refused:
        image_create_from_upload(uploaded_file=upload(png_bomb(10000, 10000)), user=None)

    assert "too many pixels" in str(refused.value.message)


@pytest.mark.django_db
def test_service_counts_pixels_of_every_animation_frame(settings, media_root):
    """An animation's frames count together, so many small frames cannot add up to a bomb."""
    settings.NEWSROOM_UPLOAD_MAX_PIXELS = 40 * 30 * 3

    with pytest.raises(UploadRejected):
        image_create_from_upload(uploaded_file=upload(animation(frames=4), "a.gif"), user=None)

    assert stored_files(media_root) == []


@pytest.mark.django_db
def test_service_accepts_exactly_the_limits(settings):
    """The limits are inclusive: a file of exactly the maximum bytes and pixels is accepted."""
    content = photo_bytes(size=(320, 240))
    settings.NEWSROOM_UPLOAD_MAX_BYTES = len(content)
    settings.NEWSROOM_UPLOAD_MAX_PIXELS = 320 * 240

    image = image_create_from_upload(uploaded_file=upload(content), user=None)

    assert image.pk


@pytest.mark.django_db
@pytest.mark.parametrize(
    "error", [OSError("x"), ValueError("x"), SyntaxError("x"), struct.error("x"), EOFError()]
)
def test_service_turns_pillow_errors_into_refusals(monkeypatch, error):
    """Whatever Pillow raises on hostile input becomes a refusal, never a server error."""

    def broken_load(self):
        raise error

    monkeypatch.setattr(ImageFile.ImageFile, "load", broken_load)

    with pytest.raises(UploadRejected):
        image_create_from_upload(uploaded_file=upload(photo_bytes()), user=None)


@pytest.mark.django_db
def test_service_refuses_to_run_with_truncated_loading_on(monkeypatch):
    """If something turns on LOAD_TRUNCATED_IMAGES, uploads stop instead of storing broken files."""
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)

    with pytest.raises(ImproperlyConfigured):
        image_create_from_upload(uploaded_file=upload(photo_bytes()), user=None)


def test_truncated_loading_is_off():
    """No installed app switches Pillow into accepting truncated files."""
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


# --- the view -----------------------------------------------------------------


def test_upload_url_name():
    """The editor's upload URL is the one django-ckeditor-5 is configured to use."""
    assert reverse("newsroom:editor-image-upload") == UPLOAD_URL


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fmt", "name", "content_type"),
    [
        ("JPEG", "校园.jpg", "image/jpeg"),
        ("PNG", "logo.png", "image/png"),
        ("GIF", "anim.gif", "image/gif"),
        ("WEBP", "photo.webp", "image/webp"),
    ],
)
def test_view_accepts_an_image(staff_client, media_root, fmt, name, content_type):
    """A staff upload answers 200 with the URL CKEditor inserts, and stores the file."""
    response = staff_client.post(
        UPLOAD_URL, {"upload": upload(photo_bytes(fmt), name, content_type)}
    )

    assert response.status_code == 200
    image = Image.objects.get()
    assert response.json() == {
        "url": image.url,
        "id": image.pk,
        "width": 320,
        "height": 240,
    }
    now = timezone.localtime()
    assert response.json()["url"].startswith(f"/media/uploads/{now:%Y}/{now:%m}/")
    assert name not in image.file.name
    assert image.uploaded_by == staff_client.user
    assert image.original_name == name
    assert stored_uploads(media_root) == [stored_path(media_root, image)]


@pytest.mark.django_db
@pytest.mark.parametrize("case", BAD_FILES)
def test_view_refuses_bad_files(staff_client, media_root, case):
    """A refused file answers 400 with the JSON error CKEditor shows; nothing is stored."""
    content, name, content_type = BAD_FILES[case]

    response = staff_client.post(UPLOAD_URL, {"upload": upload(content, name, content_type)})

    assert response.status_code == 400
    assert response.json()["error"]["message"]
    assert not Image.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.django_db
def test_view_refuses_over_size_by_setting(staff_client, settings, media_root):
    """A valid image over NEWSROOM_UPLOAD_MAX_BYTES is refused with a message naming the limit."""
    content = photo_bytes()
    settings.NEWSROOM_UPLOAD_MAX_BYTES = len(content) - 1

    response = staff_client.post(UPLOAD_URL, {"upload": upload(content)}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "MB" in response.json()["error"]["message"]
    assert not Image.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.django_db
def test_view_refuses_over_pixels_by_setting(staff_client, settings, media_root):
    """A valid image over NEWSROOM_UPLOAD_MAX_PIXELS is refused with a pixel message."""
    settings.NEWSROOM_UPLOAD_MAX_PIXELS = 320 * 240 - 1

    response = staff_client.post(
        UPLOAD_URL, {"upload": upload(photo_bytes())}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert "pixels" in response.json()["error"]["message"]
    assert not Image.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.django_db
def test_view_refuses_a_file_larger_than_the_request_data_limit(settings, media_root):
    """A file over DATA_UPLOAD_MAX_MEMORY_SIZE is streamed, not a 500: the size rule answers."""
    assert settings.NEWSROOM_UPLOAD_MAX_BYTES > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    content = photo_bytes() + b"\0" * settings.NEWSROOM_UPLOAD_MAX_BYTES
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(member(DepartmentFactory(), "editor"))
    client.get(reverse("admin:index"))

    response = client.post(
        UPLOAD_URL,
        {"upload": upload(content)},
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )

    assert response.status_code == 400
    assert "MB" in response.json()["error"]["message"]
    assert stored_files(media_root) == []


@pytest.mark.django_db
def test_view_answers_json_when_form_data_is_too_big(staff_client, settings):
    """Form fields over DATA_UPLOAD_MAX_MEMORY_SIZE give the JSON 400, not a server error."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024

    response = staff_client.post(
        UPLOAD_URL, {"upload": upload(photo_bytes()), "padding": "x" * 2048}
    )

    assert response.status_code == 400
    assert response.json()["error"]["message"]
    assert not Image.objects.exists()


@pytest.mark.django_db
def test_view_answers_json_when_too_many_files_are_sent(staff_client, settings):
    """More files than DATA_UPLOAD_MAX_NUMBER_FILES give the JSON 400, not a server error."""
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    files = [upload(photo_bytes(), f"{n}.jpg") for n in range(3)]

    response = staff_client.post(UPLOAD_URL, {"upload": files})

    assert response.status_code == 400
    assert response.json()["error"]["message"]
    assert not Image.objects.exists()


@pytest.mark.django_db
def test_view_with_csrf_checks_answers_400_when_form_data_is_too_big(settings):
    """With CSRF checks on, over-size form data is still a 400 (Django's page), never a 500."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    client = Client(enforce_csrf_checks=True)
    client.force_login(member(DepartmentFactory(), "editor"))
    client.get(reverse("admin:index"))

    response = client.post(
        UPLOAD_URL,
        {"upload": upload(photo_bytes()), "padding": "x" * 2048},
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )

    assert response.status_code == 400
    assert not Image.objects.exists()


@pytest.mark.django_db
def test_view_requires_the_upload_field(staff_client):
    """A POST without the ``upload`` field is a 400 with a JSON error."""
    response = staff_client.post(
        UPLOAD_URL, {"file": upload(photo_bytes())}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert response.json() == {"error": {"message": "No file was uploaded."}}


@pytest.mark.django_db
def test_view_refuses_anonymous_with_json(client, media_root):
    """An anonymous upload gets a JSON 403 the editor can show, not a login redirect."""
    response = client.post(UPLOAD_URL, {"upload": upload(photo_bytes())})

    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["message"]
    assert not Image.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.django_db
def test_view_refuses_non_staff_with_json(client, media_root):
    """A logged-in user who is not staff gets a JSON 403 and nothing is stored."""
    client.force_login(UserFactory())

    response = client.post(UPLOAD_URL, {"upload": upload(photo_bytes())})

    assert response.status_code == 403
    assert response.json()["error"]["message"]
    assert not Image.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.django_db
def test_view_refuses_inactive_staff(client):
    """A staff account that has been deactivated can no longer upload."""
    client.force_login(StaffFactory(is_active=False))

    response = client.post(UPLOAD_URL, {"upload": upload(photo_bytes())})

    assert response.status_code == 403


@pytest.mark.django_db
def test_view_is_post_only(staff_client):
    """GET is not an upload: 405."""
    response = staff_client.get(UPLOAD_URL)

    assert response.status_code == 405


@pytest.mark.django_db
def test_view_enforces_csrf(media_root):
    """Without the CSRF token the upload is refused; with the X-CSRFToken header it succeeds."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(member(DepartmentFactory(), "editor"))
    client.get(reverse("admin:index"))
    token = client.cookies["csrftoken"].value

    refused = client.post(UPLOAD_URL, {"upload": upload(photo_bytes())})
    accepted = client.post(UPLOAD_URL, {"upload": upload(photo_bytes())}, HTTP_X_CSRFTOKEN=token)

    assert refused.status_code == 403
    assert accepted.status_code == 200
    assert Image.objects.count() == 1
    assert len(stored_uploads(media_root)) == 1


@pytest.mark.django_db
def test_view_refuses_staff_without_a_membership(client, media_root):
    """Staff who write in no department cannot upload; a site admin can."""
    client.force_login(StaffFactory())
    response = client.post(UPLOAD_URL, {"upload": upload(photo_bytes())})
    assert response.status_code == 403
    assert not Image.objects.exists()

    client.force_login(SuperuserFactory())
    assert client.post(UPLOAD_URL, {"upload": upload(photo_bytes())}).status_code == 200
