"""Medusa's Admin API, as the Medusa connector calls it: JSON over ``core.outbound`` (the one
outgoing client: SSRF rules on the store URL, bounded timeouts, no redirects), authenticated
with a secret API key (HTTP Basic, the key as user name and an empty password).

Every failure becomes a :class:`ChannelUnavailable` (the store cannot be reached, refuses the
key or fails) or a :class:`MedusaRefused` (the store refused one request: a 4xx with its
message), each with a sentence for the seller. The key never appears in one.
"""

import base64
import json
from urllib.parse import urlencode

from core import outbound
from saleschannels.connectors.base import ChannelUnavailable

TIMEOUT = (5.0, 15.0)  # (connect, each read) in seconds
DEADLINE = 30.0  # the whole exchange
MAX_ANSWER_BYTES = 4 * 1024 * 1024
USER_AGENT = "Salync-Channels/1"


class StoreUnavailable(ChannelUnavailable):
    """``ChannelUnavailable`` that says whether the store refused the key (``auth``)."""

    def __init__(self, reason: str, *, auth: bool = False):
        super().__init__(reason)
        self.auth = auth


class MedusaRefused(Exception):
    """The store answered one request with a 4xx other than an authentication failure."""

    def __init__(self, status: int, message: str):
        self.status = status
        self.message = message
        super().__init__(f"Medusa answered {status}: {message}")


def _message(excerpt: str) -> str:
    """Medusa's own error sentence (``{"type": …, "message": …}``), or the start of the body."""
    try:
        body = json.loads(excerpt)
    except ValueError:
        return excerpt[:200].strip() or "no message"
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return body["message"][:300]
    return excerpt[:200]


class MedusaClient:
    def __init__(self, store_url: str, api_key: str):
        self.base_url = store_url.rstrip("/")
        token = base64.b64encode(f"{api_key}:".encode()).decode("ascii")
        self._headers = {
            "Authorization": f"Basic {token}",
            "Accept": "application/json",
            "Content-Type": "application/json",
        }

    def __repr__(self) -> str:  # never the key
        return f"<MedusaClient {self.base_url}>"

    def get(self, path: str, params: dict | list | None = None) -> dict:
        return self.call("GET", path, params=params)

    def post(self, path: str, body: dict) -> dict:
        return self.call("POST", path, body=body)

    def call(self, method: str, path: str, *, params=None, body: dict | None = None) -> dict:
        """One Admin API request; its JSON answer."""
        url = self.base_url + path
        if params:
            url += "?" + urlencode(params, doseq=True)
        result = outbound.request(
            method,
            url,
            body=b"" if body is None else json.dumps(body).encode(),
            headers=self._headers,
            timeout=TIMEOUT,
            deadline=DEADLINE,
            max_bytes=MAX_ANSWER_BYTES,
            user_agent=USER_AGENT,
            **outbound.policy_from_settings(),
        )
        if result.status_code is None:
            raise StoreUnavailable(f"The Medusa store could not be reached: {result.error}.")
        status = result.status_code
        if status in (401, 403):
            raise StoreUnavailable(
                f"Medusa refused the secret API key ({status}): check it is a secret key "
                "(sk_…) of this store that has not been revoked.",
                auth=True,
            )
        if status >= 500 or 300 <= status < 400:
            raise StoreUnavailable(
                f"The Medusa store failed ({result.error}: {_message(result.excerpt)})."
            )
        if status >= 400:
            raise MedusaRefused(status, _message(result.excerpt))
        if result.truncated:
            raise StoreUnavailable(
                f"Medusa's answer to {method} {path} was larger than "
                f"{MAX_ANSWER_BYTES // (1024 * 1024)} MB."
            )
        try:
            answer = json.loads(result.excerpt)
        except ValueError:
            raise StoreUnavailable(
                f"The Medusa store's answer to {method} {path} was not JSON: is the store URL "
                "the Medusa server's (its Admin API answers on /admin)?"
            ) from None
        if not isinstance(answer, dict):
            raise StoreUnavailable(
                f"The Medusa store's answer to {method} {path} was not a JSON object."
            )
        return answer
