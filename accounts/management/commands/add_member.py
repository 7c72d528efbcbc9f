from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.management.commands._errors import command_error
from accounts.models import Role, User, Workspace, normalize_email
from accounts.services import membership_create, user_create


class Command(BaseCommand):
    help = (
        "Add a user to a workspace with a role. An existing user keeps their password; "
        "a new one is created with --password."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The workspace's slug.")
        parser.add_argument("--email", required=True)
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument(
            "--password", default=None, help="Only for a new user: the password to create it with."
        )

    def handle(self, *args, slug, email, role, password, **options):
        try:
            workspace = Workspace.objects.get(slug=slug)
        except Workspace.DoesNotExist:
            raise CommandError(f"No workspace with the slug {slug!r}.") from None
        email = normalize_email(email)
        user = User.objects.filter(email=email).first()
        if user is None and password is None:
            raise CommandError(f"No user with the email {email!r}: give --password to create one.")
        try:
            with transaction.atomic():  # a new user and their membership, or neither
                created = user is None
                if created:
                    user = user_create(email=email, password=password)
                membership = membership_create(workspace=workspace, user=user, role=role)
        except ValidationError as error:
            raise command_error(error) from None
        new = " (new user)" if created else ""
        self.stdout.write(
            f"{user.email}{new} is now {membership.get_role_display()} of {workspace.slug}"
        )
