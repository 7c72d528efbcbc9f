"""The API's strict filter base (SPEC §5.3, filters): a boolean is ``true`` or ``false``; an
invalid, empty or repeated value of any filter is an error naming the parameter, which the
DRF filter backend turns into 400 ``validation_error``; other parameters are left alone."""

import pytest
from django.db.models import Q
from django.http import QueryDict
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from accounts.models import Workspace
from api.errors import flatten_fields
from api.filters import (
    IdFilter,
    StrictBooleanFilter,
    StrictFilterSet,
    TextFilter,
    UtcDateTimeFilter,
)
from tests.factories import WorkspaceFactory


class WorkspaceFilter(StrictFilterSet):
    name = TextFilter(field_name="name", max_length=20)
    id = IdFilter(field_name="id")
    created_after = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte")
    paid = StrictBooleanFilter(method="filter_paid")

    class Meta:
        model = Workspace
        fields = ["name", "id", "created_after", "paid"]

    def filter_paid(self, queryset, name, value):
        free = Q(plan="free")
        return queryset.exclude(free) if value else queryset.filter(free)


@pytest.fixture
def workspaces(db) -> dict:
    return {
        "free": WorkspaceFactory(name="Corner shop", plan="free"),
        "pro": WorkspaceFactory(name="Big store", plan="pro"),
    }


def run(query: str):
    """(errors, names of the workspaces found)"""
    filterset = WorkspaceFilter(QueryDict(query), queryset=Workspace.objects.order_by("pk"))
    if not filterset.is_valid():
        return dict(filterset.errors), None
    return {}, [workspace.name for workspace in filterset.qs]


def test_valid_filters_filter(workspaces):
    assert run("paid=true") == ({}, ["Big store"])
    assert run("paid=false") == ({}, ["Corner shop"])
    assert run("name=Big store") == ({}, ["Big store"])
    assert run(f"id={workspaces['free'].pk}") == ({}, ["Corner shop"])
    assert run("created_after=2000-01-01T00:00:00Z") == ({}, ["Corner shop", "Big store"])
    assert run("") == ({}, ["Corner shop", "Big store"])


@pytest.mark.parametrize("value", ["1", "0", "yes", "no", "maybe", "True", "FALSE", "on", " true"])
def test_a_boolean_is_true_or_false_only(workspaces, value):
    errors, found = run(f"paid={value}")

    assert found is None
    assert errors == {"paid": ["Must be true or false."]}


@pytest.mark.parametrize("name", ["name", "id", "created_after", "paid"])
@pytest.mark.parametrize("value", ["", "%20", "%20%20"], ids=["empty", "space", "spaces"])
def test_an_empty_value_is_an_error_never_no_filter(workspaces, name, value):
    errors, found = run(f"{name}={value}")

    assert found is None
    assert list(errors) == [name]


def test_a_parameter_without_a_value_is_empty_too(workspaces):
    assert list(run("paid")[0]) == ["paid"]


@pytest.mark.parametrize("query", ["paid=true&paid=false", "name=Big&name=Big", "id=1&id=1"])
def test_a_repeated_parameter_is_an_error_not_the_last_one_wins(workspaces, query):
    errors, found = run(query)

    assert found is None
    assert len(errors) == 1
    assert next(iter(errors.values())) == ["Give this parameter once."]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("id", "abc"),
        ("id", "1.0"),
        ("id", "+1"),
        ("id", "-1"),
        ("id", "0"),
        ("id", "\u0661"),  # an Arabic-Indic one: int() reads it
        ("id", "9" * 30),
        ("created_after", "yesterday"),
        ("created_after", "0001-01-01T00:00:00+01:00"),  # before year 1 in UTC
        ("name", "n" * 21),
    ],
)
def test_an_invalid_value_is_an_error_naming_the_parameter(workspaces, name, value):
    errors, found = run(f"{name}={value}")

    assert found is None
    assert list(errors) == [name]


def test_several_bad_parameters_are_all_named(workspaces):
    errors, _ = run("paid=1&id=&name=")

    assert set(errors) == {"paid", "id", "name"}


def test_parameters_that_are_not_filters_are_left_alone(workspaces):
    assert run("paid=true&unknown=&limit=5") == ({}, ["Big store"])


def test_the_drf_backend_raises_a_validation_error_naming_the_parameter(workspaces):
    class View:
        filterset_class = WorkspaceFilter

    request = Request(APIRequestFactory().get("/api/v1/workspaces", {"paid": "yes", "id": ""}))

    with pytest.raises(exceptions.ValidationError) as caught:
        DjangoFilterBackend().filter_queryset(request, Workspace.objects.all(), View())

    assert flatten_fields(caught.value.detail) == {
        "paid": ["Must be true or false."],
        "id": ["Must not be empty."],
    }
