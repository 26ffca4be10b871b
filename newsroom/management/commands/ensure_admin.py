import secrets
import shlex

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create a superuser with a random password if the site has none, and print it."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        User = get_user_model()
        admins = list(
            User.objects.filter(is_superuser=True)
            .order_by("pk")
            .values_list(User.USERNAME_FIELD, flat=True)
        )
        if admins:
            names = ", ".join(admins)
            self.stdout.write(f"Admin account: {names}. Sign in at /admin/.")
            # The exact command, as typed from the project folder (make run's virtualenv).
            self.stdout.write(
                f"Forgot the password? Set a new one with: "
                f".venv/bin/python manage.py changepassword {shlex.quote(admins[0])}"
            )
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(self.style.SUCCESS("Created the admin account for /admin/:"))
        self.stdout.write(f"  user name: {username}")
        self.stdout.write(f"  password:  {password}")
