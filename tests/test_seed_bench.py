"""The benchmark's bulk seeding (newsroom/management/commands/seed_bench.py)."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from newsroom.management.commands import seed_bench
from newsroom.models import Article
from newsroom.services import search

# The writer threads use connections of their own, which see only committed rows.
pytestmark = pytest.mark.django_db(transaction=True)


def test_seeds_published_searchable_articles_on_several_connections(monkeypatch):
    monkeypatch.setattr(seed_bench, "BATCH", 7)  # several batches for two writers
    monkeypatch.setattr(search, "WINDOW_ARTICLES", 10)
    try:
        call_command("seed_bench", articles=40, verbosity=0)
        if connection.vendor == "postgresql":
            # Built beside the main index, for the window of the seeded articles.
            window = search._window_start(timezone.now())
            assert search.recent_index_since() == search.bucket_start(window)
    finally:
        search.drop_recent_indexes()  # this test's tables are emptied, not rolled back
    articles = Article.objects.published()
    assert articles.count() == 40
    assert len({a.title for a in articles}) == 40
    found, _has_next = search.search_page("第17期", start=0, size=20)
    assert [a.title for a in found] == [a.title for a in articles if "第17期" in a.title]
    # Every third article of a column has a cover, so list pages show alike.
    for column in {a.category for a in articles}:
        in_column = articles.filter(category=column).order_by("publish_at", "pk")
        covered = [a.cover_id is not None for a in in_column]
        assert covered == [(i + 1) % 3 == 0 for i in range(len(covered))]
    # The main column holds most of them, for deep list pages.
    assert (
        articles.filter(category__slug="news", category__department__slug="bench-info").count() > 20
    )


def test_a_failed_batch_stops_the_seeding(monkeypatch):
    monkeypatch.setattr(seed_bench, "BATCH", 5)

    def fail(self, objs, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(type(Article.objects), "bulk_create", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        seed_bench.seed_bench(count=30)


def test_seeding_brings_planner_statistics_up_to_date(monkeypatch):
    """After the bulk load the database is analyzed, so pages are not planned for empty tables."""
    from newsroom.services import maintenance

    calls = []
    monkeypatch.setattr(seed_bench, "database_analyze", lambda: calls.append("analyze"))
    try:
        call_command("seed_bench", articles=3, verbosity=0)
    finally:
        search.drop_recent_indexes()
    assert calls == ["analyze"]
    maintenance.database_analyze()  # and the real one runs on this database
