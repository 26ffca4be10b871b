"""Journey 3: a visitor on a desktop and on a phone reads the department's news."""

import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from newsroom.models import Article
from newsroom.services import clicks
from tests.factories import ArticleFactory, CategoryFactory, ImageFactory, image_bytes

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TARGET = "量子计算实验室揭牌仪式隆重举行"
NOTICE = "关于2024年度国家奖学金评审工作的通知"


def photo(color, name):
    return ImageFactory(
        file=ContentFile(image_bytes(size=(800, 500), color=color), name=name),
        alt_text=f"{name}配图",
    )


def body_with(image, text):
    return (
        f'<p>{text}</p><figure class="image"><img src="{image.url}" alt="{image.alt_text}" '
        f'width="{image.width}" height="{image.height}"></figure><p>（学院办公室供稿）</p>'
    )


@pytest.fixture
def newsroom_site():
    """A department with 23 news articles (two pages, photos) and a notice to search for."""
    news = CategoryFactory(
        name="学院新闻", slug="news", department__name="计算机学院", department__slug="cs"
    )
    notices = CategoryFactory(name="通知公告", slug="notices", department=news.department)
    photos = [
        photo((180, 40, 40), "red"),
        photo((40, 120, 60), "green"),
        photo((40, 60, 160), "blue"),
    ]
    now = timezone.now()
    articles = []
    for i in range(23):
        image = photos[i % 3]
        title = TARGET if i == 21 else f"学院新闻第{23 - i}期：教学科研工作动态"
        articles.append(
            ArticleFactory(
                category=news,
                title=title,
                body=body_with(image, f"{title}。学院师生积极参与。"),
                cover=image if i % 2 == 0 else None,
                publish_at=now - timedelta(hours=i + 1),
                click_count=40 + i,
            )
        )
    ArticleFactory(
        category=notices,
        title=NOTICE,
        body=body_with(photos[0], "请各班级于本月底前提交国家奖学金申请材料。"),
        publish_at=now - timedelta(hours=2),
    )
    return articles


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_visitor_reads_the_news(journey, newsroom_site, device):
    """Homepage, column pages, article (breadcrumb, time, clicks, images, 上一篇/下一篇), search."""
    target, newer, older = newsroom_site[21], newsroom_site[20], newsroom_site[22]
    page = journey.page(device)
    assert not clicks.is_bot(page.evaluate("navigator.userAgent")), "headless Chrome must count"

    page.goto("/")
    assert page.url.endswith("/cs/")  # the only department: straight to its homepage
    expect(page.locator(".site-title")).to_have_text("计算机学院")
    expect(page.locator(".block h2", has_text="学院新闻")).to_be_visible()
    expect(page.locator(".block h2", has_text="通知公告")).to_be_visible()
    journey.check(page, "department-home")

    page.locator(".block", has_text="学院新闻").locator(".block__more").click()
    expect(page.locator("h1.page-title")).to_have_text("学院新闻")
    expect(page.locator(".article-list .article-row")).to_have_count(20)
    expect(page.locator(".pagination__current")).to_have_text("第 1 页")
    journey.check(page, "column-page-1")

    page.get_by_role("link", name="下一页").click()
    expect(page.locator(".pagination__current")).to_have_text("第 2 页")
    expect(page.locator(".article-list .article-row")).to_have_count(3)
    expect(page.get_by_role("link", name="上一页")).to_be_visible()
    journey.check(page, "column-page-2")

    with page.expect_response(click_of(target)) as answer:
        page.get_by_role("link", name=TARGET).click()
    assert answer.value.json() == {"count": 62, "counted": True}
    expect(page.locator("h1.article__title")).to_have_text(TARGET)
    breadcrumb = " ".join(page.locator(".breadcrumb").inner_text().split())
    assert breadcrumb == "当前位置: 部门首页 > 学院新闻 > 正文"
    expect(page.locator(".click-count")).to_have_text("62")  # 61 before this visit
    published = timezone.localtime(target.publish_at).strftime("%Y-%m-%d %H:%M:%S")
    expect(page.locator(".article__meta")).to_contain_text(f"时间: {published}")
    assert re.fullmatch(r"点击: \d+", page.locator(".article__meta > span").nth(1).inner_text())
    expect(page.locator(".article__body img")).to_have_count(1)
    journey.check(page, "article")
    target.refresh_from_db()
    assert target.click_count == 62

    with page.expect_response(click_of(target)) as answer:
        page.reload()
    assert answer.value.json() == {"count": 62, "counted": False}  # same visitor, same window
    expect(page.locator(".click-count")).to_have_text("62")
    journey.check(page)

    with page.expect_response(click_of(newer)):
        page.locator(".article__neighbours a[rel=prev]").click()
    assert page.url.endswith(newer.get_absolute_url())
    expect(page.locator("h1.article__title")).to_have_text(newer.title)
    expect(page.locator(".click-count")).to_have_text(str(newer.click_count + 1))
    expect(page.locator(".article__neighbours a[rel=next]")).to_have_text(TARGET)
    journey.check(page, "article-previous")

    with page.expect_response(click_of(target)) as answer:
        page.locator(".article__neighbours a[rel=next]").click()
    assert answer.value.json()["counted"] is False
    expect(page.locator("h1.article__title")).to_have_text(TARGET)
    expect(page.locator(".click-count")).to_have_text("62")
    journey.check(page)
    with page.expect_response(click_of(older)):
        page.locator(".article__neighbours a[rel=next]").click()
    expect(page.locator("h1.article__title")).to_have_text(older.title)
    journey.check(page)
    assert Article.objects.get(pk=target.pk).click_count == 62

    page.locator("#search-q").fill("奖学金")
    page.locator("#search-q").press("Enter")
    expect(page.locator(".search-result")).to_have_count(1)
    expect(page.locator(".search-result__title")).to_have_text(NOTICE)
    journey.check(page, "search")
    page.locator(".search-result__title").click()
    expect(page.locator("h1.article__title")).to_have_text(NOTICE)
    assert " ".join(page.locator(".breadcrumb").inner_text().split()).endswith("通知公告 > 正文")
    journey.check(page, "search-result")


def click_of(article):
    """Matches the page script's POST that records a view of ``article``."""
    path = f"/click/{article.pk}/"
    return lambda response: response.url.endswith(path) and response.request.method == "POST"


def test_pages_have_a_favicon(journey):
    """The icon a page declares (or /favicon.ico, which browsers ask for otherwise) exists."""
    CategoryFactory(department__slug="cs")
    page = journey.page()
    page.goto("/cs/")
    icon = page.evaluate("document.querySelector('link[rel~=icon]')?.href || '/favicon.ico'")
    assert page.request.get(icon).ok, f"{icon} is missing"
