"""``Idempotency-Key`` on POST (SPEC §5.3), scoped per API key, kept 24 hours.

The claim is committed on its own before the view runs, so a concurrent retry sees it and gets
409 ``idempotency_conflict``. The view's writes and the stored response commit together; a
crash rolls both back and leaves only the claim, which a retry may take over once its holder is
known to be gone.

On PostgreSQL the holder holds a session-level advisory lock on the claim for the claim's whole
life (:func:`idempotency_unlock` ends it, after the outcome is committed). A process that dies
mid-request loses its connection and with it the lock, so a retry that can take the lock while
the claim is incomplete takes the claim over at once. On SQLite (one process on a laptop) there
is no lock to ask: a claim older than any request may run is taken to be abandoned.
"""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from api.errors import IdempotencyConflict, IdempotencyKeyReused
from api.models import IdempotencyRecord

HEADER = "Idempotency-Key"
RETENTION = timedelta(hours=24)
# Longer than any request may run (gunicorn's timeout is 30 s): an older claim was abandoned.
STALE_CLAIM = timedelta(minutes=5)
MAX_KEY_LENGTH = 255


@dataclass
class StoredResponse:
    status: int
    body: bytes


def fingerprint(request) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(request.path.encode())
    digest.update(b"\0")
    digest.update(request.body)
    return digest.hexdigest()


def claim_lock_id(api_key_id: int, key: str) -> int:
    """The advisory-lock key of a claim: a signed 64-bit hash of (API key, Idempotency-Key)."""
    digest = hashlib.blake2b(
        f"{api_key_id}:{key}".encode("utf-8", "surrogatepass"),
        digest_size=8,
        person=b"salync-idem",
    ).digest()
    return int.from_bytes(digest, "big", signed=True)


def _uses_locks() -> bool:
    return connection.vendor == "postgresql"


def _try_lock(lock_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [lock_id])
        return cursor.fetchone()[0]


def _unlock(lock_id: int) -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [lock_id])
    except DatabaseError:
        # The connection persists between requests (CONN_MAX_AGE): one that cannot unlock is
        # closed, which ends its session and every lock it held.
        connection.close()


def idempotency_claim(*, api_key, key: str, request) -> IdempotencyRecord | StoredResponse:
    """Claim ``key`` for this request, or return the stored response of its first use.

    On PostgreSQL a returned claim's lock is held until :func:`idempotency_unlock`."""
    request_fingerprint = fingerprint(request)
    lock_id = claim_lock_id(api_key.pk, key) if _uses_locks() else None
    held = lock_id is not None and _try_lock(lock_id)
    try:
        claimed = _claim(api_key, key, request_fingerprint, lock_id=lock_id, held=held)
    except BaseException:
        if held:
            _unlock(lock_id)
        raise
    if held and not isinstance(claimed, IdempotencyRecord):
        _unlock(lock_id)
    return claimed


def _claim(api_key, key: str, request_fingerprint: str, *, lock_id: int | None, held: bool):
    # ``held``: this connection holds the claim's lock, so no live process holds the claim.
    # Without it (lock_id set, held False) a live process does: only reading is safe.
    now = timezone.now()
    for _attempt in range(3):
        if lock_id is None or held:
            try:
                with transaction.atomic():
                    return IdempotencyRecord.objects.create(
                        api_key=api_key, key=key, request_fingerprint=request_fingerprint
                    )
            except IntegrityError:
                pass
        existing = IdempotencyRecord.objects.filter(api_key=api_key, key=key).first()
        if existing is None:
            if lock_id is not None and not held:
                raise IdempotencyConflict()  # its holder is claiming or releasing it right now
            continue  # released meanwhile: claim again
        expired = existing.created_at < now - RETENTION
        if lock_id is None:
            abandoned = existing.completed_at is None and existing.created_at < now - STALE_CLAIM
        else:
            abandoned = existing.completed_at is None and held  # its holder's connection died
        if expired or abandoned:
            if lock_id is not None and not held:
                raise IdempotencyConflict()  # the lock's holder is taking it over
            IdempotencyRecord.objects.filter(
                pk=existing.pk, created_at=existing.created_at
            ).delete()
            continue
        if existing.request_fingerprint != request_fingerprint:
            raise IdempotencyKeyReused()
        if existing.completed_at is None:
            raise IdempotencyConflict()
        return StoredResponse(status=existing.response_status, body=bytes(existing.response_body))
    raise IdempotencyConflict()


def idempotency_complete(record: IdempotencyRecord, *, status: int, body: bytes) -> None:
    """Store the response to replay. Call inside the view's transaction."""
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        completed_at=timezone.now(), response_status=status, response_body=body
    )


def idempotency_release(record: IdempotencyRecord) -> None:
    """Forget a claim whose request failed on our side, so a retry runs it again."""
    IdempotencyRecord.objects.filter(pk=record.pk, completed_at__isnull=True).delete()


def idempotency_unlock(record: IdempotencyRecord) -> None:
    """End this process's hold on a claim, once its outcome (stored or released) is committed:
    unlocking any earlier would let a retry take over a claim that is still being answered."""
    if _uses_locks():
        _unlock(claim_lock_id(record.api_key_id, record.key))


def idempotency_purge() -> int:
    """Delete records past their 24 hours (a periodic task)."""
    deleted, _ = IdempotencyRecord.objects.filter(
        created_at__lt=timezone.now() - RETENTION
    ).delete()
    return deleted
