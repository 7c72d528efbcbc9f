"""SPEC §5.4: locations — list, create, retrieve; every workspace has a default one."""

import pytest

from inventory.models import Location
from tests.api_client import assert_error, assert_fields


def test_a_new_workspace_lists_its_default_location(api, default_location):
    response = api.get("locations")

    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 1
    location = results[0]
    assert set(location) == {"id", "name", "is_default", "created_at", "updated_at"}
    assert location["id"] == default_location.pk
    assert location["is_default"] is True
    assert location["name"]


def test_create_a_location(api, default_location):
    response = api.post("locations", {"name": "Shop on Main Street"})

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "Shop on Main Street"
    assert body["is_default"] is False
    stored = Location.objects.get(pk=body["id"])
    assert stored.workspace == api.workspace
    listed = api.get("locations").json()["results"]
    assert [(loc["id"], loc["is_default"]) for loc in listed] == [
        (default_location.pk, True),
        (body["id"], False),
    ]


def test_a_duplicate_name_is_400(api, default_location):
    api.post("locations", {"name": "Shop"})

    assert_fields(api.post("locations", {"name": "Shop"}), "name")
    assert_fields(api.post("locations", {"name": default_location.name}), "name")
    assert Location.objects.filter(workspace=api.workspace).count() == 2


def test_the_same_name_in_another_workspace_is_fine(api, other_api):
    other_api.post("locations", {"name": "Shop"})

    assert api.post("locations", {"name": "Shop"}).status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "Shop", "is_default": True}, "is_default"),
    ],
)
def test_create_validates(api, default_location, body, field):
    assert_fields(api.post("locations", body), field)
    assert Location.objects.filter(workspace=api.workspace).count() == 1


def test_only_one_default_location(api, default_location):
    api.post("locations", {"name": "Shop"})

    assert Location.objects.filter(workspace=api.workspace, is_default=True).count() == 1


def test_retrieve(api, default_location):
    created = api.post("locations", {"name": "Shop"}).json()

    response = api.get(f"locations/{created['id']}")

    assert response.status_code == 200
    assert response.json() == created


def test_another_workspaces_location_or_an_unknown_id_is_404(api, other_api):
    theirs = other_api.post("locations", {"name": "Theirs"}).json()

    assert_error(api.get(f"locations/{theirs['id']}"), 404, "not_found")
    assert_error(api.get("locations/999999"), 404, "not_found")
    assert theirs["id"] not in [loc["id"] for loc in api.get("locations").json()["results"]]


@pytest.mark.parametrize("method", ["patch", "put", "delete"])
def test_locations_cannot_be_changed_or_deleted(api, default_location, method):
    path = f"locations/{default_location.pk}"

    response = api.delete(path) if method == "delete" else getattr(api, method)(path, {"name": "X"})

    assert_error(response, 405, "method_not_allowed")
    assert Location.objects.get(pk=default_location.pk).name == default_location.name


def test_locations_updated_since(api, default_location):
    shop = api.post("locations", {"name": "Shop"}).json()
    Location.objects.filter(pk=default_location.pk).update(updated_at="2020-01-01T00:00:00Z")

    listed = api.get("locations", {"updated_since": "2024-01-01T00:00:00Z"})

    assert [loc["id"] for loc in listed.json()["results"]] == [shop["id"]]
    assert_fields(api.get("locations", {"updated_since": "soon"}), "updated_since")
