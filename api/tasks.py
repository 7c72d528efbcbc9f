from celery import shared_task

from api.idempotency import idempotency_purge
from api.usage import key_usage_flush


@shared_task
def purge_idempotency_records() -> int:
    """Forget Idempotency-Key records past their 24 hours; beat runs this hourly."""
    return idempotency_purge()


@shared_task
def flush_key_usage() -> int:
    """Copy the live per-key daily counters into the usage history; beat runs this every five
    minutes."""
    return key_usage_flush()
