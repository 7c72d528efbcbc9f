"""The one client tests speak the API with, and the checks of the contract's error shape.

``ApiClient`` wraps the Django test client: HTTPS unless told otherwise, JSON bodies, and a Bearer
key. It may be bound to a key (the default for every request) and any request may name another
with ``auth=``: a :class:`~tests.factories.Key`, a literal ``Authorization`` value, or ``None``
for no header at all.
"""

import json
from urllib.parse import urlencode, urlsplit

from accounts.models import Workspace
from apikeys.models import Access
from tests.factories import Key, KeyFactory

INDEX = V1 = "/api/v1/"

_BOUND = object()  # ``auth`` not given: the key the client is bound to, if any


def _authorization(auth: Key | str) -> str:
    return auth.authorization if isinstance(auth, Key) else auth


class ApiClient:
    """The Django test client speaking to the API, optionally bound to one key."""

    def __init__(self, client, key: Key | str | None = None):
        self.client = client
        self.bound = key

    @classmethod
    def for_workspace(
        cls, client, workspace: Workspace, *, access: str = Access.READ_WRITE, name="ERP sync"
    ) -> "ApiClient":
        """Bound to a new key on ``workspace``."""
        return cls(client, KeyFactory(workspace=workspace, access=access, name=name))

    # The bound key's parts, for assertions about who did what.

    @property
    def key(self):
        return self.bound.record

    @property
    def raw(self) -> str:
        return self.bound.raw

    @property
    def workspace(self) -> Workspace:
        return self.bound.record.workspace

    @staticmethod
    def url(path: str, params: dict | None = None) -> str:
        """``"products"`` is ``/api/v1/products``; a next/previous link is used as given."""
        if path.startswith("http"):
            parts = urlsplit(path)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
        elif not path.startswith("/"):
            path = V1 + path
        if params:
            path += ("&" if "?" in path else "?") + urlencode(params)
        return path

    def request(
        self,
        method: str,
        path: str = INDEX,
        data=None,
        *,
        params: dict | None = None,
        body: bytes | str | None = None,
        raw: bytes | str | None = None,
        auth=_BOUND,
        content_type: str = "application/json",
        secure: bool = True,
        headers: dict | None = None,
        **extra,
    ):
        """``data`` is sent as JSON (on GET: as the query string), ``body`` (or ``raw``) as given.
        ``extra`` are WSGI variables: ``HTTP_IDEMPOTENCY_KEY=...``, ``REMOTE_ADDR=...``."""
        headers = dict(headers or {})
        if auth is _BOUND:
            if self.bound is not None:  # a header the test gives itself wins over the bound key
                extra.setdefault("HTTP_AUTHORIZATION", _authorization(self.bound))
        elif auth is not None:
            headers["Authorization"] = _authorization(auth)
        url = self.url(path, params)
        if method == "GET":
            return self.client.get(url, data, secure=secure, headers=headers, **extra)
        if body is None:
            body = raw
        if body is None:
            body = "" if data is None else json.dumps(data)
        return self.client.generic(
            method,
            url,
            data=body,
            content_type=content_type,
            secure=secure,
            headers=headers,
            **extra,
        )

    send = request

    def get(self, path: str = INDEX, params: dict | None = None, **kwargs):
        return self.request("GET", path, params=params, **kwargs)

    def post(self, path: str, data=None, **kwargs):
        return self.request("POST", path, data, **kwargs)

    def patch(self, path: str, data=None, **kwargs):
        return self.request("PATCH", path, data, **kwargs)

    def put(self, path: str, data=None, **kwargs):
        return self.request("PUT", path, data, **kwargs)

    def delete(self, path: str, data=None, **kwargs):
        return self.request("DELETE", path, data, **kwargs)

    # --- shortcuts for arranging a test through the API itself ---

    def create_product(self, name: str = "Merino crew", skus=("MER-CREW-M",), **fields) -> dict:
        variants = fields.pop("variants", None) or [{"sku": sku} for sku in skus]
        response = self.post("products", {"name": name, "variants": variants, **fields})
        assert response.status_code == 201, response.content
        return response.json()

    def adjust(self, quantity: int, *, sku: str, reason: str = "received", **fields) -> dict:
        body = {"sku": sku, "quantity": quantity, "reason": reason, **fields}
        response = self.post("stock/adjustments", body)
        assert response.status_code == 201, response.content
        return response.json()


def assert_api_error(response, status: int, code: str) -> dict:
    """The contract's one error shape (SPEC §5.3); returns the ``error`` object."""
    assert response.status_code == status, (response.status_code, response.content[:800])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}, body
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
    ), error
    assert error["code"] == code, error
    assert isinstance(error["message"], str)
    assert error["message"].strip()
    assert error["request_id"].startswith("req_")
    assert error["request_id"] == response["X-Request-Id"]
    return error


assert_error = assert_api_error


def assert_fields(response, *names: str) -> dict:
    """400 ``validation_error`` naming at least ``names`` in ``fields``."""
    error = assert_api_error(response, 400, "validation_error")
    for name in names:
        assert name in error.get("fields", {}), error
        assert all(isinstance(m, str) and m for m in error["fields"][name])
    return error["fields"]
