"""Journey 1: an editor writes an article in CKEditor 5 and submits it for review."""

import re

import pytest

from newsroom.models import Article, Image
from tests.factories import CategoryFactory, image_bytes, member

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Xinwen-2024-editor"
LINK = "https://www.example.edu.cn/about/"


def test_editor_writes_and_submits_an_article(journey, media_root, tmp_path):
    """Login form, CKEditor heading/list/link, image upload (and a refused one), save, submit."""
    news = CategoryFactory(
        name="学院新闻", slug="news", department__name="计算机学院", department__slug="cs"
    )
    CategoryFactory(name="外院新闻", department__name="外国语学院")
    member(news.department, "editor", username="wangli", password=PASSWORD)
    photo = tmp_path / "huiyi.png"
    photo.write_bytes(image_bytes("PNG", size=(640, 400), color=(30, 90, 160)))
    fake = tmp_path / "notes.png"  # a text file with an image's name
    fake.write_text("会议纪要，不是图片。", encoding="utf-8")
    journey.watcher.allow(r"/editor/images/$", 400)  # the refused upload

    page = journey.page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))

    journey.log_in(page, "wangli", PASSWORD)
    expect(page.locator("#content h1")).to_have_text("站点管理")
    journey.check(page, "admin-index")

    page.locator("tr.model-article a.addlink").click()
    page.wait_for_selector(".ck-editor__editable")
    columns = page.locator("#id_category option").all_inner_texts()
    assert "计算机学院 / 学院新闻" in columns
    assert not any("外国语学院" in label for label in columns), columns
    page.select_option("#id_category", label="计算机学院 / 学院新闻")
    page.fill("#id_title", "我院举办人工智能前沿讲座")
    page.fill("#id_summary", "讲座介绍了大模型的最新进展。")

    page.locator(".ck-editor__editable").click()
    page.locator(".ck-heading-dropdown > button").click()
    page.get_by_role("menuitemradio", name="标题 2").click()
    page.keyboard.type("讲座概况")
    page.keyboard.press("Enter")
    page.keyboard.type("讲座吸引了两百余名师生参加。")
    page.keyboard.press("Enter")
    page.locator(".ck-splitbutton__action[data-cke-tooltip-text='项目符号列表']").click()
    page.keyboard.type("大模型的训练方法")
    page.keyboard.press("Enter")
    page.keyboard.type("人工智能的伦理问题")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # an empty item ends the list
    page.keyboard.type("详见")
    page.keyboard.press("Control+k")  # the link balloon: displayed text and address
    form = page.locator(".ck-link-form")
    form.locator("input[inputmode=text]").fill("学院官网")
    form.locator("input[inputmode=url]").fill(LINK)
    page.keyboard.press("Enter")
    page.locator(f".ck-editor__editable a[href='{LINK}']").wait_for()
    page.keyboard.type("。")
    page.keyboard.press("Enter")
    upload = page.locator(".ck-toolbar input[type=file]")
    with page.expect_event("dialog") as alert, page.expect_response("**/editor/images/") as refused:
        upload.set_input_files(fake)
    assert refused.value.status == 400
    assert "不是 JPEG、PNG、GIF 或 WebP 图片" in alert.value.message
    assert Image.objects.count() == 0

    with page.expect_response("**/editor/images/") as accepted:
        upload.set_input_files(photo)
    assert accepted.value.ok
    image = page.locator(".ck-editor__editable img[src^='/media/uploads/']")
    image.wait_for()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth === 640", arg=image.element_handle()
    )
    journey.check(page, "article-add-filled")

    page.click("input[name=_continue]")
    expect(page.locator(".messagelist .success")).to_be_visible()
    journey.check(page, "article-saved")

    article = Article.objects.get()
    assert article.status == Article.Status.DRAFT
    assert article.category == news
    assert article.title == "我院举办人工智能前沿讲座"
    assert "<h2>讲座概况</h2>" in article.body
    assert "<ul>" in article.body and "<li>人工智能的伦理问题</li>" in article.body
    assert "<p>详见<a" in article.body and f'href="{LINK}"' in article.body
    assert "学院官网</a>。</p>" in article.body
    stored = Image.objects.get()
    assert re.search(f'<img [^>]*src="{re.escape(stored.file.url)}"', article.body), article.body
    assert stored.file.url.startswith("/media/uploads/")
    assert (media_root / stored.file.name).is_file()

    # The reloaded editor shows the saved body, image included.
    editable = page.locator(".ck-editor__editable")
    expect(editable.locator("h2")).to_have_text("讲座概况")
    expect(editable.locator(f"img[src='{stored.file.url}']")).to_have_count(1)

    page.locator("#moderation button", has_text="提交审核").click()
    expect(page.locator(".messagelist .success")).to_contain_text("文章已提交审核")
    expect(page.locator("#moderation")).to_contain_text("状态： 待审核")
    journey.check(page, "article-submitted")
    article.refresh_from_db()
    assert article.status == Article.Status.PENDING
    assert article.submitted_at is not None

    # The same screen on a phone, for the screenshots.
    phone = journey.page("phone")
    journey.log_in(
        phone, "wangli", PASSWORD, next_url=f"/admin/newsroom/article/{article.pk}/change/"
    )
    phone.wait_for_selector(".ck-editor__editable img")
    journey.check(phone, "article-submitted")
    assert dialogs == [alert.value.message]  # no other alert along the way
