"""Article attachments (附件): what may be attached, downloads, the admin inline."""

import io
import os
import struct
import zipfile
from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext

from newsroom.admin.attachments import AttachmentInline, save_attachment_formset
from newsroom.admin.content import ArticleAdmin
from newsroom.models import Article, Attachment
from newsroom.services import attachments as service
from newsroom.services.attachments import AttachmentRejected, attachment_create
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    SuperuserFactory,
    article_change_data,
    image_bytes,
    member,
)

pytestmark = pytest.mark.django_db

BROWSER_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0 Safari/537.36"
)
OOXML = "application/vnd.openxmlformats-officedocument"


# --- test files ---------------------------------------------------------------------


def pdf_bytes():
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def zip_bytes(entries, compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def ooxml_bytes(part):
    main = {"word/": "word/document.xml", "xl/": "xl/workbook.xml", "ppt/": "ppt/presentation.xml"}
    types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
    )
    return zip_bytes(
        {"[Content_Types].xml": types, "_rels/.rels": "<Relationships/>", main[part]: "<x/>"}
    )


def ole_bytes(stream="WordDocument"):
    """A minimal OLE2 compound file: the header and one directory sector."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HH", header, 0x1E, 9, 6)  # 512-byte sectors
    struct.pack_into("<I", header, 0x30, 0)  # the directory starts at sector 0

    def entry(name, kind):
        slot = bytearray(128)
        encoded = name.encode("utf-16-le")
        slot[: len(encoded)] = encoded
        struct.pack_into("<HB", slot, 64, len(encoded) + 2, kind)
        return bytes(slot)

    directory = entry("Root Entry", 5) + entry(stream, 2) + bytes(256)
    return bytes(header) + directory + bytes(512)


def upload(name, data):
    return SimpleUploadedFile(name, data, "application/octet-stream")


def stored_files(private_root):
    return [f for _root, _dirs, files in os.walk(private_root) for f in files]


def attach(article, filename, data, **kwargs):
    return attachment_create(
        article=article, uploaded_file=upload(filename, data), user=None, **kwargs
    )


# --- what may be attached -----------------------------------------------------------------

ACCEPTED = [
    ("2024年招生简章（最终版）.pdf", pdf_bytes(), "application/pdf", "pdf"),
    ("通知.docx", ooxml_bytes("word/"), f"{OOXML}.wordprocessingml.document", "docx"),
    ("成绩.xlsx", ooxml_bytes("xl/"), f"{OOXML}.spreadsheetml.sheet", "xlsx"),
    ("汇报.pptx", ooxml_bytes("ppt/"), f"{OOXML}.presentationml.presentation", "pptx"),
    ("旧表格.doc", ole_bytes("WordDocument"), "application/msword", "doc"),
    ("旧表格.xls", ole_bytes("Workbook"), "application/vnd.ms-excel", "xls"),
    ("资料.zip", zip_bytes({"说明.txt": "你好"}), "application/zip", "zip"),
    ("合影.png", image_bytes("PNG"), "image/png", "png"),
    ("合影.jpeg", image_bytes("JPEG"), "image/jpeg", "jpg"),
    ("名单.txt", "张三\n李四\n".encode(), "text/plain; charset=utf-8", "txt"),
    ("名单.csv", "姓名,学号\n张三,1\n".encode("gb18030"), "text/csv; charset=gb18030", "csv"),
]


@pytest.mark.parametrize(
    "name,data,content_type,extension", ACCEPTED, ids=[row[0] for row in ACCEPTED]
)
def test_allowed_files_are_accepted_by_content(name, data, content_type, extension, private_root):
    """Each allowed kind is stored under a random name with the detected content type."""
    article = ArticleFactory()
    attachment = attach(article, name, data)
    attachment.refresh_from_db()
    assert attachment.name == name
    assert attachment.content_type == content_type
    assert attachment.size == len(data)
    assert attachment.file.name.startswith("attachments/")
    assert attachment.file.name.endswith(f".{extension}")
    assert name.rsplit(".", 1)[0] not in attachment.file.name
    with attachment.file.open("rb") as stored:
        assert stored.read() == data


PROGRAMS = "Programs and scripts cannot be attached."
MARKUP = "Web pages, SVG images and scripts cannot be attached."
UNKNOWN = (
    "This kind of file cannot be attached. Allowed are PDF, Word, Excel, PowerPoint, "
    "OpenDocument, ZIP, RAR and 7z archives, JPEG, PNG, GIF and WebP images, and "
    "TXT and CSV text files."
)
NOT_TEXT = "The file is not plain text in UTF-8 or GB18030 (GBK)."
MISMATCH = "The content of the file does not match its extension “.%(extension)s”."


def refused_cases():
    html = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
    return [
        ("setup.exe", b"MZ\x90\x00" + bytes(200), PROGRAMS),
        ("说明.pdf", b"MZ\x90\x00" + bytes(200), PROGRAMS),
        ("报告.pdf", b"\x7fELF\x02\x01\x01" + bytes(200), PROGRAMS),
        ("run.txt", b"#!/bin/sh\nrm -rf /\n", PROGRAMS),
        ("install.msi", ole_bytes("Root"), PROGRAMS),
        ("page.pdf", html, MARKUP),
        ("page.txt", b"\xef\xbb\xbf  <HTML>", MARKUP),
        ("logo.svg", svg, MARKUP),
        ("readme.txt", b"hello <script>alert(1)</script>", MARKUP),
        ("text.pdf", b"%PDF-1.4\n<svg onload=alert(1)>", MARKUP),
        ("数据.xml", b"<?xml version='1.0'?><a/>", UNKNOWN),
        ("mystery.bin", bytes(range(256)) * 8, UNKNOWN),
        ("无扩展名", pdf_bytes(), UNKNOWN),
        ("note.txt", b"<?xml version='1.0'?><a/>", NOT_TEXT),
        ("note.txt", "你好".encode("utf-16"), NOT_TEXT),
        ("note.txt", b"abc\x00def", NOT_TEXT),
        ("论文.docx", pdf_bytes(), MISMATCH),
        ("论文.pdf", zip_bytes({"a.txt": "x"}), MISMATCH),
        ("论文.pdf", b"\x00\x01garbage" * 100, MISMATCH),
        ("论文.docx", zip_bytes({"a.txt": "x"}), MISMATCH),
        ("表格.xlsx", ooxml_bytes("word/"), MISMATCH),
        ("旧文档.doc", ole_bytes("Root"), MISMATCH),
        ("旧表格.xls", ole_bytes("WordDocument"), MISMATCH),
        ("照片.jpg", image_bytes("PNG"), MISMATCH),
        (
            "照片.png",
            image_bytes("PNG")[:60],
            "The image is damaged or incomplete and cannot be read.",
        ),
        ("资料.zip", b"PK\x03\x04" + bytes(100), "The archive is damaged and cannot be read."),
        ("空.pdf", b"", "The file is empty."),
    ]


@pytest.mark.parametrize(
    "name,data,message", refused_cases(), ids=[f"{i}-{c[0]}" for i, c in enumerate(refused_cases())]
)
def test_refused_files_store_nothing(name, data, message, private_root):
    """A refused file raises the user-facing message and leaves no file and no row."""
    article = ArticleFactory()
    with pytest.raises(AttachmentRejected) as rejected:
        attach(article, name, data)
    assert rejected.value.message == gettext(message) % {"extension": name.rsplit(".", 1)[-1]}
    assert not Attachment.objects.exists()
    assert stored_files(private_root) == []


def test_too_large_file_is_refused(settings, private_root):
    """NEWSROOM_ATTACHMENT_MAX_BYTES caps the size, checked before anything is read."""
    settings.NEWSROOM_ATTACHMENT_MAX_BYTES = 100
    data = pdf_bytes() + bytes(100)
    with pytest.raises(AttachmentRejected) as rejected:
        attach(ArticleFactory(), "大文件.pdf", data)
    megabytes = f"{len(data) / (1024 * 1024):.3g}"
    assert rejected.value.message == gettext(
        "The file is too large (%(size)s MB); the limit is %(limit)s MB."
    ) % {"size": megabytes, "limit": f"{100 / (1024 * 1024):.3g}"}
    assert not Attachment.objects.exists()
    assert stored_files(private_root) == []


def test_size_limit_defaults_to_50_megabytes(settings):
    """Without the setting the limit is 50 MB."""
    del settings.NEWSROOM_ATTACHMENT_MAX_BYTES
    assert service.max_bytes() == 50 * 1024 * 1024


def test_zip_bomb_is_refused(private_root):
    """An archive that unpacks to far more than it weighs is refused."""
    bomb = zip_bytes({"zeros.bin": bytes(20 * 1024 * 1024)})
    assert len(bomb) < 100_000
    with pytest.raises(AttachmentRejected) as rejected:
        attach(ArticleFactory(), "资料.zip", bomb)
    assert rejected.value.message == gettext(
        "The archive unpacks to too many files or too much data."
    )
    assert stored_files(private_root) == []


def test_zip_with_too_many_entries_is_refused(monkeypatch):
    """An archive with more entries than the limit is refused."""
    monkeypatch.setattr(service, "ZIP_MAX_ENTRIES", 3)
    archive = zip_bytes({f"{i}.txt": "x" for i in range(4)})
    with pytest.raises(AttachmentRejected):
        attach(ArticleFactory(), "资料.zip", archive)
    assert attach(ArticleFactory(), "资料.zip", zip_bytes({"1.txt": "x"})).pk


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("C:\\Users\\张三\\桌面\\通知.pdf", "通知.pdf"),
        ("../../etc/通知.pdf", "通知.pdf"),
        ("报告\n\r\t\x00.pdf", "报告.pdf"),
        ("\u202efdp.exe", "fdp.exe.pdf"),
        ("招生简章", "招生简章.pdf"),
        ("   ", "attachment.pdf"),
        ("名" * 300 + ".pdf", "名" * 251 + ".pdf"),
    ],
)
def test_attachment_name_is_cleaned(raw, expected):
    """The name readers see is a base name without control characters, ending in .pdf."""
    assert service.attachment_name(raw, extension="pdf") == expected


def test_explicit_name_overrides_the_uploaded_one():
    """A name given by the editor is used, with the real extension added."""
    attachment = attach(ArticleFactory(), "scan0001.pdf", pdf_bytes(), name="2024年招生简章")
    assert attachment.name == "2024年招生简章.pdf"


# --- downloads --------------------------------------------------------------------------


def download_count(attachment):
    return Attachment.objects.values_list("download_count", flat=True).get(pk=attachment.pk)


@pytest.fixture
def published_attachment():
    return attach(ArticleFactory(), "2024年招生简章（最终版）.pdf", pdf_bytes())


def test_download_url_name_resolves():
    """The URL name attachment-download maps attachments/<pk>/ to the download view."""
    assert reverse("newsroom:attachment-download", args=[7]) == "/attachments/7/"
    assert resolve("/attachments/7/").func.view_class.__name__ == "AttachmentDownloadView"


def test_download_streams_the_file_with_a_chinese_name(client, published_attachment):
    """The file comes with its stored type, nosniff and an RFC 5987 Chinese file name."""
    response = client.get(published_attachment.get_absolute_url(), HTTP_USER_AGENT=BROWSER_UA)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes()
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")
    encoded = disposition.split("filename*=utf-8''", 1)[1]
    assert unquote(encoded, encoding="utf-8") == "2024年招生简章（最终版）.pdf"
    assert encoded.isascii()


def test_download_header_survives_quotes_semicolons_and_newlines(client):
    """Hostile characters in a name cannot break or extend the header."""
    attachment = attach(ArticleFactory(), 'a";b\r\nSet-Cookie: x=1;.pdf', pdf_bytes())
    Attachment.objects.filter(pk=attachment.pk).update(name='报告";\n x=1 .pdf')
    response = client.get(attachment.get_absolute_url(), HTTP_USER_AGENT=BROWSER_UA)
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert "\n" not in disposition and "\r" not in disposition
    encoded = disposition.split("filename*=utf-8''", 1)[1]
    assert ";" not in encoded and '"' not in encoded
    assert unquote(encoded) == '报告";\n x=1 .pdf'
    assert "Set-Cookie: x=1" not in str(response.cookies)


def test_download_counts_once_per_visitor_window(client, published_attachment):
    """A second download by the same visitor inside the window does not count."""
    url = published_attachment.get_absolute_url()
    assert client.get(url, HTTP_USER_AGENT=BROWSER_UA).status_code == 200
    assert download_count(published_attachment) == 1
    assert client.get(url, HTTP_USER_AGENT=BROWSER_UA).status_code == 200
    assert download_count(published_attachment) == 1
    Client(REMOTE_ADDR="10.0.0.2").get(url, HTTP_USER_AGENT=BROWSER_UA)
    assert download_count(published_attachment) == 2


def test_download_window_is_per_attachment_not_per_article(client):
    """Downloading another attachment of the same article counts it too."""
    article = ArticleFactory()
    first = attach(article, "一.pdf", pdf_bytes())
    second = attach(article, "二.pdf", pdf_bytes())
    client.get(first.get_absolute_url(), HTTP_USER_AGENT=BROWSER_UA)
    client.get(second.get_absolute_url(), HTTP_USER_AGENT=BROWSER_UA)
    assert download_count(first) == download_count(second) == 1


def test_head_does_not_count(client, published_attachment):
    """HEAD answers the headers and never counts."""
    response = client.head(published_attachment.get_absolute_url(), HTTP_USER_AGENT=BROWSER_UA)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert download_count(published_attachment) == 0


@pytest.mark.parametrize("agent", ["Baiduspider/2.0", "curl/8.4.0", ""])
def test_bots_do_not_count(client, published_attachment, agent):
    """Crawlers and scripted clients get the file without counting."""
    response = client.get(published_attachment.get_absolute_url(), HTTP_USER_AGENT=agent)
    assert response.status_code == 200
    assert download_count(published_attachment) == 0


INVISIBLE = [
    {"status": Article.Status.DRAFT},
    {"status": Article.Status.PENDING},
    {"status": Article.Status.TAKEN_DOWN},
    {"publish_at": timezone.now() + timedelta(days=1)},
]


@pytest.mark.parametrize("overrides", INVISIBLE, ids=["draft", "pending", "taken-down", "future"])
def test_attachment_of_invisible_article_is_404(client, overrides):
    """Visitors get a 404 for attachments of articles they cannot see, and nothing counts."""
    attachment = attach(ArticleFactory(**overrides), "草稿.pdf", pdf_bytes())
    response = client.get(attachment.get_absolute_url(), HTTP_USER_AGENT=BROWSER_UA)
    assert response.status_code == 404
    assert client.head(attachment.get_absolute_url()).status_code == 404
    assert download_count(attachment) == 0


def test_unknown_attachment_is_404(client):
    """An id that does not exist is a 404."""
    assert client.get("/attachments/999999/", HTTP_USER_AGENT=BROWSER_UA).status_code == 404


def test_missing_file_is_404(client, published_attachment):
    """A row whose file is gone from storage is a 404, not a 500."""
    published_attachment.file.storage.delete(published_attachment.file.name)
    response = client.get(published_attachment.get_absolute_url(), HTTP_USER_AGENT=BROWSER_UA)
    assert response.status_code == 404


def test_staff_who_may_edit_preview_drafts_without_counting():
    """An editor of the department downloads a draft's attachment; it does not count."""
    article = ArticleFactory(status=Article.Status.DRAFT)
    attachment = attach(article, "草稿.pdf", pdf_bytes())
    editor = member(article.category.department, "editor")
    client = Client()
    client.force_login(editor)
    response = client.get(attachment.get_absolute_url(), HTTP_USER_AGENT=BROWSER_UA)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes()
    assert "no-store" in response["Cache-Control"]
    assert download_count(attachment) == 0


def test_staff_of_another_department_cannot_preview():
    """Staff without edit rights on the article get the visitors' 404."""
    attachment = attach(ArticleFactory(status=Article.Status.DRAFT), "草稿.pdf", pdf_bytes())
    outsider = member(CategoryFactory().department, "editor", username="outsider")
    client = Client()
    client.force_login(outsider)
    response = client.get(attachment.get_absolute_url(), HTTP_USER_AGENT=BROWSER_UA)
    assert response.status_code == 404


def test_service_counts_with_a_database_increment(published_attachment):
    """The service reports what it did and the stored count moves by one."""
    counted, found = service.attachment_download_record(
        attachment_id=published_attachment.pk, visitor_ids=["v1"], user_agent=BROWSER_UA
    )
    assert counted and found == published_attachment
    Attachment.objects.filter(pk=published_attachment.pk).update(download_count=41)
    counted, _found = service.attachment_download_record(
        attachment_id=published_attachment.pk, visitor_ids=["v2"], user_agent=BROWSER_UA
    )
    assert counted and download_count(published_attachment) == 42


def test_attachment_list_template():
    """The 附件 list links each attachment with its size and download count."""
    attachment = attach(ArticleFactory(), "2024年招生简章.pdf", pdf_bytes())
    Attachment.objects.filter(pk=attachment.pk).update(download_count=12)
    attachment.refresh_from_db()
    html = render_to_string("includes/attachments.html", {"attachments": [attachment]})
    assert f'href="{attachment.get_absolute_url()}"' in html
    assert "2024年招生简章.pdf" in html
    assert gettext("Attachments") in html
    assert f"{gettext('Downloads:')} 12" in html
    assert "字节" in html or "bytes" in html
    assert render_to_string("includes/attachments.html", {"attachments": []}).strip() == ""


# --- the admin inline -------------------------------------------------------------------


def inline_data(files, *, initial=0, extra_fields=None):
    """The POST fields of the attachments inline (prefix ``attachments``)."""
    data = {
        "attachments-TOTAL_FORMS": str(len(files)),
        "attachments-INITIAL_FORMS": str(initial),
        "attachments-MIN_NUM_FORMS": "0",
        "attachments-MAX_NUM_FORMS": "1000",
    }
    for index, uploaded in enumerate(files):
        data[f"attachments-{index}-file"] = uploaded
        data[f"attachments-{index}-name"] = ""
        data[f"attachments-{index}-order"] = str(index)
    data.update(extra_fields or {})
    return data


def inline_formset(request, article, data):
    inline = AttachmentInline(Article, admin.site)
    formset_class = inline.get_formset(request, article)
    if not data:
        return formset_class(instance=article, prefix="attachments")
    files = {k: v for k, v in data.items() if hasattr(v, "read")}
    fields = {k: v for k, v in data.items() if k not in files}
    return formset_class(fields, files, instance=article, prefix="attachments")


def admin_request():
    request = RequestFactory().post("/admin/")
    request.user = SuperuserFactory(username="siteadmin")
    return request


def test_inline_formset_stores_by_the_service_rules(private_root):
    """An upload through the inline gets a random name, the detected type and its uploader."""
    article = ArticleFactory()
    request = admin_request()
    formset = inline_formset(
        request, article, inline_data([upload("2024年招生简章.PDF", pdf_bytes())])
    )
    assert formset.is_valid(), formset.errors
    save_attachment_formset(request, formset)
    attachment = Attachment.objects.get()
    assert attachment.name == "2024年招生简章.PDF"
    assert attachment.content_type == "application/pdf"
    assert attachment.size == len(pdf_bytes())
    assert attachment.uploaded_by == request.user
    assert attachment.file.name.endswith(".pdf") and "招生" not in attachment.file.name


def test_inline_formset_shows_refusals_as_errors(private_root):
    """A refused file is a form error on the file field; nothing is stored."""
    article = ArticleFactory()
    formset = inline_formset(
        admin_request(), article, inline_data([upload("报告.pdf", b"MZ" + bytes(100))])
    )
    assert not formset.is_valid()
    assert formset.forms[0].errors["file"] == [gettext("Programs and scripts cannot be attached.")]
    assert stored_files(private_root) == []


def test_inline_replacing_a_file_deletes_the_old_one(
    private_root, django_capture_on_commit_callbacks
):
    """A new file for an existing attachment is validated, typed and replaces the old file."""
    article = ArticleFactory()
    attachment = attach(article, "旧.pdf", pdf_bytes())
    old_name = attachment.file.name
    request = admin_request()
    data = {
        **inline_data([upload("新.docx", ooxml_bytes("word/"))], initial=1),
        "attachments-0-id": str(attachment.pk),
        "attachments-0-article": str(article.pk),
    }
    formset = inline_formset(request, article, data)
    assert formset.is_valid(), formset.errors
    with django_capture_on_commit_callbacks(execute=True):
        save_attachment_formset(request, formset)
    attachment.refresh_from_db()
    assert attachment.name == "新.docx"
    assert attachment.content_type == f"{OOXML}.wordprocessingml.document"
    assert attachment.uploaded_by == request.user
    assert stored_files(private_root) == [attachment.file.name.rsplit("/", 1)[-1]]
    assert not attachment.file.storage.exists(old_name)


def test_inline_links_stored_files_to_the_download_view():
    """The admin shows a stored file by its name, linked to the download view, not /media/."""
    article = ArticleFactory()
    attachment = attach(article, "招生简章.pdf", pdf_bytes())
    formset = inline_formset(admin_request(), article, {})
    widget = str(formset.forms[0]["file"])
    assert f'href="{attachment.get_absolute_url()}"' in widget
    assert "招生简章.pdf" in widget
    assert attachment.file.name not in widget
    assert "/media/" not in widget
    with pytest.raises(ValueError):
        attachment.file.url  # noqa: B018 — private files have no URL at all


def test_inline_formset_deletes_removed_files(private_root, django_capture_on_commit_callbacks):
    """Deleting an attachment in the inline removes its row and, on commit, its file."""
    article = ArticleFactory()
    attachment = attach(article, "旧.pdf", pdf_bytes())
    request = admin_request()
    data = inline_data(
        [],
        initial=1,
        extra_fields={
            "attachments-TOTAL_FORMS": "1",
            "attachments-0-id": str(attachment.pk),
            "attachments-0-article": str(article.pk),
            "attachments-0-name": attachment.name,
            "attachments-0-order": "0",
            "attachments-0-DELETE": "on",
        },
    )
    formset = inline_formset(request, article, data)
    assert formset.is_valid(), formset.errors
    with django_capture_on_commit_callbacks(execute=True):
        save_attachment_formset(request, formset)
    assert not Attachment.objects.exists()
    assert stored_files(private_root) == []


wired = pytest.mark.skipif(
    not ArticleAdmin.inlines, reason="AttachmentInline is not wired into ArticleAdmin yet"
)


@wired
def test_admin_change_form_uploads_an_attachment(admin_client_user):
    """A superuser attaches a file through the article change form."""
    article = ArticleFactory(status=Article.Status.DRAFT)
    url = reverse("admin:newsroom_article_change", args=[article.pk])
    assert 'name="attachments-TOTAL_FORMS"' in admin_client_user.get(url).text
    data = article_change_data(article, **inline_data([upload("招生简章.pdf", pdf_bytes())]))
    response = admin_client_user.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    attachment = Attachment.objects.get(article=article)
    assert attachment.name == "招生简章.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.uploaded_by == admin_client_user.user
    assert f'href="{attachment.get_absolute_url()}"' in admin_client_user.get(url).text


@wired
def test_admin_change_form_shows_refused_attachment_as_error(admin_client_user, private_root):
    """A refused file re-shows the form with the refusal; nothing is stored."""
    article = ArticleFactory(status=Article.Status.DRAFT)
    url = reverse("admin:newsroom_article_change", args=[article.pk])
    data = article_change_data(article, **inline_data([upload("简章.pdf", b"<html>hi</html>")]))
    response = admin_client_user.post(url, data)
    assert response.status_code == 200
    message = gettext("Web pages, SVG images and scripts cannot be attached.")
    assert message in response.text
    assert not Attachment.objects.exists()
    assert stored_files(private_root) == []
