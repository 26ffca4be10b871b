from django.core.management.base import BaseCommand

from newsroom.services.roles import EDITORS_GROUP, REVIEWERS_GROUP, roles_install


class Command(BaseCommand):
    help = "Create the editor and reviewer permission groups (also done after every migrate)."

    def handle(self, *args, **options):
        roles_install()
        self.stdout.write(self.style.SUCCESS(f"Groups ready: {EDITORS_GROUP}, {REVIEWERS_GROUP}"))
