"""The API's JSON parser: DRF's, with a bound on nesting.

Python's json module recurses once per level, so a body nested about a thousand deep (a few KB)
raised RecursionError, a 500. No body of ours nests more than a few levels: deeper than
``MAX_JSON_DEPTH`` is refused as 400 ``malformed_json`` before json sees it.
"""

import re

from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

MAX_JSON_DEPTH = 64

_ALL_BUT_MARKS = bytes(sorted(set(range(256)) - set(b'[]{}"')))
_SQUARE = bytes.maketrans(b"{}", b"[]")


def _nested_at_most(depth: int) -> str:
    # Balanced brackets at most ``depth`` deep: a regular language, matched in one pass
    # (possessive, so a failure never backtracks).
    return "" if depth == 0 else rf"(?:\[{_nested_at_most(depth - 1)}\])*+"


_WITHIN_DEPTH = re.compile(_nested_at_most(MAX_JSON_DEPTH).encode())


def nests_too_deep(data: bytes) -> bool:
    """Whether the arrays and objects of the JSON ``data`` (UTF-8) nest deeper than
    ``MAX_JSON_DEPTH``. Exact for JSON; for text that is not JSON either answer is right, as
    json refuses it next. Byte operations at C speed: about 20 ms for the worst MiB."""
    # Escaped backslashes out, then escaped quotes: every quote left delimits a string.
    unescaped = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    # Only brackets and quotes; nothing that counts lies between two quotes side by side.
    marks = unescaped.translate(_SQUARE, _ALL_BUT_MARKS).replace(b'""', b"")
    brackets = b"".join(marks.split(b'"')[::2])  # what is outside the strings
    if brackets.count(b"[") <= MAX_JSON_DEPTH:
        return False
    return _WITHIN_DEPTH.fullmatch(brackets) is None


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = stream.read().decode(encoding)
        except UnicodeError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        if nests_too_deep(text.encode("utf-8", "surrogatepass")):
            raise ParseError(f"JSON parse error - nested more than {MAX_JSON_DEPTH} levels deep")
        try:
            return json.loads(text, parse_constant=json.strict_constant if self.strict else None)
        except (ValueError, RecursionError) as exc:  # RecursionError: a nearly full stack
            raise ParseError(f"JSON parse error - {exc}") from None
