"""The base for workspace-scoped endpoints: every domain app's API views stand on these.

A view names its queryset builder (a function of the workspace, from the app's ``queries``
module), its ``representer`` (from the app's ``representations``: ``rows(queryset)`` reads the
top level lean, ``many(rows)`` builds a page's dicts with a fixed number of queries,
``scoped_one(builder, workspace_id, pk)`` a single object, its lookup compiled once),
``serializer_class`` for the schema only, and, for lists, its filters. Everything it reads or
writes is scoped to the key's workspace, so another workspace's object is as unknown as a
missing one. Schema summaries go on the class with ``extend_schema_view``.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from api.views import ApiViewMixin


class WorkspaceView(ApiViewMixin, generics.GenericAPIView):
    """An endpoint inside the key's workspace."""

    # A function of the workspace returning the scoped queryset (staticmethod on subclasses).
    queryset_builder = None
    # How the view's objects are answered (see the module's docstring). ``serializer_class``
    # describes the same shape for the schema and answers nothing.
    representer = None

    @property
    def workspace(self):
        return self.api_key.workspace

    def scoped_queryset(self):
        return type(self).queryset_builder(self.workspace)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular, without a request
            return self.get_serializer_class().Meta.model.objects.none()
        return self.scoped_queryset()

    def parse(self, serializer_class, **context) -> dict:
        """Validate the request body; errors become 400 validation_error."""
        serializer = serializer_class(
            data=self.request.data, context={"request": self.request, **context}
        )
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def represent(self, pk) -> dict:
        """The object as it is now, read through the view's queryset builder; 404 when the
        workspace has no such object."""
        try:
            return self.representer.scoped_one(
                type(self).queryset_builder, self.workspace.pk, int(pk)
            )
        except ObjectDoesNotExist:
            raise Http404 from None

    def represent_many(self, rows) -> list[dict]:
        return self.representer.many(rows)

    def created(self, pk) -> Response:
        return Response(self.represent(pk), status=status.HTTP_201_CREATED)


class WorkspaceListView(WorkspaceView, generics.ListAPIView):
    """``GET``: the workspace's objects, filtered and cursor-paginated."""

    # (The docstring is the schema's description of lists that give none: keep it as it is.)
    def list(self, request, *args, **kwargs):
        # The paginator reads one page of lean rows; only that page's relations are loaded.
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(self.representer.rows(queryset))
        return self.get_paginated_response(self.represent_many(page))


class WorkspaceDetailView(WorkspaceView, generics.RetrieveAPIView):
    """``GET …/{id}``: one of the workspace's objects."""

    def retrieve(self, request, pk):
        return Response(self.represent(pk))


class WorkspaceUpdateView(WorkspaceDetailView):
    """``GET`` and ``PATCH …/{id}``: ``update`` is the service, called with the object as the
    keyword ``object_param`` and the validated ``update_serializer_class`` fields."""

    http_method_names = ["get", "patch", "head"]
    object_param = ""
    update = None
    update_serializer_class = None

    def patch(self, request, pk):
        changes = self.parse(self.update_serializer_class)
        type(self).update(**{self.object_param: self.get_object()}, **changes)
        return Response(self.represent(pk))


class WorkspaceStatusView(WorkspaceView):
    """``POST …/{id}/archive`` and the like: ``change`` is the service, set per route with
    ``as_view(change=…)``, called with the object as the keyword ``object_param``."""

    change = None
    object_param = ""

    @extend_schema(request=None)
    def post(self, request, pk):
        self.change(**{self.object_param: self.get_object()})
        return Response(self.represent(pk))
