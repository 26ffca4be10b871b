import csv

from django.core.management.base import BaseCommand, CommandError

from newsroom.models import Department
from newsroom.services.links import LinkChecker, links_check


class Command(BaseCommand):
    help = (
        "Check the links and image sources of the published articles (this site's without "
        "HTTP, outside ones with HEAD then GET) and store the results for the 链接检查 "
        "report. Prints each broken link: article id, URL, reason; then a summary."
    )

    def add_arguments(self, parser):
        parser.add_argument("--department", metavar="SLUG", help="only this department")
        parser.add_argument("--format", choices=("text", "csv"), default="text")
        parser.add_argument(
            "--timeout", type=float, help="seconds per request (NEWSROOM_LINK_TIMEOUT)"
        )

    def handle(self, *args, department, format, timeout, **options):
        scope = None
        if department is not None:
            scope = Department.objects.filter(slug=department).first()
            if scope is None:
                raise CommandError(f"No department with the slug {department!r}.")
        checker = LinkChecker(timeout=timeout)
        report = links_check(department=scope, checker=checker)
        if format == "csv":
            writer = csv.writer(self.stdout, lineterminator="\n")
            writer.writerow(["article_id", "url", "reason"])
            writer.writerows(report.broken)
            # The summary goes to stderr so that stdout stays a CSV file.
            out = self.stderr
        else:
            for article_id, url, reason in report.broken:
                self.stdout.write(f"{article_id}\t{url}\t{reason}")
            out = self.stdout
        out.write(
            f"Checked {report.internal + report.external} links "
            f"({report.internal} on this site, {report.external} outside) "
            f"in {report.articles} articles in {report.seconds:.1f} s: "
            f"{len(report.broken)} broken, "
            f"{len(report.outside_domains)} outside domains (外链): "
            f"{', '.join(sorted(report.outside_domains)) or '-'}. "
            f"Requests: {checker.stats.requests}, at most {checker.stats.max_in_flight} at once, "
            f"{checker.stats.max_per_host} per host."
        )
