import re
from base64 import b64decode

from rest_framework import serializers
from rest_framework.pagination import Cursor
from rest_framework.pagination import CursorPagination as DrfCursorPagination
from rest_framework.response import Response

from api.limits import MAX_ID_DIGITS

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

# Exactly what DRF's encode_cursor writes: an optional offset, an optional reverse flag, and,
# ordered by id as we are, always a position (an id that fits a 64-bit column).
_ISSUED_CURSOR = re.compile(rf"(?:o=([1-9][0-9]{{0,3}})&)?(r=1&)?p=([0-9]{{1,{MAX_ID_DIGITS}}})")


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
        """Only a cursor this API could have issued: DRF's own decoding takes any base64 with
        no known keys in it (``aGVsbG8=``, "hello") for the first page."""
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        try:
            decoded = b64decode(encoded.encode("ascii"), validate=True).decode("ascii")
        except ValueError:  # not ASCII, not base64, or not an ASCII query string inside
            decoded = ""
        issued = _ISSUED_CURSOR.fullmatch(decoded)
        offset = int(issued[1] or 0) if issued else 0
        if issued is None or offset > self.offset_cutoff:
            raise serializers.ValidationError(
                {"cursor": ["This cursor is not valid. Use the next or previous link as given."]}
            )
        return Cursor(offset=offset, reverse=issued[2] is not None, position=issued[3])

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
