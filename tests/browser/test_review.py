"""Journey 2: a reviewer rejects an article, the editor fixes it, the reviewer publishes it."""

import pytest

from newsroom.models import Article
from newsroom.services import moderation, revisions
from tests.factories import ArticleFactory, CategoryFactory, ImageFactory, member

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Xinwen-2024-review"
TITLE = "我院师生在全国大学生数学建模竞赛中获佳绩"
REASON = "请补充获奖名单和指导教师。"
FIX = "获奖学生：李明、张华；指导教师：陈老师。"


@pytest.fixture
def submitted():
    """An article an editor has written (with a photo) and submitted for review."""
    news = CategoryFactory(
        name="学院新闻", slug="news", department__name="数学学院", department__slug="math"
    )
    CategoryFactory(name="通知公告", slug="notices", department=news.department)
    editor = member(news.department, "editor", username="zhaomin", password=PASSWORD)
    member(news.department, "reviewer", username="sunqiang", password=PASSWORD)
    for n in range(3):
        ArticleFactory(
            category=news, title=f"数学学院举办第{n + 1}届学术年会", cover=ImageFactory()
        )
    photo = ImageFactory(alt_text="颁奖现场")
    article = Article(
        category=news,
        title=TITLE,
        summary="我院代表队获得一等奖两项。",
        body=f'<p>近日，竞赛结果揭晓。</p><figure class="image"><img src="{photo.url}" '
        f'alt="颁奖现场" width="{photo.width}" height="{photo.height}"></figure>',
    )
    revisions.article_save(article=article, user=editor)
    moderation.article_submit(article=article, user=editor)
    return article


def test_reviewer_rejects_then_approves(journey, submitted):
    """Queue, preview in a new tab, reject with a reason, editor fixes and resubmits, approve."""
    article = submitted

    reviewer = journey.page()
    journey.log_in(reviewer, "sunqiang", PASSWORD)
    reviewer.locator("tr.model-reviewitem th a", has_text="审核队列").click()
    row = reviewer.locator("#result_list tbody tr", has_text=TITLE)
    expect(row).to_have_count(1)
    journey.check(reviewer, "review-queue")

    with reviewer.context.expect_page() as new_tab:
        row.get_by_role("link", name="预览").click()
    preview = new_tab.value
    preview.wait_for_load_state()
    expect(preview.locator(".preview-banner")).to_contain_text("预览：这是文章发布后的样子")
    expect(preview.locator("h1.article__title")).to_have_text(TITLE)
    journey.check(preview, "preview")
    preview.close()

    row.get_by_role("link", name="审核", exact=True).click()
    reviewer.locator("#moderation textarea[name=reason]").fill(REASON)
    reviewer.locator("#moderation button", has_text="退回").click()
    expect(reviewer.locator(".messagelist")).to_contain_text("文章已退回。")
    expect(reviewer.locator("#moderation")).to_contain_text("状态： 已退回")
    journey.check(reviewer, "rejected")
    article.refresh_from_db()
    assert (article.status, article.rejection_reason) == (Article.Status.REJECTED, REASON)

    editor = journey.page()  # a fresh browser context: the editor's own computer
    journey.log_in(editor, "zhaomin", PASSWORD)
    editor.locator("tr.model-article th a").click()
    editor.locator("#result_list a", has_text=TITLE).click()
    expect(editor.locator(".errornote")).to_have_text(f"审核员退回意见： {REASON}")
    journey.check(editor, "returned-to-editor")

    editor.locator(".ck-editor__editable").click()
    editor.keyboard.press("Control+End")
    editor.keyboard.press("Enter")
    editor.keyboard.type(FIX)
    editor.click("input[name=_continue]")
    expect(editor.locator(".messagelist .success")).to_be_visible()
    editor.locator("#moderation button", has_text="提交审核").click()
    expect(editor.locator(".messagelist")).to_contain_text("文章已提交审核。")
    journey.check(editor, "resubmitted")
    article.refresh_from_db()
    assert article.status == Article.Status.PENDING
    assert FIX in article.body and article.rejection_reason == ""

    reviewer.goto("/admin/newsroom/reviewitem/")
    reviewer.locator("#result_list tbody tr", has_text=TITLE).get_by_role(
        "link", name="审核", exact=True
    ).click()
    expect(reviewer.locator(".ck-editor__editable")).to_contain_text(FIX)
    reviewer.locator("#moderation button", has_text="审核通过").click()
    expect(reviewer.locator(".messagelist")).to_contain_text("文章已审核通过。")
    journey.check(reviewer, "approved")
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert article in Article.objects.published()
    reviewer.goto("/admin/newsroom/reviewitem/")
    expect(reviewer.locator("#result_list tbody tr", has_text=TITLE)).to_have_count(0)

    for device in ("desktop", "phone"):
        visitor = journey.page(device)
        visitor.goto("/math/")
        first_news = visitor.locator(".block", has_text="学院新闻").locator(".article-row").first
        expect(first_news).to_contain_text(TITLE)  # the newest, so at the top
        journey.check(visitor, "department-home")
        visitor.locator(".site-nav a", has_text="学院新闻").click()
        expect(visitor.locator(".article-row").first).to_contain_text(TITLE)
        journey.check(visitor, "column")
        visitor.locator(".article-row__title", has_text=TITLE).click()
        expect(visitor.locator("h1.article__title")).to_have_text(TITLE)
        expect(visitor.locator(".article__body")).to_contain_text(FIX)
        journey.check(visitor, "article")
