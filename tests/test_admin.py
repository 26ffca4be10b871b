import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from newsroom.models import Article, Image
from tests.factories import (
    ATTACHMENT_FORMSET,
    ArticleFactory,
    CategoryFactory,
    SuperuserFactory,
    image_bytes,
    moderation_fields,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user_client(client):
    client.force_login(SuperuserFactory(username="boss"))
    return client


def article_form_data(category, **overrides):
    now = timezone.localtime()
    data = {
        "category": category.pk,
        "title": "学院举办人工智能前沿学术报告会",
        "summary": "报告会吸引了两百余名师生参加。",
        "body": "<p>报告会现场座无虚席。</p>",
        "author": "张明",
        "source": "学院办公室",
        "photographer": "",
        "responsible_editor": "陈静",
        "publish_at_0": (now - timezone.timedelta(minutes=1)).strftime("%Y-%m-%d"),
        "publish_at_1": (now - timezone.timedelta(minutes=1)).strftime("%H:%M:%S"),
        "pinned_until_0": "",
        "pinned_until_1": "",
    }
    data.update(ATTACHMENT_FORMSET)
    data.update(overrides)
    return data


def test_admin_round_trip_article_with_uploaded_image(admin_user_client, client):
    """Staff upload an image through the editor, save an article with it; visitors see both."""
    column = CategoryFactory(name="最新动态", slug="news")
    upload = admin_user_client.post(
        reverse("newsroom:editor-image-upload"),
        {"upload": SimpleUploadedFile("现场.jpg", image_bytes(size=(320, 200)), "image/jpeg")},
    )
    assert upload.status_code == 200, upload.content
    image_url = upload.json()["url"]
    image = Image.objects.get()
    body = f'<p>报告会现场。</p><figure class="image"><img src="{image_url}" alt="现场"></figure>'
    response = admin_user_client.post(
        reverse("admin:newsroom_article_add"),
        article_form_data(column, body=body, cover=image.pk),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get()
    assert article.created_by.username == "boss"
    assert article.cover == image
    assert article.status == Article.Status.DRAFT
    moderate = reverse("admin:newsroom_article_moderate", args=[article.pk])
    admin_user_client.post(moderate, {"move": "submit"})
    admin_user_client.post(moderate, {"move": "approve", **moderation_fields(article)})
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED

    client.logout()
    page = client.get(article.get_absolute_url())
    assert page.status_code == 200
    assert f'<img src="{image_url}" alt="现场">' in page.text
    assert client.get(image_url).status_code == 200
    listing = client.get(column.get_absolute_url())
    assert article.title in listing.text


def test_admin_save_cleans_the_body(admin_user_client):
    """A script typed into the body through the admin never reaches the database."""
    column = CategoryFactory()
    admin_user_client.post(
        reverse("admin:newsroom_article_add"),
        article_form_data(
            column, body='<p>好</p><img src="x" onerror="alert(1)"><script>1</script>'
        ),
    )
    assert Article.objects.get().body == '<p>好</p><img src="x">'


def test_admin_refuses_pin_end_without_pin(admin_user_client):
    """The form explains that only pinned articles take a pin end time."""
    column = CategoryFactory()
    response = admin_user_client.post(
        reverse("admin:newsroom_article_add"),
        article_form_data(column, pinned_until_0="2030-01-01", pinned_until_1="00:00:00"),
    )
    assert response.status_code == 200
    assert "pinned_until" in response.context["adminform"].form.errors
    assert not Article.objects.exists()


def test_article_form_uses_ckeditor(admin_user_client):
    """The body is edited in CKEditor 5, with its assets served by the project."""
    response = admin_user_client.get(reverse("admin:newsroom_article_add"))
    assert response.status_code == 200
    assert "django_ckeditor_5/dist/bundle.js" in response.text
    assert "django_ckeditor_5/dist/translations/zh-cn.js" in response.text
    assert reverse("newsroom:editor-image-upload") in response.text
    assert "cdn." not in response.text.lower()


def test_changelist_runs_no_query_per_row(admin_user_client, django_assert_max_num_queries):
    """The article changelist costs the same with 3 or 30 rows."""
    ArticleFactory.create_batch(3)
    url = reverse("admin:newsroom_article_changelist")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert admin_user_client.get(url).status_code == 200
    ArticleFactory.create_batch(27)
    with CaptureQueriesContext(connection) as large:
        response = admin_user_client.get(url)
    assert response.status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
    for column in ("标题", "栏目", "状态", "发布时间", "置顶", "点击"):
        assert column in response.text


def test_changelist_filters_and_search(admin_user_client):
    """Filtering by department and status and searching by title narrow the list."""
    wanted = ArticleFactory(title="关于开展春季运动会的通知")
    ArticleFactory(title="其他新闻", status=Article.Status.DRAFT)
    url = reverse("admin:newsroom_article_changelist")
    response = admin_user_client.get(url, {"q": "运动会"})
    assert list(response.context["cl"].queryset) == [wanted]
    response = admin_user_client.get(url, {"department": str(wanted.category.department_id)})
    assert list(response.context["cl"].queryset) == [wanted]
    response = admin_user_client.get(url, {"status__exact": "draft"})
    assert [a.title for a in response.context["cl"].queryset] == ["其他新闻"]


def test_most_read_report_per_department(admin_user_client):
    """The report ranks articles by clicks in the last 7 or 30 days, per department."""
    from newsroom.models import DailyClickCount

    today = timezone.localdate()
    hot = ArticleFactory(title="热门文章")
    cold = ArticleFactory(title="冷门文章", category=hot.category)
    old = ArticleFactory(title="旧热门", category=hot.category)
    DailyClickCount.objects.create(article=hot, day=today, count=50)
    DailyClickCount.objects.create(article=cold, day=today - timezone.timedelta(days=3), count=5)
    DailyClickCount.objects.create(article=old, day=today - timezone.timedelta(days=20), count=500)
    url = reverse("admin:newsroom_article_most_read")
    week = admin_user_client.get(url)
    rows = dict(week.context["tables"])[hot.category.department]
    assert [(r["article__title"], r["total"]) for r in rows] == [("热门文章", 50), ("冷门文章", 5)]
    month = admin_user_client.get(url, {"days": "30"})
    rows = dict(month.context["tables"])[hot.category.department]
    assert rows[0]["article__title"] == "旧热门"


def test_clicks_column_is_sortable(admin_user_client):
    """The changelist sorts by clicks."""
    ArticleFactory(title="少", click_count=0)
    many = ArticleFactory(title="多")
    Article.objects.filter(pk=many.pk).update(click_count=999)
    url = reverse("admin:newsroom_article_changelist")
    response = admin_user_client.get(url, {"o": "-6"})
    assert response.context["cl"].result_list[0].title == "多"
