"""Reads of API keys for pages in other apps."""

from accounts.models import Workspace
from apikeys.models import ApiKey


def api_keys_active(workspace: Workspace) -> list[ApiKey]:
    """The workspace's keys that still work, newest first."""
    return list(ApiKey.objects.filter(workspace=workspace, revoked_at__isnull=True))
