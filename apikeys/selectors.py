"""Reads of API keys: the Settings → API Keys list, and the keys other apps' pages show."""

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import Workspace
from apikeys.models import ApiKey

PAGE_SIZE = 50


def _working(now) -> Q:
    """Keys that requests are accepted with at ``now``: not revoked, not past their expiry."""
    return Q(revoked_at__isnull=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def api_keys_active(workspace: Workspace) -> list[ApiKey]:
    """The workspace's keys that still work, newest first."""
    return list(ApiKey.objects.filter(_working(timezone.now()), workspace=workspace))


def api_key_counts(workspace: Workspace) -> dict[str, int]:
    """How many of the workspace's keys work ("active") and how many do not ("inactive")."""
    working = _working(timezone.now())
    return ApiKey.objects.filter(workspace=workspace).aggregate(
        active=Count("pk", filter=working), inactive=Count("pk", filter=~working)
    )


def api_keys_page(workspace: Workspace, *, active: bool, page_number) -> Page:
    """A page of the workspace's working (``active``) or revoked and expired keys, newest
    first, with who made and revoked each and what it replaced or was replaced by."""
    working = _working(timezone.now())
    keys = ApiKey.objects.filter(working if active else ~working, workspace=workspace)
    keys = keys.select_related("created_by", "revoked_by", "rolled_from", "rolled_to")
    return Paginator(keys, PAGE_SIZE).get_page(page_number)
