"""The review workflow's state machine, revisions, conflicts and scheduling (services)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from newsroom.models import Article, Revision, Transition
from newsroom.services import moderation, revisions
from tests.factories import ArticleFactory, CategoryFactory, SuperuserFactory, member, seen_now

pytestmark = pytest.mark.django_db
S = Article.Status


@pytest.fixture
def column():
    return CategoryFactory(slug="news", department__slug="info")


@pytest.fixture
def editor(column):
    return member(column.department, "editor", email="editor@example.edu.cn")


@pytest.fixture
def reviewer(column):
    return member(column.department, "reviewer")


def draft(column, editor, **fields):
    article = Article(
        category=column, title=fields.pop("title", "草稿文章"), body="<p>正文</p>", **fields
    )
    revisions.article_save(article=article, user=editor)
    return article


MOVE_TABLE = [
    # (from status, move, allowed)
    (S.DRAFT, "submit", True),
    (S.DRAFT, "approve", False),
    (S.DRAFT, "reject", False),
    (S.DRAFT, "take_down", False),
    (S.PENDING, "submit", False),
    (S.PENDING, "approve", True),
    (S.PENDING, "reject", True),
    (S.PENDING, "take_down", False),
    (S.PUBLISHED, "submit", False),
    (S.PUBLISHED, "approve", False),
    (S.PUBLISHED, "reject", False),
    (S.PUBLISHED, "take_down", True),
    (S.REJECTED, "submit", True),
    (S.REJECTED, "approve", False),
    (S.REJECTED, "reject", False),
    (S.REJECTED, "take_down", False),
    (S.TAKEN_DOWN, "submit", True),
    (S.TAKEN_DOWN, "approve", False),
    (S.TAKEN_DOWN, "reject", False),
    (S.TAKEN_DOWN, "take_down", False),
]


@pytest.mark.parametrize(("source", "move", "allowed"), MOVE_TABLE)
def test_state_machine(column, reviewer, source, move, allowed):
    """Only the moves of the workflow are possible, from each state."""
    article = ArticleFactory(category=column, status=source)
    options = {"reason": "需要修改"} if move in ("reject", "take_down") else {}
    if moderation.MOVES[move].decides_review:
        options["seen"] = seen_now(article)
    call = lambda: moderation.transition(  # noqa: E731
        article=article, user=reviewer, move=move, **options
    )
    if allowed:
        result = call()
        assert result.status == moderation.MOVES[move].target
        assert Transition.objects.get(article=article).to_status == result.status
    else:
        with pytest.raises(moderation.ModerationError):
            call()
        article.refresh_from_db()
        assert article.status == source
        assert not Transition.objects.exists()


def test_full_cycle_with_rejection_and_history(column, editor, reviewer):
    """Draft → submit → reject (reason) → resubmit → approve, every step recorded."""
    article = draft(column, editor)
    moderation.article_submit(article=article, user=editor)
    moderation.article_reject(
        article=article, seen=seen_now(article), user=reviewer, reason="标题需要修改"
    )
    article.refresh_from_db()
    assert article.status == S.REJECTED
    assert article.rejection_reason == "标题需要修改"
    moderation.article_submit(article=article, user=editor)
    moderation.article_approve(article=article, seen=seen_now(article), user=reviewer)
    article.refresh_from_db()
    assert article.status == S.PUBLISHED and article.rejection_reason == ""
    steps = list(
        Transition.objects.filter(article=article)
        .order_by("created_at", "id")
        .values_list("from_status", "to_status", "actor__username", "reason")
    )
    assert steps == [
        ("draft", "pending", editor.username, ""),
        ("pending", "rejected", reviewer.username, "标题需要修改"),
        ("rejected", "pending", editor.username, ""),
        ("pending", "published", reviewer.username, ""),
    ]
    assert article in Article.objects.published()


def test_reject_needs_a_reason(column, editor, reviewer):
    """A rejection without a reason is refused and changes nothing."""
    article = draft(column, editor)
    moderation.article_submit(article=article, user=editor)
    with pytest.raises(moderation.ModerationError):
        moderation.article_reject(
            article=article, seen=seen_now(article), user=reviewer, reason="   "
        )
    article.refresh_from_db()
    assert article.status == S.PENDING


def test_editor_cannot_review(column, editor):
    """An editor may submit but not approve, reject, take down or pin."""
    article = draft(column, editor)
    moderation.article_submit(article=article, user=editor)
    for call in (
        lambda: moderation.article_approve(article=article, seen=seen_now(article), user=editor),
        lambda: moderation.article_reject(
            article=article, seen=seen_now(article), user=editor, reason="x"
        ),
        lambda: moderation.article_take_down(article=article, user=editor),
        lambda: moderation.article_pin(article=article, user=editor),
    ):
        with pytest.raises(moderation.NotPermitted):
            call()
    article.refresh_from_db()
    assert article.status == S.PENDING and not article.is_pinned


def test_reviewer_of_another_department_cannot_review(column, editor):
    """A reviewer's power stops at their own departments."""
    other_reviewer = member(CategoryFactory().department, "reviewer", username="outsider")
    article = draft(column, editor)
    moderation.article_submit(article=article, user=editor)
    with pytest.raises(moderation.NotPermitted):
        moderation.article_approve(article=article, seen=seen_now(article), user=other_reviewer)
    with pytest.raises(moderation.NotPermitted):
        moderation.article_submit(article=article, user=other_reviewer)


def test_outcome_is_mailed_to_the_author(
    column, editor, reviewer, django_capture_on_commit_callbacks
):
    """Authors receive the reviewer's decision and reason by e-mail, once committed."""
    article = draft(column, editor, title="运动会通知")
    with django_capture_on_commit_callbacks(execute=True):
        moderation.article_submit(article=article, user=editor)
    assert mail.outbox == []  # submitting is silent
    with django_capture_on_commit_callbacks(execute=True):
        moderation.article_reject(
            article=article, seen=seen_now(article), user=reviewer, reason="请补充时间地点"
        )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["editor@example.edu.cn"]
    assert "运动会通知" in mail.outbox[0].subject
    assert "请补充时间地点" in mail.outbox[0].body


# --- scheduling and pinning ---------------------------------------------------------


def test_approve_with_future_time_schedules(column, editor, reviewer):
    """Approved for a later time, the article is invisible one second before and visible at it."""
    article = draft(column, editor)
    moderation.article_submit(article=article, user=editor)
    when = timezone.now() + timedelta(hours=2)
    moderation.article_approve(
        article=article, seen=seen_now(article), user=reviewer, publish_at=when
    )
    published = Article.objects.published
    assert not published(at=when - timedelta(seconds=1)).filter(pk=article.pk).exists()
    assert published(at=when).filter(pk=article.pk).exists()
    assert published(at=when + timedelta(seconds=1)).filter(pk=article.pk).exists()


def test_pin_with_end_time(column, reviewer):
    """A pin with an end time stops counting at that time."""
    article = ArticleFactory(category=column)
    until = timezone.now() + timedelta(days=1)
    moderation.article_pin(article=article, user=reviewer, until=until)
    assert Article.objects.pinned(at=until - timedelta(seconds=1)).filter(pk=article.pk).exists()
    assert not Article.objects.pinned(at=until).filter(pk=article.pk).exists()
    with pytest.raises(moderation.ModerationError):
        moderation.article_pin(
            article=article, user=reviewer, until=timezone.now() - timedelta(minutes=1)
        )
    moderation.article_unpin(article=article, user=reviewer)
    article.refresh_from_db()
    assert not article.is_pinned


# --- revisions and conflicts --------------------------------------------------------


def test_every_save_stores_a_revision(column, editor):
    """Each save adds a numbered revision with who and what."""
    article = draft(column, editor, title="第一版")
    article.title = "第二版"
    revisions.article_save(article=article, user=editor, base_version=article.version)
    rows = list(
        Revision.objects.filter(article=article)
        .order_by("number")
        .values_list("number", "title", "created_by__username")
    )
    assert rows == [(1, "第一版", editor.username), (2, "第二版", editor.username)]


def test_second_save_from_the_same_version_is_a_conflict(column, editor, reviewer):
    """Two people edit the same version: the second save is refused, naming the first."""
    article = draft(column, editor, title="原标题")
    base = Article.objects.get(pk=article.pk).version
    first = Article.objects.get(pk=article.pk)
    first.title = "编辑甲的修改"
    revisions.article_save(article=first, user=editor, base_version=base)
    second = Article.objects.get(pk=article.pk)
    second.title = "审核员乙的修改"
    second.version = base
    with pytest.raises(revisions.EditConflict) as error:
        revisions.article_save(article=second, user=reviewer, base_version=base)
    assert editor.username in error.value.message
    assert Article.objects.get(pk=article.pk).title == "编辑甲的修改"


def test_editor_change_to_published_article_waits_for_review(column, editor, reviewer):
    """The live page keeps the approved text until a reviewer approves the edit."""
    article = ArticleFactory(category=column, title="已发布标题", body="<p>旧正文</p>")
    live = Article.objects.get(pk=article.pk)
    live.title = "修改后的标题"
    live.body = "<p>新正文</p>"
    revision = revisions.article_save(article=live, user=editor, base_version=live.version)
    assert revision.state == Revision.State.PENDING
    public = Article.objects.published().get(pk=article.pk)
    assert (public.title, public.body) == ("已发布标题", "<p>旧正文</p>")
    assert article in Article.objects.awaiting_review()

    moderation.article_approve(article=public, seen=seen_now(public), user=reviewer)
    public = Article.objects.published().get(pk=article.pk)
    assert (public.title, public.body) == ("修改后的标题", "<p>新正文</p>")
    revision.refresh_from_db()
    assert revision.state == Revision.State.APPROVED
    assert article not in Article.objects.awaiting_review()


def test_rejecting_a_pending_edit_keeps_the_live_version(column, editor, reviewer):
    """A rejected edit never reaches the public, and the author sees why."""
    article = ArticleFactory(category=column, title="原文")
    edit = Article.objects.get(pk=article.pk)
    edit.title = "不合适的修改"
    revisions.article_save(article=edit, user=editor, base_version=edit.version)
    moderation.article_reject(
        article=article, seen=seen_now(article), user=reviewer, reason="不符合规范"
    )
    article.refresh_from_db()
    assert article.status == S.PUBLISHED and article.title == "原文"
    assert article.rejection_reason == "不符合规范"
    assert not Revision.objects.filter(article=article, state=Revision.State.PENDING).exists()


def test_reviewer_edit_to_published_article_goes_live(column, reviewer):
    """A reviewer's own edit of a live article is published at once."""
    article = ArticleFactory(category=column, title="旧")
    article.title = "新"
    revision = revisions.article_save(article=article, user=reviewer, base_version=article.version)
    assert revision.state == Revision.State.APPROVED
    assert Article.objects.published().get(pk=article.pk).title == "新"


def test_restore_creates_a_new_revision(column, editor):
    """Restoring brings old content back as a new revision; history stays whole."""
    article = draft(column, editor, title="版本一")
    article.title = "版本二"
    revisions.article_save(article=article, user=editor, base_version=article.version)
    first = Revision.objects.get(article=article, number=1)
    restored = revisions.revision_restore(revision=first, user=editor)
    assert restored.number == 3
    assert Article.objects.get(pk=article.pk).title == "版本一"
    assert list(
        Revision.objects.filter(article=article).order_by("number").values_list("title", flat=True)
    ) == ["版本一", "版本二", "版本一"]


def test_revision_diff_lists_changed_lines(column, editor):
    """The diff shows removed and added paragraphs of the body and the title change."""
    article = draft(column, editor, title="旧标题")
    article.title = "新标题"
    article.body = "<p>正文</p><p>新增段落</p>"
    revisions.article_save(article=article, user=editor, base_version=article.version)
    older, newer = Revision.objects.filter(article=article).order_by("number")
    changes = dict(revisions.revision_diff(older, newer))
    assert ("-", "旧标题") in changes["标题"] and ("+", "新标题") in changes["标题"]
    assert ("+", "新增段落") in changes["正文"]


def test_editor_cannot_move_an_article_into_another_department(column, editor):
    """Changing the column to another department's is refused and nothing changes."""
    article = draft(column, editor)
    foreign = CategoryFactory()
    article.category = foreign
    with pytest.raises(moderation.NotPermitted):
        revisions.article_save(article=article, user=editor, base_version=None)
    assert Article.objects.get(pk=article.pk).category == column


def test_superuser_may_do_everything(column):
    """A site admin reviews in every department without a membership."""
    boss = SuperuserFactory()
    article = ArticleFactory(category=column, status=S.PENDING)
    moderation.article_approve(article=article, seen=seen_now(article), user=boss)
    assert Article.objects.published().filter(pk=article.pk).exists()
