"""Publish times in whole seconds, as Article.save now stores them: an approval
stored "now" with microseconds, which <time datetime> may not carry."""

from django.db import migrations


def truncate_to_seconds(apps, schema_editor):
    table = apps.get_model("newsroom", "Article")._meta.db_table
    if schema_editor.connection.vendor == "postgresql":
        sql = (
            f"UPDATE {table} SET publish_at = date_trunc('second', publish_at) "
            "WHERE publish_at <> date_trunc('second', publish_at)"
        )
    else:  # SQLite keeps "YYYY-MM-DD HH:MM:SS[.ffffff]"
        sql = (
            f"UPDATE {table} SET publish_at = substr(publish_at, 1, 19) "
            "WHERE length(publish_at) > 19"
        )
    schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("newsroom", "0026_site_health_dashboard")]

    operations = [migrations.RunPython(truncate_to_seconds, migrations.RunPython.noop)]
