"""The Jinja2 environment of the public pages (newsroom/templating.py)."""

from datetime import UTC, datetime

import pytest
from django.template import engines
from django.utils import dateformat, timezone, translation

from newsroom import templating
from newsroom.core.renditions import picture


@pytest.mark.parametrize("format_string", ["c", "Y-m-d", "Y-m-d H:i:s", "Y年n月j日"])
@pytest.mark.parametrize(
    "moment",
    [
        datetime(2023, 5, 13, 6, 54, 29, tzinfo=UTC),
        datetime(2024, 12, 31, 16, 0, 0, 123456, tzinfo=UTC),  # past midnight in Shanghai
    ],
)
def test_date_filter_matches_djangos(format_string, moment):
    """Django's formats, except that "c" stops at seconds (valid <time datetime>)."""
    local = timezone.localtime(moment)
    if format_string == "c":
        local = local.replace(microsecond=0)
    expected = dateformat.format(local, format_string)
    assert templating.date(moment, format_string) == expected


def test_public_templates_are_jinja2_and_admin_ones_django():
    jinja = engines["jinja2"]
    assert jinja.get_template("newsroom/article_detail.html")
    with pytest.raises(Exception, match="admin/base_site.html"):
        jinja.get_template("admin/base_site.html")
    assert engines["django"].get_template("admin/base_site.html")


def test_translations_and_escaping():
    template = engines["jinja2"].from_string(
        '{{ _("Search") }} {{ _("Nothing found for “%(query)s”.")|format(query=q) }}'
    )
    with translation.override("zh-hans"):
        html = template.render({"q": "<b>教学</b>"})
    assert html.startswith("搜索 ")
    assert "&lt;b&gt;教学&lt;/b&gt;" in html and "<b>" not in html


def test_translations_bound_per_render_follow_the_active_language(rf):
    """The context processor's ``_`` is the catalog of the language active for that render."""
    template = engines["jinja2"].from_string('{{ _("Search") }}')
    for language, expected in [("zh-hans", "搜索"), ("en", "Search"), ("zh-hans", "搜索")]:
        with translation.override(language):
            assert template.render({}, request=rf.get("/")) == expected


@pytest.mark.django_db
def test_pages_switch_language_between_requests(client):
    """Pages of departments in different languages, one after the other, each in its own."""
    from tests.factories import ArticleFactory

    chinese = ArticleFactory().get_absolute_url()
    english = ArticleFactory(category__department__language="en").get_absolute_url()
    for url, expected in [
        (chinese, "当前位置"),
        (english, "You are here:"),
        (chinese, "当前位置"),
    ]:
        assert expected in client.get(url, HTTP_ACCEPT_LANGUAGE="en").text


def test_static_urls_are_remembered_until_the_settings_change(settings):
    from django.templatetags.static import static

    assert templating.static_url("newsroom/favicon.ico") == static("newsroom/favicon.ico")
    settings.STATIC_URL = "/assets/"
    assert templating.static_url("newsroom/favicon.ico").startswith("/assets/")


@pytest.mark.django_db
def test_article_rows_macro(rf):
    """A row per article: escaped title, 置顶 badge for a pin, lazy thumbnail of the cover."""
    from datetime import timedelta

    from tests.factories import ArticleFactory, ImageFactory

    now = timezone.now()
    pinned = ArticleFactory(
        title="<b>置顶</b> & 通知",
        is_pinned=True,
        pinned_until=now + timedelta(days=1),
        publish_at=datetime(2024, 12, 31, 16, 0, 0, tzinfo=UTC),
    )
    plain = ArticleFactory(
        cover=ImageFactory(), is_pinned=True, pinned_until=now - timedelta(days=1)
    )
    template = engines["jinja2"].from_string(
        '{% from "includes/macros.html" import article_rows %}{{ article_rows(articles) }}'
    )
    with translation.override("zh-hans"):
        html = template.render({"articles": [pinned, plain]}, request=rf.get("/"))
    first, second = html.strip().split("\n")
    assert first == (
        f'<li class="article-row"><a class="article-row__title" href="{pinned.get_absolute_url()}">'
        '<span class="badge">置顶</span> &lt;b&gt;置顶&lt;/b&gt; &amp; 通知</a>'
        '<time class="article-row__date" datetime="2025-01-01T00:00:00+08:00">'
        "2025-01-01</time></li>"
    )
    assert 'class="badge"' not in second
    assert second.startswith(
        '<li class="article-row article-row--with-thumb"><a class="article-row__thumb"'
    )
    thumb = picture(plain.cover, "thumb")
    assert f'<img src="{thumb.src}" srcset="{thumb.srcset}" sizes="96px"' in second
    assert 'alt="" loading="lazy" decoding="async">' in second


@pytest.mark.django_db
def test_rendition_img_macro():
    from tests.factories import ImageFactory

    image = ImageFactory(alt_text='"学院" <大楼>')
    template = engines["jinja2"].from_string(
        '{% from "includes/macros.html" import rendition_img %}'
        "{{ rendition_img(image, 'cover', sizes='720px', eager=eager) }}"
    )
    cover = picture(image, "cover")
    html = template.render({"image": image, "eager": False})
    assert html == (
        f'<img src="{cover.src}" srcset="{cover.srcset}" sizes="720px" width="{cover.width}" '
        f'height="{cover.height}" alt="&#34;学院&#34; &lt;大楼&gt;" '
        'loading="lazy" decoding="async">'
    )
    assert "loading" not in template.render({"image": image, "eager": True})
    assert template.render({"image": None, "eager": False}) == ""
