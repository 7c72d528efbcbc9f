"""Settings from the environment: production refuses to start misconfigured, is clean under
`check --deploy`, and sends secure cookies, HSTS and the security headers."""

import json
import os
import re
import secrets
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from tests.core.environment import clean_environment

REPO = Path(__file__).resolve().parents[2]
REDIS = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/1")


def python(*args, **env):
    """Run the venv's Python in the repo root with a clean configuration plus ``env``."""
    environ = clean_environment()
    environ.update(env)
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def production(**env):
    return {
        "DJANGO_SETTINGS_MODULE": "salync.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "SALYNC_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "example.com",
        **env,
    }


PRINT_SETTINGS = textwrap.dedent(
    """
    import json
    from django.conf import settings
    names = [
        "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
        "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD", "SECURE_CONTENT_TYPE_NOSNIFF", "X_FRAME_OPTIONS",
        "SALYNC_ALLOW_LOOPBACK_HTTP", "SALYNC_WEBHOOK_ALLOW_PRIVATE", "ALLOWED_HOSTS",
        "SECURE_PROXY_SSL_HEADER",
    ]
    values = {name: getattr(settings, name, None) for name in names}
    values["CACHE"] = settings.CACHES["default"]["BACKEND"]
    values["DB"] = settings.DATABASES["default"]["ENGINE"]
    values["CONN_MAX_AGE"] = settings.DATABASES["default"].get("CONN_MAX_AGE")
    values["CONN_HEALTH_CHECKS"] = settings.DATABASES["default"].get("CONN_HEALTH_CHECKS")
    values["BROKER"] = settings.CELERY_BROKER_URL
    print(json.dumps(values))
    """
)


def settings_of(**env):
    result = python("-c", PRINT_SETTINGS, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# --- (a) production refuses a per-process cache -----------------------------------------------


def test_production_web_process_refuses_to_start_without_redis():
    result = python("-c", "import salync.wsgi", **production())
    assert result.returncode != 0
    assert "REDIS_URL" in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_production_web_process_starts_with_redis():
    result = python("-c", "import salync.wsgi", **production(REDIS_URL=REDIS))
    assert result.returncode == 0, result.stderr


def test_production_celery_app_refuses_to_start_without_redis():
    code = "from salync.celery import app; app.loader.import_default_modules()"
    result = python("-c", code, **production())
    assert result.returncode != 0
    assert "REDIS_URL" in result.stderr


def test_debug_on_without_redis_starts():
    result = python("-c", "import salync.wsgi", **production(DEBUG="1"))
    assert result.returncode == 0, result.stderr


# --- (b) check --deploy -----------------------------------------------------------------------


def assert_check_deploy_is_clean(**env) -> None:
    """``manage.py check --deploy --fail-level WARNING`` in a subprocess with ``env``: clean."""
    result = python("manage.py", "check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr
    assert "security." not in result.stdout + result.stderr


def test_check_deploy_is_clean_with_production_settings():
    assert_check_deploy_is_clean(**production(ALLOWED_HOSTS="salync.example.com", REDIS_URL=REDIS))


def test_check_deploy_catches_a_weak_secret_key():
    """The deploy check is real: a short SECRET_KEY fails it."""
    result = python(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **production(SECRET_KEY="short", REDIS_URL=REDIS),
    )
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


# --- (c) required production variables --------------------------------------------------------


@pytest.mark.parametrize("variable", ["SECRET_KEY", "SALYNC_ENCRYPTION_KEY", "ALLOWED_HOSTS"])
def test_production_without_a_required_variable_fails_to_start(variable):
    env = production(REDIS_URL=REDIS)
    del env[variable]
    result = python("-c", "import salync.wsgi", **env)
    assert result.returncode != 0
    assert variable in result.stderr
    assert "is required" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "maybe"),
        ("SECURE_HSTS_SECONDS", "a year"),
        ("DATABASE_URL", "nonsense://x"),
        ("SALYNC_ENCRYPTION_KEY", "not-a-fernet-key"),
    ],
)
def test_a_malformed_variable_is_named(variable, value):
    result = python("-c", "import salync.wsgi", **production(REDIS_URL=REDIS, **{variable: value}))
    assert result.returncode != 0
    assert variable in result.stderr


# --- (d) defaults and headers -----------------------------------------------------------------


def test_local_settings_default_to_debug_and_embedded_services():
    values = settings_of(DJANGO_SETTINGS_MODULE="salync.settings.local")
    assert values["DEBUG"] is True
    assert values["CACHE"] == "django.core.cache.backends.locmem.LocMemCache"
    assert values["DB"] == "django.db.backends.sqlite3"
    assert values["BROKER"] == "filesystem://"
    assert values["SALYNC_ALLOW_LOOPBACK_HTTP"] is True
    assert values["SALYNC_WEBHOOK_ALLOW_PRIVATE"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] is None


def test_local_settings_turn_debug_off_by_environment():
    values = settings_of(DJANGO_SETTINGS_MODULE="salync.settings.local", DEBUG="0")
    assert values["DEBUG"] is False
    assert values["SALYNC_ALLOW_LOOPBACK_HTTP"] is False
    assert values["SALYNC_WEBHOOK_ALLOW_PRIVATE"] is False


def test_manage_py_defaults_to_local_settings():
    result = python("manage.py", "diffsettings", "--all")
    assert result.returncode == 0, result.stderr
    assert "DEBUG = True" in result.stdout


def test_services_come_from_the_environment():
    values = settings_of(
        DJANGO_SETTINGS_MODULE="salync.settings.local",
        DATABASE_URL="postgres://u:p@db.example:5432/salync",
        REDIS_URL="redis://cache.example:6379/0",
        CELERY_BROKER_URL="redis://cache.example:6379/2",
        SALYNC_TRUST_X_FORWARDED_PROTO="1",
    )
    assert values["DB"] == "django.db.backends.postgresql"
    assert values["CONN_MAX_AGE"] > 0
    assert values["CONN_HEALTH_CHECKS"] is True
    assert values["CACHE"] == "django.core.cache.backends.redis.RedisCache"
    assert values["BROKER"] == "redis://cache.example:6379/2"
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


@pytest.mark.django_db
def test_pages_carry_the_security_headers(client):
    response = client.get("/login/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_signed_in_pages_carry_the_security_headers(owner_client):
    response = owner_client.get("/settings/workspace/")
    assert response.status_code == 200
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


# --- (e) production cookies, HSTS, HTTPS ------------------------------------------------------


def test_production_cookies_are_secure_and_hsts_is_on():
    values = settings_of(**production())
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SALYNC_ALLOW_LOOPBACK_HTTP"] is False
    assert values["SALYNC_WEBHOOK_ALLOW_PRIVATE"] is False
    assert values["ALLOWED_HOSTS"] == ["example.com"]


REQUEST_IN_PRODUCTION = textwrap.dedent(
    """
    import json
    import django
    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment
    setup_test_environment()
    client = Client()
    plain = client.get("/")
    secure = client.get("/", secure=True)
    print(json.dumps({
        "plain_status": plain.status_code,
        "plain_location": plain.get("Location"),
        "secure_status": secure.status_code,
        "secure_location": secure.get("Location"),
        "hsts": secure.get("Strict-Transport-Security"),
        "csp": secure.get("Content-Security-Policy"),
        "frame": secure.get("X-Frame-Options"),
        "nosniff": secure.get("X-Content-Type-Options"),
    }))
    """
)


def test_production_redirects_to_https_and_sends_hsts():
    result = python("-c", REQUEST_IN_PRODUCTION, **production(REDIS_URL=REDIS))
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["plain_status"] == 301
    assert values["plain_location"] == "https://testserver/"
    assert values["secure_status"] == 302
    assert values["secure_location"].startswith("/login/")
    assert "max-age=31536000" in values["hsts"]
    assert "includeSubDomains" in values["hsts"]
    assert "default-src 'self'" in values["csp"]
    assert values["frame"] == "DENY"
    assert values["nosniff"] == "nosniff"


def test_the_list_of_configuration_variables_names_every_variable_read():
    from salync.settings.env import CONFIGURATION

    sources = [*(REPO / "salync" / "settings").glob("*.py"), REPO / "gunicorn.conf.py"]
    read = {
        name
        for source in sources
        for name in re.findall(r'env\.\w+\("([A-Z_]+)"', source.read_text(encoding="utf-8"))
    }
    assert read  # the pattern still finds the reads
    assert read - CONFIGURATION == set()
