from core.errors import DomainError


class OverReceipt(DomainError):
    code = "over_receipt"
    default_message = "The receipt is more than the order has outstanding."
