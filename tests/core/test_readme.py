"""The README's "Calling the API" commands work verbatim on what `make run` serves: the demo
data, plain HTTP from loopback, a key made with `create_api_key`.

Every ``sh`` block of that section runs, in order, in one bash session (so ``$KEY`` and
``$ON_HAND`` carry over), against a live server; only the host and port are replaced. A curl
answers 2xx unless the block's documented output (the plain block after it) shows an error,
and then it answers exactly that error code.
"""

import re
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from portal.demo import DEMO_PASSWORD
from tests.core.test_celery_worker import environment_for_the_test_database

REPO = Path(__file__).resolve().parents[2]
README_ADDRESS = "http://127.0.0.1:8000"
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
ERROR_CODE = re.compile(r'"error":\s*\{"code":\s*"(\w+)"')
MARK = "::block-done::"


def api_section() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Calling the API\n", 1)[1]
    return section.split("\n## ", 1)[0]


def documented_commands() -> list[tuple[str, str | None]]:
    """Each sh block, with the error code its documented output shows (None: a success)."""
    blocks = [(match[1], match[2]) for match in BLOCK.finditer(api_section())]
    commands = []
    for index, (language, text) in enumerate(blocks):
        if language != "sh":
            continue
        following = blocks[index + 1] if index + 1 < len(blocks) else ("sh", "")
        shown = following[1] if following[0] == "" else ""
        error = ERROR_CODE.search(shown)
        commands.append((text, error[1] if error else None))
    return commands


# curl's status codes go to stderr, one line per call, leaving stdout as the README shows it.
PRELUDE = """set -euo pipefail
curl() { command curl --max-time 20 -w '%{stderr}status %{http_code}\\n' "$@"; }
"""


def test_the_readme_shows_commands_for_the_api_and_one_error():
    commands = documented_commands()
    assert len(commands) >= 4
    assert any("stock/adjustments" in text and "expected_on_hand" in text for text, _ in commands)
    assert [error for _, error in commands if error] == ["invalid_api_key"]


@pytest.fixture
def served_like_make_run(live_server, settings, django_db_reset_sequences):
    """The demo data behind a live server that takes plain HTTP from loopback, as DEBUG does."""
    settings.SALYNC_ALLOW_LOOPBACK_HTTP = True
    settings.SALYNC_WEBHOOK_ALLOW_PRIVATE = True
    call_command("seed_demo", password=DEMO_PASSWORD)
    return live_server.url


def test_every_readme_api_command_works_verbatim(served_like_make_run):
    commands = documented_commands()
    script = PRELUDE + "".join(
        f"{text.replace(README_ADDRESS, served_like_make_run)}\necho {MARK}; echo {MARK} >&2\n"
        for text, _ in commands
    )
    result = subprocess.run(
        ["bash", "-c", script],
        cwd=REPO,
        env=environment_for_the_test_database(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    outputs = result.stdout.split(MARK)
    statuses = result.stderr.split(MARK)
    for (text, error), output, status in zip(commands, outputs, statuses, strict=False):
        codes = [int(code) for code in re.findall(r"^status (\d+)$", status, re.MULTILINE)]
        if error is None:
            assert all(200 <= code < 300 for code in codes), (text, output)
        else:
            assert codes, (text, output)
            assert all(code >= 400 for code in codes), (text, output)
            assert ERROR_CODE.search(output)[1] == error, (text, output)
    sent = [len(re.findall(r"^status ", status, re.MULTILINE)) for status in statuses]
    assert sum(sent) == sum(text.count("curl ") for text, _ in commands)
