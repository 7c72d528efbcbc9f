from importlib import import_module

from celery import shared_task
from django.conf import settings


@shared_task
def clear_expired_sessions() -> None:
    """Delete sessions past their expiry (Django's ``clearsessions``); beat runs it every 6 h."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
