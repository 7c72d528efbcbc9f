"""The one shape of endpoints, deliveries and events: what the API answers, what the Settings
pages show and what a ``webhook.test`` event carries, built from rows as
``inventory.representations`` does. An event's shape is exactly the body delivered."""

from inventory.representations import Representer, datetime_writer

ENDPOINT_COLUMNS = (
    "id", "url", "description", "event_types", "enabled", "disabled_reason", "created_at",
    "updated_at",
)  # fmt: skip


def endpoints_represent(rows: list[dict]) -> list[dict]:
    """Never the secret: only the create and rotate answers add it."""
    when = datetime_writer()
    return [
        {
            "id": row["id"],
            "url": row["url"],
            "description": row["description"],
            "event_types": row["event_types"],
            "enabled": row["enabled"],
            "disabled_reason": row["disabled_reason"],
            "created_at": when(row["created_at"]),
            "updated_at": when(row["updated_at"]),
        }
        for row in rows
    ]


ENDPOINTS = Representer(ENDPOINT_COLUMNS, endpoints_represent)


def endpoint_represent(endpoint) -> dict:
    """One endpoint instance (a ``webhook.test`` event's object, the create answer)."""
    return endpoints_represent([{name: getattr(endpoint, name) for name in ENDPOINT_COLUMNS}])[0]


DELIVERY_COLUMNS = (
    "id", "event__public_id", "event__type", "status", "attempts", "last_status_code",
    "last_error", "next_attempt_at", "last_attempt_at", "created_at", "updated_at",
)  # fmt: skip


def deliveries_represent(rows: list[dict]) -> list[dict]:
    when = datetime_writer()
    return [
        {
            "id": row["id"],
            "event_id": row["event__public_id"],
            "event_type": row["event__type"],
            "status": row["status"],
            "attempts": row["attempts"],
            "last_status_code": row["last_status_code"],
            "last_error": row["last_error"],
            "next_attempt_at": row["next_attempt_at"] and when(row["next_attempt_at"]),
            "last_attempt_at": row["last_attempt_at"] and when(row["last_attempt_at"]),
            "created_at": when(row["created_at"]),
            "updated_at": when(row["updated_at"]),
        }
        for row in rows
    ]


DELIVERIES = Representer(DELIVERY_COLUMNS, deliveries_represent)

EVENT_COLUMNS = ("id", "public_id", "type", "created_at", "data")


def events_represent(rows: list[dict]) -> list[dict]:
    """Each exactly the body delivered (SPEC §5.5): ``id``, ``type``, ``created_at``, ``data``."""
    when = datetime_writer()
    return [
        {
            "id": row["public_id"],
            "type": row["type"],
            "created_at": when(row["created_at"]),
            "data": row["data"],
        }
        for row in rows
    ]


EVENTS = Representer(EVENT_COLUMNS, events_represent)
