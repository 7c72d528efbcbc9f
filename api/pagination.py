from base64 import b64decode

from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination as DrfCursorPagination
from rest_framework.response import Response

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class CursorPagination(DrfCursorPagination):
    """``?limit=`` (default 50, at most 200) and ``?cursor=``; answers
    ``{"results": […], "next": url|null, "previous": url|null}`` (SPEC §5.3).

    Ordered by id, which never changes, so pages neither skip nor repeat rows while the data
    changes underneath."""

    ordering = "id"
    page_size = DEFAULT_LIMIT
    page_size_query_param = "limit"
    max_page_size = MAX_LIMIT

    def get_page_size(self, request):
        raw = request.query_params.get("limit")
        if raw is None:
            return DEFAULT_LIMIT
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
            raise serializers.ValidationError(
                {"limit": [f"Must be a whole number from 1 to {MAX_LIMIT}."]}
            )
        return int(raw)

    def decode_cursor(self, request):
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        invalid = serializers.ValidationError(
            {"cursor": ["This cursor is not valid. Use the next or previous link as given."]}
        )
        try:  # strictly: DRF's own decoding would let garbage through as "the first page"
            if not b64decode(encoded.encode("ascii"), validate=True):
                raise invalid
            cursor = super().decode_cursor(request)
        except (NotFound, ValueError, UnicodeError):
            raise invalid from None
        # The position is an id: digits only, and small enough for a 64-bit column.
        position = cursor.position
        if position is not None and not (position.isdigit() and len(position) <= 18):
            raise invalid
        return cursor

    def get_paginated_response(self, data):
        return Response(
            {"results": data, "next": self.get_next_link(), "previous": self.get_previous_link()}
        )

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=MAX_LIMIT, default=DEFAULT_LIMIT)
        return parameters

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results", "next", "previous"],
            "properties": {
                "results": schema,
                "next": {"type": "string", "format": "uri", "nullable": True},
                "previous": {"type": "string", "format": "uri", "nullable": True},
            },
        }
