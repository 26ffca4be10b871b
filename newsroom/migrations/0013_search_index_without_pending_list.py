"""
The search index without a pending list (PostgreSQL).

With ``fastupdate`` on, a GIN index collects new entries in a pending list that
every search scans and that only a vacuum or a full list merges. Click counts
update article rows, and the few updates that cannot stay on their page (not
HOT) add all of a row's search tokens to that list: after a click benchmark,
a few hundred such updates were enough to make a rare word's search choose a
table scan. Without the list, such an update writes the index directly (a
slower update, for a small share of clicks) and searches keep their plan.
"""

from django.db import migrations


def set_fastupdate(value):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER INDEX article_search_idx SET (fastupdate = {value})")
            # Turning it off does not merge what is already pending.
            schema_editor.execute("SELECT gin_clean_pending_list('article_search_idx'::regclass)")

    return apply


class Migration(migrations.Migration):
    dependencies = [("newsroom", "0012_search_title_vector")]

    operations = [migrations.RunPython(set_fastupdate("off"), set_fastupdate("on"))]
