"""
Attachment files move out of the public media root into their own storage
(``STORAGES["attachments"]``, see newsroom/storage.py). The stored names stay
the same; the files are moved by ``manage.py move_attachments_private`` too,
which can be run again safely.
"""

from django.core.files.storage import storages
from django.db import migrations, models

import newsroom.models.content
import newsroom.storage


def names(apps):
    Attachment = apps.get_model("newsroom", "Attachment")
    return Attachment.objects.order_by("pk").values_list("file", flat=True).iterator()


def to_private(apps, schema_editor):
    newsroom.storage.move_files(
        names(apps), source=storages["default"], target=storages["attachments"]
    )


def to_public(apps, schema_editor):
    newsroom.storage.move_files(
        names(apps), source=storages["attachments"], target=storages["default"]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0015_image_shared_library"),
    ]

    operations = [
        migrations.AlterField(
            model_name="attachment",
            name="file",
            field=models.FileField(
                max_length=200,
                storage=newsroom.storage.attachment_storage,
                upload_to=newsroom.models.content.attachment_path,
                verbose_name="file",
            ),
        ),
        migrations.RunPython(to_private, to_public, elidable=True),
    ]
