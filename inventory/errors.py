from core.errors import DomainError


class SkuTaken(DomainError):
    code = "sku_taken"
    default_message = "This SKU is already used by another variant in this workspace."


class InsufficientStock(DomainError):
    code = "insufficient_stock"
    default_message = "Not enough stock: the adjustment would take on_hand below zero."


class StockChanged(DomainError):
    code = "stock_changed"
    default_message = "on_hand is not the expected_on_hand: the stock changed meanwhile."
