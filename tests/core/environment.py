"""The process environment for tests that start real processes (manage.py, gunicorn, make):
the caller's, without any variable that configures Salync, so each test sets only its own."""

import os

from salync.settings.env import CONFIGURATION


def clean_environment(**variables: str) -> dict[str, str]:
    """``os.environ`` minus Salync's configuration, plus ``variables``."""
    environ = {k: v for k, v in os.environ.items() if k not in CONFIGURATION}
    environ.update(variables)
    return environ
