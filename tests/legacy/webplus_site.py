# ruff: noqa: E501  (page markup, kept as the old sites write it: one element a line)
"""
A small 苏迪 WebPlus site, written from the markup notes:

- ``main.htm``: navigation to 学院新闻 (``/xyxw/list.htm``, ``ul.wp_article_list``, two pages
  ``list.htm`` then ``list2.htm``) and 通知公告 (``/tzgg/list.htm``, the newer ``.news_list``);
- articles at ``/<yyyy>/<mmdd>/c<col>a<id>/page.htm`` (and ``.psp``) with the ``arti_metas``
  line, the ``WP_VisitCount`` counter, pictures and files under ``/_upload/article/``,
  ``sudyfile-attr`` names, a ``wp_pdf_player``, a GBK page and a 404.
"""

from tests.factories import image_bytes

from .server import Response, Site

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = image_bytes("JPEG", size=(800, 600), color=(90, 160, 40))
VIEWS = {"56789": 321, "56790": 45, "56780": 6, "57001": 1500}
IMG = "/_upload/article/images/3c/5d/0a1b2c3d4e5f60718293a4b5c6d7/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0.jpg"
FILE_PDF = "/_upload/article/files/ab/cd/0123456789abcdef0123456789ab/11111111-2222-3333-4444-555555555555.pdf"
FILE_PLAYER = "/_upload/article/files/ef/01/fedcba9876543210fedcba987654/66666666-7777-8888-9999-000000000000.pdf"

NAV = (
    '<div class="wp_nav"><a href="/main.htm">首页</a><a href="/xyxw/list.htm">学院新闻</a>'
    '<a href="/tzgg/list.htm">通知公告</a><a href="http://www.example.edu.cn/">学校主页</a></div>'
)


def _head(title):
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f"<title>{title}-示例大学外国语学院</title>"
        '<link rel="stylesheet" href="/_css/_system/system.css"></head><body>' + NAV
    )


def _list_row(href, title, date):
    return (
        f'<li class="list_item"><span class="Article_Title"><a href="{href}" target="_blank" '
        f'title="{title}">{title}</a></span><span class="Article_PublishDate">{date}</span></li>'
    )


def _article(article_id, title, metas, body, after=""):
    return (
        _head(title) + '<div class="col_path"><span>当前位置：</span><a href="/main.htm">首页</a>'
        '<span class="possplit">&nbsp;&nbsp;</span><a href="/xyxw/list.htm">学院新闻</a></div>'
        f'<div class="article"><h1 class="arti_title">{title}</h1>'
        f'<p class="arti_metas">{metas}<span class="arti_views">浏览次数：<span class="WP_VisitCount" '
        f'url="/_visitcountdisplay?siteId=12&amp;type=3&amp;articleId={article_id}">0</span></span></p>'
        f'<div class="entry"><div class="read"><div class="wp_articlecontent">{body}</div></div></div>'
        f"{after}</div></body></html>"
    )


def build() -> Site:
    site = Site()
    site.add(
        "/main.htm",
        _head("首页").replace("首页-", "") + '<ul class="wp_article_list"></ul></body></html>',
    )
    site.pages["/"] = site.pages["/main.htm"]
    site.add(
        "/xyxw/list.htm",
        _head("学院新闻")
        + '<div class="col_name">学院新闻</div><ul class="wp_article_list">'
        + _list_row("/2024/1220/c1234a56789/page.htm", "外国语学院举办翻译大赛", "2024-12-20")
        + _list_row("/2024/1218/c1234a56790/page.psp", "外国语学院召开教学研讨会", "2024-12-18")
        + _list_row("https://mp.weixin.qq.com/s/xyz", "公众号推送", "2024-12-17")
        + '</ul><div id="wp_paging_w6"><ul class="wp_paging clearfix"><li class="page_nav">'
        '<a class="next" href="/xyxw/list2.htm">下一页</a><a class="last" href="/xyxw/list2.htm">尾页</a>'
        '</li><li class="page_jump"><span class="pages">页码：<em class="curr_page">1</em>/<em class="all_pages">2</em></span></li></ul></div>'
        "</body></html>",
    )
    site.add(
        "/xyxw/list2.htm",
        _head("学院新闻")
        + '<ul class="wp_article_list">'
        + _list_row("/2024/0601/c1234a56780/page.htm", "外国语学院毕业典礼", "2024-06-01")
        + _list_row("/2024/0501/c1234a56700/page.htm", "已删除的文章", "2024-05-01")
        + '</ul><a class="prev" href="/xyxw/list.htm">上一页</a></body></html>',
    )
    site.add(
        "/tzgg/list.htm",
        _head("通知公告") + '<div class="news_list"><ul>'
        '<li class="news"><span class="news_title"><a href="/2024/1215/c1300a57001/page.htm">关于2025年寒假放假安排的通知</a></span>'
        '<span class="news_meta">2024-12-15</span></li>'
        "</ul></div></body></html>",
    )
    site.add(
        "/2024/1220/c1234a56789/page.htm",
        _article(
            "56789",
            "外国语学院举办翻译大赛",
            '<span class="arti_publisher">发布者：管理员</span><span class="arti_update">发布时间：2024-12-20 15:30</span>'
            "<span>作者：周一</span><span>摄影：吴二</span>",
            '<p style="text-indent:2em;mso-bidi-font-size:12pt"><span style="font-size:16px">12月19日，翻译大赛决赛举行。</span></p>'
            f'<p style="text-align:center"><img src="{IMG}" width="600" data-layer="photo"></p>'
            f"<p><a href=\"{FILE_PDF}\" sudyfile-attr=\"{{'title':'大赛获奖名单.pdf'}}\">"
            '<img src="/_ueditor/themes/default/images/icon_pdf.gif">获奖名单</a></p>',
        ),
    )
    site.add(
        "/2024/1218/c1234a56790/page.psp",
        _article(
            "56790",
            "外国语学院召开教学研讨会",
            '<span class="arti_update">发布时间：2024年12月18日</span><span>来源：教务办公室</span><span>责任编辑：郑三</span>',
            "<p>研讨会围绕课程建设展开。</p>",
        ),
    )
    site.add(
        "/2024/0601/c1234a56780/page.htm",
        _article(
            "56780",
            "外国语学院毕业典礼",
            '<span class="arti_update">发布时间：2024/06/01</span>',
            f'<p><img src="{IMG}"></p><p>毕业快乐。</p>',
        )
        .replace(
            '<meta charset="utf-8">',
            '<meta http-equiv="Content-Type" content="text/html; charset=gbk">',
        )
        .encode("gbk"),
    )
    site.add(
        "/2024/1215/c1300a57001/page.htm",
        _article(
            "57001",
            "关于2025年寒假放假安排的通知",
            '<span class="arti_update">发布时间：2024-12-15 08:00</span><span>供稿：学院办公室</span>',
            f'<div class="wp_pdf_player" pdfsrc="{FILE_PLAYER}" sudyfile-attr="{{\'title\':\'寒假安排.pdf\'}}"></div>',
        ),
    )
    site.handle(
        "/_visitcountdisplay",
        lambda q: Response(str(VIEWS.get(q.get("articleid"), 0)).encode(), "text/plain"),
    )
    site.add(IMG, JPEG, content_type="image/jpeg")
    site.add(FILE_PDF, PDF, content_type="application/pdf")
    site.add(FILE_PLAYER, PDF, content_type="application/pdf")
    return site
