"""Steps every browser test takes the way a person does: by label and button name (SPEC §4)."""

import requests
from playwright.sync_api import Page

from tests.factories import DEFAULT_PASSWORD


def log_in(page: Page, email: str, password: str = DEFAULT_PASSWORD) -> None:
    """The login form, filled in and sent: the page lands where a login lands."""
    page.goto("/login/")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()


def call_api(live_server, raw_key: str) -> requests.Response:
    """GET the API's base URL with this key, as an integration would."""
    return requests.get(
        f"{live_server.url}/api/v1/", headers={"Authorization": f"Bearer {raw_key}"}, timeout=10
    )
