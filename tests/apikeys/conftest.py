"""Fixtures the API key tests share: a frozen clock and an owner of a Growth workspace
(test_command.py keeps its own `growth`: a workspace, not an owner)."""

from datetime import UTC, datetime

import pytest
import time_machine

from accounts.models import Role
from accounts.plans import Plan
from tests.factories import MembershipFactory

START = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def clock():
    """Frozen at START; ``clock.move_to(START + …)`` moves it."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def growth(db):
    return MembershipFactory(role=Role.OWNER, workspace__plan=Plan.GROWTH)
