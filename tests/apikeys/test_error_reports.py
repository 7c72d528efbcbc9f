"""Error reports (the DEBUG page, an e-mailed error report) never show a key's secret."""

import sys
from unittest import mock

from django.test import RequestFactory
from django.views.debug import ExceptionReporter

from apikeys.services import api_key_authenticate, api_key_create
from portal.services import workspace_setup


def _crash(*args):  # a fault we cannot cause otherwise: the key lookup failing mid-request
    raise RuntimeError("database went away")


def test_a_crash_inside_key_authentication_reports_no_secret(db):
    workspace = workspace_setup(name="Reported", owner=None, plan="growth")
    _record, raw = api_key_create(workspace=workspace, name="ERP", created_by=None)
    request = RequestFactory().get("/api/v1/", HTTP_AUTHORIZATION=f"Bearer {raw}")

    with mock.patch("apikeys.services.next", side_effect=_crash, create=True):
        try:
            api_key_authenticate(raw)
        except RuntimeError:
            kind, error, traceback = sys.exc_info()
            # The report starts where the error arose, not in this test (which holds the key).
            error.__traceback__ = traceback.tb_next
            report = ExceptionReporter(request, kind, error, traceback.tb_next).get_traceback_html()

    assert "database went away" in report  # the report is real and has the frame's variables
    assert "raw_key" in report
    assert raw not in report
    assert raw[12:] not in report
