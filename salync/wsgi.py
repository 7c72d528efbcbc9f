"""WSGI entry point: ``gunicorn salync.wsgi:application`` (configured by ``gunicorn.conf.py``).

The environment chooses the settings (``salync.settings.settings_module``): production unless
DEBUG is on, so a server started without configuration refuses to run rather than running
with development secrets.
"""

import os

from django.core.wsgi import get_wsgi_application

from salync.settings import settings_module

os.environ["DJANGO_SETTINGS_MODULE"] = settings_module(
    os.environ.get("DJANGO_SETTINGS_MODULE"), debug_default=False
)

application = get_wsgi_application()
