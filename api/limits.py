"""Bounds the front door applies to every resource: ids are 64-bit database keys."""

MAX_ID = 2**63 - 1
MAX_ID_DIGITS = len(str(MAX_ID)) - 1  # 18 digits are always in range; 19 may not be
