"""The API keys' periodic Celery tasks (beat): end rolled keys' grace, warn of expiring keys.
Both are safe to run twice at once and to miss a run: each key's state lives in its row."""

from celery import shared_task

from apikeys.services import api_keys_end_grace, api_keys_warn_expiring


@shared_task
def end_rolled_keys() -> int:
    """Revoke rolled keys whose 24 hours of grace are over (authentication already refuses
    them; this records it)."""
    return api_keys_end_grace()


@shared_task
def warn_expiring_keys() -> int:
    """Email owners about keys that expire within 7 days, once per key."""
    return api_keys_warn_expiring()
