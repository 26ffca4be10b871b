"""
The search vector also holds the article's time bucket (PostgreSQL).

Besides its words, every article's tsvector carries one lexeme naming the
30-day period its publication time falls in, counted from 2000-01-01 UTC
(``_327`` from 2026-11-10 to 2026-12-09). A search for a common word can then
ask the index for matches among the recent periods only and rank those,
instead of fetching every match in the archive from the table to find the
newest (see ``newsroom/services/search.py``). The bucket is computed from
``publish_at`` by PostgreSQL, so rescheduling an article moves it; the
expression uses only immutable arithmetic, as a generated column must, and
``search.time_bucket`` computes the same number in Python.
"""

from django.db import migrations

BUCKET_VECTOR = (
    "array_to_tsvector(string_to_array(search_document, ' ') || "
    "('_' || floor(extract(epoch FROM publish_at - '2000-01-01 00:00:00+00'::timestamptz) "
    "/ 2592000))::text)"
)
WORDS_VECTOR = "array_to_tsvector(string_to_array(search_document, ' '))"


def statements(vector):
    return (
        "DROP INDEX IF EXISTS article_search_idx",
        "ALTER TABLE newsroom_article DROP COLUMN IF EXISTS search_vector",
        "ALTER TABLE newsroom_article ADD COLUMN search_vector tsvector "
        f"GENERATED ALWAYS AS ({vector}) STORED",
        "CREATE INDEX article_search_idx ON newsroom_article "
        "USING gin (search_vector) WITH (fastupdate = off)",
    )


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("newsroom", "0013_search_index_without_pending_list")]

    operations = [
        migrations.RunPython(run(statements(BUCKET_VECTOR)), run(statements(WORDS_VECTOR)))
    ]
