from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Workspace
from apikeys.models import Access
from apikeys.services import api_key_create


class Command(BaseCommand):
    help = "Create an API key for a workspace (staff provisioning); prints the key alone."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The workspace's slug.")
        parser.add_argument("--name", required=True, help="What uses the key.")
        parser.add_argument("--read-only", action="store_true", help="Allow GET requests only.")

    def handle(self, *args, slug, name, read_only, **options):
        try:
            workspace = Workspace.objects.get(slug=slug)
        except Workspace.DoesNotExist:
            raise CommandError(f"No workspace with the slug {slug!r}.") from None
        access = Access.READ_ONLY if read_only else Access.READ_WRITE
        try:
            _api_key, raw_key = api_key_create(
                workspace=workspace, name=name, access=access, created_by=None
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        if not workspace.entitlements.api:
            self.stderr.write(
                f"Note: the {workspace.entitlements.plan.label} plan has no API access; "
                "this key answers 403 plan_upgrade_required until the plan changes."
            )
        self.stdout.write(raw_key)
