"""Purchasing's bounds, defined once: request bodies, services, the admin and the schema all
read them from here."""

from inventory.limits import MAX_QUANTITY

MAX_ORDER_LINES = 100  # lines on one purchase order (and in one receipt)
MAX_LINE_QUANTITY = MAX_QUANTITY  # units ordered on one line
MAX_LEAD_TIME_DAYS = 3650
NUMBER_PREFIX = "PO-"
