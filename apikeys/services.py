"""Creating, checking, renaming, rolling and revoking API keys (only hashes are stored, compared in
constant time), and the periodic work on expiring keys."""

import hashlib
import hmac
import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
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
from accounts.models import Membership, Role, User, Workspace
from apikeys.models import LIFETIME_DAYS, Access, ApiKey

KEY_PREFIX = "slk_"
KEY_RANDOM_LENGTH = 40  # base62: about 238 bits
LOOKUP_LENGTH = len(KEY_PREFIX) + 8
BASE62 = string.ascii_letters + string.digits
LAST_USED_RESOLUTION = timedelta(minutes=1)
ROLL_GRACE = timedelta(hours=24)  # a rolled key keeps working this long beside its successor
EXPIRY_WARNING = timedelta(days=7)  # owners are emailed this long before a key expires


def _hash(raw_key: str) -> str:
    # A fast hash is right for a high-entropy random secret: nothing to brute-force.
    return hashlib.sha256(raw_key.encode()).hexdigest()


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the key a name, such as “ERP integration”."})
    return name


def _expiry(lifetime_days: int | None, now: datetime) -> datetime | None:
    return None if lifetime_days is None else now + timedelta(days=lifetime_days)


@sensitive_variables("raw_key")
def _key_insert(**fields) -> tuple[ApiKey, str]:
    """Save a key row with a freshly drawn key: the record and the full key."""
    for _attempt in range(5):
        raw_key = KEY_PREFIX + "".join(secrets.choice(BASE62) for _ in range(KEY_RANDOM_LENGTH))
        api_key = ApiKey(prefix=raw_key[:LOOKUP_LENGTH], key_hash=_hash(raw_key), **fields)
        api_key.full_clean(exclude=["prefix", "key_hash", "rolled_from"])
        try:
            with transaction.atomic():
                api_key.save()
        except IntegrityError:
            if ApiKey.objects.filter(prefix=api_key.prefix).exists():
                continue  # a prefix collision: astronomically rare, just draw again
            raise
        return api_key, raw_key
    raise RuntimeError("Could not draw an unused API key prefix.")


def api_key_create(
    *,
    workspace: Workspace,
    name: str,
    access: str = Access.READ_WRITE,
    lifetime_days: int | None = None,
    created_by: User | None,
) -> tuple[ApiKey, str]:
    """Create a key that expires after ``lifetime_days`` (None: never); returns the record and
    the full key, which is never available again."""
    name = _clean_name(name)
    if access not in Access.values:
        raise ValidationError({"access": f"Unknown access level {access!r}."})
    if lifetime_days is not None and lifetime_days not in LIFETIME_DAYS:
        choices = ", ".join(str(days) for days in LIFETIME_DAYS)
        raise ValidationError({"lifetime_days": f"A key expires after {choices} days, or never."})
    return _key_insert(
        workspace=workspace,
        name=name,
        access=access,
        lifetime_days=lifetime_days,
        expires_at=_expiry(lifetime_days, timezone.now()),
        created_by=created_by,
    )


# --- The front door's copy of a key, in each process ----------------------------------------
# Per lookup prefix: the key's fields that authentication needs (its hash, never the key) and
# its workspace's plan, limits and names, with the generations (accounts.cache) read before the
# rows were. Revoking, rolling or renaming the key, or changing its workspace's plan or name,
# gives a new generation in the shared cache, so every process's copy is stale at once: a copy
# is only served while the shared cache still holds its generations. Warm, a request costs no
# query. The copy holds the key's expiry, checked on every use: a key stops working at its
# expiry with no change to tell anyone about.
KEY_FIELDS = (
    "id",
    "name",
    "prefix",
    "key_hash",
    "access",
    "expires_at",
    "revoked_at",
    "workspace_id",
)
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


def _copies_stale(api_key: ApiKey) -> None:
    """The key's row changed: every process's copy of it is stale at once."""
    generation_bump(_generation_key(api_key.prefix))
    _copies.pop(api_key.prefix, None)


def api_key_revoke(*, api_key: ApiKey, revoked_by: User | None) -> ApiKey:
    """Revoke a key for good; the very next request with it is refused. Idempotent."""
    updated = ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=revoked_by
    )
    _copies_stale(api_key)
    if updated:
        api_key.refresh_from_db(fields=["revoked_at", "revoked_by"])
    return api_key


def api_key_rename(*, api_key: ApiKey, name: str) -> ApiKey:
    """Give the key a new name (the API's index answers with it at once)."""
    name = _clean_name(name)
    try:
        ApiKey._meta.get_field("name").clean(name, api_key)
    except ValidationError as error:
        raise ValidationError({"name": error.messages}) from None
    ApiKey.objects.filter(pk=api_key.pk).update(name=name)
    api_key.name = name
    _copies_stale(api_key)
    return api_key


def api_key_roll_refusal(api_key: ApiKey) -> str | None:
    """Why the key cannot be rolled (it no longer works, or it was rolled already), or None."""
    if not api_key.is_active:
        return f"“{api_key.name}” is {api_key.status_label.lower()}: generate a new key instead."
    successor = ApiKey.objects.filter(rolled_from=api_key).only("prefix").first()
    if successor is not None:
        return f"“{api_key.name}” was already rolled: its new key starts {successor.prefix}…"
    return None


@sensitive_variables("raw_key")
def api_key_roll(*, api_key: ApiKey, rolled_by: User | None) -> tuple[ApiKey, str]:
    """Replace the key with a new one of the same name, access and lifetime; the old one keeps
    working for ``ROLL_GRACE`` (never longer than it would have), then stops. Returns the new
    record and its full key. A key is rolled once: a second roll, even a simultaneous one, is
    refused."""
    with transaction.atomic():
        # The lock makes simultaneous rolls take turns; the second then finds the successor.
        old = ApiKey.objects.select_for_update().get(pk=api_key.pk)
        refusal = api_key_roll_refusal(old)
        if refusal:
            raise ValidationError(refusal)
        now = timezone.now()
        grace_end = now + ROLL_GRACE
        if old.expires_at is None or old.expires_at > grace_end:
            old.expires_at = grace_end
            ApiKey.objects.filter(pk=old.pk).update(expires_at=grace_end)
        try:
            new_key, raw_key = _key_insert(
                workspace_id=old.workspace_id,
                name=old.name,
                access=old.access,
                lifetime_days=old.lifetime_days,
                expires_at=_expiry(old.lifetime_days, now),
                created_by=rolled_by,
                rolled_from=old,
            )
        except IntegrityError:  # where rows are not locked (SQLite), the unique column refuses
            raise ValidationError(f"“{old.name}” was rolled at the same moment.") from None
        _copies_stale(old)
    api_key.expires_at = old.expires_at
    return new_key, raw_key


# --- Periodic work (apikeys.tasks) ----------------------------------------------------------


def api_keys_end_grace(*, now: datetime | None = None) -> int:
    """Revoke the rolled keys whose grace has ended (authentication already refuses them):
    revoked as of that moment, by whoever rolled them. How many were revoked."""
    now = now or timezone.now()
    ended = ApiKey.objects.filter(
        revoked_at__isnull=True, rolled_to__isnull=False, expires_at__lte=now
    ).select_related("rolled_to")
    revoked = 0
    for api_key in ended:
        revoked += ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(
            revoked_at=api_key.expires_at, revoked_by_id=api_key.rolled_to.created_by_id
        )
        _copies_stale(api_key)
    return revoked


def _expiry_warning(api_key: ApiKey) -> tuple[str, str]:
    """The subject and body of the email that tells owners a key expires soon."""
    workspace_name = " ".join(api_key.workspace.name.split())  # no newlines in a header
    subject = f"An API key of {workspace_name} expires on {api_key.expires_at:%d %b %Y}"
    body = (
        f"The API key “{api_key.name}” ({api_key.prefix}…) of {workspace_name} stops working "
        f"on {api_key.expires_at:%d %b %Y at %H:%M} UTC.\n\n"
        "To keep what uses it working, open Settings → API Keys in Salync and choose “Roll "
        "key”: you get a new key with the same name and access, and the old one keeps working "
        "for 24 hours while you put the new one in place.\n\n"
        "If nothing uses this key any more, let it expire.\n"
    )
    return subject, body


def api_keys_warn_expiring(*, now: datetime | None = None) -> int:
    """Email the owners of each key that expires within ``EXPIRY_WARNING``, once per key (a
    rolled key, replaced already, is not mentioned). How many keys were announced."""
    now = now or timezone.now()
    due = list(
        ApiKey.objects.filter(
            revoked_at__isnull=True,
            expiry_warned_at__isnull=True,
            rolled_to__isnull=True,
            expires_at__gt=now,
            expires_at__lte=now + EXPIRY_WARNING,
        )
        .select_related("workspace")
        .order_by("expires_at", "pk")
    )
    owners: dict[int, list[str]] = {}
    memberships = Membership.objects.filter(
        workspace_id__in={api_key.workspace_id for api_key in due}, role=Role.OWNER
    )
    for workspace_id, email in memberships.values_list("workspace_id", "user__email").order_by(
        "user__email"
    ):
        owners.setdefault(workspace_id, []).append(email)
    warned = 0
    for api_key in due:
        with transaction.atomic():
            # Taking the marker first makes a second run (or a simultaneous one) skip the key.
            claimed = ApiKey.objects.filter(pk=api_key.pk, expiry_warned_at__isnull=True).update(
                expiry_warned_at=now
            )
            if not claimed:
                continue
            warned += 1
            recipients = owners.get(api_key.workspace_id, [])
            if recipients:
                subject, body = _expiry_warning(api_key)
                transaction.on_commit(
                    lambda s=subject, b=body, r=recipients: send_mail(
                        s, b, None, r, fail_silently=True
                    )
                )
    return warned
