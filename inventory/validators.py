from django.core.exceptions import ValidationError

GTIN_LENGTHS = (8, 12, 13, 14)


def gtin_is_valid(code: str) -> bool:
    """GTIN-8/12/13/14 with a correct GS1 mod-10 check digit."""
    if not code.isascii() or not code.isdigit() or len(code) not in GTIN_LENGTHS:
        return False
    digits = [int(c) for c in code]
    body, check = digits[:-1], digits[-1]
    # From the right of the body, weights alternate 3, 1, 3, …
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def validate_gtin(value: str) -> None:
    if not gtin_is_valid(value):
        raise ValidationError(
            "Enter a valid GTIN: 8, 12, 13 or 14 digits with a correct check digit."
        )
