from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from accounts.management.commands._errors import command_error
from accounts.plans import Plan
from portal.services import account_sign_up


class Command(BaseCommand):
    help = "Create a workspace and its owner; prints the workspace slug alone on one line."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="Workspace name.")
        parser.add_argument("--plan", required=True, choices=Plan.values)
        parser.add_argument("--owner-email", required=True)
        parser.add_argument("--owner-password", required=True)

    def handle(self, *args, name, plan, owner_email, owner_password, **options):
        try:
            _user, workspace = account_sign_up(
                email=owner_email, password=owner_password, workspace_name=name, plan=plan
            )
        except ValidationError as error:
            raise command_error(error) from None
        self.stdout.write(workspace.slug)
