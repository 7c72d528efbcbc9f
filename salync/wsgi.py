"""WSGI entry point: ``gunicorn salync.wsgi:application``.

Defaults to production settings, so a server started without configuration refuses to run
rather than running with development secrets.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salync.settings.production")

application = get_wsgi_application()
