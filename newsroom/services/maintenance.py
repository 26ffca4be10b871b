"""Database upkeep after bulk writes."""

from django.db import connection


def database_analyze() -> None:
    """
    Bring the planner's statistics up to date after a bulk load (an import, the
    benchmark seeder). Autovacuum gets there eventually, but until it does a
    freshly loaded PostgreSQL database plans its queries for empty tables: pages
    of a new 100,000-article database were 8× slower until the next analyze.
    SQLite has the same command for the same reason.
    """
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
