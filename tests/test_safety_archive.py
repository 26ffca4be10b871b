"""内容安全: attachments of every listed type, the archive command and the admin report."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from newsroom.models import Article, ScanFinding, ScanRequest, WordEntry, WordList
from newsroom.services import moderation, revisions, safety
from newsroom.services.attachments import attachment_create
from tests.factories import ArticleFactory, CategoryFactory, member, seen_now

pytestmark = pytest.mark.django_db
ID_NUMBER = "11010519491231002X"


def pdf_bytes(text: str) -> bytes:
    """A one-page PDF whose text layer says ``text`` (ASCII), or none when empty."""
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode() if text else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def docx_bytes(paragraph, cell):
    import docx

    document = docx.Document()
    document.add_paragraph(paragraph)
    document.add_table(rows=1, cols=1).rows[0].cells[0].text = cell
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes(rows):
    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pptx_bytes(text):
    import pptx
    from pptx.util import Inches

    presentation = pptx.Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[6])
    slide.shapes.add_textbox(Inches(1), Inches(1), Inches(4), Inches(1)).text_frame.text = text
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()


@pytest.fixture
def site():
    column = CategoryFactory(slug="news", department__slug="info", department__name="信息学院")
    other = CategoryFactory(slug="notes", department__slug="law", department__name="法学院")
    return {
        "column": column,
        "other": other,
        "editor": member(column.department, "editor", username="zhang-editor"),
        "reviewer": member(column.department, "reviewer", username="li-reviewer"),
    }


def attach(article, name, data):
    return attachment_create(
        article=article, uploaded_file=SimpleUploadedFile(name, data), user=None
    )


def attachment_hits(article):
    return [
        (hit.kind, hit.matched)
        for hit in safety.article_check(article=article).hits
        if hit.field.startswith("attachment:")
    ]


@pytest.mark.parametrize(
    "name,data,expected",
    [
        ("名单.docx", lambda: docx_bytes("联系电话13812345678", ID_NUMBER), {"mobile", "id_card"}),
        ("名单.xlsx", lambda: xlsx_bytes([["姓名", "身份证号"], ["王五", ID_NUMBER]]), {"id_card"}),
        ("手机.xlsx", lambda: xlsx_bytes([["王五", 13812345678]]), {"mobile"}),
        ("汇报.pptx", lambda: pptx_bytes("我们要再接再励"), {"易错词"}),
        ("名单.pdf", lambda: pdf_bytes(f"ID {ID_NUMBER} Tel 13812345678"), {"id_card", "mobile"}),
        ("名单.txt", lambda: "王五 再接再励 13812345678".encode("gb18030"), {"易错词", "mobile"}),
        ("名单.csv", lambda: f"姓名,身份证号\n王五,{ID_NUMBER}\n".encode(), {"id_card"}),
    ],
)
def test_attachment_text_of_every_listed_type_is_checked(site, name, data, expected):
    """.docx, .xlsx, .pptx, .pdf (text layer), .txt and .csv attachments are read and checked."""
    article = ArticleFactory(category=site["column"], body="<p>公示</p>")
    attach(article, name, data())
    assert {kind for kind, _matched in attachment_hits(article)} == expected


@pytest.mark.parametrize(
    "name,data",
    [
        ("扫描件.pdf", lambda: pdf_bytes("")),
        ("打包.zip", lambda: xlsx_bytes([["x"]])),  # a ZIP is not read
    ],
)
def test_unreadable_attachments_are_reported(site, name, data):
    """A PDF without a text layer, or a type that is not read, is reported, not passed."""
    article = ArticleFactory(category=site["column"], body="<p>公示</p>")
    attach(article, name, data())
    assert [kind for kind, _matched in attachment_hits(article)] == ["unreadable"]


def test_attachment_text_is_extracted_once(site):
    """The second check reads the kept text, not the file."""
    article = ArticleFactory(category=site["column"], body="<p>公示</p>")
    attachment = attach(article, "名单.csv", f"{ID_NUMBER}\n".encode())
    safety.attachment_content(attachment)
    attachment.file.storage.delete(attachment.file.name)
    assert ID_NUMBER in safety.attachment_content(attachment)[0]


def test_personal_information_in_an_attachment_blocks_submission(site):
    """An ID number in a spreadsheet stops the submission and is named masked."""
    article = Article(category=site["column"], title="奖学金公示", body="<p>名单见附件</p>")
    revisions.article_save(article=article, user=site["editor"])
    attach(article, "名单.xlsx", xlsx_bytes([["王五", ID_NUMBER]]))
    with pytest.raises(safety.ContentBlocked) as refused:
        moderation.article_submit(article=article, user=site["editor"])
    assert "110105********002X" in refused.value.message
    assert "名单.xlsx" in refused.value.message


def test_an_unread_attachment_needs_the_reviewers_tick(site):
    """A scanned PDF is approved only once the reviewer ticks that they checked it."""
    article = Article(category=site["column"], title="录取名单", body="<p>名单见附件</p>")
    revisions.article_save(article=article, user=site["editor"])
    attach(article, "扫描件.pdf", pdf_bytes(""))
    moderation.article_submit(article=article, user=site["editor"])
    article = Article.objects.get(pk=article.pk)
    with pytest.raises(safety.ConfirmationNeeded):
        moderation.article_approve(article=article, user=site["reviewer"], seen=seen_now(article))
    keys = [hit.key for hit in safety.article_check(article=article).to_confirm]
    moderation.article_approve(
        article=article, user=site["reviewer"], seen=seen_now(article), confirmed=keys
    )
    assert Article.objects.get(pk=article.pk).status == Article.Status.PUBLISHED


# --- the archive ----------------------------------------------------------------


@pytest.fixture
def archive(site):
    articles = {
        "id": ArticleFactory(category=site["column"], body=f"<p>王五 {ID_NUMBER}</p>"),
        "word": ArticleFactory(category=site["other"], body="<p>我们要再接再励</p>"),
        "clean": ArticleFactory(category=site["column"], body="<p>座机010-62751234</p>"),
        "draft": ArticleFactory(
            category=site["column"], body="<p>13812345678</p>", status=Article.Status.DRAFT
        ),
    }
    attach(articles["clean"], "名单.csv", "王五,13812345678\n".encode())
    return articles


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("scan_content", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_scan_content_prints_each_hit_masked_and_a_summary(archive):
    """One line per hit (id, field, kind, masked text, excerpt), then a summary; drafts skipped."""
    out, _err = run()
    lines = out.strip().splitlines()
    rows = [line.split("\t") for line in lines[:-1]]
    assert sorted((int(r[0]), r[2], r[3]) for r in rows) == sorted(
        [
            (archive["id"].pk, "身份证号", "110105********002X"),
            (archive["word"].pk, "易错词", "再接再励"),
            (archive["clean"].pk, "手机号", "138****5678"),
        ]
    )
    assert ID_NUMBER not in out and "13812345678" not in out
    assert lines[-1].startswith("Checked 3 published articles and 1 attachments")
    assert "3 hits in 3 articles" in lines[-1]


def test_scan_content_for_one_department_as_csv(archive):
    """--department limits the scan; --format csv writes a CSV with the summary on stderr."""
    out, err = run("--department", "law", "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["article_id", "field", "kind", "matched", "excerpt", "suggestion"]
    assert [(int(r[0]), r[3], r[5]) for r in rows[1:]] == [
        (archive["word"].pk, "再接再励", "再接再厉")
    ]
    assert err.startswith("Checked 1 published articles")


def test_scan_content_refuses_an_unknown_department(archive):
    """An unknown slug is a command error, not a traceback."""
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        run("--department", "nope")


def test_scan_keeps_findings_for_the_report_and_the_queue_runs_rescans(archive, site):
    """Findings replace the last scan's; a queued re-scan picks up a changed list."""
    run()
    assert ScanFinding.objects.count() == 3
    word_list = WordList.objects.create(name="新词表")
    WordEntry.objects.create(word_list=word_list, word="座机", level="caution")
    request = ScanRequest.objects.create(department=site["column"].department)
    out, _err = run("--queued")
    request.refresh_from_db()
    assert request.finished_at is not None and request.hits == 3
    assert f"Re-scan {request.pk}" in out
    assert ScanFinding.objects.filter(department=site["other"].department).count() == 1
    assert ScanFinding.objects.filter(matched="座机").count() == 1


def test_admin_report_is_scoped_and_queues_rescans(archive, site):
    """A reviewer sees their department's findings and may queue a re-scan of it only."""
    run()
    client = Client()
    client.force_login(site["reviewer"])
    page = client.get(reverse("admin:newsroom_scanfinding_changelist"))
    assert page.status_code == 200
    assert "110105********002X" in page.text and "再接再励" not in page.text
    filtered = client.get(reverse("admin:newsroom_scanfinding_changelist"), {"kind": "手机号"})
    assert "138****5678" in filtered.text and "110105********002X" not in filtered.text
    url = reverse("admin:newsroom_scanfinding_rescan")
    assert client.post(url, {"department": site["column"].department_id}).status_code == 302
    assert ScanRequest.objects.filter(department=site["column"].department).count() == 1
    assert client.post(url, {"department": site["other"].department_id}).status_code == 403
    assert client.post(url, {"department": ""}).status_code == 403
    assert client.post(url, {"department": "9" * 30}).status_code == 403
    assert client.get(url).status_code == 405
