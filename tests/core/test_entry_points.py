"""The environment alone chooses the settings (SPEC §2): with DEBUG off, every entry point
(manage.py, the WSGI application, the Celery app) runs production settings even with no
DJANGO_SETTINGS_MODULE; with DEBUG unset, manage.py runs local ones and the servers production."""

import secrets

import pytest
from cryptography.fernet import Fernet

from tests.core.test_settings import assert_check_deploy_is_clean, python

SETTINGS_MODULE_OF = {
    "manage.py": ["manage.py", "shell", "-c", "from django.conf import settings; "
                  "print(settings.SETTINGS_MODULE)"],
    "wsgi": ["-c", "import salync.wsgi; from django.conf import settings; "
             "print(settings.SETTINGS_MODULE)"],
    "celery": ["-c", "from salync.celery import app; print(app.conf.SETTINGS_MODULE)"],
}  # fmt: skip
LOCAL = "salync.settings.local"
PRODUCTION = "salync.settings.production"


def production_variables(**env):
    """What a production host sets: everything but DJANGO_SETTINGS_MODULE. The cache is only
    named (the start-up check looks at the backend), so Redis need not be running."""
    return {
        "SECRET_KEY": secrets.token_urlsafe(64),
        "SALYNC_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "salync.example.com",
        "REDIS_URL": "redis://127.0.0.1:6379/15",
        **env,
    }


def settings_module_of(entry_point, **env):
    result = python(*SETTINGS_MODULE_OF[entry_point], **production_variables(**env))
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_check_deploy_is_clean_with_debug_off_and_no_settings_module(tmp_path):
    assert_check_deploy_is_clean(
        **production_variables(DEBUG="0", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    )


@pytest.mark.parametrize("entry_point", sorted(SETTINGS_MODULE_OF))
@pytest.mark.parametrize("debug", ["0", "false", "off"])
def test_debug_off_runs_production_settings_everywhere(entry_point, debug):
    assert settings_module_of(entry_point, DEBUG=debug) == PRODUCTION


@pytest.mark.parametrize("entry_point", sorted(SETTINGS_MODULE_OF))
def test_debug_on_runs_local_settings_everywhere(entry_point):
    assert settings_module_of(entry_point, DEBUG="1") == LOCAL


@pytest.mark.parametrize(
    ("entry_point", "expected"),
    [("manage.py", LOCAL), ("wsgi", PRODUCTION), ("celery", PRODUCTION)],
)
def test_with_debug_unset_only_manage_py_runs_local_settings(entry_point, expected):
    assert settings_module_of(entry_point) == expected


@pytest.mark.parametrize("entry_point", sorted(SETTINGS_MODULE_OF))
def test_an_explicit_settings_module_wins(entry_point):
    chosen = settings_module_of(entry_point, DEBUG="1", DJANGO_SETTINGS_MODULE=PRODUCTION)
    assert chosen == PRODUCTION


def test_manage_py_names_a_malformed_debug():
    result = python("manage.py", "check", **production_variables(DEBUG="maybe"))
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr
