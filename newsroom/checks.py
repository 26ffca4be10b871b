"""
Deployment checks (``manage.py check --deploy``): things a running site needs
that only show when they fail.
"""

import smtplib

from django.conf import settings
from django.core import checks
from django.core.mail import get_connection

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


@checks.register("mail", deploy=True)
def mail_can_be_sent(app_configs=None, **kwargs):
    """
    Notices to authors (approved, rejected, taken down) go out by e-mail, and
    a failure is only logged when it happens; so the deploy check signs in to
    the SMTP server now and reports what stops it.
    """
    if settings.EMAIL_BACKEND != SMTP_BACKEND:
        return []
    connection = get_connection(fail_silently=False, timeout=10)
    try:
        connection.open()
    except (OSError, smtplib.SMTPException) as error:  # timeouts are OSErrors
        return [
            checks.Error(
                f"Mail cannot be sent through {settings.EMAIL_HOST}:{settings.EMAIL_PORT}: "
                f"{error.__class__.__name__}: {error}",
                hint="Set EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD and "
                "EMAIL_USE_TLS or EMAIL_USE_SSL in the environment file (see the README).",
                id="newsroom.E001",
            )
        ]
    finally:
        try:
            connection.close()
        except Exception:  # closing a half-open connection may fail too; nothing to report
            pass
    return []
