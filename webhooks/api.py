"""The events and webhook-endpoints endpoints under /api/v1/ (SPEC §5.5). Thin views on
``api.generics``: parse → ``webhooks.services`` → represent, reads through ``webhooks.queries``
and answers built by ``webhooks.representations``; ``webhooks.schema`` describes them.

Events are open to every plan with the API (a receiver reconciles with them after an outage);
every ``webhook-endpoints`` route needs a plan with webhooks."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from accounts.plans import plans_with
from api.errors import PlanUpgradeRequired
from api.generics import WorkspaceDetailView, WorkspaceListView, WorkspaceUpdateView, WorkspaceView
from api.pagination import CursorPagination
from api.permissions import KeyMayWrite, WorkspaceHasApiAccess
from webhooks import queries, services
from webhooks import representations as rep
from webhooks.filters import DeliveryFilter, EndpointFilter, EventFilter
from webhooks.schema import (
    DeliverySerializer,
    EndpointSerializer,
    EndpointWithSecretSerializer,
    EventSerializer,
)
from webhooks.serializers import EndpointCreateSerializer, EndpointUpdateSerializer

EVENT_ID_PATTERN = r"evt_[0-9a-f]{24}"


class NewestFirstPagination(CursorPagination):
    """Events and deliveries are read newest first: after an outage the latest matter most."""

    ordering = "-id"


# --- Events ------------------------------------------------------------------------------------


class EventView:
    serializer_class = EventSerializer
    queryset_builder = staticmethod(queries.event_queryset)
    representer = rep.EVENTS


@extend_schema_view(
    get=extend_schema(
        summary="List events",
        description="The workspace's events, newest first, each exactly the payload that was "
        "(or will be) delivered to its webhook endpoints. Kept 30 days: after an outage, read "
        "them back from the last one you handled.",
    )
)
class EventListView(EventView, WorkspaceListView):
    filterset_class = EventFilter
    pagination_class = NewestFirstPagination


@extend_schema_view(
    get=extend_schema(
        summary="Retrieve an event",
        parameters=[
            OpenApiParameter(
                "id",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                pattern=f"^{EVENT_ID_PATTERN}$",
                description="The event's id (evt_…), the deliveries' webhook-id.",
            )
        ],
    )
)
class EventDetailView(EventView, WorkspaceDetailView):
    def retrieve(self, request, id):
        found = self.representer.many(
            self.representer.rows(self.scoped_queryset().filter(public_id=id))
        )
        if not found:
            raise Http404
        return Response(found[0])


# --- Webhook endpoints ---------------------------------------------------------------------------


class WorkspaceHasWebhooks(BasePermission):
    """The key's workspace is on a plan with webhooks (before the scope check: a plan without
    them refuses every route, reads and writes alike)."""

    def has_permission(self, request, view):
        if not request.auth.workspace.entitlements.webhooks:
            plans = " or ".join(plan.label for plan in plans_with("webhooks"))
            raise PlanUpgradeRequired(feature="webhooks", plans=plans)
        return True


class EndpointView:
    permission_classes = [WorkspaceHasApiAccess, WorkspaceHasWebhooks, KeyMayWrite]
    serializer_class = EndpointSerializer
    queryset_builder = staticmethod(queries.endpoint_queryset)
    representer = rep.ENDPOINTS
    object_param = "endpoint"

    def with_secret(self, endpoint) -> dict:
        """The create and rotate answers: the only ones that show the secret."""
        return {**rep.endpoint_represent(endpoint), "secret": endpoint.secret}


URL_RULES = (
    "The URL must be https on a public address: every address its host resolves to is "
    "checked now and at each send (400 `validation_error` on `url` otherwise)."
)


@extend_schema_view(
    get=extend_schema(summary="List webhook endpoints"),
    post=extend_schema(
        summary="Create a webhook endpoint",
        request=EndpointCreateSerializer,
        responses={201: EndpointWithSecretSerializer},
        description=f"{URL_RULES} The answer carries the signing `secret` (`whsec_…`) once.",
    ),
)
class EndpointListView(EndpointView, WorkspaceListView):
    filterset_class = EndpointFilter

    def post(self, request):
        data = self.parse(EndpointCreateSerializer)
        endpoint = services.endpoint_create(workspace=self.workspace, **data)
        return Response(self.with_secret(endpoint), status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(summary="Retrieve a webhook endpoint"),
    patch=extend_schema(
        summary="Update a webhook endpoint",
        request=EndpointUpdateSerializer,
        description=f"Any of the fields. {URL_RULES} Enabling clears `disabled_reason`.",
    ),
    delete=extend_schema(
        summary="Delete a webhook endpoint",
        responses={204: None},
        description="With its delivery log; the events stay.",
    ),
)
class EndpointDetailView(EndpointView, WorkspaceUpdateView):
    http_method_names = ["get", "patch", "delete", "head"]
    update = staticmethod(services.endpoint_update)
    update_serializer_class = EndpointUpdateSerializer

    def delete(self, request, pk):
        services.endpoint_delete(endpoint=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    post=extend_schema(
        summary="Rotate a webhook endpoint's secret",
        request=None,
        responses={200: EndpointWithSecretSerializer},
        description="The answer carries the new `secret` once. The old one keeps signing "
        "alongside it for 24 hours, so receivers can switch without losing an event.",
    )
)
class EndpointRotateSecretView(EndpointView, WorkspaceView):
    def post(self, request, pk):
        endpoint = services.endpoint_rotate_secret(endpoint=self.get_object())
        return Response(self.with_secret(endpoint))


class DeliveryView(EndpointView):
    serializer_class = DeliverySerializer
    queryset_builder = staticmethod(queries.delivery_queryset)
    representer = rep.DELIVERIES

    def get_endpoint(self):
        return get_object_or_404(queries.endpoint_queryset(self.workspace), pk=self.kwargs["pk"])

    def delivery_answer(self, delivery_id, status_code=status.HTTP_200_OK) -> Response:
        return Response(self.represent(delivery_id), status=status_code)


@extend_schema_view(
    post=extend_schema(
        summary="Send a test event to a webhook endpoint",
        request=None,
        responses={202: DeliverySerializer},
        description="A `webhook.test` event, whose object is the endpoint, sent to this "
        "endpoint alone whatever it subscribes to. The answer is its delivery, queued: read "
        "the endpoint's deliveries for the outcome.",
    )
)
class EndpointTestView(DeliveryView, WorkspaceView):
    def post(self, request, pk):
        endpoint = self.get_endpoint()
        delivery = services.endpoint_send_test(
            endpoint=endpoint, object=rep.endpoint_represent(endpoint)
        )
        return self.delivery_answer(delivery.pk, status.HTTP_202_ACCEPTED)


@extend_schema_view(
    get=extend_schema(
        summary="List a webhook endpoint's deliveries",
        description="Newest first. `pending` deliveries have retries left (`next_attempt_at`); "
        "`failed` ones were given up and can be resent.",
    )
)
class EndpointDeliveryListView(DeliveryView, WorkspaceListView):
    filterset_class = DeliveryFilter
    pagination_class = NewestFirstPagination

    def scoped_queryset(self):
        return super().scoped_queryset().filter(endpoint=self.get_endpoint())


@extend_schema_view(
    post=extend_schema(
        summary="Resend a delivery",
        request=None,
        responses={200: DeliverySerializer},
        parameters=[
            OpenApiParameter("delivery_id", OpenApiTypes.INT64, OpenApiParameter.PATH),
        ],
        description="Sends it again now with a fresh retry schedule, whatever became of it; "
        "the receiver sees the same `webhook-id`.",
    )
)
class DeliveryResendView(DeliveryView, WorkspaceView):
    def post(self, request, pk, delivery_id):
        delivery = get_object_or_404(
            self.scoped_queryset().filter(endpoint=self.get_endpoint()), pk=delivery_id
        )
        services.delivery_resend(delivery=delivery)
        return self.delivery_answer(delivery.pk)
