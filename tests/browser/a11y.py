"""axe-core in the browser tests: the page a person sees must have no serious or critical
accessibility violation (WCAG rules and axe's best practices, as axe rates their impact).

axe runs from the copy vendored in ``vendor/axe-core/`` (see its README): nothing is fetched
at test time.
"""

from functools import cache
from pathlib import Path

from playwright.sync_api import Page

AXE_JS = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")

# The CSP (script-src 'self') refuses an inline <script>, so ``page.add_script_tag(content=…)``
# is blocked like an attacker's script would be. ``page.evaluate`` runs through the DevTools
# protocol (Runtime.evaluate), which CSP does not govern, so axe gets in while the page keeps
# its real policy: ``bypass_csp=True`` would test a page no visitor ever gets.
RUN_AXE = """async () => {
  const results = await window.axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map((node) => node.target.join(" ")),
  }));
}"""


@cache
def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def serious_violations(page: Page) -> list[dict]:
    """axe's serious and critical violations on the page as it is now."""
    if page.evaluate("typeof window.axe") == "undefined":
        # The script itself is the expression; "undefined" after it keeps Playwright from
        # serialising whatever value the bundle's last statement has.
        page.evaluate(_axe_source() + "\n;undefined")
    return [v for v in page.evaluate(RUN_AXE) if v["impact"] in FAILING_IMPACTS]


def assert_no_serious_violations(page: Page, where: str = "") -> None:
    """Fails listing each serious or critical violation: rule, what it asks, where it is."""
    violations = serious_violations(page)
    assert violations == [], f"{where or page.url}: axe found\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}; at {', '.join(v['targets'][:6])}"
        + (f" and {len(v['targets']) - 6} more" if len(v["targets"]) > 6 else "")
        for v in violations
    )
