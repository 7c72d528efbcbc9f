"""Creating, checking and revoking API keys: only hashes are stored, compared in constant time."""

import hashlib
import hmac
import secrets
import string
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accounts.models import User, Workspace
from apikeys.models import Access, ApiKey

KEY_PREFIX = "slk_"
KEY_RANDOM_LENGTH = 40  # base62: about 238 bits
LOOKUP_LENGTH = len(KEY_PREFIX) + 8
BASE62 = string.ascii_letters + string.digits
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _hash(raw_key: str) -> str:
    # A fast hash is right for a high-entropy random secret: nothing to brute-force.
    return hashlib.sha256(raw_key.encode()).hexdigest()


@sensitive_variables("raw_key")
def api_key_create(
    *, workspace: Workspace, name: str, access: str = Access.READ_WRITE, created_by: User | None
) -> tuple[ApiKey, str]:
    """Create a key; returns the record and the full key, which is never available again."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the key a name, such as “ERP integration”."})
    if access not in Access.values:
        raise ValidationError({"access": f"Unknown access level {access!r}."})
    for _attempt in range(5):
        raw_key = KEY_PREFIX + "".join(secrets.choice(BASE62) for _ in range(KEY_RANDOM_LENGTH))
        api_key = ApiKey(
            workspace=workspace,
            name=name,
            access=access,
            prefix=raw_key[:LOOKUP_LENGTH],
            key_hash=_hash(raw_key),
            created_by=created_by,
        )
        api_key.full_clean(exclude=["prefix", "key_hash"])
        try:
            with transaction.atomic():
                api_key.save()
        except IntegrityError:  # a prefix collision: astronomically rare, just draw again
            continue
        return api_key, raw_key
    raise RuntimeError("Could not draw an unused API key prefix.")


@sensitive_variables("raw_key")
def api_key_authenticate(raw_key: str) -> ApiKey | None:
    """The active key matching ``raw_key``, with its workspace, or None. One query."""
    if not raw_key.startswith(KEY_PREFIX) or len(raw_key) < LOOKUP_LENGTH:
        return None
    # A unique prefix: no ORDER BY (as .first() would add), at most one row.
    found = ApiKey.objects.select_related("workspace").filter(prefix=raw_key[:LOOKUP_LENGTH])
    api_key = next(iter(found[:1]), None)
    if api_key is None or not hmac.compare_digest(api_key.key_hash, _hash(raw_key)):
        return None
    if not api_key.is_active:
        return None
    return api_key


def api_key_mark_used(api_key: ApiKey) -> None:
    """Record use, writing at most about once a minute per key (and never twice at once)."""
    now = timezone.now()
    if api_key.last_used_at and now - api_key.last_used_at < LAST_USED_RESOLUTION:
        return
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ApiKey.objects.filter(stale, pk=api_key.pk).update(last_used_at=now)
    api_key.last_used_at = now


def api_key_revoke(*, api_key: ApiKey, revoked_by: User | None) -> ApiKey:
    """Revoke a key for good; the very next request with it is refused. Idempotent."""
    updated = ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=revoked_by
    )
    if updated:
        api_key.refresh_from_db(fields=["revoked_at", "revoked_by"])
    return api_key
