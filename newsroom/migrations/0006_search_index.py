"""
The full-text index for site search, on PostgreSQL only.

A GIN index over the ``simple`` tsvector of the token document (see
newsroom/services/search.py); the query uses the identical expression, so
PostgreSQL answers from the index. SQLite has no such index and scans.
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS article_search_idx ON newsroom_article "
    "USING gin (to_tsvector('simple'::regconfig, search_document))"
)
DROP = "DROP INDEX IF EXISTS article_search_idx"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


def build_documents(apps, schema_editor):
    """Fill the search fields of existing articles."""
    from newsroom.services.search import build_document

    Article = apps.get_model("newsroom", "Article")
    for article in Article.objects.only("id", "title", "summary", "body").iterator():
        Article.objects.filter(pk=article.pk).update(
            search_title=build_document(article.title),
            search_document=build_document(article.title, article.summary, article.body),
        )


class Migration(migrations.Migration):
    dependencies = [("newsroom", "0005_search_title")]

    operations = [
        migrations.RunPython(build_documents, migrations.RunPython.noop),
        migrations.RunPython(create_index, drop_index),
    ]
