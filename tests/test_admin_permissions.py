"""
The permission matrix: each role × each action × own / other department,
through the real admin URLs, including crafted POSTs.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsroom.models import Article, Transition
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    ImageFactory,
    StaffFactory,
    SuperuserFactory,
    article_change_data,
    listed_seen,
    member,
    moderation_fields,
    seen_now,
)

pytestmark = pytest.mark.django_db

S = Article.Status


@pytest.fixture
def site():
    own = CategoryFactory(slug="news", department__slug="info", department__name="信息学院")
    other = CategoryFactory(slug="news", department__slug="foreign", department__name="外语学院")
    return {
        "own": own,
        "other": other,
        "editor": member(own.department, "editor", username="editor"),
        "reviewer": member(own.department, "reviewer", username="reviewer"),
        "admin": SuperuserFactory(username="siteadmin"),
    }


def login(user):
    client = Client()
    client.force_login(user)
    return client


def change_url(article):
    return reverse("admin:newsroom_article_change", args=[article.pk])


def moderate(client, article, move, **extra):
    seen = moderation_fields(article) if move in ("approve", "reject") else {}
    return client.post(
        reverse("admin:newsroom_article_moderate", args=[article.pk]),
        {"move": move, **seen, **extra},
    )


# --- which moves each role may make, in which department ------------------------------

MATRIX = [
    # (role, department, move, starting status, allowed)
    ("editor", "own", "submit", S.DRAFT, True),
    ("editor", "own", "approve", S.PENDING, False),
    ("editor", "own", "reject", S.PENDING, False),
    ("editor", "own", "take_down", S.PUBLISHED, False),
    ("editor", "own", "pin", S.PUBLISHED, False),
    ("editor", "other", "submit", S.DRAFT, False),
    ("editor", "other", "approve", S.PENDING, False),
    ("reviewer", "own", "submit", S.DRAFT, True),
    ("reviewer", "own", "approve", S.PENDING, True),
    ("reviewer", "own", "reject", S.PENDING, True),
    ("reviewer", "own", "take_down", S.PUBLISHED, True),
    ("reviewer", "own", "pin", S.PUBLISHED, True),
    ("reviewer", "own", "unpin", S.PUBLISHED, True),
    ("reviewer", "other", "submit", S.DRAFT, False),
    ("reviewer", "other", "approve", S.PENDING, False),
    ("reviewer", "other", "reject", S.PENDING, False),
    ("reviewer", "other", "take_down", S.PUBLISHED, False),
    ("reviewer", "other", "pin", S.PUBLISHED, False),
    ("admin", "other", "approve", S.PENDING, True),
    ("admin", "other", "take_down", S.PUBLISHED, True),
]


def snapshot(article):
    article.refresh_from_db()
    return (article.status, article.is_pinned, article.version)


@pytest.mark.parametrize(("role", "where", "move", "status", "allowed"), MATRIX)
def test_moderation_matrix(site, role, where, move, status, allowed):
    """Each role may make exactly its moves, and only in its own departments."""
    article = ArticleFactory(category=site[where], status=status, is_pinned=(move == "unpin"))
    before = snapshot(article)
    response = moderate(login(site[role]), article, move, reason="请修改")
    if allowed:
        assert response.status_code == 302
        assert snapshot(article) != before
    else:
        assert response.status_code == 403
        assert snapshot(article) == before
        assert not Transition.objects.filter(article=article).exists()


@pytest.mark.parametrize(
    ("role", "where", "visible"),
    [
        ("editor", "own", True),
        ("editor", "other", False),
        ("reviewer", "own", True),
        ("reviewer", "other", False),
        ("admin", "own", True),
        ("admin", "other", True),
    ],
)
def test_changelist_change_form_and_history_are_scoped(site, role, where, visible):
    """Lists, change forms and history show only the user's departments; others are 403."""
    article = ArticleFactory(category=site[where], title=f"{where}-文章")
    client = login(site[role])
    listing = client.get(reverse("admin:newsroom_article_changelist"))
    assert (article in list(listing.context["cl"].queryset)) is visible
    expected = 200 if visible else 403
    assert client.get(change_url(article)).status_code == expected
    history = reverse("admin:newsroom_article_history", args=[article.pk])
    assert client.get(history).status_code == expected


@pytest.mark.parametrize("role", ["editor", "reviewer"])
def test_editing_another_departments_article_by_post_is_refused(site, role):
    """A crafted POST to another department's article is a 403 and changes nothing."""
    article = ArticleFactory(category=site["other"], title="原标题")
    response = login(site[role]).post(
        change_url(article), article_change_data(article, title="篡改")
    )
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.title == "原标题"


def test_editor_cannot_move_article_to_another_departments_column(site):
    """The column choice of an editor's form holds only their departments' columns."""
    article = ArticleFactory(category=site["own"], status=S.DRAFT)
    client = login(site["editor"])
    response = client.post(
        change_url(article), article_change_data(article, category=site["other"].pk)
    )
    assert response.status_code == 200
    assert "category" in response.context["adminform"].form.errors
    article.refresh_from_db()
    assert article.category == site["own"]
    form = client.get(change_url(article)).context["adminform"].form
    assert list(form.fields["category"].queryset) == [site["own"]]


def test_editor_cannot_create_in_another_department(site):
    """Adding an article in another department's column is a form error; nothing is created."""
    data = article_change_data(ArticleFactory.build(category=site["other"]))
    data.pop("base_version")
    response = login(site["editor"]).post(reverse("admin:newsroom_article_add"), data)
    assert response.status_code == 200
    assert "category" in response.context["adminform"].form.errors
    assert not Article.objects.exists()


def test_editor_cannot_publish_or_pin_by_crafted_post(site):
    """Status and pin fields in an editor's POST are ignored: the article stays a draft."""
    article = ArticleFactory(category=site["own"], status=S.DRAFT)
    response = login(site["editor"]).post(
        change_url(article),
        article_change_data(
            article,
            status="published",
            is_pinned="on",
            pinned_until_0="2099-01-01",
            pinned_until_1="00:00:00",
            title="新标题",
        ),
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.status, article.is_pinned, article.title) == (S.DRAFT, False, "新标题")


def test_editor_cannot_bulk_approve(site):
    """The approve action is not offered to editors and a crafted one changes nothing."""
    article = ArticleFactory(category=site["own"], status=S.PENDING)
    client = login(site["editor"])
    changelist = reverse("admin:newsroom_article_changelist")
    actions = dict(client.get(changelist).context["action_form"].fields["action"].choices)
    assert "approve_selected" not in actions and "submit_selected" in actions
    client.post(changelist, {"action": "approve_selected", "_selected_action": [article.pk]})
    article.refresh_from_db()
    assert article.status == S.PENDING


def test_reviewer_bulk_approve_skips_other_departments(site):
    """Bulk approval by a reviewer reaches only their own department's articles."""
    own = ArticleFactory(category=site["own"], status=S.PENDING)
    other = ArticleFactory(category=site["other"], status=S.PENDING)
    client = login(site["reviewer"])
    changelist = reverse("admin:newsroom_article_changelist")
    seen = listed_seen(client, changelist) + [f"{other.pk}:{other.version}"]
    client.post(
        changelist,
        {"action": "approve_selected", "_selected_action": [own.pk, other.pk], "seen": seen},
    )
    own.refresh_from_db()
    other.refresh_from_db()
    assert (own.status, other.status) == (S.PUBLISHED, S.PENDING)


def test_bulk_reject_asks_for_a_reason(site):
    """Bulk rejection shows a reason form first and applies the reason to each article."""
    articles = ArticleFactory.create_batch(2, category=site["own"], status=S.PENDING)
    client = login(site["reviewer"])
    url = reverse("admin:newsroom_reviewitem_changelist")
    ids = [a.pk for a in articles]
    seen = listed_seen(client, url)
    page = client.post(url, {"action": "reject_selected", "_selected_action": ids, "seen": seen})
    assert page.status_code == 200 and "reason" in page.text
    carried = re.findall(r'name="seen" value="([0-9:]+)"', page.text)
    assert sorted(carried) == sorted(seen)
    client.post(
        url,
        {
            "action": "reject_selected",
            "_selected_action": ids,
            "confirm": "yes",
            "reason": "格式不规范",
            "seen": carried,
        },
    )
    for article in articles:
        article.refresh_from_db()
        assert (article.status, article.rejection_reason) == (S.REJECTED, "格式不规范")


def test_review_queue_is_oldest_first_and_scoped(site):
    """The queue lists pending articles of the reviewer's departments, oldest first."""
    now = timezone.now()
    newer = ArticleFactory(
        category=site["own"], status=S.PENDING, submitted_at=now - timezone.timedelta(hours=1)
    )
    older = ArticleFactory(
        category=site["own"], status=S.PENDING, submitted_at=now - timezone.timedelta(days=1)
    )
    ArticleFactory(category=site["other"], status=S.PENDING)
    ArticleFactory(category=site["own"], status=S.DRAFT)
    response = login(site["reviewer"]).get(reverse("admin:newsroom_reviewitem_changelist"))
    assert [a.pk for a in response.context["cl"].result_list] == [older.pk, newer.pk]


def test_editor_has_no_review_queue(site):
    """Editors cannot open the review queue."""
    response = login(site["editor"]).get(reverse("admin:newsroom_reviewitem_changelist"))
    assert response.status_code == 403


def test_image_library_and_autocomplete_are_scoped(site):
    """Staff see images of their departments' people only, in the list and the cover picker."""
    colleague = member(site["own"].department, "editor", username="colleague")
    outsider = member(site["other"].department, "editor", username="outsider")
    mine = ImageFactory(uploaded_by=colleague, alt_text="本院图片")
    theirs = ImageFactory(uploaded_by=outsider, alt_text="外院图片")
    client = login(site["editor"])
    listing = client.get(reverse("admin:newsroom_image_changelist"))
    assert list(listing.context["cl"].queryset) == [mine]
    assert client.get(reverse("admin:newsroom_image_change", args=[theirs.pk])).status_code == 403
    found = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "newsroom",
            "model_name": "article",
            "field_name": "cover",
            "term": "图片",
        },
    ).json()
    assert [int(r["id"]) for r in found["results"]] == [mine.pk]


def test_memberships_are_managed_by_site_admins_only(site):
    """Editors and reviewers cannot open departments' or memberships' admin pages."""
    for role in ("editor", "reviewer"):
        client = login(site[role])
        assert client.get(reverse("admin:newsroom_membership_changelist")).status_code == 403
        assert client.get(reverse("admin:newsroom_department_add")).status_code == 403
        assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert (
        login(site["admin"]).get(reverse("admin:newsroom_membership_changelist")).status_code == 200
    )


def test_membership_added_in_admin_grants_access(site):
    """A membership created in the admin makes the user staff with the editor group."""
    newcomer = StaffFactory(username="newcomer", is_staff=False)
    response = login(site["admin"]).post(
        reverse("admin:newsroom_membership_add"),
        {
            "user": newcomer.pk,
            "department": site["own"].department.pk,
            "role": "editor",
        },
    )
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.is_staff
    assert newcomer.has_perm("newsroom.change_article")
    assert not newcomer.has_perm("newsroom.view_reviewitem")


def test_edit_conflict_refuses_the_second_save_and_keeps_the_text(site):
    """Two sessions edit one article: the second save is refused, naming the first saver."""
    article = ArticleFactory(category=site["own"], status=S.DRAFT, title="原稿")
    first, second = login(site["editor"]), login(site["reviewer"])
    base = first.get(change_url(article)).context["adminform"].form["base_version"].value()
    assert second.get(change_url(article)).status_code == 200
    assert (
        first.post(
            change_url(article), article_change_data(article, title="编辑的版本", base_version=base)
        ).status_code
        == 302
    )
    response = second.post(
        change_url(article),
        article_change_data(
            article, title="审核员的版本", base_version=base, body="<p>审核员写的大段文字</p>"
        ),
    )
    assert response.status_code == 200
    errors = str(response.context["adminform"].form.non_field_errors())
    assert "editor" in errors
    assert "审核员写的大段文字" in response.text  # their text stays in the form
    article.refresh_from_db()
    assert article.title == "编辑的版本"


def test_revision_compare_and_restore_through_admin(site):
    """The admin shows a diff of two revisions and restores one as a new revision."""
    article = ArticleFactory(category=site["own"], status=S.DRAFT, title="初稿")
    client = login(site["editor"])
    for title in ("第二稿", "第三稿"):
        article.refresh_from_db()
        client.post(change_url(article), article_change_data(article, title=title))
    compare = client.get(
        reverse("admin:newsroom_article_revision_compare", args=[article.pk]), {"a": 1, "b": 2}
    )
    assert compare.status_code == 200
    assert "<del>" in compare.text and "第二稿" in compare.text
    assert (
        client.get(
            reverse("admin:newsroom_article_revision_compare", args=[article.pk]),
            {"a": "x", "b": "2"},
        ).status_code
        == 404
    )
    client.post(reverse("admin:newsroom_article_revision_restore", args=[article.pk, 1]))
    article.refresh_from_db()
    assert article.revisions.count() == 3
    page = client.get(change_url(article))
    assert "status-history" in page.text and "revisions" in page.text


def test_editor_edit_of_published_article_waits_in_admin(site):
    """Saving a published article as an editor leaves the public page unchanged."""
    article = ArticleFactory(category=site["own"], title="已发布")
    response = login(site["editor"]).post(
        change_url(article), article_change_data(article, title="新标题")
    )
    assert response.status_code == 302
    assert Article.objects.published().get(pk=article.pk).title == "已发布"
    queue = login(site["reviewer"]).get(reverse("admin:newsroom_reviewitem_changelist"))
    assert article.pk in [a.pk for a in queue.context["cl"].result_list]


# --- preview ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status_code"),
    [
        ("anonymous", 404),
        ("outsider", 404),
        ("plain_staff", 404),
        ("editor", 200),
        ("reviewer", 200),
        ("admin", 200),
    ],
)
def test_preview_visibility(site, who, status_code):
    """Preview is for those who may edit the article; everybody else gets a 404."""
    article = ArticleFactory(category=site["own"], status=S.DRAFT, title="未发布的文章")
    users = {
        **site,
        "outsider": member(site["other"].department, "reviewer", username="outsider"),
        "plain_staff": StaffFactory(username="plain"),
    }
    client = Client() if who == "anonymous" else login(users[who])
    response = client.get(reverse("newsroom:article-preview", args=[article.pk]))
    assert response.status_code == status_code
    if status_code == 200:
        assert "未发布的文章" in response.text and "preview-banner" in response.text
        assert "no-store" in response["Cache-Control"]
        assert "clicks.js" not in response.text and "beacon.gif" not in response.text


def test_preview_shows_the_pending_revision(site):
    """Previewing a published article with a waiting edit shows the edit."""
    article = ArticleFactory(category=site["own"], title="线上标题")
    login(site["editor"]).post(change_url(article), article_change_data(article, title="待审标题"))
    preview = login(site["reviewer"]).get(reverse("newsroom:article-preview", args=[article.pk]))
    assert "待审标题" in preview.text
    public = Client().get(article.get_absolute_url())
    assert "线上标题" in public.text and "待审标题" not in public.text


def test_editor_cannot_change_attachments_of_a_live_article(site, media_root):
    """An editor's crafted inline upload on a published article is ignored: it waits for review."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    article = ArticleFactory(category=site["own"], title="已发布")
    pdf = SimpleUploadedFile("通知.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    data = article_change_data(article, title="新标题")
    data.update(
        {
            "attachments-TOTAL_FORMS": "1",
            "attachments-0-file": pdf,
            "attachments-0-name": "",
            "attachments-0-order": "0",
        }
    )
    response = login(site["editor"]).post(change_url(article), data)
    assert response.status_code == 302
    assert not article.attachments.exists()


def test_live_article_moved_to_a_department_without_review_waits(site):
    """A reviewer of A who is only an editor in B cannot publish an A article into B at once."""
    from newsroom.services.roles import membership_grant

    mover = site["reviewer"]
    membership_grant(user=mover, department=site["other"].department, role="editor")
    article = ArticleFactory(category=site["own"], title="要移动的文章")
    response = login(mover).post(
        change_url(article), article_change_data(article, category=site["other"].pk)
    )
    assert response.status_code == 302
    assert Article.objects.published().get(pk=article.pk).category == site["own"]
    # And the own department's reviewer cannot approve the move into B either.
    with pytest.raises(moderation_errors()):
        from newsroom.services import moderation

        moderation.article_approve(article=article, seen=seen_now(article), user=site["reviewer"])
    assert Article.objects.get(pk=article.pk).category == site["own"]


def moderation_errors():
    from newsroom.services.moderation import NotPermitted

    return NotPermitted


def test_bulk_delete_replaces_cached_pages(site, settings):
    """Deleting articles with the admin's bulk action shows on cached pages at once."""
    settings.NEWSROOM_PAGE_CACHE = True
    article = ArticleFactory(category=site["own"], title="将被删除的文章")
    visitor = Client()
    assert "将被删除的文章" in visitor.get(site["own"].get_absolute_url()).text
    login(site["admin"]).post(
        reverse("admin:newsroom_article_changelist"),
        {"action": "delete_selected", "_selected_action": [article.pk], "post": "yes"},
    )
    assert not Article.objects.filter(pk=article.pk).exists()
    assert "将被删除的文章" not in visitor.get(site["own"].get_absolute_url()).text


@pytest.mark.parametrize(
    ("action", "start", "applied", "label"),
    [
        ("submit_selected", {"status": S.DRAFT}, lambda a: a.status == S.PENDING, "已提交审核"),
        ("approve_selected", {"status": S.PENDING}, lambda a: a.status == S.PUBLISHED, "审核通过"),
        ("take_down_selected", {}, lambda a: a.status == S.TAKEN_DOWN, "已下线"),
        ("pin_selected", {}, lambda a: a.is_pinned, "置顶"),
        ("unpin_selected", {"is_pinned": True}, lambda a: not a.is_pinned, "已取消置顶"),
    ],
)
def test_bulk_actions_apply_their_service_and_say_so_in_chinese(
    site, action, start, applied, label
):
    """Each bulk action moves the selected article through its service and reports it."""
    article = ArticleFactory(category=site["own"], **start)
    client = login(site["admin"])
    changelist = reverse("admin:newsroom_article_changelist")
    response = client.post(
        changelist,
        {
            "action": action,
            "_selected_action": [article.pk],
            "seen": listed_seen(client, changelist),
        },
        follow=True,
    )
    article.refresh_from_db()
    assert applied(article)
    assert f"{label}：1 篇文章。" in [str(message) for message in response.context["messages"]]
