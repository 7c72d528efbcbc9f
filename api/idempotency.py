"""``Idempotency-Key`` on POST (SPEC §5.3), scoped per API key, kept 24 hours.

The claim is committed on its own before the view runs, so a concurrent retry sees it and gets
409 ``idempotency_conflict``. The view's writes and the stored response commit together; a
crash rolls both back and leaves only the claim, which a retry may take over once it is stale.
"""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
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


def idempotency_claim(*, api_key, key: str, request) -> IdempotencyRecord | StoredResponse:
    """Claim ``key`` for this request, or return the stored response of its first use."""
    now = timezone.now()
    request_fingerprint = fingerprint(request)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    api_key=api_key, key=key, request_fingerprint=request_fingerprint
                )
        except IntegrityError:
            pass
        existing = IdempotencyRecord.objects.filter(api_key=api_key, key=key).first()
        if existing is None:
            continue  # released meanwhile: claim again
        expired = existing.created_at < now - RETENTION
        abandoned = existing.completed_at is None and existing.created_at < now - STALE_CLAIM
        if expired or abandoned:
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


def idempotency_purge() -> int:
    """Delete records past their 24 hours (a periodic task)."""
    deleted, _ = IdempotencyRecord.objects.filter(
        created_at__lt=timezone.now() - RETENTION
    ).delete()
    return deleted
