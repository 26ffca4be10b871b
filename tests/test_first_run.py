"""Rough edges a first run showed: times, the admin list, feeds, sharing, search, 404, make run."""

import io
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from newsroom.models import Article
from newsroom.services import search
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    DepartmentFactory,
    ImageFactory,
    SuperuserFactory,
    image_bytes,
)

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
DATETIME_ATTR = re.compile(r'datetime="([^"]+)"')


# --- <time datetime> and publish times ----------------------------------------------------


def test_publish_time_is_stored_in_whole_seconds():
    """A publish time with microseconds (an approval's "now") is stored without them."""
    article = ArticleFactory(publish_at=timezone.now().replace(microsecond=913489))
    article.refresh_from_db()
    assert article.publish_at.microsecond == 0


def test_time_elements_carry_seconds_at_most(client):
    """<time datetime> on article and list pages has no fraction of a second, even for
    a time stored before the normalisation."""
    article = ArticleFactory()
    Article.objects.filter(pk=article.pk).update(
        publish_at=timezone.now().replace(microsecond=913489) - timedelta(hours=1)
    )
    for url in (article.get_absolute_url(), article.category.get_absolute_url()):
        html = client.get(url).content.decode()
        values = DATETIME_ATTR.findall(html)
        assert values, url
        for value in values:
            assert "." not in value, (url, value)
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", value)


# --- the admin's article list ---------------------------------------------------------------


@pytest.fixture
def boss(client):
    client.force_login(SuperuserFactory(username="boss"))
    return client


def test_admin_list_shows_scheduled_articles_as_scheduled(boss):
    """A published article whose time has not come reads 定时发布 with its time, not 已发布."""
    later = timezone.now() + timedelta(days=2)
    scheduled = ArticleFactory(title="定时的文章", publish_at=later)
    ArticleFactory(title="已上线的文章")
    html = boss.get(reverse("admin:newsroom_article_changelist")).content.decode()
    scheduled.refresh_from_db()  # publish times are stored in whole seconds
    moment = timezone.localtime(scheduled.publish_at)
    assert (
        f'定时发布 <time datetime="{moment.isoformat()}">{moment.strftime("%Y-%m-%d %H:%M")}</time>'
        in html
    )


def test_admin_list_filters_scheduled_and_live(boss):
    """The 发布情况 filter separates 定时发布 from articles live now."""
    ArticleFactory(title="定时的文章", publish_at=timezone.now() + timedelta(days=2))
    ArticleFactory(title="已上线的文章")
    url = reverse("admin:newsroom_article_changelist")
    scheduled = boss.get(url, {"publication": "scheduled"})
    titles = [a.title for a in scheduled.context["cl"].result_list]
    assert titles == ["定时的文章"]
    live = boss.get(url, {"publication": "live"})
    assert [a.title for a in live.context["cl"].result_list] == ["已上线的文章"]
    assert boss.get(url, {"publication": "nonsense"}).status_code == 200


def test_admin_index_names_axes_and_table_headers_in_chinese(boss):
    """django-axes' app and models and the screen-reader headers of the app list are Chinese."""
    html = boss.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    for english in ("Access attempts", "Access failures", "Access logs", "Axes", "Model name"):
        assert english not in html
    assert "登录尝试" in html and "模型名称" in html


# --- feeds and sharing -----------------------------------------------------------------------


def test_site_feed_has_every_department(client):
    """The site-wide feed lists published articles of all departments, newest first."""
    ArticleFactory(title="甲院新闻", publish_at=timezone.now() - timedelta(days=2))
    ArticleFactory(title="乙院新闻", publish_at=timezone.now() - timedelta(days=1))
    ArticleFactory(title="草稿", status=Article.Status.DRAFT)
    rss = ET.fromstring(client.get(reverse("newsroom:site-feed-rss")).content)
    assert [i.findtext("title") for i in rss.find("channel").findall("item")] == [
        "乙院新闻",
        "甲院新闻",
    ]
    atom = ET.fromstring(client.get(reverse("newsroom:site-feed-atom")).content)
    assert len(atom.findall(f"{ATOM}entry")) == 2


def test_home_page_links_the_site_feed(client):
    """The home page of a site with several departments offers the site-wide feed."""
    DepartmentFactory()
    DepartmentFactory()
    html = client.get("/").content.decode()
    assert 'type="application/rss+xml" title="' in html
    assert reverse("newsroom:site-feed-rss") in html
    assert reverse("newsroom:site-feed-atom") in html


def test_article_page_links_rss_and_atom(client):
    """An article page links its column's RSS and Atom feeds."""
    article = ArticleFactory()
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'type="application/rss+xml"' in html
    assert 'type="application/atom+xml"' in html


def og(html, name):
    return re.findall(rf'<meta property="{re.escape(name)}" content="([^"]*)">', html)


def test_article_with_cover_is_shared_with_cover_and_square_thumbnail(client):
    """og:image is the cover as an absolute URL, plus a square picture of 300×300 or more."""
    from django.core.files.base import ContentFile

    cover = ImageFactory(file=ContentFile(image_bytes(size=(1600, 1000)), name="big.jpg"))
    article = ArticleFactory(cover=cover, summary="")
    html = client.get(article.get_absolute_url()).content.decode()
    images = og(html, "og:image")
    assert images[0].startswith("http://testserver/media/renditions/")
    assert "-cover-" in images[0]
    assert any("-share-600" in src for src in images)
    widths = [int(w) for w in og(html, "og:image:width")]
    heights = [int(h) for h in og(html, "og:image:height")]
    assert any(w >= 300 and h >= 300 and w == h for w, h in zip(widths, heights, strict=True))
    assert og(html, "og:description") == ["为做好新学期各项教学工作，学院召开教学工作会议。"]


def test_article_without_cover_is_shared_with_its_first_body_image(client):
    """Without a cover, og:image is the body's first picture, absolute."""
    body = (
        '<p>正文</p><figure class="image"><img src="/media/uploads/a.jpg" '
        'width="800" height="600" alt="图"></figure>'
    )
    article = ArticleFactory(body=body)
    html = client.get(article.get_absolute_url()).content.decode()
    assert og(html, "og:image")[0] == "http://testserver/media/uploads/a.jpg"
    assert og(html, "og:description") == ["学院召开新学期教学工作会议，部署本学期重点工作。"]


def test_article_without_pictures_still_has_a_share_thumbnail(client):
    """An article with no picture is shared with the site's square picture."""
    article = ArticleFactory()
    images = og(client.get(article.get_absolute_url()).content.decode(), "og:image")
    assert len(images) == 1 and images[0].endswith("/static/newsroom/share.png")


# --- search -------------------------------------------------------------------------------------


def test_search_shows_the_number_of_results(client):
    """The results page says how many articles were found."""
    for n in range(3):
        ArticleFactory(title=f"教学工作会议{n}")
    html = client.get(reverse("newsroom:search"), {"q": "教学"}).content.decode()
    assert "共找到 3 条结果" in html


def test_excerpt_keeps_paragraphs_apart():
    """Sentences of two paragraphs are separated in an excerpt."""
    body = "<p>活动持续一个月。</p><p>校园远眺活动安排本届……</p>"
    assert "持续一个月。 <mark>校园</mark>远眺" in search.excerpt(body, "校园")


def test_search_page_forms_have_distinct_names(client):
    """The header's and the page's search forms are told apart (two role=search landmarks)."""
    ArticleFactory(title="教学")
    html = client.get(reverse("newsroom:search"), {"q": "教学"}).content.decode()
    labels = re.findall(r'role="search" aria-label="([^"]+)"', html)
    assert len(labels) == 2 and len(set(labels)) == 2
    assert 'class="page-search"' in html


# --- development ---------------------------------------------------------------------------


def test_missing_page_under_debug_is_the_sites_own_404(client, settings):
    """Under DEBUG a missing page is the site's 404, not the debug page with URL patterns."""
    settings.DEBUG = True
    CategoryFactory()
    for url in ("/no/such/page/here/", "/articles/999999/"):
        response = client.get(url)
        assert response.status_code == 404
        html = response.content.decode()
        assert "页面不存在" in html or "Page not found" in html
        assert "URLconf" not in html


def test_debug_404_page_is_one_setting_away(client, settings):
    """NEWSROOM_DEBUG_404_PAGE brings Django's debug 404 page back."""
    settings.DEBUG = True
    settings.NEWSROOM_DEBUG_404_PAGE = True
    assert "URLconf" in client.get("/no/such/page/here/").content.decode()


def test_debug_404_keeps_the_slash_redirect(client, settings):
    """A department address without its slash still redirects under DEBUG."""
    settings.DEBUG = True
    department = DepartmentFactory(slug="info")
    response = client.get("/info")
    assert response.status_code == 301 and response["Location"] == department.get_absolute_url()


def test_second_make_run_names_the_admin_and_the_command():
    """ensure_admin, once an admin exists, names it and gives the exact changepassword command."""
    SuperuserFactory(username="admin")
    out = io.StringIO()
    call_command("ensure_admin", stdout=out)
    text = out.getvalue()
    assert "admin" in text
    assert ".venv/bin/python manage.py changepassword admin" in text


def test_missing_cjk_fonts_are_noticed():
    """The browser tests' font check reports no CJK font when fontconfig lists none."""
    from tests.browser.conftest import cjk_fonts_installed

    class Empty:
        stdout = ""

    class Found:
        stdout = "Noto Sans CJK SC\n"

    assert cjk_fonts_installed(run=lambda *a, **k: Empty()) is False
    assert cjk_fonts_installed(run=lambda *a, **k: Found()) is True


def test_migration_truncates_stored_publish_times():
    """The data migration drops microseconds from publish times already stored."""
    from importlib import import_module

    from django.apps import apps
    from django.db import connection

    article = ArticleFactory()
    Article.objects.filter(pk=article.pk).update(
        publish_at=timezone.now().replace(microsecond=913489)
    )
    migration = import_module("newsroom.migrations.0027_publish_at_whole_seconds")

    class Editor:  # what the function uses of a schema editor (SQLite's refuses in a test)
        def __init__(self):
            self.connection = connection

        def execute(self, sql):
            with connection.cursor() as cursor:
                cursor.execute(sql)

    migration.truncate_to_seconds(apps, Editor())
    article.refresh_from_db()
    assert article.publish_at.microsecond == 0
