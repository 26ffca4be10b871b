"""The importer against a small 苏迪 WebPlus site served locally (tests/legacy/webplus_site.py)."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from newsroom.models import Article, Attachment, Category, Department, Image, ImportedArticle
from tests.legacy import webplus_site
from tests.legacy.server import serve

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def webplus():
    site = webplus_site.build()
    server, base = serve(site)
    site.base = base
    yield site
    server.shutdown()
    server.server_close()


def run_import(base, *args):
    out, err = StringIO(), StringIO()
    call_command(
        "import_legacy", f"{base}/main.htm", "--department", "fl", *args, stdout=out, stderr=err
    )
    return out.getvalue(), err.getvalue()


def by_old_id(old_id):
    return ImportedArticle.objects.select_related("article").get(old_id=old_id).article


def local(year, month, day, hour=0, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.django_db
def test_webplus_site_is_detected_and_imported(webplus):
    """Detected as WebPlus; every article through list.htm and list2.htm; skips counted."""
    out, _err = run_import(webplus.base)
    assert "system: webplus" in out
    assert Department.objects.get(slug="fl").name == "示例大学外国语学院"
    assert {c.slug: c.name for c in Category.objects.all()} == {
        "xyxw": "学院新闻",
        "tzgg": "通知公告",
    }
    assert set(ImportedArticle.objects.values_list("old_id", flat=True)) == {
        "56789", "56790", "56780", "57001"
    }  # fmt: skip
    assert "skipped_offsite: 1" in out
    assert "skipped_unpublished: 1" in out
    assert Article.objects.published().count() == 4


@pytest.mark.django_db
def test_webplus_fields(webplus):
    """Title, time, credits, views, body, picture and files of each article."""
    run_import(webplus.base)
    contest = by_old_id("56789")
    assert contest.title == "外国语学院举办翻译大赛"
    assert contest.publish_at == local(2024, 12, 20, 15, 30)
    assert (contest.author, contest.photographer) == ("周一", "吴二")
    assert contest.click_count == 321
    assert "12月19日，翻译大赛决赛举行。" in contest.body
    assert "mso" not in contest.body and "<span" not in contest.body
    image = Image.objects.get()
    assert f'src="{image.url}"' in contest.body
    attachment = contest.attachments.get()
    assert attachment.name == "大赛获奖名单.pdf"
    assert f'href="{attachment.get_absolute_url()}"' in contest.body
    assert "icon_pdf" not in contest.body
    seminar = by_old_id("56790")
    assert seminar.publish_at == local(2024, 12, 18)
    assert (seminar.source, seminar.responsible_editor) == ("教务办公室", "郑三")
    assert seminar.click_count == 45
    graduation = by_old_id("56780")
    assert graduation.title == "外国语学院毕业典礼"  # GBK
    assert graduation.publish_at == local(2024, 6, 1)
    assert f'src="{image.url}"' in graduation.body  # the same picture, stored once
    notice = by_old_id("57001")
    assert notice.category.slug == "tzgg"
    assert notice.publish_at == local(2024, 12, 15, 8, 0)
    assert notice.source == "学院办公室"
    assert notice.click_count == 1500
    assert [a.name for a in notice.attachments.all()] == ["寒假安排.pdf"]
    assert Attachment.objects.count() == 2


@pytest.mark.django_db
def test_webplus_second_run_creates_nothing(webplus):
    """Idempotent on WebPlus too."""
    run_import(webplus.base)
    counts = (Article.objects.count(), Image.objects.count(), Attachment.objects.count())
    out, _err = run_import(webplus.base)
    assert "articles_unchanged: 4" in out
    assert counts == (Article.objects.count(), Image.objects.count(), Attachment.objects.count())


@pytest.mark.django_db
def test_webplus_old_addresses_redirect(webplus, client):
    """c<col>a<id>/page.htm (and .psp), list.htm and listN.htm, and the files: 301."""
    run_import(webplus.base)
    news = Category.objects.get(slug="xyxw")
    expected = {
        "/2024/1220/c1234a56789/page.htm": by_old_id("56789"),
        "/2024/1218/c1234a56790/page.psp": by_old_id("56790"),
        "/2024/1218/c1234a56790/page.htm": by_old_id("56790"),
        "/xyxw/list.htm": news,
        "/xyxw/list2.htm": news,
        "/xyxw/list7.htm": news,
        webplus_site.FILE_PDF: Attachment.objects.get(name="大赛获奖名单.pdf"),
        "/main.htm": Department.objects.get(slug="fl"),
    }
    for url, target in expected.items():
        response = client.get(url, HTTP_HOST="127.0.0.1")
        assert response.status_code == 301, url
        assert response["Location"] == target.get_absolute_url(), url
