"""
The full-text index for site search, on PostgreSQL only.

A GIN index over the ``simple`` tsvector of the token document (see
newsroom/core/search_document.py); the query uses the identical expression, so
PostgreSQL answers from the index. SQLite has no such index and scans.
"""

import html
import re
import unicodedata

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


# A frozen copy of the search document builder as this migration ran it
# (newsroom/core/search_document.py today): a later change to the live one
# must not change what an old migration does. 0007 uses it too.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef"
_RUN_RE = re.compile(f"[{_CJK}]+|[a-z0-9]+")
_IS_CJK = re.compile(f"[{_CJK}]")
_TAG_RE = re.compile(r"""</?[a-zA-Z](?:"[^"]*"|'[^']*'|[^'">])*>""")


def _tokens(text):
    tokens = []
    for run in _RUN_RE.findall(unicodedata.normalize("NFKC", text or "").casefold()):
        if _IS_CJK.match(run):
            tokens.extend(run)
            tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            tokens.append(run)
    return tokens


def build_document(*parts):
    text = " ".join(" ".join(html.unescape(_TAG_RE.sub("", p or "")).split()) for p in parts)
    return " ".join(dict.fromkeys(_tokens(text)))


def build_documents(apps, schema_editor):
    """Fill the search fields of existing articles."""
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
