import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from newsroom.services.clicks import flush_pending


class Command(BaseCommand):
    help = (
        "Move click counts buffered in Redis into the database "
        "(only with NEWSROOM_CLICK_BUFFER=redis). Safe to interrupt and to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep flushing until stopped")
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between flushes")

    def handle(self, *args, loop, interval, **options):
        if settings.NEWSROOM_CLICK_BUFFER != "redis":
            raise CommandError("Clicks are not buffered (NEWSROOM_CLICK_BUFFER is not 'redis').")
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        while True:
            applied = flush_pending()
            if applied or not loop:
                self.stdout.write(f"Flushed {applied} clicks.")
            if not loop or stopping:
                return
            time.sleep(interval)
