from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.management.commands._errors import command_error
from accounts.models import Workspace
from accounts.plans import Plan
from accounts.services import workspace_set_plan


def limit(value: str) -> int:
    """argparse type: a whole number of at least 1."""
    try:
        number = int(value)
    except ValueError:
        raise CommandError(f"A limit must be a whole number, not {value!r}.") from None
    if number < 1:
        raise CommandError(f"A limit must be at least 1, not {number}.")
    return number


class Command(BaseCommand):
    help = (
        "Set a workspace's plan. --daily-limit and --burst-limit make it a custom plan; "
        "limits left out fall back to the plan's own."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The workspace's slug.")
        parser.add_argument("--plan", required=True, choices=Plan.values)
        parser.add_argument("--daily-limit", type=str, default=None, help="Requests per day.")
        parser.add_argument("--burst-limit", type=str, default=None, help="Requests per minute.")

    def handle(self, *args, slug, plan, daily_limit, burst_limit, **options):
        # Limits are checked here, not by argparse, so the message names the bad value.
        daily = None if daily_limit is None else limit(daily_limit)
        burst = None if burst_limit is None else limit(burst_limit)
        try:
            workspace = Workspace.objects.get(slug=slug)
        except Workspace.DoesNotExist:
            raise CommandError(f"No workspace with the slug {slug!r}.") from None
        try:
            workspace_set_plan(workspace=workspace, plan=plan, daily_limit=daily, burst_limit=burst)
        except ValidationError as error:
            raise command_error(error) from None
        ent = workspace.entitlements
        limits = f"{ent.daily_limit}/day, {ent.burst_limit}/minute" if ent.api else "no API"
        self.stdout.write(f"{workspace.slug}: {ent.plan_label}, {limits}")
