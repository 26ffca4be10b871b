"""Compiled queries and, on PostgreSQL, their prepared statements (newsroom/sqlcache.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsroom import sqlcache
from newsroom.models import Article
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (prepared statements)"
)


def visible(stand):
    return Article.objects.published(at=stand.moment("now")).filter(pk=stand.number("pk"))


def fetch(pk):
    return sqlcache.rows(Article, "test-visible", visible, now=timezone.now(), pk=pk)


def test_rows_gives_the_same_answer_as_the_queryset():
    article = ArticleFactory()
    hidden = ArticleFactory(status=Article.Status.DRAFT)
    assert [a.pk for a in fetch(article.pk)] == [article.pk]
    assert fetch(hidden.pk) == []
    with pytest.raises(sqlcache.OutOfRange):
        fetch(2**63)


def test_raw_rows_load_what_raw_querysets_load():
    """Fields (converted as the ORM converts them, dates on SQLite included) and
    extra columns as attributes, as ``Model.objects.raw`` gives them."""
    ArticleFactory(title="第一篇")
    ArticleFactory(title="第二篇")
    table = Article._meta.db_table
    sql = f"SELECT id, title, publish_at, click_count + %s AS bonus FROM {table} ORDER BY id"
    loaded = sqlcache.raw_rows(Article, "test-raw", sql, [5])
    expected = list(Article.objects.raw(sql, [5]))
    assert [(a.pk, a.title, a.publish_at, a.bonus) for a in loaded] == [
        (a.pk, a.title, a.publish_at, a.bonus) for a in expected
    ]
    assert all(a.publish_at.tzinfo is not None for a in loaded)
    assert not loaded[0]._state.adding and loaded[0]._state.db == "default"
    # Columns not selected are deferred, loaded on access like the ORM's.
    assert loaded[0].get_deferred_fields() >= {"body", "summary"}
    assert loaded[0].body == Article.objects.get(pk=loaded[0].pk).body
    # Loaded rows are saved as updates of their row, like any fetched instance.
    loaded[1].title = "改过的标题"
    loaded[1].save(update_fields=["title"])
    assert Article.objects.filter(title="改过的标题").count() == 1


def test_raw_rows_need_the_primary_key():
    ArticleFactory()
    with pytest.raises(ValueError, match="primary key"):
        sqlcache.raw_rows(Article, "test-no-pk", f"SELECT title FROM {Article._meta.db_table}", [])


def test_placeholders_are_numbered_and_percent_signs_kept():
    sql = "SELECT %s, 'a%%b' WHERE x = %s"
    assert sqlcache._numbered(sql) == "SELECT $1, 'a%b' WHERE x = $2"


@postgres_only
def test_prepared_once_per_connection_then_executed():
    article = ArticleFactory()
    connection._newsroom_prepared = None  # as on a new connection
    with CaptureQueriesContext(connection) as first:
        assert [a.pk for a in fetch(article.pk)] == [article.pk]
    with CaptureQueriesContext(connection) as second:
        assert [a.pk for a in fetch(article.pk)] == [article.pk]
    # One query each time: prepared in the same round trip as the first run.
    assert len(first) == 1 and "PREPARE nr_" in first[0]["sql"]
    assert len(second) == 1 and second[0]["sql"].startswith("EXECUTE nr_")


@postgres_only
def test_a_failure_makes_the_next_run_prepare_afresh(monkeypatch):
    article = ArticleFactory()
    fetch(article.pk)
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # the server forgot them (a pooler, say)
    with pytest.raises(Exception, match="does not exist"), connection.cursor() as cursor:
        # A savepoint keeps the test's transaction usable after the error.
        cursor.execute("SAVEPOINT before_failure")
        try:
            fetch(article.pk)
        finally:
            cursor.execute("ROLLBACK TO SAVEPOINT before_failure")
    with CaptureQueriesContext(connection) as after:
        assert [a.pk for a in fetch(article.pk)] == [article.pk]
    assert after[0]["sql"].startswith("DEALLOCATE ALL; SET plan_cache_mode")
    assert "PREPARE nr_" in after[0]["sql"]


@postgres_only
def test_switched_off_runs_plain_sql(settings):
    settings.NEWSROOM_PREPARED_STATEMENTS = False
    article = ArticleFactory()
    with CaptureQueriesContext(connection) as queries:
        assert [a.pk for a in fetch(article.pk)] == [article.pk]
    assert queries[0]["sql"].startswith("SELECT")


@postgres_only
def test_article_page_runs_prepared_statements(client):
    article = ArticleFactory()
    client.get(article.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert [q["sql"].split(" ", 1)[0] for q in queries] == ["EXECUTE", "EXECUTE"]


@postgres_only
def test_click_increment_is_one_prepared_statement():
    from newsroom.services import clicks

    article = ArticleFactory()
    clicks.article_click_increment(article_id=article.pk)
    with CaptureQueriesContext(connection) as queries:
        assert clicks.article_click_increment(article_id=article.pk) == 2
    assert len(queries) == 1
    assert "EXECUTE nr_" in queries[0]["sql"] and "PREPARE" not in queries[0]["sql"]


@postgres_only
def test_prepared_statements_use_one_generic_plan():
    """Planned once, not again on every run (PostgreSQL's choice was to replan some)."""
    article = ArticleFactory()
    connection._newsroom_prepared = None
    for _ in range(8):
        fetch(article.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE %s",
            ["%PREPARE nr_%"],
        )
        plans = cursor.fetchall()
    assert plans and all(custom == 0 for _generic, custom in plans)


def test_a_key_that_misses_a_parameter_fails():
    """Two calls whose SQL differs under one key (a limit left out of it) are refused."""
    ArticleFactory()

    def newest(limit):
        def build(stand):
            return Article.objects.published(at=stand.moment("now")).newest_first()[:limit]

        return sqlcache.rows(Article, "test-newest", build, now=timezone.now())

    assert len(newest(5)) == 1
    with pytest.raises(sqlcache.KeyMissesAParameter):
        newest(10)


def test_a_value_built_in_instead_of_a_stand_in_fails():
    """A value that does not go through the stand (here the id) is refused on its next call."""
    first, second = ArticleFactory(), ArticleFactory()

    def fetch_by(pk):
        def build(stand):
            return Article.objects.published(at=stand.moment("now")).filter(pk=pk)

        return sqlcache.rows(Article, "test-fixed-pk", build, now=timezone.now())

    assert [a.pk for a in fetch_by(first.pk)] == [first.pk]
    with pytest.raises(sqlcache.KeyMissesAParameter):
        fetch_by(second.pk)


def test_a_complete_key_passes_the_check():
    """The same key with other values of its stand-ins is accepted."""
    first, second = ArticleFactory(), ArticleFactory()
    assert [a.pk for a in fetch(first.pk)] == [first.pk]
    assert [a.pk for a in fetch(second.pk)] == [second.pk]
