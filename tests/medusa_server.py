"""A real Medusa server for the Medusa connector's tests (registered in tests/conftest.py).

The session-scoped ``medusa`` fixture runs the pinned Medusa in tests/medusa/ on its own
PostgreSQL database on 127.0.0.1, migrated and with an admin user, a secret API key, a stock
location and a euro region (orders need one). Without Node, tests/medusa/node_modules (``npm ci``
there) or PostgreSQL it skips with a one-line reason; with ``CI`` set it fails instead, because CI
must run these tests.
"""

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import pytest
import requests
from psycopg import sql

from tests.servers import free_port

REPO = Path(__file__).resolve().parents[1]
MEDUSA_DIR = REPO / "tests" / "medusa"
MEDUSA_BIN = MEDUSA_DIR / "node_modules" / ".bin" / "medusa"
# Trust authentication as user postgres, as in .ci/run and on the development machines.
POSTGRES = "postgres://postgres@127.0.0.1:5432"
DATABASE_PREFIX = "salync_medusa_"
WORKDIRS = REPO / "var" / "medusa"  # one folder per session: the CLI's config and the log
ADMIN_EMAIL = "admin@medusa.test"
BUYER_EMAIL = "buyer@medusa.test"
HTTP_TIMEOUT = 10
START_TIMEOUT = 90  # seconds; it answers /health after about 6 s on two busy cores
COMMAND_TIMEOUT = 180  # db:migrate takes about 15 s
LOG_TAIL_LINES = 40
ORDER_FIELDS = {
    "fields": "id,display_id,status,created_at,updated_at,canceled_at,"
    "items.id,items.variant_id,items.variant_sku,items.quantity,items.detail.quantity"
}


class MedusaServer:
    """One Medusa process on a fixed port and database: started, stopped and started again.

    ``api_key`` is a secret key (HTTP Basic, key as user name, empty password), ``admin_token``
    a logged-in admin's JWT, ``location_id`` the stock location the tests stock (linked to no
    sales channel), ``sales_channel_id`` the store's default sales channel and ``region_id`` the
    euro region that ``place_order`` sells in.
    """

    def __init__(self, workdir: Path, database: str):
        self.database_url = f"{POSTGRES}/{database}"
        self.log_path = workdir / "medusa.log"
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.admin_password = secrets.token_urlsafe(16)
        self.admin_token = ""
        self.api_key = ""
        self.location_id = ""
        self.sales_channel_id = ""
        self.region_id = ""
        self.timings: dict[str, float] = {}
        self._process: subprocess.Popen | None = None
        self._environment = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", str(workdir)),
            "TMPDIR": tempfile.gettempdir(),
            "NODE_ENV": "production",  # without it, the CLI warns that ts-node is missing
            "MEDUSA_DISABLE_TELEMETRY": "true",
            "XDG_CONFIG_HOME": str(workdir / "config"),  # else the CLI writes ~/.config/medusa
            "DATABASE_URL": self.database_url,
            "STORE_CORS": "http://127.0.0.1",
            "ADMIN_CORS": "http://127.0.0.1",
            "AUTH_CORS": "http://127.0.0.1",
            "JWT_SECRET": secrets.token_hex(32),
            "COOKIE_SECRET": secrets.token_hex(32),
        }

    # --- lifecycle -------------------------------------------------------------------------

    def install(self) -> None:
        """Migrate the new database, add the admin, start, then create the key and location,
        and what orders need."""
        self._timed("migrate", self._run, "db:migrate")
        self._timed("admin user", self._run, "user", "-e", ADMIN_EMAIL, "-p", self.admin_password)
        self.start()
        self.admin_token = self._post(
            "/auth/user/emailpass", {"email": ADMIN_EMAIL, "password": self.admin_password}
        )["token"]
        self.api_key = self._post("/admin/api-keys", {"title": "Salync tests", "type": "secret"})[
            "api_key"
        ]["token"]
        self.location_id = self._post("/admin/stock-locations", {"name": "Salync tests"})[
            "stock_location"
        ]["id"]
        self._timed("order set-up", self._prepare_orders)

    def start(self) -> None:
        """Start the server (in its own process group) and wait until ``/health`` says OK."""
        assert self._process is None, "Medusa is already running"
        self._log("medusa start")
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                [MEDUSA_BIN, "start", "--host", "127.0.0.1", "--port", str(self.port)],
                cwd=MEDUSA_DIR,
                env=self._environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._timed("start", self._wait_until_healthy)

    def stop(self) -> None:
        """Stop the whole process group; connections to ``base_url`` are refused afterwards."""
        process, self._process = self._process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        self._log("stopped")

    def restart(self) -> None:
        """Stop, then start again on the same port and database."""
        self.stop()
        self.start()

    # --- Admin API -------------------------------------------------------------------------

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        """A request to the Admin API with the secret key (status not checked)."""
        return requests.request(
            method, self.base_url + path, auth=(self.api_key, ""), timeout=HTTP_TIMEOUT, **kwargs
        )

    def stocked_quantity(self, sku: str) -> int | None:
        """Medusa's own ``stocked_quantity`` for ``sku`` at ``location_id`` (None: no level)."""
        items = self.api("GET", "/admin/inventory-items", params={"sku": sku})
        items.raise_for_status()
        (item,) = items.json()["inventory_items"]
        levels = self.api(
            "GET",
            f"/admin/inventory-items/{item['id']}/location-levels",
            params={"location_id": self.location_id},
        )
        levels.raise_for_status()
        found = levels.json()["inventory_levels"]
        return found[0]["stocked_quantity"] if found else None

    def place_order(self, variant_id: str, quantity: int) -> dict:
        """A real order for ``quantity`` of the variant, as ``GET /admin/orders/{id}`` shows it.

        A draft order in the default sales channel, converted: the order is then ``pending`` and
        Medusa reserves the quantity at a stock location linked to that channel where the
        variant has enough available (``location_id`` is linked to none, so stock the variant at
        a linked one). Medusa refuses the draft (400) when no linked location has enough.
        """
        draft = self._call(
            "POST",
            "/admin/draft-orders",
            params={"fields": "id"},
            json={
                "region_id": self.region_id,
                "sales_channel_id": self.sales_channel_id,
                "email": BUYER_EMAIL,
                "items": [{"variant_id": variant_id, "quantity": quantity}],
            },
        )["draft_order"]
        convert = f"/admin/draft-orders/{draft['id']}/convert-to-order"
        self._call("POST", convert, params={"fields": "id"})
        # items.quantity alone is dropped here: the quantity comes from the item's detail.
        return self._call("GET", f"/admin/orders/{draft['id']}", params=ORDER_FIELDS)["order"]

    # --- internals -------------------------------------------------------------------------

    def log_tail(self) -> str:
        lines = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(lines[-LOG_TAIL_LINES:])

    def _log(self, message: str) -> None:
        with self.log_path.open("a") as log:
            log.write(f"== {message}\n")

    def _timed(self, step: str, function, *args) -> None:
        """Run one step and log how long it took (CI's note reports the fixture's cost)."""
        started = time.monotonic()
        function(*args)
        self.timings[step] = time.monotonic() - started
        self._log(f"{step}: {self.timings[step]:.1f} s")

    def _run(self, *arguments: str) -> None:
        """One Medusa CLI command, its output in the log; fails with the log's tail."""
        self._log("medusa " + arguments[0])
        with self.log_path.open("ab") as log:
            result = subprocess.run(
                [MEDUSA_BIN, *arguments],
                cwd=MEDUSA_DIR,
                env=self._environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=COMMAND_TIMEOUT,
                check=False,
            )
        if result.returncode:
            pytest.fail(f"medusa {arguments[0]} exited {result.returncode}:\n{self.log_tail()}")

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self._process.poll() is not None:
                self._process = None
                pytest.fail(f"Medusa exited while starting:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"Medusa not healthy after {START_TIMEOUT} s:\n{self.log_tail()}")
            try:
                health = requests.get(self.base_url + "/health", timeout=2)
                if health.status_code == 200 and health.text == "OK":
                    return
            except requests.RequestException:  # not listening yet
                pass
            time.sleep(0.2)

    def _prepare_orders(self) -> None:
        """A new store has a default sales channel, a shipping profile and the euro as its
        currency, but no region, and a draft order needs one; nothing else (no shipping option,
        customer or payment) is needed to place an order through a draft."""
        stores = self._call("GET", "/admin/stores", params={"fields": "default_sales_channel_id"})
        (store,) = stores["stores"]
        self.sales_channel_id = store["default_sales_channel_id"]
        self.region_id = self._call(
            "POST", "/admin/regions", json={"name": "Salync tests", "currency_code": "eur"}
        )["region"]["id"]

    def _call(self, method: str, path: str, **kwargs) -> dict:
        """An Admin API call with the secret key; fails loudly on an error."""
        response = self.api(method, path, **kwargs)
        assert response.ok, f"{method} {path}: {response.status_code} {response.text}"
        return response.json()

    def _post(self, path: str, body: dict) -> dict:
        """An admin call during set-up, as the logged-in admin; fails loudly on an error."""
        headers = {"Authorization": f"Bearer {self.admin_token}"} if self.admin_token else {}
        response = requests.post(
            self.base_url + path, json=body, headers=headers, timeout=HTTP_TIMEOUT
        )
        assert response.ok, f"POST {path}: {response.status_code} {response.text}"
        return response.json()


def unavailable() -> str | None:
    """Why Medusa cannot run here, in one line, or None."""
    if not shutil.which("node"):
        return "Medusa tests need Node.js (not on PATH)"
    if not MEDUSA_BIN.exists():
        return "Medusa tests need `npm ci` in tests/medusa (no node_modules/.bin/medusa)"
    try:
        psycopg.connect(f"{POSTGRES}/postgres", connect_timeout=3).close()
    except psycopg.OperationalError:
        return "Medusa tests need PostgreSQL on 127.0.0.1:5432 (user postgres, trust)"
    return None


def _postgres() -> psycopg.Connection:
    """The server's maintenance database, where databases are created and dropped."""
    return psycopg.connect(f"{POSTGRES}/postgres", autocommit=True)


def _drop(database: str) -> None:
    with _postgres() as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
        )


def _drop_orphans() -> None:
    """Drop the databases and working folders of earlier sessions (a killed session leaves
    its database; every session leaves its folder and log, for a look after a failure)."""
    with _postgres() as connection:
        names = connection.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s",
            [DATABASE_PREFIX.replace("_", r"\_") + "%"],
        ).fetchall()
    for (name,) in names:
        pid = name.removeprefix(DATABASE_PREFIX)
        if pid.isdigit() and not _alive(int(pid)):
            _drop(name)
    for folder in WORKDIRS.glob(DATABASE_PREFIX + "*"):
        pid = folder.name.removeprefix(DATABASE_PREFIX)
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, and someone else's
        pass
    return True


@pytest.fixture(scope="session")
def medusa():
    """A running Medusa for the whole session; use new SKUs in each test, the store is shared."""
    reason = unavailable()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must run them")
        pytest.skip(reason)
    _drop_orphans()
    database = f"{DATABASE_PREFIX}{os.getpid()}"
    workdir = WORKDIRS / database
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    with _postgres() as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    server = MedusaServer(workdir, database)
    try:
        server.install()
        yield server
    finally:
        server.stop()
        _drop(database)
