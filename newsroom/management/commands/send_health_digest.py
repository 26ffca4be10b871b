import logging

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from newsroom.models import Department, Membership
from newsroom.services.health import department_health, digest_text

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "E-mail each department's reviewers the weekly site health digest: new broken links, "
        "outside links awaiting confirmation, stale columns, expiring 公示, old pending reviews. "
        "A department with nothing to report gets no mail."
    )

    def add_arguments(self, parser):
        parser.add_argument("--department", metavar="SLUG", help="only this department")

    def handle(self, *args, department, **options):
        now = timezone.now()
        departments = Department.objects.all()
        if department is not None:
            departments = departments.filter(slug=department)
        sent = 0
        with override(settings.LANGUAGE_CODE):
            for scope in departments:
                recipients = sorted(
                    Membership.objects.filter(
                        department=scope, role=Membership.Role.REVIEWER, user__is_active=True
                    )
                    .exclude(user__email="")
                    .values_list("user__email", flat=True)
                )
                if not recipients:
                    continue
                text = digest_text(department_health(scope, now=now), now=now)
                if not text:
                    continue
                subject = _("Site health digest: %(department)s") % {"department": scope.name}
                try:
                    send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, recipients)
                except OSError:
                    logger.exception("Could not send the health digest of %s", scope.slug)
                    continue
                sent += 1
        self.stdout.write(f"Sent the health digest to {sent} department(s).")
