"""Text rules every app shares: what the API, the admin and the pages store must not carry
terminal escapes (ESC, BEL…) or other control characters into a log, a CSV or a label."""

import re

from django.core.exceptions import ValidationError

CONTROL_CHARACTERS_MESSAGE = "Must not contain control characters."

# Unicode category Cc: C0 (U+0000 to U+001F), DEL (U+007F) and C1 (U+0080 to U+009F), as
# character-class ranges that Python's and ECMA-262's (OpenAPI's) regular expressions both read.
CONTROL_CHARACTERS = r"\u0000-\u001f\u007f-\u009f"
# Multi-line text (a description, a note) may break lines and indent: tab, LF and CR (a
# browser's textarea sends CRLF).
CONTROL_CHARACTERS_EXCEPT_LINE_BREAKS = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f"
_CONTROL = re.compile(f"[{CONTROL_CHARACTERS}]")
_CONTROL_EXCEPT_LINE_BREAKS = re.compile(f"[{CONTROL_CHARACTERS_EXCEPT_LINE_BREAKS}]")


def has_control_characters(value: str, *, multiline: bool = False) -> bool:
    """Whether ``value`` holds a control character (tab, LF and CR allowed if ``multiline``)."""
    pattern = _CONTROL_EXCEPT_LINE_BREAKS if multiline else _CONTROL
    return pattern.search(value) is not None


def validate_no_control_characters(value: str) -> None:
    """For one-line text: names, SKUs, option names and values."""
    if has_control_characters(value):
        raise ValidationError(CONTROL_CHARACTERS_MESSAGE, code="control_characters")


def validate_no_control_characters_multiline(value: str) -> None:
    """For multi-line text (descriptions, notes): tab and line breaks are allowed."""
    if has_control_characters(value, multiline=True):
        raise ValidationError(CONTROL_CHARACTERS_MESSAGE, code="control_characters")
