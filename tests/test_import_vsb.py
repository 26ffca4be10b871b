"""The importer against a small 博达 VSB site served locally (tests/legacy/vsb_site.py)."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from newsroom.models import (
    Article,
    Attachment,
    Category,
    Department,
    Image,
    ImportedArticle,
    LegacyRedirect,
    Transition,
)
from tests.legacy import vsb_site
from tests.legacy.server import serve

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def vsb():
    site = vsb_site.build()
    server, base = serve(site)
    vsb_site.fix_port(site, base)
    site.base = base
    yield site
    server.shutdown()
    server.server_close()


def run_import(base, *args, **options):
    out, err = StringIO(), StringIO()
    call_command(
        "import_legacy", f"{base}/index.htm", "--department", "cs", *args, stdout=out, stderr=err
    )
    return out.getvalue(), err.getvalue()


def by_old_id(old_id):
    return ImportedArticle.objects.select_related("article").get(old_id=old_id).article


def local(year, month, day, hour=0, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.django_db
def test_department_and_columns_come_from_the_site(vsb):
    """The department is named from the site's title; columns from the navigation."""
    run_import(vsb.base)
    department = Department.objects.get(slug="cs")
    assert department.name == "示例大学示例学院"
    columns = {c.slug: c.name for c in Category.objects.filter(department=department)}
    assert columns == {"xwdt": "学院新闻", "tzgg": "通知公告"}


@pytest.mark.django_db
def test_every_published_article_is_imported_and_the_rest_counted(vsb):
    """Static and content.jsp links through every list page; walls, 404s and off-site skipped."""
    out, err = run_import(vsb.base)
    assert set(ImportedArticle.objects.values_list("old_id", flat=True)) == {
        "3456", "3457", "3449", "3440", "3500", "3501"
    }  # fmt: skip
    assert Article.objects.count() == 6
    assert "articles_created: 6" in out
    assert "skipped_unpublished: 2" in out
    assert "skipped_offsite: 1" in out
    assert "images_failed: 2" in out  # one missing, one not a picture
    assert "attachments_failed: 1" in out
    assert "missing_00000000_10.jpg" in err
    assert "wbfileid=766" in err


@pytest.mark.django_db
def test_fields_of_the_sample_article(vsb):
    """Title, time to the minute (meta PubDate), source, click count, body, image, attachment."""
    run_import(vsb.base)
    article = by_old_id("3456")
    assert article.title == "示例学院召开年度工作会议"
    assert article.publish_at == local(2024, 12, 20, 16, 5)
    assert article.source == "学院办公室"
    assert article.author == ""
    assert article.click_count == 1234
    assert article.status == Article.Status.PUBLISHED
    assert article.category.slug == "xwdt"
    image = Image.objects.get(original_name__endswith=".jpg")
    assert f'src="{image.url}"' in article.body
    assert (image.width, image.height) == (640, 400)
    assert image.renditions.exists()
    assert "12月18日，示例学院召开年度工作会议。" in article.body
    assert "undefined" not in article.body
    assert "class=" not in article.body
    assert "vsb" not in article.body
    assert "<span" not in article.body
    # A link to another old article becomes a root-relative old address (redirected).
    assert 'href="/info/1021/3457.htm"' in article.body
    attachment = article.attachments.get()
    assert attachment.name == "年度工作报告.pdf"
    assert attachment.content_type == "application/pdf"
    assert article.has_attachments is True


@pytest.mark.django_db
def test_credits_and_meta_line_formats(vsb):
    """Each meta-line format and label: 作者, 撰稿, 摄影, 来源, 供稿单位, 责任编辑; times."""
    run_import(vsb.base)
    a3457 = by_old_id("3457")
    assert a3457.publish_at == local(2024, 12, 22, 9, 30)
    assert (a3457.author, a3457.photographer, a3457.responsible_editor) == ("张三", "王五", "李四")
    assert a3457.click_count == 56
    a3449 = by_old_id("3449")
    assert a3449.title == "示例学院开展实验室安全检查工作的通知"
    assert a3449.publish_at == local(2024, 12, 15)
    assert (a3449.source, a3449.author, a3449.responsible_editor) == (
        "实验室管理办公室",
        "赵六",
        "钱七",
    )
    assert a3449.click_count == 7
    a3440 = by_old_id("3440")
    assert a3440.title == "示例学院举行新年联欢会"  # GBK, no charset declared anywhere
    assert a3440.publish_at == local(2024, 4, 25)
    assert a3440.source == "学生工作办公室"
    assert "师生欢聚一堂" in a3440.body
    # A "picture" that is not one is refused by the upload checks, left out and flagged.
    assert "<img" not in a3440.body
    assert "notanimage" in ImportedArticle.objects.get(old_id="3440").problems
    a3500 = by_old_id("3500")
    assert a3500.title == "关于开展2025年度科研项目申报的通知"  # GBK declared in a meta
    assert a3500.category.slug == "tzgg"
    assert a3500.publish_at == local(2024, 12, 1, 10, 15)
    assert (a3500.author, a3500.responsible_editor) == ("科研办", "孙八")
    assert a3500.click_count == 890
    a3501 = by_old_id("3501")
    assert a3501.publish_at == local(2024, 11, 30)
    assert a3501.author == "教务办"


@pytest.mark.django_db
def test_word_paste_is_cleaned(vsb):
    """mso- styles, Word classes and wrappers, <o:p>, empty spans, scripts, undefined alts go."""
    run_import(vsb.base)
    body = by_old_id("3501").body
    assert "mso" not in body.lower()
    assert "MsoNormal" not in body and "Section1" not in body
    assert "o:p" not in body
    assert "<script" not in body and "alert" not in body
    assert "undefined" not in body
    assert "<span" not in body
    assert "会议由院长主持" in body and "全体教师参加。" in body
    assert 'style="text-align:center"' in body
    assert "<img" in body


@pytest.mark.django_db
def test_images_are_stored_once_and_missing_ones_flagged(vsb):
    """A picture used twice is stored once; a missing one is dropped and the article flagged."""
    run_import(vsb.base)
    assert Image.objects.count() == 2
    a3449 = by_old_id("3449")
    jpeg = Image.objects.get(original_name__endswith=".jpg")
    assert f'src="{jpeg.url}"' in a3449.body
    assert "missing" not in a3449.body
    record = ImportedArticle.objects.get(old_id="3449")
    assert record.has_problems
    assert "missing_00000000_10.jpg" in record.problems
    assert not ImportedArticle.objects.get(old_id="3456").has_problems
    a3457 = by_old_id("3457")
    png = Image.objects.get(original_name__endswith=".png")
    assert f'src="{png.url}"' in a3457.body
    assert 'alt="比赛现场"' in a3457.body


@pytest.mark.django_db
def test_attachment_names_and_failures(vsb):
    """Names from RFC 5987, raw GBK Content-Disposition, or the link text; a broken one flagged."""
    run_import(vsb.base)
    names = set(Attachment.objects.values_list("name", flat=True))
    assert names == {"年度工作报告.pdf", "参赛名单.txt", "评分标准.pdf"}
    a3457 = by_old_id("3457")
    assert [a.name for a in a3457.attachments.all()] == ["参赛名单.txt", "评分标准.pdf"]
    txt = Attachment.objects.get(name="参赛名单.txt")
    assert txt.content_type == "text/plain; charset=gb18030"
    record = ImportedArticle.objects.get(old_id="3457")
    assert record.has_problems and "wbfileid=766" in record.problems


@pytest.mark.django_db
def test_publishing_is_recorded(vsb):
    """An import publishes with the original time and records the move and a revision."""
    run_import(vsb.base)
    article = by_old_id("3456")
    transition = Transition.objects.get(article=article)
    assert (transition.from_status, transition.to_status) == ("draft", "published")
    assert "/info/1021/3456.htm" in transition.reason
    assert article.revisions.count() == 1
    assert Article.objects.published().count() == 6


@pytest.mark.django_db
def test_second_run_creates_nothing(vsb):
    """Keyed by the old ids: a second run creates no article, image, attachment or redirect."""
    run_import(vsb.base)
    counts = (
        Article.objects.count(),
        Image.objects.count(),
        Attachment.objects.count(),
        LegacyRedirect.objects.count(),
        Transition.objects.count(),
    )
    downloads = [r for r in vsb.requests if r.startswith(("/__local", "/system/_content"))]
    out, _err = run_import(vsb.base)
    assert "articles_unchanged: 6" in out
    assert "articles_created" not in out
    assert counts == (
        Article.objects.count(),
        Image.objects.count(),
        Attachment.objects.count(),
        LegacyRedirect.objects.count(),
        Transition.objects.count(),
    )
    again = [r for r in vsb.requests if r.startswith(("/__local", "/system/_content"))]
    # Only what failed the first time is asked for again.
    assert sorted(set(again) - set(downloads)) == []
    assert len(again) - len(downloads) == 3  # the missing and the refused picture, the broken file


@pytest.mark.django_db
def test_second_run_updates_what_changed(vsb):
    """A changed title and click count on the old site update the same article."""
    run_import(vsb.base)
    page = vsb.pages["/info/1021/3440.htm"]
    page.body = page.body.replace("新年联欢会".encode("gbk"), "元旦联欢会".encode("gbk"))
    vsb_site.CLICKS["3456"] = 2000
    try:
        out, _err = run_import(vsb.base)
    finally:
        vsb_site.CLICKS["3456"] = 1234
    assert "articles_updated: 1" in out
    assert by_old_id("3440").title == "示例学院举行元旦联欢会"
    assert by_old_id("3456").click_count == 2000
    assert Article.objects.count() == 6


@pytest.mark.django_db
def test_interrupted_run_resumes(vsb, monkeypatch):
    """Articles written before an interruption stay; the next run adds the rest, no duplicates."""
    from newsroom.services import legacy

    real = legacy.article_import
    calls = []

    def interrupted(**kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(**kwargs)

    monkeypatch.setattr(legacy, "article_import", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_import(vsb.base)
    assert ImportedArticle.objects.count() == 2
    monkeypatch.setattr(legacy, "article_import", real)
    out, _err = run_import(vsb.base)
    assert "articles_created: 4" in out
    assert "articles_unchanged: 2" in out
    assert Article.objects.count() == 6


@pytest.mark.django_db
def test_dry_run_lists_and_writes_nothing(vsb):
    """--dry-run lists column, time, title and address of each article, and writes nothing."""
    out, _err = run_import(vsb.base, "--dry-run")
    assert "学院新闻\t2024-12-20 16:05\t示例学院召开年度工作会议" in out
    assert "通知公告\t2024-12-01 10:15\t关于开展2025年度科研项目申报的通知" in out
    assert "articles_listed: 6" in out
    assert not Department.objects.exists()
    assert not Article.objects.exists() and not LegacyRedirect.objects.exists()
    assert not any(r.startswith("/__local") for r in vsb.requests)


@pytest.mark.django_db
def test_column_map_puts_articles_into_existing_columns(vsb):
    """--map 学院新闻=news uses (or creates) the column news."""
    from tests.factories import CategoryFactory, DepartmentFactory

    department = DepartmentFactory(slug="cs", name="计算机学院")
    news = CategoryFactory(department=department, slug="news", name="新闻")
    run_import(vsb.base, "--map", "学院新闻=news")
    assert by_old_id("3456").category == news
    assert Department.objects.get(slug="cs").name == "计算机学院"


@pytest.mark.django_db
def test_a_single_column_can_be_imported(vsb):
    """Starting from a column's list page imports that column only."""
    out, err = StringIO(), StringIO()
    call_command(
        "import_legacy", f"{vsb.base}/tzgg.htm", "--department", "cs", stdout=out, stderr=err
    )
    assert set(ImportedArticle.objects.values_list("old_id", flat=True)) == {"3500", "3501", "3456"}
    assert set(Category.objects.values_list("slug", flat=True)) == {"tzgg"}


@pytest.mark.django_db
def test_bad_arguments_are_command_errors(vsb):
    """A bad start address, map entry or unknown site is a clear error, not a traceback."""
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("import_legacy", "ftp://x", "--department", "cs")
    with pytest.raises(CommandError):
        call_command("import_legacy", f"{vsb.base}/index.htm", "--department", "cs", "--map", "x")
    vsb.add("/plain.htm", "<html><body><p>hello</p></body></html>")
    with pytest.raises(CommandError):
        call_command("import_legacy", f"{vsb.base}/plain.htm", "--department", "cs")
    with pytest.raises(CommandError):
        call_command("import_legacy", f"{vsb.base}/index.htm", "--department", "admin")


@pytest.mark.django_db
def test_every_old_address_of_the_import_redirects(vsb, client):
    """Articles (both spellings), list pages, dynamic lists, downloads and the homepage: 301."""
    run_import(vsb.base)
    a3456, a3449, a3500 = by_old_id("3456"), by_old_id("3449"), by_old_id("3500")
    news = Category.objects.get(slug="xwdt")
    notices = Category.objects.get(slug="tzgg")
    pdf = Attachment.objects.get(name="年度工作报告.pdf")
    expected = {
        "/info/1021/3456.htm": a3456,
        "/content.jsp?urltype=news.NewsContentUrl&wbtreeid=1021&wbnewsid=3456": a3456,
        "/content.jsp?urltype=news.NewsContentUrl&wbtreeid=1021&wbnewsid=3449": a3449,
        "/info/1021/3449.htm": a3449,
        "/show.jsp?wbnewsid=3500&wbtreeid=1022": a3500,
        "/xwdt.htm": news,
        "/xwdt/2.htm": news,
        "/xwdt/1.htm": news,
        "/tzgg.htm": notices,
        "/list.jsp?urltype=tree.TreeTempUrl&wbtreeid=1022": notices,
        "/system/_content/download.jsp?wbfileid=9a8b7c6d5e4f30211203948576a6b7c8&owner=1": pdf,
        "/index.htm": Department.objects.get(slug="cs"),
    }
    for url, target in expected.items():
        response = client.get(url, HTTP_HOST="127.0.0.1")
        assert response.status_code == 301, url
        assert response["Location"] == target.get_absolute_url(), url
    # The body's link to the attachment points at the new download address.
    assert client.get("/info/1021/3430.htm", HTTP_HOST="127.0.0.1").status_code == 404


@pytest.mark.django_db
def test_imported_articles_are_flagged_in_the_admin(vsb, client):
    """The admin lists imported articles with their problems, filterable by flag."""
    from django.urls import reverse

    from tests.factories import SuperuserFactory

    run_import(vsb.base)
    client.force_login(SuperuserFactory())
    url = reverse("admin:newsroom_importedarticle_changelist")
    response = client.get(url, {"has_problems__exact": "1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "/content.jsp?" in page and "/info/1021/3457.htm" in page
    assert "/info/1021/3456.htm" not in page
    record = ImportedArticle.objects.get(old_id="3449")
    detail = client.get(reverse("admin:newsroom_importedarticle_change", args=[record.pk]))
    assert "missing_00000000_10.jpg" in detail.content.decode()


@pytest.mark.django_db
def test_a_bulk_load_is_analyzed(vsb):
    """After creating articles the import runs ANALYZE; a run that created none does not."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        run_import(vsb.base)
    assert any(q["sql"].strip().upper() == "ANALYZE" for q in first.captured_queries)
    with CaptureQueriesContext(connection) as second:
        run_import(vsb.base)
    assert not any(q["sql"].strip().upper() == "ANALYZE" for q in second.captured_queries)


@pytest.mark.django_db
def test_delay_waits_before_every_request(vsb, monkeypatch):
    """--delay is slept before each request, whatever the concurrency."""
    from newsroom.importers import fetch

    waits = []
    monkeypatch.setattr(fetch.time, "sleep", waits.append)
    requests_before = len(vsb.requests)
    run_import(vsb.base, "--delay", "0.25", "--concurrency", "2")
    assert waits and set(waits) == {0.25}
    assert len(waits) == len(vsb.requests) - requests_before


@pytest.mark.django_db
def test_bad_concurrency_or_delay_is_an_error(vsb):
    from django.core.management import CommandError

    for option in (["--concurrency", "0"], ["--delay", "-1"]):
        with pytest.raises(CommandError):
            run_import(vsb.base, *option)
