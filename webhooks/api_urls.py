"""webhooks's resources under /api/v1/ (mounted in salync/urls.py): events and endpoints."""

from api.limits import MAX_ID_DIGITS
from api.routing import ID, route
from webhooks import api

EVENT_ID = rf"(?P<id>{api.EVENT_ID_PATTERN})"
DELIVERY_ID = rf"(?P<delivery_id>[0-9]{{1,{MAX_ID_DIGITS}}})"
ENDPOINT = rf"webhook-endpoints/{ID}"

urlpatterns = [
    route("events", api.EventListView.as_view(), "events", resource=True),
    route(rf"events/{EVENT_ID}", api.EventDetailView.as_view(), "event"),
    route(
        "webhook-endpoints",
        api.EndpointListView.as_view(),
        "webhook-endpoints",
        resource=True,
    ),
    route(ENDPOINT, api.EndpointDetailView.as_view(), "webhook-endpoint"),
    route(
        rf"{ENDPOINT}/rotate-secret",
        api.EndpointRotateSecretView.as_view(),
        "webhook-endpoint-rotate-secret",
    ),
    route(rf"{ENDPOINT}/test", api.EndpointTestView.as_view(), "webhook-endpoint-test"),
    route(
        rf"{ENDPOINT}/deliveries",
        api.EndpointDeliveryListView.as_view(),
        "webhook-endpoint-deliveries",
    ),
    route(
        rf"{ENDPOINT}/deliveries/{DELIVERY_ID}/resend",
        api.DeliveryResendView.as_view(),
        "webhook-delivery-resend",
    ),
]
