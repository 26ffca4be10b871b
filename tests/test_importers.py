"""The importers' pure helpers: decoding, file names, dates, the meta line, detection."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from newsroom.importers import importer_for
from newsroom.importers.base import Page
from newsroom.importers.fetch import decode_html, filename_from_disposition, parse_html
from newsroom.importers.html import meta_fields, parse_datetime, replace_sources

SHANGHAI = ZoneInfo("Asia/Shanghai")
HTTP_EQUIV = '<meta http-equiv="Content-Type" content="text/html; charset=gbk"><p>学院新闻</p>'


@pytest.mark.parametrize(
    "content, content_type",
    [
        ("<html><body>学院新闻</body></html>".encode("gbk"), "text/html; charset=GBK"),
        ("<html><body>学院新闻</body></html>".encode("gbk"), "text/html;charset=gb2312"),
        ('<meta charset="gb2312"><p>学院新闻</p>'.encode("gbk"), "text/html"),
        (HTTP_EQUIV.encode("gbk"), ""),
        ("<p>学院新闻</p>".encode("gbk"), "text/html"),  # declared nowhere
        ("<p>学院新闻</p>".encode(), "text/html"),
        ("\ufeff<p>学院新闻</p>".encode(), "text/html; charset=gbk"),  # a BOM wins
        ('<meta charset="utf-8"><p>学院新闻</p>'.encode(), "text/html"),
    ],
)
def test_pages_are_decoded_whatever_they_declare(content, content_type):
    """Header charset, meta charset, UTF-8, then GB18030 (a superset of GBK and GB2312)."""
    assert "学院新闻" in decode_html(content, content_type)


def test_xml_declaration_and_empty_pages_parse():
    assert (
        parse_html('<?xml version="1.0" encoding="utf-8"?><html><body>x</body></html>') is not None
    )
    assert parse_html("   ") is None


@pytest.mark.parametrize(
    "header, name",
    [
        (b"attachment; filename*=UTF-8''%E5%B9%B4%E5%BA%A6%E6%8A%A5%E5%91%8A.pdf", "年度报告.pdf"),
        (b"attachment; filename=\"x.pdf\"; filename*=utf-8''%E6%8A%A5%E5%91%8A.pdf", "报告.pdf"),
        (b'attachment; filename="%E6%8A%A5%E5%91%8A.doc"', "报告.doc"),  # VSB's spelling
        (b"attachment; filename=%B1%A8%B8%E6.doc", "报告.doc"),  # percent-encoded GBK
        (b'attachment; filename="' + "报告.xls".encode("gbk") + b'"', "报告.xls"),
        (b'attachment; filename="' + "报告.xls".encode() + b'"', "报告.xls"),
        (b"attachment", ""),
        (None, ""),
    ],
)
def test_attachment_names_from_content_disposition(header, name):
    assert filename_from_disposition(header) == name


@pytest.mark.parametrize(
    "text, expected",
    [
        ("发布时间：2024-12-20 16:05", (2024, 12, 20, 16, 5)),
        ("2024年12月20日", (2024, 12, 20, 0, 0)),
        ("2024年12月20日 08:30", (2024, 12, 20, 8, 30)),
        ("2024/4/5", (2024, 4, 5, 0, 0)),
        ("日期: 2024.01.02", (2024, 1, 2, 0, 0)),
    ],
)
def test_dates_in_their_formats(text, expected):
    assert parse_datetime(text) == dt.datetime(*expected, tzinfo=SHANGHAI)


def test_impossible_or_missing_dates_are_none():
    assert parse_datetime("2024-02-30") is None
    assert parse_datetime("no date") is None


def test_meta_line_labels():
    """Each label's value ends at the next label, a wide gap or the end."""
    fields = meta_fields(
        "来源：学院办公室\xa0\xa0发布时间：2024-12-20 作者：张三摄影：王五　责任编辑：李四 点击：12"
    )
    assert fields == {
        "source": "学院办公室",
        "time": "2024-12-20",
        "author": "张三",
        "photographer": "王五",
        "responsible_editor": "李四",
    }
    assert meta_fields("供稿单位：实验室管理办公室 上一条：别的文章") == {
        "source": "实验室管理办公室"
    }


def test_replace_sources_swaps_and_drops():
    html = (
        '<p><img src="http://old/a.jpg"><img src="http://old/b.jpg"><a href="/d.jsp?x=1">f</a></p>'
    )
    out = replace_sources(
        html, {"http://old/a.jpg": "/media/a.jpg", "http://old/b.jpg": None, "/d.jsp?x=1": "/f/1/"}
    )
    assert out == '<p><img src="/media/a.jpg"><a href="/f/1/">f</a></p>'


@pytest.mark.parametrize(
    "text, system",
    [
        ("<!--Announced by Visual SiteBuilder 9--><a href='info/1021/1.htm'>x</a>", "vsb"),
        ('<div class="wp_articlecontent">x</div>', "webplus"),
        ('<ul class="wp_article_list"></ul><link href="/_sitegray/_sitegray_d.css">', "webplus"),
        ("<p>just a page</p>", None),
    ],
)
def test_the_system_is_detected(text, system):
    page = Page(url="http://old.example.edu.cn/", status=200, text=text, tree=parse_html(text))
    importer = importer_for(page)
    assert (importer.system if importer else None) == system
