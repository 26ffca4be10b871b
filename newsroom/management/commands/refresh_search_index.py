from django.core.management.base import BaseCommand

from newsroom.services.search import refresh_recent_index


class Command(BaseCommand):
    help = (
        "Keep the search's index of recent articles (PostgreSQL) in step with the "
        "search window: build it again when the window has moved, drop it on a small "
        "site. Run it daily; while it builds, articles can still be written."
    )

    def handle(self, *args, **options):
        self.stdout.write(refresh_recent_index())
