"""``create_api_key SLUG --name N [--read-only]``: prints the key alone, refuses cleanly."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from accounts.plans import Plan
from apikeys.models import Access, ApiKey
from apikeys.services import api_key_authenticate
from tests.factories import WorkspaceFactory

KEY_FORMAT = re.compile(r"slk_[A-Za-z0-9]{40}")


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("create_api_key", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(*args) -> str:
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("create_api_key", *args, stdout=out, stderr=err)
    assert out.getvalue() == ""
    return str(excinfo.value)


def api(method, raw_key):
    return getattr(Client(), method)(
        "/api/v1/", secure=True, HTTP_AUTHORIZATION=f"Bearer {raw_key}"
    )


@pytest.fixture
def growth(db):
    return WorkspaceFactory(plan=Plan.GROWTH)


def test_prints_the_key_alone_and_the_key_works(growth):
    out, err = run(growth.slug, "--name", "ERP integration")

    raw_key = out.removesuffix("\n")
    assert out == raw_key + "\n"
    assert KEY_FORMAT.fullmatch(raw_key)
    assert err == ""
    api_key = api_key_authenticate(raw_key)
    assert api_key is not None
    assert (api_key.workspace, api_key.name) == (growth, "ERP integration")
    assert api_key.access == Access.READ_WRITE
    assert api_key.created_by is None
    response = api("get", raw_key)
    assert response.status_code == 200
    assert response.json()["workspace"]["slug"] == growth.slug


def test_read_only_makes_a_key_that_may_only_read(growth):
    out, _ = run(growth.slug, "--name", "Reporting", "--read-only")

    api_key = api_key_authenticate(out.strip())
    assert api_key.access == Access.READ_ONLY
    assert api_key.is_read_only
    assert api("get", out.strip()).status_code == 200
    refused_write = api("post", out.strip())
    assert refused_write.status_code == 403
    assert refused_write.json()["error"]["code"] == "insufficient_scope"


def test_without_read_only_a_write_is_not_refused_for_scope(growth):
    out, _ = run(growth.slug, "--name", "ERP")

    response = api("post", out.strip())

    assert response.status_code == 405  # the index has no POST; the key's scope allowed it


def test_an_unknown_slug_is_refused_and_nothing_created(db):
    message = refused("no-such-workspace", "--name", "ERP")

    assert "no-such-workspace" in message
    assert ApiKey.objects.count() == 0


@pytest.mark.parametrize("name", ["", "   "])
def test_a_blank_name_is_refused_and_nothing_created(growth, name):
    message = refused(growth.slug, "--name", name)

    assert "name" in message.lower()
    assert ApiKey.objects.count() == 0


def test_the_name_is_required(growth):
    with pytest.raises(CommandError, match="--name"):
        call_command("create_api_key", growth.slug, stdout=StringIO(), stderr=StringIO())
    assert ApiKey.objects.count() == 0


def test_free_plan_still_gets_the_key_with_a_note_on_stderr(db):
    free = WorkspaceFactory(plan=Plan.FREE)

    out, err = run(free.slug, "--name", "Early setup")

    raw_key = out.removesuffix("\n")
    assert KEY_FORMAT.fullmatch(raw_key)
    assert out == raw_key + "\n"
    assert api_key_authenticate(raw_key).workspace == free
    assert "Free" in err
    assert "plan_upgrade_required" in err
    assert raw_key not in err
    refused_request = api("get", raw_key)
    assert refused_request.status_code == 403
    assert refused_request.json()["error"]["code"] == "plan_upgrade_required"
