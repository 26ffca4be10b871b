"""
deploy/backup.sh and deploy/restore.sh against the real PostgreSQL: a backup
restores into an empty database with its articles, media and a search index
that still answers, time buckets included (migration 0014's generated column
calls a function of ours, which pg_restore must create before the table), and
the index of recent articles.
"""

import os
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from newsroom.services import search
from tests.factories import ArticleFactory
from tests.utils import database_url, time_lexemes

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
RESTORED = "newsroom_restore_check"


@pytest.fixture
def restored_url():
    url = database_url().rsplit("/", 1)[0]
    admin = psycopg.connect(f"{url}/postgres", autocommit=True)
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {RESTORED}")
        cursor.execute(f"CREATE DATABASE {RESTORED}")
    yield f"{url}/{RESTORED}"
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {RESTORED} WITH (FORCE)")
    admin.close()


def run(script, *args, **env):
    subprocess.run(
        [str(DEPLOY / script), *map(str, args)],
        env={**os.environ, **env},
        check=True,
        capture_output=True,
    )


@pytest.fixture
def recent_index(monkeypatch):
    """A recent-articles index over a three-article window, dropped after the
    test (its tables are emptied, not rolled back)."""
    monkeypatch.setattr(search, "WINDOW_ARTICLES", 3)
    yield
    search.drop_recent_indexes()


def test_a_backup_restores_with_a_working_search_index(tmp_path, restored_url, recent_index):
    published = timezone.now() - timezone.timedelta(days=3)
    article = ArticleFactory(title="数据科学工作坊开幕", publish_at=published)
    ArticleFactory.create_batch(3, title="其他新闻")
    assert search.refresh_recent_index().startswith("Built")
    media = tmp_path / "media"
    (media / "uploads").mkdir(parents=True)
    (media / "uploads" / "photo.jpg").write_bytes(b"not really a jpeg")

    private = tmp_path / "private"
    (private / "attachments").mkdir(parents=True)
    (private / "attachments" / "plan.pdf").write_bytes(b"%PDF- unpublished")

    run(
        "backup.sh",
        tmp_path / "backups",
        DATABASE_URL=database_url(),
        DJANGO_MEDIA_ROOT=media,
        NEWSROOM_PRIVATE_ROOT=private,
    )
    (folder,) = (tmp_path / "backups").iterdir()
    # Password hashes and unpublished articles: for the owner's eyes only.
    assert oct((tmp_path / "backups").stat().st_mode & 0o777) == "0o700"
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    assert {oct(f.stat().st_mode & 0o777) for f in folder.iterdir()} == {"0o600"}
    restored_media = tmp_path / "restored-media"
    restored_private = tmp_path / "restored-private"
    run(
        "restore.sh",
        folder,
        DATABASE_URL=restored_url,
        DJANGO_MEDIA_ROOT=restored_media,
        NEWSROOM_PRIVATE_ROOT=restored_private,
    )

    assert (restored_media / "uploads" / "photo.jpg").read_bytes() == b"not really a jpeg"
    assert (restored_private / "attachments" / "plan.pdf").read_bytes() == b"%PDF- unpublished"
    tokens = search.query_tokens("数据科学")
    window = " | ".join(f"'{lexeme}'" for lexeme in time_lexemes(published))
    with psycopg.connect(restored_url) as restored, restored.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM newsroom_article")
        assert cursor.fetchone()[0] == 4
        cursor.execute(
            "SELECT id FROM newsroom_article WHERE search_vector @@ %s::tsquery",
            [f"{search.tsquery_text(tokens)} & ({window})"],
        )
        assert cursor.fetchall() == [(article.pk,)]
        # The recent-articles index comes back, ready for the first pass.
        assert search._recent_indexes(cursor) == [
            (f"{search.RECENT_INDEX_PREFIX}{search.recent_index_since():%Y%m%d}", True)
        ]
        # A changed row gets its new buckets from the restored function too.
        cursor.execute(
            "UPDATE newsroom_article SET publish_at = publish_at - interval '400 days' "
            "WHERE id = %s RETURNING search_vector",
            [article.pk],
        )
        vector = cursor.fetchone()[0]
    moved = time_lexemes(published - timezone.timedelta(days=400))
    assert all(f"'{lexeme}'" in vector for lexeme in moved)
    restored.close()
