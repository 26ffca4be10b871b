"""The Jinja2 environment of the public pages (newsroom/templating.py)."""

from datetime import UTC, datetime

import pytest
from django.template import engines
from django.utils import dateformat, timezone, translation

from newsroom import templating


@pytest.mark.parametrize("format_string", ["c", "Y-m-d", "Y-m-d H:i:s", "Y年n月j日"])
@pytest.mark.parametrize(
    "moment",
    [
        datetime(2023, 5, 13, 6, 54, 29, tzinfo=UTC),
        datetime(2024, 12, 31, 16, 0, 0, 123456, tzinfo=UTC),  # past midnight in Shanghai
    ],
)
def test_date_filter_matches_djangos(format_string, moment):
    expected = dateformat.format(timezone.localtime(moment), format_string)
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
    """``_`` translates into the language active for each render."""
    template = engines["jinja2"].from_string('{{ _("Search") }}')
    for language, expected in [("zh-hans", "搜索"), ("en", "Search"), ("zh-hans", "搜索")]:
        with translation.override(language):
            assert template.render({}, request=rf.get("/")) == expected


@pytest.mark.django_db
def test_pages_switch_language_between_requests(client):
    from tests.factories import ArticleFactory

    url = ArticleFactory().get_absolute_url()
    for language, expected in [
        ("zh-hans", "当前位置"),
        ("en", "You are here:"),
        ("zh-hans", "当前位置"),
    ]:
        assert expected in client.get(url, HTTP_ACCEPT_LANGUAGE=language).text


def test_static_urls_are_remembered_until_the_settings_change(settings):
    from django.templatetags.static import static

    assert templating.static_url("newsroom/favicon.ico") == static("newsroom/favicon.ico")
    settings.STATIC_URL = "/assets/"
    assert templating.static_url("newsroom/favicon.ico").startswith("/assets/")


@pytest.mark.django_db
def test_list_rows_escape_titles_and_mark_pins(client):
    """The article_rows macro escapes what people wrote and marks pinned articles."""
    from tests.factories import ArticleFactory

    pinned = ArticleFactory(title="<b>置顶</b>", is_pinned=True)
    response = client.get(pinned.category.get_absolute_url())
    assert "&lt;b&gt;置顶&lt;/b&gt;" in response.text and "<b>置顶</b>" not in response.text
    assert '<span class="badge">' in response.text
