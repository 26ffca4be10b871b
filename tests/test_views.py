import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from newsroom.models import Article
from tests.factories import ArticleFactory, CategoryFactory, DepartmentFactory, ImageFactory
from tests.utils import (
    current_page_number,
    has_class,
    pagination_link,
    parse_html,
    row_titles,
)

pytestmark = pytest.mark.django_db


def titles(response):
    """The titles of a column page's rows, in order."""
    assert response.status_code == 200
    return row_titles(response.text)


def block_titles(response):
    """{column name: its row titles in order} of a department homepage's column blocks."""
    assert response.status_code == 200
    sections = parse_html(response).xpath(
        f"//div[{has_class('blocks')}]/section[{has_class('block')}]"
    )
    return {section.findtext(".//h2").strip(): row_titles(section) for section in sections}


def next_page_url(column, response):
    """The address the 下一页 link of a column page leads to, or None on the last page."""
    link = pagination_link(response, "next")
    return column.get_absolute_url() + link if link else None


@pytest.fixture
def column():
    return CategoryFactory(name="最新动态", slug="news")


def make_column_articles(column, count, *, start=None):
    start = start or timezone.now() - timedelta(days=1)
    return [
        ArticleFactory(category=column, title=f"文章{i:03d}", publish_at=start - timedelta(hours=i))
        for i in range(count)
    ]


# --- home -------------------------------------------------------------------


def test_home_redirects_to_the_only_department(client, column):
    """With one department, the site home goes straight to its homepage."""
    response = client.get(reverse("newsroom:home"))
    assert response.status_code == 302
    assert response.url == column.department.get_absolute_url()


def test_home_lists_departments(client):
    """With several departments, the home lists each of them."""
    DepartmentFactory(name="信息学院")
    DepartmentFactory(name="外国语学院")
    response = client.get(reverse("newsroom:home"))
    assert response.status_code == 200
    assert "信息学院" in response.text and "外国语学院" in response.text


# --- department homepage ----------------------------------------------------


def test_department_homepage_shows_pinned_then_newest_per_column(client, column):
    """Each column block lists its pinned articles first, then the newest."""
    other = CategoryFactory(department=column.department, name="通知公告", slug="notices")
    old_pinned = ArticleFactory(
        category=column,
        title="置顶旧闻",
        is_pinned=True,
        publish_at=timezone.now() - timedelta(days=30),
    )
    newest = ArticleFactory(category=column, title="最新消息", publish_at=timezone.now())
    notice = ArticleFactory(category=other, title="放假通知")
    ArticleFactory(category=column, title="草稿", status=Article.Status.DRAFT)
    response = client.get(column.department.get_absolute_url())
    blocks = block_titles(response)
    assert blocks[column.name] == [old_pinned.title, newest.title]
    assert blocks[other.name] == [notice.title]
    assert "草稿" not in response.text


def test_department_homepage_limits_each_column(client, column):
    """A column block shows at most eight articles."""
    make_column_articles(column, 12)
    response = client.get(column.department.get_absolute_url())
    assert len(block_titles(response)[column.name]) == 8


def test_expired_pin_returns_to_date_order(client, column):
    """An article whose pin has ended is listed by its date again."""
    ArticleFactory(
        category=column,
        title="过期置顶",
        is_pinned=True,
        pinned_until=timezone.now() - timedelta(minutes=1),
        publish_at=timezone.now() - timedelta(days=10),
    )
    ArticleFactory(category=column, title="较新", publish_at=timezone.now() - timedelta(days=1))
    response = client.get(column.get_absolute_url())
    assert titles(response) == ["较新", "过期置顶"]


def test_unknown_department_is_404(client):
    """An unknown department slug is a 404 page in the site's style."""
    response = client.get("/no-such-department/")
    assert response.status_code == 404
    assert 'class="error-page"' in response.text
    assert "页面不存在" in response.text


# --- column list ------------------------------------------------------------


def test_column_list_pages_of_twenty_pinned_first(client, column):
    """Page 1 has the pinned article first and twenty rows in all."""
    make_column_articles(column, 45)
    pinned = ArticleFactory(
        category=column,
        title="置顶",
        is_pinned=True,
        publish_at=timezone.now() - timedelta(days=300),
    )
    response = client.get(column.get_absolute_url())
    assert response.status_code == 200
    rows = titles(response)
    assert len(rows) == 20
    assert rows[0] == pinned.title
    assert rows[1:] == [f"文章{i:03d}" for i in range(19)]
    assert pagination_link(response, "next") is not None


def test_column_list_cursor_pages_cover_every_article_once(client, column):
    """Following 下一页 links visits every published article exactly once, in order."""
    make_column_articles(column, 47)
    ArticleFactory(category=column, title="置顶A", is_pinned=True)
    seen = []
    url = column.get_absolute_url()
    for _ in range(10):
        response = client.get(url)
        seen += titles(response)
        url = next_page_url(column, response)
        if not url:
            break
    assert seen == ["置顶A"] + [f"文章{i:03d}" for i in range(47)]


def test_column_list_previous_link_returns_the_same_page(client, column):
    """上一页 from page 3 shows exactly what page 2 showed."""
    make_column_articles(column, 70)
    page1 = client.get(column.get_absolute_url())
    page2 = client.get(next_page_url(column, page1))
    page3 = client.get(next_page_url(column, page2))
    back = client.get(column.get_absolute_url() + pagination_link(page3, "prev"))
    assert titles(back) == titles(page2)
    assert current_page_number(back) == 2


def test_page_number_without_cursor_matches_cursor_paging(client, column):
    """?page=3 typed by hand shows the same rows as page 3 reached by links."""
    make_column_articles(column, 65)
    ArticleFactory(category=column, title="置顶", is_pinned=True)
    by_number = titles(client.get(column.get_absolute_url() + "?page=3"))
    expected = ([f"文章{i:03d}" for i in range(65)])[39:59]
    assert by_number == expected


@pytest.mark.parametrize("page", ["abc", "0", "-1", "", "1.5", "９", "1" * 50])
def test_bad_page_numbers_show_the_first_page(client, column, page):
    """Unusable page numbers show page 1, never an error."""
    make_column_articles(column, 25)
    response = client.get(column.get_absolute_url(), {"page": page})
    assert response.status_code == 200
    assert current_page_number(response) == 1


@pytest.mark.parametrize("cursor", ["zzz", "1.2.3", "-1", "9" * 39 + ".1", "<script>", ""])
def test_bad_cursors_do_not_fail(client, column, cursor):
    """Malformed cursors are ignored rather than answered with a 500."""
    make_column_articles(column, 25)
    response = client.get(column.get_absolute_url(), {"page": "2", "after": cursor})
    assert response.status_code in (200, 404)


@pytest.mark.parametrize("direction", ["after", "before"])
def test_cursor_with_an_id_beyond_64_bits_is_404(client, column, direction):
    """A well-formed cursor naming an id no article can have finds nothing."""
    make_column_articles(column, 5)
    cursor = "1700000000000000." + "9" * 22
    response = client.get(column.get_absolute_url(), {"page": "2", direction: cursor})
    assert response.status_code == 404


def test_page_past_the_end_is_404(client, column):
    """A page number past the last page is a 404."""
    make_column_articles(column, 5)
    assert client.get(column.get_absolute_url(), {"page": "999999"}).status_code == 404


def test_column_of_another_department_is_404(client, column):
    """A column slug is looked up inside its own department only."""
    other = DepartmentFactory(slug="other")
    assert client.get(f"/{other.slug}/{column.slug}/").status_code == 404


def test_overlong_path_is_404(client, column):
    """An absurdly long address is a 404, not a server error."""
    assert client.get("/" + "a" * 3000 + "/").status_code == 404
    assert client.get(f"/{column.department.slug}/{'b' * 3000}/").status_code == 404


# --- article detail ---------------------------------------------------------


def test_article_detail_shows_breadcrumb_time_clicks_and_credits(client, column):
    """The article page shows 当前位置, 时间, 点击 and the credit line."""
    article = ArticleFactory(
        category=column,
        title="学院召开教学工作会议",
        author="张明",
        source="学院办公室",
        photographer="李华",
        responsible_editor="陈静",
        publish_at=timezone.make_aware(timezone.datetime(2023, 5, 13, 14, 54, 29)),
    )
    Article.objects.filter(pk=article.pk).update(click_count=1234)
    response = client.get(article.get_absolute_url())
    text = re.sub(r"\s+", " ", response.text)
    assert "当前位置:" in text
    assert f'<a href="{column.department.get_absolute_url()}">部门首页</a>' in text
    assert f'<a href="{column.get_absolute_url()}">最新动态</a>' in text
    assert "正文" in text
    assert "时间: <time" in text and "2023-05-13 14:54:29" in text
    assert ">1234</span>" in text
    for credit in ("作者: 张明", "来源: 学院办公室", "摄影: 李华", "责任编辑: 陈静"):
        assert credit in text


def test_article_detail_has_cover_and_body(client, column):
    """The body HTML is rendered as stored (it was cleaned on save)."""
    article = ArticleFactory(category=column, body="<h2>小标题</h2><p>正文<b>加粗</b></p>")
    response = client.get(article.get_absolute_url())
    assert "<h2>小标题</h2><p>正文<b>加粗</b></p>" in response.text


@pytest.mark.parametrize(
    "overrides",
    [
        {"status": Article.Status.DRAFT},
        {"status": Article.Status.PENDING},
        {"status": Article.Status.REJECTED},
        {"status": Article.Status.TAKEN_DOWN},
        # Computed when the tests are collected: far enough ahead for a slow suite.
        {"publish_at": timezone.now() + timedelta(days=1)},
    ],
)
def test_invisible_articles_are_404(client, column, overrides):
    """Drafts, unreviewed, withdrawn and future articles are a 404 for visitors."""
    article = ArticleFactory(category=column, **overrides)
    assert client.get(article.get_absolute_url()).status_code == 404
    listing = client.get(column.get_absolute_url())
    assert article.title not in listing.text


def test_unknown_article_is_404(client):
    """An unknown article id is a 404."""
    assert client.get("/articles/999999999/").status_code == 404
    assert client.get("/articles/99999999999999999999999/").status_code == 404


def neighbour_titles(client, article):
    """The titles the 上一篇 and 下一篇 links of an article page lead to (None for 没有了),
    each checked to link to the article of that title."""
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    (nav,) = parse_html(response).xpath(f"//nav[{has_class('article__neighbours')}]")
    found = []
    for rel in ("prev", "next"):
        links = nav.xpath(f".//a[@rel='{rel}']")
        if not links:
            found.append(None)
            continue
        title = links[0].text_content().strip()
        assert links[0].get("href") == Article.objects.get(title=title).get_absolute_url()
        found.append(title)
    return tuple(found)


def test_previous_and_next_follow_the_list_order(client, column):
    """上一篇/下一篇 walk the column in list order: pinned first, then newest."""
    now = timezone.now()
    a = ArticleFactory(category=column, title="A", publish_at=now - timedelta(days=1))
    b = ArticleFactory(category=column, title="B", publish_at=now - timedelta(days=2))
    c = ArticleFactory(category=column, title="C", publish_at=now - timedelta(days=3))
    p = ArticleFactory(
        category=column, title="P", publish_at=now - timedelta(days=9), is_pinned=True
    )
    ArticleFactory(
        category=column,
        title="draft",
        status=Article.Status.DRAFT,
        publish_at=now - timedelta(hours=36),
    )
    ArticleFactory(title="other column", publish_at=now - timedelta(hours=30))
    assert neighbour_titles(client, p) == (None, "A")
    assert neighbour_titles(client, a) == ("P", "B")
    assert neighbour_titles(client, b) == ("A", "C")
    assert neighbour_titles(client, c) == ("B", None)


def test_previous_and_next_with_equal_publish_times(client, column):
    """Articles published in the same second are ordered by id and none is skipped."""
    moment = timezone.now() - timedelta(days=1)
    first, second, third = (
        ArticleFactory(category=column, title=t, publish_at=moment) for t in "XYZ"
    )
    # Newest first means the highest id first among equal times.
    assert neighbour_titles(client, third) == (None, "Y")
    assert neighbour_titles(client, second) == ("Z", "X")
    assert neighbour_titles(client, first) == ("Y", None)


def test_article_page_has_click_script_and_noscript_beacon(client, column):
    """The page loads the click script from the project and has a no-JS beacon."""
    article = ArticleFactory(category=column)
    response = client.get(article.get_absolute_url())
    assert '<script src="/static/newsroom/js/clicks.js" defer></script>' in response.text
    assert reverse("newsroom:article-click-beacon", args=[article.pk]) in response.text
    assert "<script>" not in response.text  # no inline script


def test_thumbnail_in_lists_is_a_small_rendition_with_dimensions(client, column, media_root):
    """List thumbnails are 4:3 renditions with width, height and srcset, made at upload."""
    from django.core.files.base import ContentFile

    from tests.factories import image_bytes

    cover = ImageFactory(file=ContentFile(image_bytes(size=(800, 500)), name="wide.jpg"))
    ArticleFactory(category=column, cover=cover)
    response = client.get(column.get_absolute_url())
    stem = cover.file.name.removeprefix("uploads/").removesuffix(".jpg")
    assert f'src="/media/renditions/{stem}-thumb-320.jpg"' in response.text
    assert f"/media/renditions/{stem}-thumb-160.jpg 160w" in response.text
    assert 'width="320" height="240"' in response.text
    for width in (160, 320):
        path = media_root / "renditions" / f"{stem}-thumb-{width}.jpg"
        from PIL import Image as PILImage

        with PILImage.open(path) as picture:
            assert picture.size == (width, width * 3 // 4)


def test_english_interface(client, column, settings):
    """A department whose language is English has English pages, whatever the browser."""
    column.department.language = "en"
    column.department.save()
    article = ArticleFactory(category=column)
    response = client.get(article.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert "You are here:" in response.text
    assert "Clicks:" in response.text


def test_department_homepage_image_news_and_most_read(client, column):
    """The homepage shows covered articles as image news and 热门文章 by 30-day clicks."""
    from newsroom.models import DailyClickCount

    with_cover = ArticleFactory(
        category=column, title="有图新闻", cover=ImageFactory(alt_text="颁奖现场")
    )
    ArticleFactory(category=column, title="无图新闻")
    hot = ArticleFactory(category=column, title="热门")
    stale = ArticleFactory(category=column, title="过气")
    today = timezone.localdate()
    DailyClickCount.objects.create(article=hot, day=today, count=90)
    DailyClickCount.objects.create(article=stale, day=today - timedelta(days=40), count=900)
    DailyClickCount.objects.create(article=with_cover, day=today - timedelta(days=2), count=10)
    response = client.get(column.department.get_absolute_url())
    page = parse_html(response)
    captions = page.xpath(
        f"//section[{has_class('carousel')}]//span[{has_class('carousel__caption')}]"
    )
    assert [caption.text_content().strip() for caption in captions] == ["有图新闻"]
    most_read = page.xpath(f"//ol[{has_class('most-read__list')}]//a")
    assert [link.text_content().strip() for link in most_read] == ["热门", "有图新闻"]
    assert 'aria-roledescription="carousel"' in response.text
    assert 'alt="颁奖现场"' in response.text
    assert "/static/newsroom/js/carousel.js" in response.text


def test_article_page_has_open_graph_tags(client, column):
    """Article pages carry a title, description, canonical URL and Open Graph tags."""
    article = ArticleFactory(
        category=column, title="开学典礼", summary="新生开学典礼隆重举行。", cover=ImageFactory()
    )
    text = client.get(article.get_absolute_url()).text
    canonical = f"http://testserver{article.get_absolute_url()}"
    assert "<title>开学典礼 - " in text
    assert '<meta name="description" content="新生开学典礼隆重举行。">' in text
    assert f'<link rel="canonical" href="{canonical}">' in text
    assert '<meta property="og:title" content="开学典礼">' in text
    assert '<meta property="og:description" content="新生开学典礼隆重举行。">' in text
    assert '<meta property="og:image" content="http://testserver/media/' in text


def test_more_pinned_articles_than_a_page_are_all_listed(client, column):
    """With 25 pinned and 30 other articles, the pages list all 55 once, pinned first."""
    now = timezone.now()
    for i in range(25):
        ArticleFactory(
            category=column,
            title=f"置顶{i:02d}",
            is_pinned=True,
            publish_at=now - timedelta(days=100, hours=i),
        )
    make_column_articles(column, 30)
    seen, url, pages = [], column.get_absolute_url(), []
    for _ in range(5):
        response = client.get(url)
        pages.append(url)
        seen += titles(response)
        url = next_page_url(column, response)
        if not url:
            break
    assert seen == [f"置顶{i:02d}" for i in range(25)] + [f"文章{i:03d}" for i in range(30)]
    # Going back from page 3 shows page 2 again.
    back = pagination_link(client.get(pages[2]), "prev")
    assert titles(client.get(column.get_absolute_url() + back)) == titles(client.get(pages[1]))


def test_cached_pages_are_kept_per_host(client, column, settings):
    """A page cached for one host name never carries another host's absolute links."""
    settings.NEWSROOM_PAGE_CACHE = True
    settings.ALLOWED_HOSTS = ["testserver", "news.example.edu.cn"]
    article = ArticleFactory(category=column)
    client.get(article.get_absolute_url())
    other = client.get(article.get_absolute_url(), HTTP_HOST="news.example.edu.cn")
    assert 'href="http://news.example.edu.cn/articles/' in other.text


def test_first_image_news_picture_loads_eagerly(client, column):
    """The first carousel picture is visible at once, so it is not lazy; the others are."""
    for i in range(2):
        ArticleFactory(category=column, title=f"图{i}", cover=ImageFactory())
    text = client.get(column.department.get_absolute_url()).text
    slides = re.findall(r'<li class="carousel__slide".*?</li>', text, re.S)
    assert len(slides) == 2
    assert 'loading="lazy"' not in slides[0] and 'loading="lazy"' in slides[1]
