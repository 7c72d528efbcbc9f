"""The shape of the house: apps depend one way, and the package list matches the apps."""

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The checker ships in shared/ beside the checkout (CI clones elsewhere: /work/shared then).
CHECKERS = [ROOT.parent / "shared" / "tools" / "app_imports.py"]
CHECKERS.append(Path("/work/shared/tools/app_imports.py"))


def apps() -> set[str]:
    """The Django apps and the project package: the top-level folders with an apps.py."""
    return {p.name for p in ROOT.iterdir() if (p / "apps.py").exists()} | {"salync"}


def test_the_package_list_is_exactly_the_apps():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = config["tool"]["setuptools"]["packages"]["find"]["include"]
    assert {pattern.removesuffix("*") for pattern in listed} == apps()


def test_the_api_overview_ships_with_the_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "docs/*.md" in config["tool"]["setuptools"]["package-data"]["api"]
    assert (ROOT / "api" / "docs" / "overview.md").exists()


def test_apps_import_each_other_one_way():
    checker = next((path for path in CHECKERS if path.exists()), None)
    if checker is None:  # a new user's laptop has no shared/; CI must
        assert not os.environ.get("CI"), f"app_imports.py is in none of {CHECKERS}"
        pytest.skip("the house checker (shared/tools/app_imports.py) is not on this machine")
    result = subprocess.run(
        [sys.executable, str(checker), str(ROOT), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout
    assert "0 rules broken, 0 loops" in result.stdout
