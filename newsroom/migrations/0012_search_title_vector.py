"""
A stored tsvector of the title's search tokens (PostgreSQL).

Search ranks title matches first among the newest matches; building the
title's tsvector from its token text for every match took most of a
common word's query. Like ``search_vector`` (migration 0009), PostgreSQL
generates the column, so no code writes it and the model does not declare it.
"""

from django.db import migrations

STATEMENTS = (
    "ALTER TABLE newsroom_article ADD COLUMN IF NOT EXISTS search_title_vector tsvector "
    "GENERATED ALWAYS AS (array_to_tsvector(string_to_array(search_title, ' '))) STORED",
)
REVERSE = ("ALTER TABLE newsroom_article DROP COLUMN IF EXISTS search_title_vector",)


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("newsroom", "0011_article_fillfactor")]

    operations = [migrations.RunPython(run(STATEMENTS), run(REVERSE))]
