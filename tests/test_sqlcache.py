"""Compiled queries (newsroom/sqlcache.py) and, on PostgreSQL, psycopg preparing them."""

from contextlib import contextmanager

import pytest
from django.db import connection
from django.utils import timezone

from newsroom import sqlcache
from newsroom.models import Article
from tests.factories import ArticleFactory
from tests.utils import as_sent_by_psycopg, run_settings

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
    loaded = sqlcache.raw_rows(Article, sql, [5])
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
        sqlcache.raw_rows(Article, f"SELECT title FROM {Article._meta.db_table}", [])


def prepared_statements():
    """{statement text: (generic plans, custom plans)} prepared on this connection."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")
        return {statement: (generic, custom) for statement, generic, custom in cursor.fetchall()}


@contextmanager
def sent_statements():
    """The SQL texts of the statements run meanwhile, as Django hands them to psycopg."""
    sent = []

    def record(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield sent


@postgres_only
def test_the_article_page_runs_prepared_statements_with_one_generic_plan(client):
    """After a few requests on one connection, psycopg runs the article page's
    queries as prepared statements, planned once (a generic plan), not per run."""
    article = ArticleFactory()
    for _ in range(3):
        assert client.get(article.get_absolute_url()).status_code == 200
    with sent_statements() as sent:
        assert client.get(article.get_absolute_url()).status_code == 200
    prepared = prepared_statements()
    assert len(sent) == 2  # the article, its neighbours
    for sql in sent:
        generic, custom = prepared[as_sent_by_psycopg(sql)]
        assert generic >= 1 and custom == 0


@postgres_only
def test_the_click_increment_is_one_prepared_statement():
    """The counter and the daily row: one statement, prepared from its second run."""
    from newsroom.services import clicks

    article = ArticleFactory()
    clicks.article_click_increment(article_id=article.pk)
    with sent_statements() as sent:
        assert clicks.article_click_increment(article_id=article.pk) == 2
    assert len(sent) == 1
    assert as_sent_by_psycopg(sent[0]) in prepared_statements()


def database_options(env):
    """The PostgreSQL OPTIONS the settings build from ``env``."""
    code = "import config.settings as s; print(s.DATABASES['default'].get('OPTIONS'))"
    return run_settings({"DATABASE_URL": "postgres://u@db.invalid/newsroom", **env}, code)


def test_prepare_threshold_and_generic_plans_from_the_environment():
    """Preparing after one run with generic plans by default; "none" turns both off."""
    default = database_options({})
    assert "'prepare_threshold': 1" in default.stdout
    assert "'server_side_binding': True" in default.stdout
    assert "plan_cache_mode=force_generic_plan" in default.stdout
    off = database_options({"DATABASE_PREPARE_THRESHOLD": "none"})
    assert "'prepare_threshold': None" in off.stdout
    assert "plan_cache_mode" not in off.stdout
    wrong = database_options({"DATABASE_PREPARE_THRESHOLD": "often"})
    assert wrong.returncode != 0 and "DATABASE_PREPARE_THRESHOLD" in wrong.stderr


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
