"""What a reviewer approves is what goes live: approvals and rejections name the version read."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsroom.models import Article, Revision
from newsroom.services import moderation, revisions
from tests.factories import ArticleFactory, CategoryFactory, article_change_data, member, seen_now

pytestmark = pytest.mark.django_db
S = Article.Status


@pytest.fixture
def site():
    column = CategoryFactory(slug="news", department__slug="info", department__name="信息学院")
    return {
        "column": column,
        "editor": member(column.department, "editor", username="zhang-editor"),
        "reviewer": member(column.department, "reviewer", username="li-reviewer"),
    }


def login(user):
    client = Client()
    client.force_login(user)
    return client


def pending_article(site, **fields):
    article = Article(category=site["column"], title="待审文章", body="<p>审核员读过的正文</p>")
    for name, value in fields.items():
        setattr(article, name, value)
    revisions.article_save(article=article, user=site["editor"])
    moderation.article_submit(article=article, user=site["editor"])
    return Article.objects.get(pk=article.pk)


def form_fields(html, move):
    """The hidden fields of the page's form for ``move`` (what the browser posts)."""
    form = re.search(
        rf'<form method="post" action="([^"]+/moderate/)">(?:(?!</form>).)*?'
        rf'name="move" value="{move}">((?:(?!</form>).)*)</form>',
        html,
        re.S,
    )
    assert form, f"no {move} form on the page"
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form.group(2)))
    fields.pop("csrfmiddlewaretoken", None)
    assert "version" in fields, "the form does not say which version it decides on"
    return form.group(1), {"move": move, **fields}


def editor_saves(site, article, body):
    """The editor saves a new body through the admin's change form."""
    article = Article.objects.get(pk=article.pk)
    response = login(site["editor"]).post(
        reverse("admin:newsroom_article_change", args=[article.pk]),
        article_change_data(article, body=body),
    )
    assert response.status_code == 302


def assert_refused_with_diff(response, site, new_text):
    assert response.status_code == 409
    assert site["editor"].username in response.text
    when = timezone.localtime(Article.objects.get(pk=response.context["original"].pk).updated_at)
    assert when.strftime("%Y-%m-%d %H:%M") in response.text
    assert f"<ins>{new_text}</ins>" in response.text
    assert "<del>审核员读过的正文</del>" in response.text


def test_change_form_approve_of_a_version_edited_since_is_refused(site):
    """The change form's 审核通过 after the editor saved new text publishes nothing."""
    article = pending_article(site)
    reviewer = login(site["reviewer"])
    page = reviewer.get(reverse("admin:newsroom_article_change", args=[article.pk]))
    url, fields = form_fields(page.text, "approve")

    editor_saves(site, article, "<p>未经审核的新正文</p>")
    response = reviewer.post(url, fields)

    assert_refused_with_diff(response, site, "未经审核的新正文")
    article.refresh_from_db()
    assert article.status == S.PENDING
    assert not Article.objects.published().filter(pk=article.pk).exists()


def test_change_form_approve_of_the_version_read_publishes_it(site):
    """Unchanged since it was opened, the article is published by the same button."""
    article = pending_article(site)
    reviewer = login(site["reviewer"])
    page = reviewer.get(reverse("admin:newsroom_article_change", args=[article.pk]))
    url, fields = form_fields(page.text, "approve")
    assert reviewer.post(url, fields).status_code == 302
    assert Article.objects.published().get(pk=article.pk).body == "<p>审核员读过的正文</p>"


def test_change_form_reject_of_a_version_edited_since_is_refused(site):
    """A rejection names the version it rejects too."""
    article = pending_article(site)
    reviewer = login(site["reviewer"])
    page = reviewer.get(reverse("admin:newsroom_article_change", args=[article.pk]))
    url, fields = form_fields(page.text, "reject")
    editor_saves(site, article, "<p>改好的正文</p>")
    response = reviewer.post(url, {**fields, "reason": "请修改标题"})
    assert_refused_with_diff(response, site, "改好的正文")
    article.refresh_from_db()
    assert (article.status, article.rejection_reason) == (S.PENDING, "")


def test_preview_page_approve_of_a_pending_edit_replaced_since_is_refused(site):
    """On a live article, approving the edit read on the preview page after a newer edit
    changes nothing on the public page."""
    article = ArticleFactory(category=site["column"], body="<p>审核员读过的正文</p>")
    editor_saves(site, article, "<p>第一次修改</p>")
    reviewer = login(site["reviewer"])
    page = reviewer.get(reverse("newsroom:article-preview", args=[article.pk]))
    assert "第一次修改" in page.text
    url, fields = form_fields(page.text, "approve")

    editor_saves(site, article, "<p>第二次修改</p>")
    response = reviewer.post(url, fields)

    assert response.status_code == 409
    assert site["editor"].username in response.text
    assert "<del>第一次修改</del>" in response.text and "<ins>第二次修改</ins>" in response.text
    live = Article.objects.published().get(pk=article.pk)
    assert live.body == "<p>审核员读过的正文</p>"
    assert moderation.pending_revision(live).body == "<p>第二次修改</p>"


def test_preview_page_approve_publishes_the_edit_read(site):
    """The preview page's button publishes the pending edit it shows."""
    article = ArticleFactory(category=site["column"])
    editor_saves(site, article, "<p>读过的修改</p>")
    reviewer = login(site["reviewer"])
    page = reviewer.get(reverse("newsroom:article-preview", args=[article.pk]))
    url, fields = form_fields(page.text, "approve")
    assert reviewer.post(url, fields).status_code == 302
    assert Article.objects.published().get(pk=article.pk).body == "<p>读过的修改</p>"


def test_preview_page_offers_no_decision_on_an_old_revision_or_to_editors(site):
    """Only a reviewer looking at the version a decision would take gets the buttons."""
    article = pending_article(site)
    editor_saves(site, article, "<p>新的</p>")
    url = reverse("newsroom:article-preview", args=[article.pk])
    assert 'value="approve"' in login(site["reviewer"]).get(url).text
    assert 'value="approve"' not in login(site["reviewer"]).get(url + "?revision=1").text
    assert 'value="approve"' not in login(site["editor"]).get(url).text


def test_queue_bulk_approve_skips_rows_changed_since_the_queue_was_loaded(site):
    """Bulk approval publishes the unchanged rows and names the changed ones."""
    changed = pending_article(site, title="会后又改过的通知")
    unchanged = pending_article(site, title="没有改过的通知")
    reviewer = login(site["reviewer"])
    queue = reverse("admin:newsroom_reviewitem_changelist")
    page = reviewer.get(queue)
    seen = re.findall(r'<input type="hidden" name="seen" value="([0-9:]+)">', page.text)
    assert len(seen) == 2

    editor_saves(site, changed, "<p>偷偷改的正文</p>")
    response = reviewer.post(
        queue,
        {
            "action": "approve_selected",
            "_selected_action": [changed.pk, unchanged.pk],
            "seen": seen,
        },
        follow=True,
    )

    assert Article.objects.published().filter(pk=unchanged.pk).exists()
    changed.refresh_from_db()
    assert changed.status == S.PENDING
    notes = [str(message) for message in response.context["messages"]]
    assert any(
        note.startswith("会后又改过的通知") and site["editor"].username in note for note in notes
    )
    assert not any(note.startswith("没有改过的通知") for note in notes)


def test_bulk_approve_of_a_row_never_shown_is_refused(site):
    """A selected article that the loaded list did not show is not approved."""
    article = pending_article(site, title="列表外的文章")
    response = login(site["reviewer"]).post(
        reverse("admin:newsroom_reviewitem_changelist"),
        {"action": "approve_selected", "_selected_action": [article.pk]},
        follow=True,
    )
    article.refresh_from_db()
    assert article.status == S.PENDING
    assert any(str(m).startswith("列表外的文章") for m in response.context["messages"])


def test_scheduled_approval_names_its_version(site):
    """An approval for a later time is refused the same way when the text changed."""
    article = pending_article(site)
    seen = seen_now(article)
    editor_saves(site, article, "<p>排期后改的</p>")
    with pytest.raises(moderation.StaleReview):
        moderation.article_approve(
            article=article,
            user=site["reviewer"],
            seen=seen,
            publish_at=timezone.now() + timezone.timedelta(days=1),
        )
    assert Article.objects.get(pk=article.pk).status == S.PENDING


def test_approval_without_a_version_is_refused(site):
    """An approve POST that names no version publishes nothing."""
    article = pending_article(site)
    response = login(site["reviewer"]).post(
        reverse("admin:newsroom_article_moderate", args=[article.pk]),
        {"move": "approve"},
        follow=True,
    )
    assert response.status_code == 200
    assert Article.objects.get(pk=article.pk).status == S.PENDING


def test_pending_revision_named_must_be_the_pending_one(site):
    """Naming an older revision of a live article's edit is refused even at the same version."""
    article = ArticleFactory(category=site["column"])
    editor_saves(site, article, "<p>修改</p>")
    seen = seen_now(article)
    stale = moderation.Seen(version=seen.version, revision=seen.revision - 1)
    with pytest.raises(moderation.StaleReview):
        moderation.article_approve(article=article, user=site["reviewer"], seen=stale)
    assert Revision.objects.filter(article=article, state=Revision.State.PENDING).exists()


def test_every_move_goes_through_its_service():
    """``transition`` by name reaches the same service functions (one way to publish)."""
    assert set(moderation.SERVICES) == set(moderation.MOVES)
    assert moderation.SERVICES["approve"] is moderation.article_approve
