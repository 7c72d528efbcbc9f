"""Creating, checking and revoking API keys: only hashes are stored, compared in constant time."""

import hashlib
import hmac
import secrets
import string
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accounts.cache import (
    WORKSPACES_GENERATION_KEY,
    generation_bump,
    generations_match,
    generations_read,
)
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


# --- The front door's copy of a key, in each process ----------------------------------------
# Per lookup prefix: the key's fields that authentication needs (its hash, never the key) and
# its workspace's plan, limits and names, with the generations (accounts.cache) read before the
# rows were. Revoking the key or changing its workspace's plan or name gives a new generation
# in the shared cache, so every process's copy is stale at once: a copy is only served while
# the shared cache still holds its generations. Warm, a request costs no query.
KEY_FIELDS = ("id", "name", "prefix", "key_hash", "access", "revoked_at", "workspace_id")
WORKSPACE_FIELDS = ("name", "slug", "plan", "daily_limit_override", "burst_limit_override")
COPIES_MAX = 10_000  # bounds memory; a process serving more keys than this refills

_copies: dict[str, "KeyCopy"] = {}


@dataclass(frozen=True)
class KeyCopy:
    """This process's copy of a key's row: ``row`` (KEY_FIELDS then WORKSPACE_FIELDS, None for
    an unknown prefix) as it was when ``generation_keys`` held ``generations``; ``used_key``
    marks the key's use in the current minute."""

    generation_keys: tuple[str, str]
    generations: tuple
    row: tuple | None
    used_key: str


def _is_lookup_prefix(lookup: str) -> bool:
    random_part = lookup[len(KEY_PREFIX) :]
    return (
        lookup.startswith(KEY_PREFIX)
        and len(lookup) == LOOKUP_LENGTH
        and random_part.isascii()
        and random_part.isalnum()
    )


def _generation_key(prefix: str) -> str:
    return f"apikeys:key:generation:{prefix}"


def _used_key(prefix: str) -> str:
    return f"apikeys:key:used:{prefix}"


def _key_rows(prefix: str):
    """The one fixed query: the key and its workspace's fields, at most one row."""
    fields = KEY_FIELDS + tuple(f"workspace__{name}" for name in WORKSPACE_FIELDS)
    # A unique prefix: no ORDER BY (as .first() would add), at most one row.
    return ApiKey.objects.filter(prefix=prefix).order_by().values_list(*fields)[:1]


def _copy_read(prefix: str) -> KeyCopy:
    """A new copy: the generations first, then the row."""
    generation_keys = (_generation_key(prefix), WORKSPACES_GENERATION_KEY)
    generations = generations_read(list(generation_keys))
    row = next(iter(_key_rows(prefix)), None)
    copy = KeyCopy(generation_keys, generations, row, _used_key(prefix))
    if row is not None:  # an unknown prefix is not kept: a key created later must work at once
        if len(_copies) >= COPIES_MAX:
            _copies.clear()
        _copies[prefix] = copy
    return copy


def _loaded(model, values: dict):
    """``model`` as if loaded from the database with only these fields: any other field is
    read from the database if something asks for it, never given a default."""
    fields = [field.attname for field in model._meta.concrete_fields if field.attname in values]
    return model.from_db(DEFAULT_DB_ALIAS, fields, [values[name] for name in fields])


@sensitive_variables("raw_key")
def _matching(copy: KeyCopy, raw_key: str) -> ApiKey | None:
    row = copy.row
    if row is None or not hmac.compare_digest(row[KEY_FIELDS.index("key_hash")], _hash(raw_key)):
        return None
    key_values = dict(zip(KEY_FIELDS, row[: len(KEY_FIELDS)], strict=True))
    workspace_values = dict(zip(WORKSPACE_FIELDS, row[len(KEY_FIELDS) :], strict=True))
    api_key = _loaded(ApiKey, key_values)
    if not api_key.is_active:
        return None
    api_key.workspace = _loaded(Workspace, {"id": api_key.workspace_id, **workspace_values})
    api_key.key_copy = copy
    return api_key


@sensitive_variables("raw_key")
def api_key_authenticate(
    raw_key: str, *, confirmed: bool = True, fresh: bool = False
) -> ApiKey | None:
    """The active key matching ``raw_key``, with its workspace, or None; ``api_key.key_copy``
    is the copy it was read from. Warm, no query; else one (``fresh``: always one).

    The copy is confirmed current with one cache round trip. With ``confirmed=False`` (the
    API's front door) a matching key is returned unconfirmed, and the caller must confirm
    ``api_key.key_copy.generations`` in the same atomic step that counts the request
    (``api.ratelimit.consume``), asking again with ``fresh=True`` when they are stale. A
    refusal is always confirmed."""
    lookup = raw_key[:LOOKUP_LENGTH]
    if not _is_lookup_prefix(lookup):  # no key has it: nothing to look up (or to keep)
        return None
    copy = None if fresh else _copies.get(lookup)
    if copy is None:
        return _matching(_copy_read(lookup), raw_key)
    api_key = _matching(copy, raw_key)
    if api_key is not None and not confirmed:
        return api_key
    if generations_match(list(copy.generation_keys), copy.generations):
        return api_key
    return _matching(_copy_read(lookup), raw_key)  # stale: read again


def api_key_confirmed(api_key: ApiKey) -> bool:
    """Whether the copy ``api_key`` was read from is still current (one cache round trip)."""
    copy = api_key.key_copy
    return generations_match(list(copy.generation_keys), copy.generations)


def api_key_record_use(api_key: ApiKey) -> None:
    """Write ``last_used_at``, for the request that won the minute's use marker (taken by
    ``api.ratelimit``'s script, at most one request per key and minute on every host)."""
    now = timezone.now()
    # Conditional too, should the marker be lost (a cleared or restarted cache).
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ApiKey.objects.filter(stale, pk=api_key.pk).update(last_used_at=now)
    api_key.last_used_at = now


def api_key_revoke(*, api_key: ApiKey, revoked_by: User | None) -> ApiKey:
    """Revoke a key for good; the very next request with it is refused. Idempotent."""
    updated = ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=revoked_by
    )
    generation_bump(_generation_key(api_key.prefix))  # every process's copy is stale at once
    _copies.pop(api_key.prefix, None)
    if updated:
        api_key.refresh_from_db(fields=["revoked_at", "revoked_by"])
    return api_key
