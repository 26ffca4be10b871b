import csv

from django.core.management.base import BaseCommand, CommandError

from newsroom.models import Department
from newsroom.services.safety.scan import ScanSummary, findings_replace, scan_archive, scan_queued


class Command(BaseCommand):
    help = (
        "Check every published article and attachment with the current content-safety rules "
        "(内容安全). Prints one hit per line: article id, field, kind, matched text (masked), "
        "excerpt; then a summary. The findings are kept for the admin's 内容安全检查 report."
    )

    def add_arguments(self, parser):
        parser.add_argument("--department", metavar="SLUG", help="only this department")
        parser.add_argument("--format", choices=("text", "csv"), default="text")
        parser.add_argument(
            "--queued",
            action="store_true",
            help="run the re-scans asked for in the admin, then stop (for a timer)",
        )

    def handle(self, *args, department, format, queued, **options):
        if queued:
            for request in scan_queued():
                self.stdout.write(
                    f"Re-scan {request.pk} ({request.department or 'all departments'}): "
                    f"{request.articles} articles, {request.hits} hits."
                )
            return
        scope = None
        if department is not None:
            scope = Department.objects.filter(slug=department).first()
            if scope is None:
                raise CommandError(f"No department with the slug {department!r}.")
        summary = ScanSummary()
        writer = csv.writer(self.stdout, lineterminator="\n") if format == "csv" else None
        if writer is not None:
            writer.writerow(["article_id", "field", "kind", "matched", "excerpt", "suggestion"])

        def printed(results):
            for article_id, department_id, hits in results:
                for hit in hits:
                    row = [article_id, hit.field_label, hit.kind_label, hit.shown]
                    row += [_one_line(hit.excerpt), hit.suggestion]
                    if writer is not None:
                        writer.writerow(row)
                    else:
                        self.stdout.write("\t".join(str(value) for value in row).rstrip("\t"))
                yield article_id, department_id, hits

        findings_replace(
            department=scope, results=printed(scan_archive(department=scope, summary=summary))
        )
        # With CSV the summary goes to stderr, so that stdout stays a CSV file.
        out = self.stderr if writer is not None else self.stdout
        kinds = ", ".join(f"{kind} {count}" for kind, count in summary.by_kind.most_common())
        rate = summary.articles / summary.seconds if summary.seconds else 0
        out.write(
            f"Checked {summary.articles} published articles and {summary.attachments} "
            f"attachments in {summary.seconds:.1f} s ({rate:.0f} articles/s): "
            f"{summary.hits} hits in {summary.articles_with_hits} articles"
            + (f" ({kinds})." if kinds else ".")
        )


def _one_line(text):
    return " ".join(text.split())
