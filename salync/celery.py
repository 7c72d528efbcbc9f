"""The Celery application ``salync``: ``celery -A salync worker`` and ``celery -A salync beat``.

Like the web process, it runs production settings unless DEBUG is on
(``salync.settings.settings_module``); ``make run`` selects local ones.
"""

import os

from celery import Celery

from salync.settings import settings_module

# Before the app exists: Celery installs its Django fix-ups only if the variable is set.
os.environ["DJANGO_SETTINGS_MODULE"] = settings_module(
    os.environ.get("DJANGO_SETTINGS_MODULE"), debug_default=False
)

app = Celery("salync")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
