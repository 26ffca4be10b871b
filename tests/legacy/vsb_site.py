# ruff: noqa: E501  (page markup, kept as the old sites write it: one element a line)
"""
A small 博达 VSB site, written from the markup notes with their variants:

- ``index.htm``: navigation to 学院新闻 (``xwdt.htm``), 通知公告 (``tzgg.htm``, an old
  ``winstyle`` table list in GB2312), 学院简介 (a page with no list) and an off-site link;
- ``xwdt.htm`` + ``xwdt/2.htm`` + ``xwdt/1.htm``: reversed pagination, static and
  ``content.jsp`` links, an off-site item, a 系统提示 wall, a 404;
- articles with the meta line in its formats, GBK pages with and without a declared
  charset, a Word paste, images, attachments named by ``Content-Disposition``
  (RFC 5987, raw GBK) or the link text, a missing image and a broken attachment.
"""

from tests.factories import image_bytes

from .server import Response, Site

OWNER = "1234567890"
CLICKS = {"3456": 1234, "3457": 56, "3449": 7, "3440": 0, "3500": 890, "3501": 12}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = image_bytes("JPEG", size=(640, 400))
PNG = image_bytes("PNG", size=(300, 200), color=(10, 120, 200))

IMG_1 = "/__local/A/1B/2C/3D4E5F60718293A4B5C6D7E8F90_1A2B3C4D_2F3A1.jpg"
IMG_2 = "/__local/B/2C/3D/4E5F60718293A4B5C6D7E8F90A1_2B3C4D5E_1F00.png"
IMG_MISSING = "/__local/C/3D/4E/missing_00000000_10.jpg"
IMG_NOT_AN_IMAGE = "/__local/D/4E/5F/notanimage_00000000_10.jpg"
FILE_PDF = "9A8B7C6D5E4F30211203948576A6B7C8"
FILE_TXT = "765"
FILE_BROKEN = "766"
FILE_NAMED_BY_LINK = "767"


def download(wbfileid):
    return (
        "/system/_content/download.jsp?urltype=news.DownloadAttachUrl"
        f"&owner={OWNER}&wbfileid={wbfileid}"
    )


def _head(title, extra=""):
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f"<title>{title}-示例大学示例学院</title>{extra}"
        "<!--Announced by Visual SiteBuilder 9-->"
        '<link rel="stylesheet" href="/_sitegray/_sitegray_d.css">'
        '<script src="/system/resource/js/counter.js"></script>'
    )


NAV = (
    '<ul class="nav"><li><a href="/index.htm">首页</a></li>'
    '<li><a href="/xwdt.htm">学院新闻</a></li>'
    '<li><a href="/tzgg.htm">通知公告</a></li>'
    '<li><a href="/xygk/xyjj.htm">学院简介</a></li>'
    '<li><a href="http://www.example.edu.cn/">学校主页</a></li></ul>'
)


def _article(news_id, tree_id, title, meta, body, *, pubdate="", after=""):
    extra = f'<META Name="ArticleTitle" Content="{title}" />' if pubdate else ""
    if pubdate:
        extra += f'<META Name="PubDate" Content="{pubdate}" />'
    return (
        _head(title, extra)
        + f"<script>_jsq_({tree_id},'/content.jsp',{news_id},{OWNER})</script></head><body>"
        + NAV
        + '<div class="location">当前位置：<a href="../../index.htm">首页</a> &gt; '
        '<a href="../../xwdt.htm">学院新闻</a> &gt; <a href="">正文</a></div>'
        '<!--#begineditable name="文章内容" viewid="200001"-->'
        '<form name="_newscontent_fromname">'
        f'<h1 class="intro"></h1><h2 class="title">{title}</h2><h3 class="subtitle"></h3>'
        f"{meta}"
        f'<div id="vsb_content"><div class="v_news_content">{body}</div></div>'
        '<div id="div_vote_id"></div>'
        f"{after}"
        '<ul class="prevnext"><li><lable>上一条：</lable><a href="3457.htm">示例学院举办讲课比赛</a>'
        "</li></ul></form><!--#endeditable--></body></html>"
    )


def _clicks(news_id):
    return f'<script>_showDynClicks("wbnews", {OWNER}, {news_id})</script>'


def build() -> Site:
    site = Site()
    site.add(
        "/index.htm",
        _head("首页").replace("首页-", "")
        + "</head><body>"
        + NAV
        + '<ul><li id="line_u3_0"><a href="info/1021/3456.htm" title="示例学院召开年度工作会议">'
        "示例学院召开年度工作会议</a></li></ul>"
        '<a href="xwdt.htm">更多</a></body></html>',
    )
    site.pages["/"] = site.pages["/index.htm"]
    site.add("/xygk/xyjj.htm", _head("学院简介") + "</head><body><p>学院简介正文</p></body></html>")

    # 学院新闻: three pages, page 1 is xwdt.htm, then xwdt/2.htm, then xwdt/1.htm.
    pager = (
        '<div class="pb_sys_common pb_sys_normal pb_sys_style1"><span class="p_t">共7条</span>'
        '<span class="p_pages"><span class="p_no"><a href="{p}xwdt/2.htm">2</a></span>'
        '<span class="p_no"><a href="{p}xwdt/1.htm">3</a></span>'
        '<span class="p_next p_fun"><a href="{p}xwdt/2.htm">下页</a></span></span></div>'
    )
    site.add(
        "/xwdt.htm",
        _head("学院新闻")
        + "</head><body>"
        + NAV
        + '<div class="location">当前位置：<a href="index.htm">首页</a> &gt; <a href="xwdt.htm">学院新闻</a></div>'
        "<ul>"
        '<li id="line_u8_0"><a href="info/1021/3457.htm" title="示例学院举办讲课比赛">示例学院举办讲课比赛</a><span>2024-12-22</span></li>'
        '<li id="line_u8_1"><a href="info/1021/3456.htm" title="示例学院召开年度工作会议">示例学院召开年度工作会议</a><span>2024-12-20</span></li>'
        '<li id="line_u8_2"><a href="content.jsp?urltype=news.NewsContentUrl&amp;wbtreeid=1021&amp;wbnewsid=3449" title="示例学院开展实验室安全检查工作的通知">示例学院开展实验室安全检查...</a><span>2024-12-15</span></li>'
        "</ul>"
        + pager.format(p="")
        + "<script>_showDynClickBatch(['dynclicks_u8_3457'],[3457],\"wbnews\", 1234567890)</script>"
        "</body></html>",
    )
    site.add(
        "/xwdt/2.htm",
        _head("学院新闻") + "</head><body>" + NAV + "<ul>"
        '<li id="line_u8_0"><a href="../info/1021/3440.htm" title="示例学院举行新年联欢会">示例学院举行新年联欢会</a><span>2024/04/25&nbsp;</span></li>'
        '<li id="line_u8_1"><a href="https://mp.weixin.qq.com/s/abc" title="公众号文章">公众号文章</a><span>2024-04-20</span></li>'
        "</ul>"
        '<a href="../xwdt.htm">上页</a><a href="1.htm">下页</a></body></html>',
    )
    site.add(
        "/xwdt/1.htm",
        _head("学院新闻") + "</head><body>" + NAV + "<ul>"
        '<li id="line_u8_0"><a href="../content.jsp?wbnewsid=3430&amp;wbtreeid=1021&amp;urltype=news.NewsContentUrl" title="未发布">未发布</a><span>2024-03-01</span></li>'
        '<li id="line_u8_1"><a href="../info/1021/3420.htm" title="已删除">已删除</a><span>2024-02-01</span></li>'
        "</ul>"
        '<a href="2.htm">上页</a></body></html>',
    )

    # 通知公告: an old winstyle table, in GB2312 declared only in a <meta>.
    tzgg = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        "<title>通知公告-示例大学示例学院</title></head><body>"
        '<table class="winstyle1001">'
        '<tr><td><a class="c1001" href="info/1022/3500.htm" title="关于开展2025年度科研项目申报的通知">关于开展2025年度科研项目申报的通知</a></td>'
        '<td><span class="timestyle1001">2024/12/01</span></td></tr>'
        '<tr><td><a class="c1001" href="info/1022/3501.htm">学院召开教学工作会议</a></td>'
        '<td><span class="timestyle1001">2024年11月30日</span></td></tr>'
        '<tr><td><a class="c1001" href="info/1021/3456.htm">示例学院召开年度工作会议</a></td>'
        '<td><span class="timestyle1001">2024-12-20</span></td></tr>'
        "</table></body></html>"
    )
    site.add("/tzgg.htm", tzgg.encode("gb18030"))

    # --- articles -----------------------------------------------------------------------
    site.add(
        "/info/1021/3456.htm",
        _article(
            "3456",
            "1021",
            "示例学院召开年度工作会议",
            '<p class="info">来源：学院办公室 &nbsp; 发布时间：2024-12-20 &nbsp; 点击：'
            + _clicks("3456")
            + "</p>",
            '<p class="vsbcontent_start">12月18日，示例学院召开年度工作会议。</p>'
            f'<p class="vsbcontent_img"><img width="600" src="{IMG_1}" '
            'vurl="/_vsl/A1B2C3D4E5F60718293A4B5C6D7E8F90/1A2B3C4D/2F3A1" vsbhref="vurl" '
            f'orisrc="{IMG_1}" title="undefined" alt="undefined" class="img_vsb_content"></p>'
            '<p class="vsbcontent_end"><span style="font-family:宋体">会议部署了下一年度重点任务。</span></p>'
            '<p>详见<a href="../../info/1021/3457.htm">讲课比赛</a>。</p>',
            pubdate="2024-12-20 16:05",
            after='<ul style="list-style-type:none;"><li>附件【<a href="'
            + download(FILE_PDF).replace("&", "&amp;")
            + '" target="_blank">年度工作报告.pdf</a>】已下载<span id="nattach765">'
            f'<script>getClickTimes(765,{OWNER},"wbnewsfile","attach")</script></span>次</li></ul>',
        ),
    )
    site.add(
        "/info/1021/3457.htm",
        _article(
            "3457",
            "1021",
            "示例学院举办讲课比赛",
            '<div class="con_bm"><span>发布时间：2024-12-22 09:30</span> <span>作者：张三</span>'
            "<span>摄影：王五</span> <span>浏览量：" + _clicks("3457") + "次</span></div>"
            '<div id="zrbj">责任编辑：李四</div>',
            f'<p><img src="http://127.0.0.1:PORT{IMG_2}" alt="比赛现场"></p><p>比赛圆满结束。</p>',
            after='<div class="fj"><ul>'
            f'<li>附件【<a href="{download(FILE_TXT)}"><img src="/system/resource/images/fileTypeImages/icon_txt.gif">名单</a>】</li>'
            f'<li>附件【<a href="{download(FILE_BROKEN)}">日程.pdf</a>】</li>'
            f'<li>附件【<a href="{download(FILE_NAMED_BY_LINK)}">评分标准.pdf</a>】</li>'
            "</ul></div>",
        ),
    )
    site.handle(
        "/content.jsp",
        lambda q: {
            "3449": Response(
                _article(
                    "3449",
                    "1021",
                    "示例学院开展实验室安全检查工作的通知",
                    "<p>供稿单位：实验室管理办公室　发布时间：2024年12月15日　"
                    "撰稿：赵六　责任编辑：钱七　点击：" + _clicks("3449") + "</p>",
                    f'<p>检查安排如下。</p><p><img src="{IMG_MISSING}"></p>'
                    f'<p><img src="{IMG_1}"></p>',
                ).encode(),
                content_type="text/html;charset=UTF-8",
            ),
            "3430": Response(
                "<html><head><title>系统提示</title></head><body><p>系统提示：该信息未发布或已删除！</p></body></html>".encode()
            ),
        }.get(q.get("wbnewsid")),
    )
    # GBK without any declared charset (neither header nor meta).
    site.add(
        "/info/1021/3440.htm",
        _article(
            "3440",
            "1021",
            "示例学院举行新年联欢会",
            "<p>时间：2024/04/25 &nbsp; 来源：学生工作办公室</p>",
            f'<p>师生欢聚一堂，共迎新年。</p><p><img src="{IMG_NOT_AN_IMAGE}"></p>',
        )
        .replace('<meta charset="utf-8">', "")
        .encode("gbk"),
    )
    site.add(
        "/info/1022/3500.htm",
        _article(
            "3500",
            "1022",
            "关于开展2025年度科研项目申报的通知",
            "<p>发布时间：2024年12月01日 10:15　作者：科研办　责任编辑：孙八　浏览次数："
            + _clicks("3500")
            + "</p>",
            "<p>各系、各研究所：</p><p>现将有关事项通知如下。</p>",
        )
        .replace('<meta charset="utf-8">', '<meta charset="gbk">')
        .encode("gbk"),
        content_type="text/html",
    )
    site.add(
        "/info/1022/3501.htm",
        _article(
            "3501",
            "1022",
            "学院召开教学工作会议",
            "<p>2024年11月30日　作者：教务办</p>",
            "<style>p.MsoNormal{mso-style-parent:'';margin:0cm;}</style>"
            '<div class="Section1"><p class="MsoNormal" style="mso-line-height:150%;text-align:center">'
            '<span style="mso-bidi-font-size:12.0pt;font-family:宋体">会议由院长主持</span>'
            '<span lang="EN-US"><o:p></o:p></span></p>'
            '<p class="MsoNormal"><span style="font-size:12pt"></span>全体教师参加。</p>'
            '<script>alert("x")</script><p><img src="'
            + IMG_2
            + '" alt="undefined" title="undefined"></p>'
            "</div>",
        ),
    )

    # --- the click counter, images and attachments ------------------------------------------
    site.handle(
        "/system/resource/code/news/click/dynclicks.jsp",
        lambda q: (
            Response(str(CLICKS.get(q.get("clickid"), 0)).encode(), "text/plain")
            if q.get("clicktype") == "wbnews"
            else None
        ),
    )
    site.add(IMG_1, JPEG, content_type="image/jpeg")
    site.add(IMG_2, PNG, content_type="image/png")
    site.add(IMG_NOT_AN_IMAGE, b"<html>not a picture</html>", content_type="image/jpeg")
    files = {
        FILE_PDF.lower(): Response(
            PDF,
            "application/octet-stream",
            headers=[
                (
                    b"Content-Disposition",
                    b"attachment; filename*=UTF-8''%E5%B9%B4%E5%BA%A6%E5%B7%A5%E4%BD%9C%E6%8A%A5%E5%91%8A.pdf",
                )
            ],
        ),
        FILE_TXT: Response(
            "张三\n李四\n".encode("gbk"),
            "application/octet-stream",
            headers=[
                (
                    b"Content-Disposition",
                    b'attachment; filename="' + "参赛名单.txt".encode("gbk") + b'"',
                )
            ],
        ),
        FILE_BROKEN: Response(b"gone", "text/plain", status=500),
        FILE_NAMED_BY_LINK: Response(PDF, "application/octet-stream"),
    }
    site.handle("/system/_content/download.jsp", lambda q: files.get(q.get("wbfileid", "").lower()))
    return site


def fix_port(site: Site, base: str):
    """Absolute addresses in the pages name the server's real port."""
    port = base.rsplit(":", 1)[1]
    for response in site.pages.values():
        if b"PORT" in response.body:
            response.body = response.body.replace(b"127.0.0.1:PORT", f"127.0.0.1:{port}".encode())
