"""The Celery application ``salync``: ``celery -A salync worker`` and ``celery -A salync beat``.

Like the web process, it defaults to production settings; ``make run`` selects local ones.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salync.settings.production")

app = Celery("salync")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
