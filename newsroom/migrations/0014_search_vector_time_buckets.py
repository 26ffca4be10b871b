"""
The search vector also names the article's time buckets (PostgreSQL).

Besides its words, every article's tsvector carries lexemes naming where its
publication time falls: in which 30-day period counted from 2000-01-01 UTC
(``_0.327`` for 2026-11-10 to 2026-12-09), and in which aligned run of 2, 4,
8, 16 and 32 such periods (``_1.163`` … ``_5.10``). A search for a common word
can then ask the index for matches in the recent periods only, named with a
handful of lexemes, and rank those, instead of fetching every match in the
archive from the table to find the newest (see ``newsroom/services/search.py``).
PostgreSQL computes the lexemes from ``publish_at``, so rescheduling an
article moves it; they use only immutable arithmetic, as a generated column
must, and ``search.time_lexemes`` computes the same ones in Python.
"""

from django.db import migrations

LEVELS = 6
LEXEMES_FUNCTION = (
    "CREATE OR REPLACE FUNCTION newsroom_time_lexemes(bucket bigint) RETURNS text[] "
    "LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN ARRAY["
    + ", ".join(f"'_{level}.' || (bucket >> {level})" for level in range(LEVELS))
    + "]"
)
BUCKET = (
    "floor(extract(epoch FROM publish_at - '2000-01-01 00:00:00+00'::timestamptz) / 2592000)::bigint"
)
BUCKET_VECTOR = (
    "array_to_tsvector(string_to_array(search_document, ' ') || "
    f"newsroom_time_lexemes({BUCKET}))"
)
WORDS_VECTOR = "array_to_tsvector(string_to_array(search_document, ' '))"


def vector_statements(vector):
    return (
        "DROP INDEX IF EXISTS article_search_idx",
        "ALTER TABLE newsroom_article DROP COLUMN IF EXISTS search_vector",
        "ALTER TABLE newsroom_article ADD COLUMN search_vector tsvector "
        f"GENERATED ALWAYS AS ({vector}) STORED",
        "CREATE INDEX article_search_idx ON newsroom_article "
        "USING gin (search_vector) WITH (fastupdate = off)",
    )


STATEMENTS = (LEXEMES_FUNCTION, *vector_statements(BUCKET_VECTOR))
REVERSE = (
    *vector_statements(WORDS_VECTOR),
    "DROP FUNCTION IF EXISTS newsroom_time_lexemes(bigint)",
)


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("newsroom", "0013_search_index_without_pending_list")]

    operations = [migrations.RunPython(run(STATEMENTS), run(REVERSE))]
