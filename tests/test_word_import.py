"""从 Word 导入: a .docx becomes a draft (newsroom/services/word.py, newsroom/admin/word.py)."""

import io
import zipfile

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from newsroom.models import Article, Image
from newsroom.services.word import WordRejected, article_from_docx
from tests.factories import CategoryFactory, image_bytes, member


def add_link(paragraph, text, url):
    part = paragraph.part
    rel = part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel)
    run = OxmlElement("w:r")
    text_element = OxmlElement("w:t")
    text_element.text = text
    run.append(text_element)
    link.append(run)
    paragraph._p.append(link)


def make_docx(*, heading="学院举办青年教师教学竞赛", picture=True) -> bytes:
    document = docx.Document()
    if heading:
        document.add_heading(heading, level=1)
    intro = document.add_paragraph("12月20日，")
    intro.add_run("青年教师教学竞赛").bold = True
    intro.add_run("在学院报告厅举行。")
    document.add_heading("竞赛安排", level=2)
    document.add_paragraph("初赛", style="List Bullet")
    document.add_paragraph("决赛", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "姓名"
    table.cell(0, 1).text = "名次"
    table.cell(1, 0).text = "张三"
    table.cell(1, 1).text = "一等奖"
    more = document.add_paragraph("详见")
    add_link(more, "学院网站", "https://www.example.edu.cn/")
    if picture:
        document.add_picture(io.BytesIO(image_bytes("PNG", size=(320, 240))))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def upload(data, name="投稿.docx"):
    return SimpleUploadedFile(name, data)


@pytest.fixture
def editor(db):
    column = CategoryFactory()
    user = member(column.department, "editor", username="word-editor")
    user.column = column
    return user


def test_docx_becomes_a_draft_with_its_structure(editor):
    """Title from the first heading; headings, list, table, bold, link and picture survive."""
    article, notes = article_from_docx(
        uploaded_file=upload(make_docx()), category=editor.column, user=editor
    )
    article.refresh_from_db()
    assert notes == []
    assert article.status == Article.Status.DRAFT
    assert article.title == "学院举办青年教师教学竞赛"
    body = article.body
    assert "学院举办青年教师教学竞赛" not in body  # the title is not repeated in the body
    # The body's first heading level is h2, under the page's h1 title (newsroom/core/html.py).
    assert "<h2>竞赛安排</h2>" in body
    assert "<ul><li>初赛</li><li>决赛</li></ul>" in body
    assert "<table>" in body and "<td><p>张三</p></td>" in body
    assert "<strong>青年教师教学竞赛</strong>" in body
    assert 'href="https://www.example.edu.cn/"' in body
    image = Image.objects.get()
    assert f'src="{image.url}"' in body
    assert image.uploaded_by == editor
    assert (image.width, image.height) == (320, 240)
    assert article.revisions.count() == 1
    assert article.created_by == editor


def test_title_falls_back_to_the_file_name(editor):
    """Without a heading the file name (without .docx) is the title."""
    article, _notes = article_from_docx(
        uploaded_file=upload(make_docx(heading="", picture=False), "关于期末考试的通知.docx"),
        category=editor.column,
        user=editor,
    )
    assert article.title == "关于期末考试的通知"


@pytest.mark.parametrize(
    "name, data",
    [
        ("投稿.docx", b"just text, renamed"),
        ("投稿.doc", b"\xd0\xcf\x11\xe0"),
        ("投稿.docx", b""),
    ],
)
def test_bad_files_are_refused(editor, name, data):
    """Not a .docx, an empty file or a renamed text file: a clear refusal."""
    with pytest.raises(WordRejected):
        article_from_docx(uploaded_file=upload(data, name), category=editor.column, user=editor)
    assert not Article.objects.exists()


def test_a_docx_without_a_document_is_refused(editor):
    """A ZIP that looks like Word from outside but has no document inside."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/other.xml", "<x/>")
    with pytest.raises(WordRejected):
        article_from_docx(
            uploaded_file=upload(buffer.getvalue()), category=editor.column, user=editor
        )
    assert not Article.objects.exists()


def test_admin_add_page_offers_word_import(client, editor):
    """The add page links to 从 Word 导入, which makes a draft and opens it."""
    client.force_login(editor)
    add_page = client.get(reverse("admin:newsroom_article_add"))
    url = reverse("admin:newsroom_article_import_word")
    assert url in add_page.content.decode()
    assert client.get(url).status_code == 200
    response = client.post(url, {"category": editor.column.pk, "document": upload(make_docx())})
    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:newsroom_article_change", args=[article.pk])
    assert article.status == Article.Status.DRAFT


def test_admin_word_import_errors_are_form_errors(client, editor):
    """A bad file or another department's column is a form error, never a 500."""
    client.force_login(editor)
    url = reverse("admin:newsroom_article_import_word")
    response = client.post(url, {"category": editor.column.pk, "document": upload(b"nope")})
    assert response.status_code == 200
    assert response.context["form"].errors["document"]
    other = CategoryFactory()
    response = client.post(url, {"category": other.pk, "document": upload(make_docx())})
    assert response.status_code == 200
    assert response.context["form"].errors["category"]
    assert not Article.objects.exists()


def test_word_import_needs_the_add_permission(client, db):
    """Visitors are sent to the login; staff without a department cannot add."""
    url = reverse("admin:newsroom_article_import_word")
    assert client.get(url).status_code == 302
