from django.core.management.base import BaseCommand

from newsroom.core.renditions import renditions_generate
from newsroom.models import Department, Image, SiteSettings
from newsroom.services.identity import identity_renditions_ensure


class Command(BaseCommand):
    help = (
        "Make the renditions every image is missing (after an upgrade adds a kind, "
        "such as the square share picture); ones already stored are kept."
    )

    def handle(self, *args, **options):
        count = 0
        for image in Image.objects.order_by("pk").iterator():
            renditions_generate(image)
            count += 1
        for owner in [*Department.objects.all(), *SiteSettings.objects.all()]:
            identity_renditions_ensure(owner)
        self.stdout.write(f"Checked the renditions of {count} images.")
