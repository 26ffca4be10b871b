"""
LZ4 for the large text columns on PostgreSQL (bodies and search documents).

Compressing and decompressing article bodies with LZ4 is several times faster
than PostgreSQL's default (pglz), for a little more space. Skipped where the
server was built without LZ4.
"""

from django.db import migrations

COLUMNS = ("body", "search_document")


def set_compression(method):
    def apply(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' "
                           "AND 'lz4' = ANY(enumvals)")
            if cursor.fetchone() is None:
                return
        for column in COLUMNS:
            schema_editor.execute(
                f"ALTER TABLE newsroom_article ALTER COLUMN {column} SET COMPRESSION {method}"
            )

    return apply


class Migration(migrations.Migration):
    dependencies = [("newsroom", "0007_search_index_lexemes")]

    operations = [migrations.RunPython(set_compression("lz4"), set_compression("pglz"))]
