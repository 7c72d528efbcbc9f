"""Marketplace connectors: one interface (``base``), one module per marketplace, and the
registry that maps a channel's type to its connector."""
