"""Every page at 360 px (a small phone) and at 1280 px: the page itself never scrolls sideways
(SPEC §4); wide tables scroll inside their own box; axe-core finds no serious or critical
accessibility violation; and a full-page screenshot of each is kept in ``var/screenshots/``
(CI keeps ``var/`` as its artefacts). Each page is loaded as the person who sees it, in
workspaces seeded with worst cases: long names and SKUs, long emails, many keys and products,
a listing with a long error message.

``SCREENS`` (world.py) is the one list of pages. ``test_every_page_route_is_in_the_layout_list``
walks the URLconf and fails when a GET page exists that the list does not load, so it cannot
fall behind.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import resolve
from playwright.sync_api import Page, expect

from tests.browser.a11y import assert_no_serious_violations
from tests.browser.world import (
    ANONYMOUS,
    EXCLUDED_PREFIXES,
    KEY_NAMES,
    NEW_KEY_NAME,
    NOT_PAGES,
    OWNER,
    POST_ONLY_ROUTES,
    SCREENS,
    Screen,
    log_in,
    seed_world,
    url_routes,
)

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
SCREENSHOTS = settings.BASE_DIR / "var" / "screenshots"


# Elements whose right edge passes the viewport, outside any box that scrolls on its own:
# named in the failure message so a broken layout says where it breaks.
OVERFLOW_REPORT = """() => {
  const width = window.innerWidth;
  const scrolls = (el) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX);
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (el.getBoundingClientRect().right <= width + 0.5) continue;
    let parent = el.parentElement, inside = false;
    while (parent && parent !== document.body) {
      if (scrolls(parent)) { inside = true; break; }
      parent = parent.parentElement;
    }
    const right = Math.round(el.getBoundingClientRect().right);
    if (!inside) out.push(`${el.tagName.toLowerCase()}.${el.className} (${right} px)`);
  }
  const scrollWidth = document.documentElement.scrollWidth;
  return {scrollWidth, innerWidth: width, out: out.slice(0, 8)};
}"""


def assert_no_page_scroll(page: Page, screen: Screen, size: dict) -> None:
    page.set_viewport_size(size)
    report = page.evaluate(OVERFLOW_REPORT)
    assert report["scrollWidth"] <= report["innerWidth"], (
        f"{screen} at {size['width']} px is {report['scrollWidth']} px wide; "
        f"sticking out: {report['out']}"
    )


def screenshot(page: Page, screen: Screen, size: dict) -> None:
    """The whole page at this width, saved before any check so a failure has its picture."""
    page.set_viewport_size(size)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{screen.slug}-{size['width']}.png", full_page=True)


@pytest.mark.browser
@pytest.mark.parametrize("screen", SCREENS, ids=str)
def test_page_fits_both_widths_and_passes_axe(page: Page, context, live_server, screen: Screen):
    world = seed_world()
    if screen.login != ANONYMOUS:
        log_in(context, live_server, *world["people"][screen.login])
    failed = []
    page.on(
        "response",
        lambda r: (
            failed.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.request.is_navigation_request()
            else None
        ),
    )
    page.set_viewport_size(PHONE)
    response = page.goto(screen.path.format(**world["examples"]))
    assert response.status == screen.status, f"{screen}: {response.status}"
    if screen.generate_key:
        page.get_by_label("Name", exact=True).fill(NEW_KEY_NAME)
        page.get_by_role("button", name="Generate new API key").click()
        expect(page.get_by_label("New API key", exact=True)).to_have_value(re.compile("^slk_"))
    if screen.reveal_secret:
        page.get_by_role("button", name="Reveal", exact=True).click()
        expect(page.get_by_label("Signing secret", exact=True)).to_have_text(re.compile("^whsec_"))
        page.get_by_role("group").filter(has_text="Request and response").first.click()
    page.wait_for_load_state("load")

    screenshot(page, screen, PHONE)
    assert_no_page_scroll(page, screen, PHONE)
    screenshot(page, screen, DESKTOP)
    assert_no_page_scroll(page, screen, DESKTOP)
    # Once per screen, at the desktop width: the phone layout has the same markup and colours.
    assert_no_serious_violations(page, str(screen))
    assert_no_page_scroll(page, screen, PHONE)  # and back: nothing kept its desktop width
    assert failed == [], f"{screen}: requests that failed: {failed}"


@pytest.mark.browser
def test_the_axe_check_finds_a_violation(page: Page, live_server):
    """The check above can fail: an image with no text and a field with no label are caught."""
    page.goto("/login/")
    page.evaluate(
        """() => document.querySelector("main").insertAdjacentHTML(
            "beforeend", '<img src="/favicon.ico"><input name="unlabelled">')"""
    )
    with pytest.raises(AssertionError) as failure:
        assert_no_serious_violations(page)
    assert "- image-alt (critical): Images must have alternative text; at img" in str(failure.value)
    assert "- label (critical)" in str(failure.value)


@pytest.mark.browser
def test_revoke_is_reachable_on_a_phone(page: Page, context, live_server):
    """The keys table may scroll in its box, but every Revoke button can be reached and used:
    its confirmation dialog fits the phone, its button in view."""
    world = seed_world()
    log_in(context, live_server, *world["people"][OWNER])
    page.set_viewport_size(PHONE)
    page.goto("/settings/api-keys/")
    page.get_by_role("link", name=f"Revoke {KEY_NAMES[-1]}").click()
    confirm = page.get_by_role("dialog", name=f"Revoke “{KEY_NAMES[-1]}”?")
    expect(confirm.get_by_role("button", name="Revoke key", exact=True)).to_be_in_viewport()
    box = confirm.bounding_box()
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= PHONE["width"]
    assert_no_page_scroll(page, Screen(page.url, OWNER), PHONE)


@pytest.mark.django_db
def test_every_page_route_is_in_the_layout_list(client):
    """A page added to the URLconf without a line in SCREENS fails here, not in production."""
    world = seed_world()
    loaded = {
        resolve(urlsplit(screen.path.format(**world["examples"])).path).route
        for screen in SCREENS
        if not screen.path.startswith("/no-such-page")
    }
    routes = {r for r in url_routes() if not r.startswith(EXCLUDED_PREFIXES)}
    missing = routes - loaded - set(POST_ONLY_ROUTES) - set(NOT_PAGES)
    assert missing == set(), f"pages the layout test does not load: {sorted(missing)}"
    assert set(POST_ONLY_ROUTES) | set(NOT_PAGES) <= routes, "excluded routes that are gone"

    owner, _workspace = world["people"][OWNER]
    client.force_login(owner)
    for route, example in POST_ONLY_ROUTES.items():
        path = example.format(**world["examples"])
        assert resolve(path).route == route, example
        assert client.get(path).status_code == 405, route


def test_every_screen_has_its_own_screenshot():
    slugs = [screen.slug for screen in SCREENS]
    shared = sorted({slug for slug in slugs if slugs.count(slug) > 1})
    assert shared == [], "screens that would share a screenshot file"
