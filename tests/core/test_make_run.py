"""`make run` starts web + worker + scheduler, and Ctrl-C on its terminal stops them together:
exit status 0, no traceback, no error line, nothing left running.

The test runs the real Makefile target on a terminal of its own (a pseudo-terminal, so Ctrl-C
is the terminal's SIGINT to its foreground process group, as a person's key press is), in a
copy of the working tree with its own ``var/`` and the installed virtualenv linked in.
``-o install`` only skips reinstalling that shared virtualenv.
"""

import os
import pty
import re
import select
import shutil
import signal
import socket
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.core.environment import clean_environment

REPO = Path(__file__).resolve().parents[2]
VENV = Path(sys.prefix)
COPY_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "var", "control", "staticfiles", "__pycache__", "*.egg-info",
    ".pytest_cache", ".ruff_cache", ".hypothesis",
)  # fmt: skip

pytestmark = pytest.mark.skipif(
    shutil.which("make") is None or not (VENV / "bin" / "honcho").exists(),
    reason="needs GNU make and the project's virtualenv (make install)",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _processes_in(folder: Path) -> list[int]:
    """Ids of the processes whose working directory is ``folder``: what `make run` started."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if Path(os.readlink(entry / "cwd")) == folder:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


class Terminal:
    """A command on a pseudo-terminal; everything it prints is kept in ``output``."""

    def __init__(self, argv: list[str], cwd: Path, env: dict[str, str]):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: a session of its own, the terminal as its controller
            os.chdir(cwd)
            os.execvpe(argv[0], argv, env)  # noqa: S606 — argv is ours, no shell wanted
        self.output = b""
        self.status = None

    def read_until(self, done, timeout: float) -> bool:
        """Keep reading (a full terminal buffer would block the command) until ``done()``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if done():
                return True
            ready, _, _ = select.select([self.fd], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:  # the command closed the terminal
                    chunk = b""
                self.output += chunk
        return done()

    def exited(self) -> bool:
        if self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)
        return self.status is not None

    def press_ctrl_c(self) -> None:
        os.write(self.fd, b"\x03")

    def text(self) -> str:
        return self.output.decode(errors="replace")


@pytest.fixture
def checkout(tmp_path):
    """The working tree as it is now, with its own var/, sharing the installed virtualenv."""
    folder = tmp_path / "salync"
    shutil.copytree(REPO, folder, ignore=COPY_IGNORE, symlinks=True)
    (folder / ".venv").symlink_to(VENV, target_is_directory=True)
    yield folder
    for pid in _processes_in(folder):  # only if the test failed half-way
        os.kill(pid, signal.SIGKILL)


def test_ctrl_c_stops_make_run_cleanly(checkout):
    port = _free_port()
    env = clean_environment()
    env["PORT"] = str(port)
    run = Terminal(["make", "-o", "install", "run"], cwd=checkout, env=env)
    try:
        started = run.read_until(
            lambda: run.exited() or _answers(f"http://127.0.0.1:{port}/login/"), timeout=120
        )
        assert started, run.text()
        assert not run.exited(), run.text()
        worker_ready = re.compile(rb"celery@\S+ ready\.")
        assert run.read_until(lambda: worker_ready.search(run.output), 30), run.text()

        run.press_ctrl_c()
        assert run.read_until(run.exited, timeout=40), run.text()
    finally:
        if not run.exited():
            os.killpg(run.pid, signal.SIGKILL)
            os.waitpid(run.pid, 0)
        os.close(run.fd)

    output = run.text()
    assert run.status == 0, output
    assert "SIGINT received" in output
    assert "Traceback" not in output
    assert "Error" not in output
    assert "ERROR" not in output
    assert "SIGKILL" not in output  # every process stopped on its own, in time
    assert _processes_in(checkout) == []
    # The file broker kept its exchange tables in var/, not in the working directory.
    assert not (checkout / "control").exists()
    assert (checkout / "var" / "celery-broker" / "control" / "celery.exchange").is_file()
