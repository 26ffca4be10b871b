from django.core.files.storage import storages
from django.core.management.base import BaseCommand

from newsroom.models import Attachment
from newsroom.storage import move_files


class Command(BaseCommand):
    help = (
        "Move attachment files from the public media storage into the private attachment "
        "storage (migration 0021 does it too; safe to run again)."
    )

    def handle(self, *args, **options):
        names = Attachment.objects.order_by("pk").values_list("file", flat=True).iterator()
        moved, missing = move_files(
            names, source=storages["default"], target=storages["attachments"]
        )
        for name in missing:
            self.stderr.write(f"missing in both storages: {name}")
        self.stdout.write(
            self.style.SUCCESS(f"{moved} attachment file(s) moved; {len(missing)} missing.")
        )
