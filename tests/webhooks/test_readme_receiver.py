"""The README's webhook receiver works verbatim: run as written, it accepts a delivery signed
by the real sender and refuses one whose signature is wrong."""

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import transaction

from tests.servers import free_port
from webhooks import delivery
from webhooks.models import DeliveryStatus
from webhooks.services import endpoint_create, endpoint_send_test

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.django_db]


def readme_receiver() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n### Webhooks\n", 1)[1].split("\n## ", 1)[0]
    [code] = re.findall(r"^```python\n(.*?)^```$", section, re.MULTILINE | re.DOTALL)
    return code


@pytest.fixture
def running_receiver(tmp_path, workspace, allow_private):
    port = free_port()
    endpoint = endpoint_create(
        workspace=workspace,
        url=f"http://127.0.0.1:{port}/salync",
        event_types=["stock.below_threshold"],
    )
    script = tmp_path / "receiver.py"
    script.write_text(readme_receiver(), encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, str(script)],
        env={**os.environ, "SALYNC_WEBHOOK_SECRET": endpoint.secret, "PORT": str(port)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
        except urllib.error.HTTPError:
            break  # it answers (GET is not supported): listening
        except OSError:
            time.sleep(0.1)
    yield endpoint, port, process
    process.kill()
    process.wait(timeout=10)


def test_the_readme_receiver_accepts_our_signature_and_refuses_a_forged_one(running_receiver):
    endpoint, port, process = running_receiver
    with transaction.atomic():
        made = endpoint_send_test(endpoint=endpoint, object={"id": endpoint.pk})
    outcome = delivery.send(made.pk)
    assert outcome.status == DeliveryStatus.SUCCEEDED
    assert made.attempt_log.get().status_code == 204

    forged = urllib.request.Request(
        f"http://127.0.0.1:{port}/salync",
        data=b'{"id": "evt_forged", "type": "webhook.test", "data": {"object": {}}}',
        headers={
            "webhook-id": "evt_forged",
            "webhook-timestamp": str(int(time.time())),
            "webhook-signature": "v1,bm90IG91ciBzaWduYXR1cmU=",
        },
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(forged, timeout=5)
    assert refused.value.code == 400

    process.kill()
    output = process.communicate(timeout=10)[0]
    assert "webhook.test" in output
    assert "evt_forged" not in output
