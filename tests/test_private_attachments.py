"""Attachment files live in private storage: no /media/ or /static/ spelling reaches them."""

import importlib
import os

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.test import Client

from newsroom.models import Article, Attachment
from tests.factories import ArticleFactory, attach_pdf
from tests.utils import MARKER, spellings, unpublished_articles

pytestmark = pytest.mark.django_db


@pytest.fixture
def serve_media(settings):
    """Django serving /media/ itself, as in development or with NEWSROOM_SERVE_MEDIA=1."""
    settings.NEWSROOM_SERVE_MEDIA = True


def test_attachment_files_are_stored_outside_the_media_root(media_root, private_root):
    """An uploaded attachment is written below the private root and nowhere under MEDIA_ROOT."""
    attachment = attach_pdf(ArticleFactory(), marker=MARKER)
    stored = private_root / attachment.file.name
    assert stored.read_bytes().find(MARKER) > 0
    assert not any(files for _root, _dirs, files in os.walk(media_root))
    assert oct(stored.stat().st_mode & 0o777) == "0o600"
    assert oct(stored.parent.stat().st_mode & 0o777) == "0o700"


@pytest.mark.parametrize("state", ["draft", "scheduled", "taken down"])
def test_no_spelling_under_media_or_static_serves_an_attachment(
    state, serve_media, media_root, private_root
):
    """Anonymous requests for every spelling of the file's path get no file."""
    article = unpublished_articles()[state]
    attachment = attach_pdf(article, marker=MARKER)
    (media_root / "uploads").mkdir(parents=True)
    client = Client()
    assert client.get(attachment.get_absolute_url()).status_code == 404
    for path in spellings(attachment.file.name):
        response = client.get(path)
        body = b"".join(response) if response.streaming else response.content
        assert response.status_code in (301, 400, 404), (path, response.status_code)
        assert MARKER not in body, path


@pytest.mark.parametrize("state", ["draft", "scheduled", "taken down"])
def test_symbolic_links_out_of_the_media_root_are_refused(
    state, serve_media, media_root, private_root
):
    """A link in MEDIA_ROOT to the private folder or to the file itself serves nothing."""
    attachment = attach_pdf(unpublished_articles()[state], marker=MARKER)
    media_root.mkdir(parents=True, exist_ok=True)
    (media_root / "linked").symlink_to(private_root, target_is_directory=True)
    (media_root / "file.pdf").symlink_to(private_root / attachment.file.name)
    client = Client()
    for path in ("/media/linked/" + attachment.file.name, "/media/file.pdf"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert MARKER not in (b"".join(response) if response.streaming else response.content)


def test_pictures_under_media_are_still_served(serve_media, media_root):
    """The public media keep working: an uploaded picture is served from /media/."""
    (media_root / "uploads").mkdir(parents=True)
    (media_root / "uploads" / "photo.jpg").write_bytes(b"\xff\xd8\xff picture")
    response = Client().get("/media/uploads/photo.jpg")
    assert response.status_code == 200


def test_published_attachment_is_served_by_its_view_only(private_root):
    """The download view streams a published article's file, with Django's attachment header."""
    attachment = attach_pdf(ArticleFactory(), marker=MARKER, name="招生简章.pdf")
    response = Client().get(attachment.get_absolute_url())
    assert response.status_code == 200
    assert MARKER in b"".join(response.streaming_content)
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E6%8B%9B%E7%94%9F%E7%AE%80%E7%AB%A0.pdf"
    )


def old_public_attachment(article, name="attachments/2024/05/0123456789abcdef.pdf"):
    """An attachment as stored before the move: its file under MEDIA_ROOT."""
    storages["default"].save(name, ContentFile(b"%PDF-1.4\n" + MARKER))
    attachment = Attachment.objects.create(
        article=article, name="旧附件.pdf", content_type="application/pdf", size=40
    )
    Attachment.objects.filter(pk=attachment.pk).update(file=name)
    return Attachment.objects.get(pk=attachment.pk)


def test_move_command_moves_existing_files_into_private_storage(media_root, private_root):
    """manage.py move_attachments_private moves old files out of MEDIA_ROOT, and may run again."""
    attachment = old_public_attachment(ArticleFactory())
    call_command("move_attachments_private", stdout=open(os.devnull, "w"))
    assert not (media_root / attachment.file.name).exists()
    assert MARKER in (private_root / attachment.file.name).read_bytes()
    response = Client().get(attachment.get_absolute_url())
    assert MARKER in b"".join(response.streaming_content)
    call_command("move_attachments_private", stdout=open(os.devnull, "w"))
    assert (private_root / attachment.file.name).exists()


def test_the_migration_moves_existing_files(media_root, private_root):
    """Migration 0021 moves files that are still under MEDIA_ROOT when an old site upgrades."""
    migration = importlib.import_module("newsroom.migrations.0021_private_attachments")
    attachment = old_public_attachment(ArticleFactory(status=Article.Status.DRAFT))
    migration.to_private(apps, None)
    assert not (media_root / attachment.file.name).exists()
    assert (private_root / attachment.file.name).exists()
    migration.to_public(apps, None)
    assert (media_root / attachment.file.name).exists()
    assert not (private_root / attachment.file.name).exists()
