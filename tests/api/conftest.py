"""Fixtures for the API's front door: keys on each plan and a client that speaks Bearer + HTTPS."""

import json
from dataclasses import dataclass

import pytest

from accounts.plans import Plan
from apikeys.models import Access, ApiKey
from apikeys.services import api_key_create
from tests.factories import WorkspaceFactory

INDEX = "/api/v1/"


@dataclass
class Key:
    record: ApiKey
    raw: str

    @property
    def authorization(self) -> str:
        return f"Bearer {self.raw}"


def make_key(workspace, *, access: str = Access.READ_WRITE, name: str = "ERP integration") -> Key:
    record, raw = api_key_create(workspace=workspace, name=name, access=access, created_by=None)
    return Key(record=record, raw=raw)


class ApiClient:
    """The Django test client, over HTTPS unless told otherwise, with an optional Bearer key.

    ``auth`` is a :class:`Key` or a literal ``Authorization`` header value.
    """

    def __init__(self, client):
        self.client = client

    def request(
        self,
        method: str,
        path: str,
        *,
        auth=None,
        body: bytes | str | None = None,
        content_type: str = "application/json",
        secure: bool = True,
        headers: dict | None = None,
        **extra,
    ):
        headers = dict(headers or {})
        if auth is not None:
            headers["Authorization"] = auth.authorization if isinstance(auth, Key) else auth
        if method == "GET":
            return self.client.get(path, secure=secure, headers=headers, **extra)
        return self.client.generic(
            method,
            path,
            data=body if body is not None else b"",
            content_type=content_type,
            secure=secure,
            headers=headers,
            **extra,
        )

    def get(self, path: str = INDEX, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data=None, **kwargs):
        """``data`` is sent as JSON; pass ``body=`` for raw bytes."""
        if data is not None:
            kwargs["body"] = json.dumps(data)
        return self.request("POST", path, **kwargs)


def assert_api_error(response, status: int, code: str) -> dict:
    """The contract's one error shape (SPEC §5.3); returns the ``error`` object."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert (
        {"code", "message", "request_id"}
        <= set(error)
        <= {
            "code",
            "message",
            "request_id",
            "fields",
        }
    )
    assert error["code"] == code
    assert isinstance(error["message"], str)
    assert error["message"].strip()
    assert error["request_id"].startswith("req_")
    assert error["request_id"] == response["X-Request-Id"]
    return error


def remaining_today(response) -> int:
    return int(response["X-RateLimit-Remaining"])


@pytest.fixture
def api(client) -> ApiClient:
    return ApiClient(client)


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(plan=Plan.GROWTH)


@pytest.fixture
def api_key(workspace) -> Key:
    """A read & write key on a Growth workspace."""
    return make_key(workspace)


@pytest.fixture
def read_only_key(workspace) -> Key:
    return make_key(workspace, access=Access.READ_ONLY, name="Reporting")


@pytest.fixture
def free_key(db) -> Key:
    """A key on a Free workspace (kept from a paid plan, say): the plan has no API."""
    return make_key(WorkspaceFactory(plan=Plan.FREE), name="Old integration")
