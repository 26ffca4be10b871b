from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from newsroom.models import Article, Category
from tests.factories import ArticleFactory, CategoryFactory, DepartmentFactory

pytestmark = pytest.mark.django_db


def test_published_excludes_drafts_future_and_withdrawn():
    """published() is only published articles whose time has come."""
    visible = ArticleFactory()
    ArticleFactory(status=Article.Status.DRAFT)
    ArticleFactory(status=Article.Status.PENDING)
    ArticleFactory(status=Article.Status.TAKEN_DOWN)
    ArticleFactory(publish_at=timezone.now() + timedelta(seconds=30))
    assert list(Article.objects.published()) == [visible]


def test_published_at_the_boundary():
    """An article is visible from its publish time on, not a second earlier."""
    moment = timezone.now() + timedelta(hours=1)
    article = ArticleFactory(publish_at=moment)
    assert (
        not Article.objects.published(at=moment - timedelta(seconds=1))
        .filter(pk=article.pk)
        .exists()
    )
    assert Article.objects.published(at=moment).filter(pk=article.pk).exists()


def test_pinned_respects_end_time():
    """A pin counts until its end time, and an unpinned article is never pinned."""
    now = timezone.now()
    forever = ArticleFactory(is_pinned=True)
    running = ArticleFactory(is_pinned=True, pinned_until=now + timedelta(days=1))
    ended = ArticleFactory(is_pinned=True, pinned_until=now - timedelta(seconds=1))
    ArticleFactory()
    assert set(Article.objects.pinned(at=now)) == {forever, running}
    assert ended in Article.objects.not_pinned(at=now)


def test_unpinning_clears_the_pin_end_time():
    """Saving an unpinned article drops a stale pin end time."""
    article = ArticleFactory(is_pinned=True, pinned_until=timezone.now() + timedelta(days=1))
    article.is_pinned = False
    article.save()
    article.refresh_from_db()
    assert article.pinned_until is None


def test_database_refuses_pin_end_time_without_pin():
    """The database itself forbids an end time on an unpinned article."""
    article = ArticleFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(pinned_until=timezone.now())


def test_database_refuses_unknown_status_and_empty_title():
    """Status values and non-empty titles are enforced by constraints."""
    article = ArticleFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(status="bogus")
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(title="")


def test_column_slug_unique_within_department_only():
    """Two departments may both have a column called news; one department may not twice."""
    first, second = DepartmentFactory(), DepartmentFactory()
    CategoryFactory(department=first, slug="news")
    CategoryFactory(department=second, slug="news")
    with pytest.raises(IntegrityError), transaction.atomic():
        Category.objects.create(department=first, slug="news", name="重复")


def test_reserved_department_slug_is_refused():
    """A department cannot take a slug the site uses, such as admin."""
    department = DepartmentFactory.build(slug="admin")
    with pytest.raises(ValidationError):
        department.full_clean()


def test_body_is_cleaned_on_every_save():
    """Saving through the model strips scripts, whatever the caller."""
    article = ArticleFactory(body='<p onclick="x()">正文</p><script>alert(1)</script>')
    article.refresh_from_db()
    assert article.body == "<p>正文</p>"


def test_ids_are_big_integers():
    """Articles use 64-bit ids."""
    assert Article._meta.pk.get_internal_type() == "BigAutoField"


def test_absolute_urls():
    """Departments, columns and articles know their public addresses."""
    article = ArticleFactory(category=CategoryFactory(slug="news", department__slug="info"))
    assert article.category.department.get_absolute_url() == "/info/"
    assert article.category.get_absolute_url() == "/info/news/"
    assert article.get_absolute_url() == f"/articles/{article.pk}/"


postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")


def storage_options(relation):
    """A PostgreSQL table's or index's storage parameters, as "name=value" strings."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [relation])
        (options,) = cursor.fetchone()
    return options or []


@postgres_only
def test_article_table_leaves_room_for_click_updates():
    """Click increments stay HOT updates: the article table keeps free space in its pages."""
    assert "fillfactor=90" in storage_options("newsroom_article")


@postgres_only
def test_search_index_keeps_no_pending_list():
    """Updated rows go straight into the search index, so searches never scan a pending list."""
    assert "fastupdate=off" in storage_options("article_search_idx")
