from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from portal.demo import DEMO_PASSWORD, demo_seed


class Command(BaseCommand):
    help = (
        "Create or refresh the demo workspace (Pro plan) and its login. Prints the slug alone "
        "on the first line, then the email and password."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help="The demo login's password. Required when DEBUG is off, where the built-in "
            "one would be a publicly known password.",
        )

    def handle(self, *args, password, **options):
        if password is None:
            if not settings.DEBUG:
                raise CommandError("DEBUG is off: give the demo login a --password.")
            password = DEMO_PASSWORD
        try:
            demo = demo_seed(password=password)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(demo.workspace.slug)
        self.stdout.write(f"Email: {demo.email}")
        self.stdout.write(f"Password: {demo.password}")
