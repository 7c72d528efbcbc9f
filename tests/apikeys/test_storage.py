"""How keys are stored: the format, only a SHA-256 hash plus a lookup prefix in the database,
no usable key in a dump, nothing secret in ``str``, ``repr`` or the logs."""

import hashlib
import json
import logging
import re
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apikeys.models import ApiKey
from apikeys.services import api_key_authenticate, api_key_revoke
from tests.factories import KeyFactory

KEY_FORMAT = re.compile(r"^slk_[A-Za-z0-9]{40}$")
FULL_KEY = re.compile(r"slk_[A-Za-z0-9]{40}")
PREFIX_LENGTH = 12


@pytest.fixture
def make_key(growth):
    """``make_key("Name")``: a key on the Growth workspace, created by its owner."""

    def make(name="ERP sync", **kwargs):
        return KeyFactory(workspace=growth.workspace, name=name, created_by=growth.user, **kwargs)

    return make


def api_get(raw_key):
    return Client().get("/api/v1/", secure=True, HTTP_AUTHORIZATION=f"Bearer {raw_key}")


def secret_parts(raw_key: str) -> list[str]:
    """The key, its random part, the part beyond the stored prefix, and a piece of that."""
    secret = raw_key[PREFIX_LENGTH:]
    return [raw_key, raw_key[len("slk_") :], secret, secret[:16]]


# --- format -----------------------------------------------------------------------------------


def test_keys_are_slk_and_40_base62_characters(make_key):
    raw_keys = [make_key(f"Key {n}")[1] for n in range(20)]

    for raw_key in raw_keys:
        assert KEY_FORMAT.fullmatch(raw_key), raw_key
        assert len(raw_key) - len("slk_") >= 32
    assert len(set(raw_keys)) == len(raw_keys)
    alphabet = set("".join(raw_key[4:] for raw_key in raw_keys))
    # 800 random base62 characters use upper case, lower case and digits alike.
    assert alphabet & set("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    assert alphabet & set("abcdefghijklmnopqrstuvwxyz")
    assert alphabet & set("0123456789")


def test_only_the_lookup_prefix_and_a_sha256_hash_are_stored(make_key):
    api_key, raw_key = make_key()

    stored = ApiKey.objects.filter(pk=api_key.pk).values().get()

    assert stored["prefix"] == raw_key[:PREFIX_LENGTH]
    assert re.fullmatch(r"[0-9a-f]{64}", stored["key_hash"])
    assert stored["key_hash"] == hashlib.sha256(raw_key.encode()).hexdigest()
    for value in stored.values():
        for secret in secret_parts(raw_key):
            assert secret not in str(value)


def test_a_prefix_is_unique_in_the_database(make_key):
    api_key, _ = make_key()

    duplicate = ApiKey(
        workspace=api_key.workspace, name="Copy", prefix=api_key.prefix, key_hash="0" * 64
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_two_hundred_keys_never_share_a_prefix(make_key):
    prefixes = [make_key(f"Key {n}")[0].prefix for n in range(200)]

    assert len(set(prefixes)) == 200
    assert ApiKey.objects.values("prefix").distinct().count() == 200


# --- checking a key ---------------------------------------------------------------------------


def test_the_right_key_authenticates_with_its_workspace(make_key, growth):
    api_key, raw_key = make_key()

    found = api_key_authenticate(raw_key)

    assert found == api_key
    assert found.workspace == growth.workspace


def test_a_right_prefix_with_a_wrong_rest_is_refused(make_key):
    api_key, raw_key = make_key()
    last = raw_key[-1]
    other = "A" if last != "A" else "B"

    assert api_key_authenticate(raw_key[:PREFIX_LENGTH] + "x" * 40) is None
    assert api_key_authenticate(raw_key[:-1] + other) is None
    assert api_key_authenticate(raw_key[:-1]) is None
    assert api_key_authenticate(raw_key + "A") is None
    assert api_key_authenticate(raw_key[:PREFIX_LENGTH]) is None
    assert api_key_authenticate(raw_key.upper()) is None
    assert api_key_authenticate(raw_key) == api_key  # the same key, untouched, still works


def test_a_revoked_key_never_authenticates_again(make_key, growth):
    api_key, raw_key = make_key()
    kept, kept_raw = make_key("Warehouse")

    api_key_revoke(api_key=api_key, revoked_by=growth.user)

    assert api_key_authenticate(raw_key) is None
    assert api_key_authenticate(kept_raw) == kept


def test_str_and_repr_never_show_the_secret(make_key):
    api_key, raw_key = make_key()

    for shown in (str(api_key), repr(api_key)):
        assert "ERP sync" in shown
        assert api_key.prefix in shown
        for secret in secret_parts(raw_key):
            assert secret not in shown
        assert api_key.key_hash not in shown


# --- nothing usable in the database -----------------------------------------------------------


def strings_in(value):
    """Every string in a JSON value, however nested."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def dumpable_models() -> list[str]:
    """Every installed model that has a table (a model still awaiting its migration has none)."""
    tables = set(connection.introspection.table_names())
    return [
        model._meta.label
        for model in apps.get_models()
        if model._meta.managed and model._meta.db_table in tables
    ]


def every_row_of_every_table() -> str:
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            # Table names come from the database's own catalogue, quoted.
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(rows)


def test_a_database_dump_holds_no_usable_key(growth, make_key):
    # Through the page, as people create keys: the session, messages and cache all had it.
    client = Client()
    client.force_login(growth.user)
    page = client.get("/settings/api-keys/").content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    response = client.post(
        "/settings/api-keys/",
        {"name": "ERP", "access": "read_write", "expires": "never", "form_token": token},
    )
    raw_key = FULL_KEY.search(response.content.decode()).group()
    revoked, revoked_raw = make_key("Old")
    api_key_revoke(api_key=revoked, revoked_by=growth.user)
    assert api_get(raw_key).status_code == 200  # used: last_used_at written
    api_key = api_key_authenticate(raw_key)

    out = StringIO()
    call_command("dumpdata", *dumpable_models(), format="json", stdout=out)
    dump = out.getvalue()
    table_rows = every_row_of_every_table()

    assert api_key.prefix in dump
    assert api_key.key_hash in dump
    assert api_key.prefix in table_rows
    for secret in [*secret_parts(raw_key), *secret_parts(revoked_raw)]:
        assert secret not in dump
        assert secret not in table_rows
    candidates = set(strings_in(json.loads(dump)))
    candidates |= {p + h for p in (api_key.prefix, "slk_") for h in (api_key.key_hash,)}
    candidates |= set(FULL_KEY.findall(dump)) | set(FULL_KEY.findall(table_rows))
    assert all(api_key_authenticate(candidate) is None for candidate in candidates)
    assert api_key_authenticate(raw_key) == api_key  # the real key still works


# --- nothing secret in the logs ---------------------------------------------------------------


def test_keys_never_reach_a_log_or_a_query(caplog, growth, make_key):
    caplog.set_level(logging.DEBUG)
    for name in ("django", "django.db.backends", "django.request", "salync", "api"):
        caplog.set_level(logging.DEBUG, logger=name)
    wrong_key = "slk_" + "Wr0ngKeyWr0ngKeyWr0ngKeyWr0ngKeyWr0ngKey"

    with CaptureQueriesContext(connection) as queries:  # also logs SQL at DEBUG
        api_key, raw_key = make_key()
        assert api_get(raw_key).status_code == 200
        refused = api_get(wrong_key)
        assert refused.status_code == 401
        truncated = api_get(raw_key[:-3])
        assert truncated.status_code == 401

    records = caplog.records
    assert any(r.name == "django.db.backends" for r in records), "SQL logging was captured"
    refusals = [r for r in records if r.name == "django.request"]
    assert [r.status_code for r in refusals] == [401, 401], "the refused requests were logged"
    logged = "\n".join(
        [caplog.text]
        + [r.getMessage() for r in records]
        + [repr(r.__dict__) for r in records]
        + [q["sql"] for q in queries.captured_queries]
    )
    for secret in [*secret_parts(raw_key), *secret_parts(wrong_key)]:
        assert secret not in logged
    assert api_key.prefix in logged  # the lookup itself is there, only the prefix
