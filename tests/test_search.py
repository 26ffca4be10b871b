import unicodedata
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.urls import reverse
from django.utils import timezone

from newsroom import sqlcache
from newsroom.core import content_version, search_document
from newsroom.models import Article
from newsroom.services import moderation, search
from tests.factories import ArticleFactory, CategoryFactory, SuperuserFactory
from tests.utils import as_sent_by_psycopg, search_result_titles, time_lexemes

pytestmark = pytest.mark.django_db
URL = reverse("newsroom:search")


def found(client, q, **params):
    """The titles of the results the search page lists, in order."""
    response = client.get(URL, {"q": q, **params})
    assert response.status_code == 200
    return search_result_titles(response)


# --- tokenising ------------------------------------------------------------------------


def test_document_tokens_are_cjk_unigrams_bigrams_and_words():
    """Chinese becomes characters and pairs; Latin and digits whole, normalised."""
    assert search_document.document_tokens("教学Ａｂ 2024") == ["教", "学", "教学", "ab", "2024"]


@pytest.mark.parametrize(
    "text",
    [
        "新学期教学工作会议",
        "２０２４年 ＡＢＣ",
        "Straße ﬁ ①",
        "e\u0301",
        "Ａ\u0301",
        "",
        "数据科学・工作坊（一），　地点：图书馆！",
        "".join(chr(code) for code in range(0xFF00, 0xFF70)),
    ],
)
def test_normalize_is_nfkc_then_casefold(text):
    """The full-width shortcut and the NFKC check change no result."""
    assert search_document.normalize(text) == unicodedata.normalize("NFKC", text).casefold()


def test_full_width_map_is_nfkc_own():
    for code, mapped in search_document.FULL_WIDTH.items():
        assert unicodedata.normalize("NFKC", chr(code)) == mapped


def test_query_tokens():
    """A query keeps bigrams of longer Chinese runs and single characters alone."""
    assert search.query_tokens("新学期") == ["新学", "学期"]
    assert search.query_tokens("学") == ["学"]
    assert search.query_tokens("２０２４　招生") == ["2024", "招生"]
    assert search.query_tokens("'; DROP TABLE x; --") == ["drop", "table", "x"]


# --- finding ---------------------------------------------------------------------------


@pytest.fixture
def articles():
    now = timezone.now()
    return {
        "meeting": ArticleFactory(
            summary="",
            title="新学期教学工作会议召开",
            body="<p>会议部署工作。</p>",
            publish_at=now - timedelta(days=3),
        ),
        "admission": ArticleFactory(
            summary="",
            title="2024年本科招生简章",
            body="<p>欢迎报考。</p>",
            publish_at=now - timedelta(days=2),
        ),
        "python": ArticleFactory(
            summary="",
            title="Python 编程讲座",
            body="<p>面向全体学生。</p>",
            publish_at=now - timedelta(days=1),
        ),
        "body_only": ArticleFactory(
            summary="",
            title="学院新闻",
            body="<p>本次教学检查覆盖全部课程。</p>",
            publish_at=now - timedelta(hours=1),
        ),
    }


def test_two_character_word_inside_a_sentence(client, articles):
    """教学 finds 新学期教学工作会议 (no spaces in Chinese)."""
    assert "新学期教学工作会议召开" in found(client, "教学")


def test_one_character_query(client, articles):
    """A single character finds articles containing it."""
    assert "新学期教学工作会议召开" in found(client, "期")


def test_mixed_chinese_and_numbers(client, articles):
    """2024 招生 finds the admissions article and nothing without both words."""
    assert found(client, "2024 招生") == ["2024年本科招生简章"]


def test_full_width_and_case_are_folded(client, articles):
    """Full-width digits and upper case match their ordinary forms."""
    assert found(client, "２０２４　招生") == ["2024年本科招生简章"]
    assert found(client, "PYTHON") == ["Python 编程讲座"]
    assert found(client, "ｐｙｔｈｏｎ") == ["Python 编程讲座"]


def test_title_matches_rank_above_body_matches(client, articles):
    """A title match comes first even when a body-only match is newer."""
    assert found(client, "教学") == ["新学期教学工作会议召开", "学院新闻"]


def test_newer_first_among_title_matches(client):
    """Among equal matches the newer article comes first."""
    now = timezone.now()
    ArticleFactory(title="招生简章（旧）", publish_at=now - timedelta(days=9))
    ArticleFactory(title="招生简章（新）", publish_at=now - timedelta(days=1))
    assert found(client, "招生") == ["招生简章（新）", "招生简章（旧）"]


@pytest.mark.parametrize(
    "overrides",
    [
        {"status": Article.Status.DRAFT},
        {"status": Article.Status.PENDING},
        {"status": Article.Status.TAKEN_DOWN},
        {"publish_at": timezone.now() + timedelta(hours=1)},
    ],
)
def test_unpublished_articles_are_never_found(client, overrides):
    """Drafts, unreviewed, withdrawn and scheduled articles stay out of results."""
    ArticleFactory(title="秘密草稿标题", **overrides)
    assert found(client, "秘密") == []


def test_search_within_a_department(client):
    """department=slug limits results to that department."""
    mine = CategoryFactory(department__slug="info")
    ArticleFactory(category=mine, title="本院招生")
    ArticleFactory(title="外院招生")
    assert found(client, "招生", department="info") == ["本院招生"]
    assert sorted(found(client, "招生")) == ["外院招生", "本院招生"]
    assert client.get(URL, {"q": "招生", "department": "nope"}).status_code == 404


def test_index_follows_edits_and_status(client):
    """The index updates when an article is saved or changes status."""
    boss = SuperuserFactory()
    article = ArticleFactory(title="旧标题")
    article.title = "运动会开幕"
    article.save()
    assert found(client, "运动会") == ["运动会开幕"]
    moderation.article_take_down(article=article, user=boss)
    assert found(client, "运动会") == []


# --- presentation and bad input ---------------------------------------------------------


def test_highlighting_is_escaped(client):
    """Matches are wrapped in <mark>; the article's own markup-like text is escaped."""
    ArticleFactory(title="<b>教学</b>改革", body="<p>关于教学 &amp; 科研的&lt;通知&gt;</p>")
    response = client.get(URL, {"q": "教学"})
    assert "&lt;b&gt;<mark>教学</mark>&lt;/b&gt;改革" in response.text
    assert "关于<mark>教学</mark> &amp; 科研的&lt;通知&gt;" in response.text


def test_highlight_maps_folded_matches_back():
    """A full-width match in the text is highlighted in its original form."""
    assert search.highlight("ＡＩ讲座", "ai") == "<mark>ＡＩ</mark>讲座"


@pytest.mark.parametrize(
    "q",
    [
        "",
        "   ",
        "教" * 1000,
        "' OR 1=1 --",
        "'; DROP TABLE newsroom_article; --",
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "\x00\x01\x02\x1f",
        "& | ! ( ) : * <->",
        "\\",
        "%",
        "_",
        "😀",
    ],
)
def test_bad_queries_give_a_normal_page(client, q, articles):
    """Hostile or odd queries give a normal page, never an error or an unescaped echo."""
    response = client.get(URL, {"q": q})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.text
    assert "<img src=x" not in response.text
    assert Article.objects.count() == 4


def test_pages_of_twenty(client):
    """Results come 20 a page; past the end is a 404; absurd page numbers are page 1."""
    ArticleFactory.create_batch(25, title="通知公告")
    assert len(found(client, "通知")) == 20
    assert len(found(client, "通知", page="2")) == 5
    assert client.get(URL, {"q": "通知", "page": "3"}).status_code == 404
    assert len(found(client, "通知", page="abc")) == 20


def test_search_box_on_public_pages(client, articles):
    """Every public page carries the search form, scoped to its department."""
    article = articles["meeting"]
    for url in (
        article.get_absolute_url(),
        article.category.get_absolute_url(),
        article.category.department.get_absolute_url(),
    ):
        text = client.get(url).text
        assert f'action="{URL}"' in text
        assert f'name="department" value="{article.category.department.slug}"' in text


def test_search_query_count(client, django_assert_num_queries):
    """A search costs one query (ranking joined to the page's rows), whatever it
    finds; columns and departments come from the site map, cached after the first."""
    ArticleFactory.create_batch(3, title="教学通知", summary="")
    client.get(URL, {"q": "学"})
    with django_assert_num_queries(1):
        response = client.get(URL, {"q": "教学"})
    assert search_result_titles(response) == ["教学通知"] * 3
    ArticleFactory.create_batch(40, title="教学通知", summary="")
    client.get(URL, {"q": "学"})  # new articles: a new content version, a new site map
    with django_assert_num_queries(1):
        response = client.get(URL, {"q": "教学"})
    assert search_result_titles(response) == ["教学通知"] * 20


def test_pages_follow_one_ranking_across_the_title_boundary(client):
    """Page by page, results equal the single ranking: titles (newest first), then the rest."""
    now = timezone.now()
    for i in range(25):
        ArticleFactory(title=f"招生简章{i}", summary="", publish_at=now - timedelta(hours=i))
    for i in range(30):
        ArticleFactory(
            title=f"学院新闻{i}",
            summary="",
            body="<p>今年招生工作顺利。</p>",
            publish_at=now - timedelta(minutes=30 + i * 60),
        )
    expected = [f"招生简章{i}" for i in range(25)] + [f"学院新闻{i}" for i in range(30)]
    pages = []
    for number in (1, 2, 3):
        pages += found(client, "招生", page=str(number))
    assert pages == expected
    assert client.get(URL, {"q": "招生", "page": "4"}).status_code == 404


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.postgres
def test_postgresql_search_uses_the_gin_index():
    """The search condition is answered by the GIN index (no table scan needed)."""
    column = CategoryFactory()
    filler = [
        Article(
            category=column,
            title=f"其他新闻{i}",
            status=Article.Status.PUBLISHED,
            search_title=search_document.build_document(f"其他新闻{i}"),
            search_document=search_document.build_document(f"其他新闻{i}", "体育比赛"),
        )
        for i in range(3000)
    ]
    Article.objects.bulk_create(filler)
    ArticleFactory.create_batch(5, category=column, title="教学通知", summary="")
    with connection.cursor() as cursor:
        # New rows wait in the index's pending list until a vacuum; merge them now.
        cursor.execute("SELECT gin_clean_pending_list('article_search_idx'::regclass)")
        cursor.execute("ANALYZE newsroom_article")
        # A table this small is cheaper to scan; forbid scans to see the index is usable.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    sql, params = search._candidates_sql(search.query_tokens("教学"), None, timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Bitmap Index Scan on article_search_idx" in plan


@pytest.mark.parametrize("department", ["a\x00b", "<script>", "a" * 200, "info/../x"])
def test_bad_department_parameter_is_404(client, department):
    """A department parameter that cannot be a slug is a 404, never a database error."""
    assert client.get(URL, {"q": "教学", "department": department}).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        "<p>学院<strong>召开</strong>新学期教学工作会议</p><p>会议由院长主持。</p>",
        '<p>见图：</p><figure class="image"><img src="/media/a.jpg" alt="a&gt;b 主席台"></figure>',
        "<p>1&lt;2，且 3&gt;1；A&amp;B</p><ul><li>一</li><li>二</li></ul>",
        '<p><a href="https://example.com/?a=1&amp;b=2">链接</a>与<em>强调</em></p>',
    ],
)
def test_body_text_matches_django_strip_tags_on_cleaned_bodies(body):
    """The fast tag pattern gives what Django's HTML parser gives, on cleaned HTML."""
    import html as html_module

    from django.utils.html import strip_tags

    from newsroom.core.html import clean_body

    cleaned = clean_body(body)
    expected = " ".join(html_module.unescape(strip_tags(cleaned)).split())
    assert search_document.body_text(cleaned) == expected


# --- the recent window (PostgreSQL) ------------------------------------------------------

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")


def stored_vector(article):
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_vector FROM newsroom_article WHERE id = %s", [article.pk])
        return cursor.fetchone()[0]


@postgres_only
@pytest.mark.postgres
def test_the_search_vector_names_the_buckets_python_computes():
    """PostgreSQL's generated lexemes and ``time_lexemes`` agree, at the edges of
    a bucket too, and rescheduling an article moves it to its new buckets."""
    epoch, bucket = search.BUCKET_EPOCH, search.BUCKET
    edges = [
        epoch - timedelta(microseconds=1),
        epoch + bucket - timedelta(microseconds=1),
        epoch + 328 * bucket,
        timezone.now(),
    ]
    assert [search.time_bucket(moment) for moment in edges][:3] == [-1, 0, 328]
    assert time_lexemes(edges[2]) == ["_0.328", "_1.164", "_2.82", "_3.41", "_4.20", "_5.10"]
    for moment in edges:
        article = ArticleFactory(publish_at=moment)
        vector = stored_vector(article)
        assert all(f"'{lexeme}'" in vector for lexeme in time_lexemes(moment))
    article.publish_at = edges[1]
    article.save()
    vector = stored_vector(article)
    assert "'_0.0'" in vector
    assert f"'_0.{search.time_bucket(edges[-1])}'" not in vector


def covered(lexeme):
    level, number = map(int, lexeme[1:].split("."))
    return range(number << level, (number + 1) << level)


@pytest.mark.parametrize("start, end", [(309, 327), (327, 327), (-3, 2), (0, 63), (1, 200)])
def test_window_lexemes_name_exactly_the_window(start, end):
    """Each bucket of the window once, none outside it, in few lexemes."""
    lexemes = search.window_lexemes(start, end)
    buckets = [bucket for lexeme in lexemes for bucket in covered(lexeme)]
    assert buckets == list(range(start, end + 1))
    assert len(lexemes) <= 2 * search.BUCKET_LEVELS + (end - start) // 32
    assert search.window_lexemes(309, 327) == ["_0.309", "_1.155", "_3.39", "_3.40"]


def candidates(sql_params):
    sql, params = sql_params
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@pytest.fixture
def few_candidates(monkeypatch):
    """A candidate limit of 6. The compiled statements hold the limit: they are
    dropped when it is set and again when it is restored, or the later tests
    of the run (and the site the browser tests serve) would keep LIMIT 6."""
    monkeypatch.setattr(search, "CANDIDATES", 6)
    sqlcache.clear()
    yield
    monkeypatch.undo()
    sqlcache.clear()


@postgres_only
@pytest.mark.postgres
@pytest.mark.parametrize("recent_index", [False, True])
@pytest.mark.parametrize("scoped", [False, True])
@pytest.mark.parametrize(
    "query, expected",
    [
        ("招生", 6),  # in every article: the window alone holds enough
        ("讲座", 5),  # mostly in old articles: the second pass finds them
        ("学院", 6),  # every third article, in titles and bodies
        ("没有", 0),
    ],
)
def test_the_window_finds_exactly_what_one_pass_finds(
    monkeypatch, few_candidates, recent_index, scoped, query, expected
):
    """Two passes or one, the same candidates in the same order, title matches
    marked the same; scheduled and taken-down articles stay out of both. The
    first pass reads the window through its time buckets or, once built, the
    index of recent articles."""
    monkeypatch.setattr(search, "WINDOW_ARTICLES", 12)
    now = timezone.now()
    column = CategoryFactory()
    for i in range(60):
        # One article every ten days: 60 articles over 20 buckets.
        topic = "讲座" if i >= 56 or i == 3 else "会议"
        college = "学院" if i % 3 == 0 else "学校"
        title, body = (f"招生{topic}{i}", college) if i % 2 else (f"{college}{i}", f"招生{topic}")
        ArticleFactory(
            category=column if i % 4 else CategoryFactory(),
            title=title,
            summary="",
            body=f"<p>{body}</p>",
            publish_at=now - timedelta(days=10 * i, hours=1),
        )
    ArticleFactory(title="招生讲座学院", publish_at=now + timedelta(days=1))
    ArticleFactory(title="招生讲座学院", status=Article.Status.TAKEN_DOWN)
    department = column.department if scoped else None
    if recent_index:
        assert search.refresh_recent_index(now).startswith("Built")

    tokens = search.query_tokens(query)
    one_pass = candidates(search._candidates_sql(tokens, department, now))
    sql, params = search._windowed_sql(tokens, department, now)
    assert sql.startswith("WITH recent")
    assert ("publish_at >= '" in sql) == recent_index
    assert candidates((sql, params)) == one_pass
    assert len(one_pass) == (min(expected, 4) if scoped and query == "讲座" else expected)
    if query == "招生":
        assert {title_match for _, _, title_match in one_pass} == {True, False}


def test_the_window_is_remembered_and_absent_on_small_sites(monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(search, "WINDOW_ARTICLES", 3)
    """The window starts at the bucket of the WINDOW_ARTICLES-th newest published
    article, looked up once and then remembered until the content changes."""
    now = timezone.now()
    moments = [now - timedelta(days=40 * i) for i in range(4)]
    for moment in moments[:2]:
        ArticleFactory(publish_at=moment)
    ArticleFactory(publish_at=now - timedelta(days=1), status=Article.Status.DRAFT)
    assert search._window(now)[0] is None
    for moment in moments[2:]:
        ArticleFactory(publish_at=moment)
    assert search._window(now)[0] == search.time_bucket(moments[2])
    with django_assert_num_queries(0):
        assert search._window(now)[0] == search.time_bucket(moments[2])


@postgres_only
@pytest.mark.postgres
def test_no_window_when_it_would_span_too_many_buckets(monkeypatch):
    """A quiet site's newest articles reach back years: one pass is cheaper there."""
    monkeypatch.setattr(search, "WINDOW_ARTICLES", 2)
    now = timezone.now()
    ArticleFactory(title="招生", publish_at=now)
    ArticleFactory(title="招生", publish_at=now - search.BUCKET * search.MAX_WINDOW_BUCKETS)
    sql, _ = search._windowed_sql(search.query_tokens("招生"), None, now)
    assert not sql.startswith("WITH recent")
    monkeypatch.setattr(search, "MAX_WINDOW_BUCKETS", search.MAX_WINDOW_BUCKETS + 1)
    sql, _ = search._windowed_sql(search.query_tokens("招生"), None, now)
    assert sql.startswith("WITH recent")


# --- the index of recent articles ---------------------------------------------------------


def recent_indexes():
    with connection.cursor() as cursor:
        return search._recent_indexes(cursor)


def seed_weekly(count, *, now, title="招生"):
    """``count`` articles a week apart, the newest an hour old."""
    for i in range(count):
        ArticleFactory(title=f"{title}{i}", publish_at=now - timedelta(days=7 * i, hours=1))


@postgres_only
@pytest.mark.postgres
def test_recent_index_follows_the_window(monkeypatch):
    """Built from the window's first bucket, kept while the window stays, built
    again and the old one dropped when it moves, dropped on a small site."""
    monkeypatch.setattr(search, "WINDOW_ARTICLES", 10)
    now = timezone.now()
    seed_weekly(6, now=now)
    assert search.refresh_recent_index(now).startswith("No recent-articles index")
    assert recent_indexes() == []

    seed_weekly(20, now=now, title="讲座")
    built = search.refresh_recent_index(now)
    since = search.bucket_start(search._window_start(now))
    name = f"{search.RECENT_INDEX_PREFIX}{since:%Y%m%d}"
    assert built == f"Built the recent-articles index {name}."
    assert recent_indexes() == [(name, True)]
    assert search.recent_index_since() == since
    assert search.refresh_recent_index(now).endswith("is up to date.")

    later = now + timedelta(days=200)
    seed_weekly(10, now=later, title="会议")
    moved = search.refresh_recent_index(later)
    assert moved.startswith("Built") and name not in moved
    assert [valid for _, valid in recent_indexes()] == [True]
    assert search.recent_index_since() == search.bucket_start(search._window_start(later))

    Article.objects.update(status=Article.Status.DRAFT)
    assert search.refresh_recent_index(later).startswith("No recent-articles index")
    assert recent_indexes() == []


@postgres_only
@pytest.mark.postgres
def test_the_recent_index_is_looked_for_only_with_a_window(monkeypatch, django_assert_num_queries):
    """After a content change: one query on a small site, two with a window."""
    monkeypatch.setattr(search, "WINDOW_ARTICLES", 5)
    now = timezone.now()
    seed_weekly(3, now=now)
    content_version.current_version()  # the version's own lookups, once per change
    with django_assert_num_queries(1):
        assert search._window(now) == (None, None)
    seed_weekly(3, now=now - timedelta(days=30), title="讲座")  # a content change
    start = search._window_start(now)
    content_version.current_version()
    with django_assert_num_queries(2):
        assert search._window(now) == (start, None)


@postgres_only
@pytest.mark.postgres
def test_an_interrupted_build_is_never_used_and_is_cleared(monkeypatch):
    """A concurrent build that failed leaves an invalid index behind."""
    monkeypatch.setattr(search, "WINDOW_ARTICLES", 5)
    now = timezone.now()
    seed_weekly(8, now=now)
    leftover = f"{search.RECENT_INDEX_PREFIX}29990101"
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"CREATE INDEX {leftover} ON newsroom_article (publish_at)")
        cursor.execute(
            "UPDATE pg_index SET indisvalid = false WHERE indexrelid = %s::regclass", [leftover]
        )
    assert search.recent_index_since() is None
    search.refresh_recent_index(now)
    assert [name for name, _ in recent_indexes()] != [leftover]
    assert leftover not in [name for name, _ in recent_indexes()]
    assert search.recent_index_since() == search.bucket_start(search._window_start(now))


@postgres_only
@pytest.mark.postgres
def test_the_first_pass_can_read_the_recent_index_as_a_prepared_statement(monkeypatch):
    """The window's first day is written into the statement, not passed as a
    parameter: a generic plan (what a prepared statement runs) can then use the
    partial index. On so small a table the planner would rather read the date
    index or the whole table: those are taken out of its choice (the
    B-tree indexes dropped inside the test's transaction, sequential scans
    turned off), so that the plan shows whether the partial index is usable."""
    monkeypatch.setattr(search, "WINDOW_ARTICLES", 5)
    now = timezone.now()
    seed_weekly(12, now=now)
    search.refresh_recent_index(now)
    ((name, _valid),) = recent_indexes()
    sql, params = search._windowed_sql(search.query_tokens("招生"), None, now)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text FROM pg_index i JOIN pg_class c "
            "ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
            "WHERE i.indrelid = %s::regclass AND a.amname = 'btree' AND NOT i.indisprimary",
            [Article._meta.db_table],
        )
        btrees = [row[0] for row in cursor.fetchall()]
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for btree in btrees:
            cursor.execute(f"DROP INDEX {btree}")
        cursor.execute("SET LOCAL enable_seqscan = off")
        # The generic plan the site's connections ask for (config/settings.py),
        # asked here too so that the plan is generic whatever the settings.
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        # Run as the site runs it until psycopg has prepared it.
        for _ in range(connection.connection.prepare_threshold + 1):
            cursor.execute(sql, params)
        cursor.execute(
            "SELECT name FROM pg_prepared_statements WHERE statement = %s",
            [as_sent_by_psycopg(sql)],
        )
        (statement,) = cursor.fetchone()
        arguments = ", ".join(["%s"] * len(params))
        cursor.execute(
            connection.ops.compose_sql(f"EXPLAIN EXECUTE {statement} ({arguments})", params)
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    first_pass = plan.split("CTE Scan on recent")[0]
    assert name in first_pass
    assert "article_search_idx" not in first_pass


@postgres_only
@pytest.mark.postgres
def test_one_refresh_at_a_time(monkeypatch):
    """While another session refreshes (holds the lock), a refresh does nothing."""
    monkeypatch.setattr(search, "WINDOW_ARTICLES", 5)
    seed_weekly(8, now=timezone.now())
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [search.RECENT_INDEX_LOCK])
        assert search.refresh_recent_index().startswith("Another refresh")
        assert recent_indexes() == []
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [search.RECENT_INDEX_LOCK])
        assert search.refresh_recent_index().startswith("Built")
    finally:
        other.close()


def test_refresh_search_index_command_says_what_it_did():
    out = StringIO()
    call_command("refresh_search_index", stdout=out)
    if connection.vendor == "postgresql":
        expected = "No recent-articles index: the archive is small enough for one pass.\n"
    else:
        expected = "No recent-articles index: the database is not PostgreSQL.\n"
    assert out.getvalue() == expected
