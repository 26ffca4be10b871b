"""``manage.py import_legacy <start-url> --department <slug>``: move an old site in.

See the README's migration guide for what is kept and how old addresses redirect."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from newsroom.importers.fetch import FetchError
from newsroom.importers.runner import Options, Run, parse_map
from newsroom.services.legacy import ImportRefused

SUMMARY_ORDER = (
    "columns",
    "articles_created",
    "articles_updated",
    "articles_unchanged",
    "articles_listed",
    "articles_flagged",
    "articles_failed",
    "skipped_unpublished",
    "skipped_offsite",
    "skipped_not_article",
    "images_imported",
    "images_known",
    "images_failed",
    "attachments_imported",
    "attachments_known",
    "attachments_failed",
)


class Command(BaseCommand):
    help = "Import a department's old 博达 VSB or 苏迪 WebPlus site, redirecting every old URL."

    def add_arguments(self, parser):
        parser.add_argument("start_url", help="The old site's homepage or one column's list page.")
        parser.add_argument("--department", required=True, help="Slug of the department.")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="NAME=SLUG",
            help="Put the old column NAME into the column SLUG (repeatable).",
        )
        parser.add_argument("--concurrency", type=int, default=4, help="Requests at a time.")
        parser.add_argument(
            "--delay", type=float, default=0.0, help="Seconds to wait before each request."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be imported; write nothing."
        )
        parser.add_argument(
            "--old-host",
            default="",
            help="The domain old addresses will arrive with (default: the start address's).",
        )
        parser.add_argument("--limit", type=int, default=None, help=argparse_suppress())

    def handle(self, *args, start_url, department, concurrency, delay, dry_run, limit, **options):
        if not start_url.startswith(("http://", "https://")):
            raise CommandError(_("The start address must begin with http:// or https://."))
        if concurrency < 1 or delay < 0:
            raise CommandError(_("--concurrency must be at least 1 and --delay not negative."))
        try:
            column_map = parse_map(options["map"])
        except ValueError as error:
            message = _("--map takes NAME=SLUG, not “%(value)s”.") % {"value": error}
            raise CommandError(message) from error
        verbosity = options["verbosity"]
        tty = hasattr(self.stdout, "isatty") and self.stdout.isatty()

        def progress(text):
            if verbosity >= 2:
                self.stdout.write(text)
            elif tty and verbosity >= 1:
                sys.stdout.write(f"\r\033[K{text[:110]}")
                sys.stdout.flush()

        run = Run(
            Options(
                start_url=start_url,
                department_slug=department,
                column_map=column_map,
                concurrency=concurrency,
                delay=delay,
                dry_run=dry_run,
                max_articles=limit,
                old_host=options["old_host"].strip().lower(),
            ),
            progress=progress,
        )
        try:
            summary = run.run()
        except (ImportRefused, FetchError) as error:
            raise CommandError(getattr(error, "message", str(error))) from error
        if tty and verbosity == 1:
            sys.stdout.write("\n")
        for line in summary.listed:
            self.stdout.write(line)
        for line in summary.problems:
            self.stderr.write(line)
        self.stdout.write(f"system: {summary.system}")
        for name in SUMMARY_ORDER:
            if summary.counts.get(name):
                self.stdout.write(f"{name}: {summary.counts[name]}")
        if dry_run:
            self.stdout.write(_("Dry run: nothing was written."))


def argparse_suppress():
    import argparse

    return argparse.SUPPRESS
