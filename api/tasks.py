from celery import shared_task

from api.idempotency import idempotency_purge


@shared_task
def purge_idempotency_records() -> int:
    """Forget Idempotency-Key records past their 24 hours; beat runs this hourly."""
    return idempotency_purge()
