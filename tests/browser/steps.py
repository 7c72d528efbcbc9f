"""Steps every browser test takes the way a person does: by label and button name (SPEC §4)."""

from playwright.sync_api import Page

from tests.factories import DEFAULT_PASSWORD


def log_in(page: Page, email: str, password: str = DEFAULT_PASSWORD) -> None:
    """The login form, filled in and sent: the page lands where a login lands."""
    page.goto("/login/")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
