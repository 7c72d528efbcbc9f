"""A realistic demo catalogue for the demo workspace: apparel and homeware with sizes and
colours, two locations, and a stock history. Deterministic, built through the services."""

import random
from decimal import Decimal

from inventory.models import Location, Reason
from inventory.services import (
    Actor,
    AdjustmentLine,
    location_create,
    location_default,
    product_create,
    stock_adjust_batch,
)

SECOND_LOCATION = "Retail store"

# (name, sku stem, price, cost, options)
PRODUCTS = [
    ("Merino crew sweater", "MER-CREW", "89.00", "31.50", {"size": ["S", "M", "L", "XL"]}),
    (
        "Organic cotton tee",
        "OCT-TEE",
        "24.00",
        "7.20",
        {"size": ["S", "M", "L"], "colour": ["Navy", "White"]},
    ),
    ("Selvedge denim jeans", "SEL-JEAN", "129.00", "48.00", {"waist": ["30", "32", "34", "36"]}),
    ("Waxed canvas tote", "WAX-TOTE", "59.00", "19.00", {"colour": ["Olive", "Tan"]}),
    ("Wool beanie", "WOOL-BEAN", "29.00", "8.40", {"colour": ["Charcoal", "Rust", "Cream"]}),
    ("Linen shirt", "LIN-SHIRT", "74.00", "26.00", {"size": ["S", "M", "L"]}),
    ("Rain shell jacket", "RAIN-SHELL", "149.00", "55.00", {"size": ["M", "L"]}),
    ("Trail running socks", "TRAIL-SOCK", "16.00", "3.90", {"size": ["39-42", "43-46"]}),
    ("Leather belt", "LTHR-BELT", "45.00", "14.00", {"length": ["85", "95", "105"]}),
    ("Stoneware mug", "STN-MUG", "18.00", "5.10", {"glaze": ["Speckled", "Sage"]}),
    ("Linen tea towel", "LIN-TOWEL", "12.00", "3.20", {}),
    ("Enamel camp plate", "ENM-PLATE", "14.00", "4.00", {}),
    ("Beeswax candle", "BEE-CANDLE", "22.00", "6.50", {"size": ["Small", "Large"]}),
    ("Cotton throw blanket", "COT-THROW", "95.00", "33.00", {"colour": ["Oat", "Slate"]}),
    ("Walnut serving board", "WAL-BOARD", "65.00", "21.00", {}),
    ("Ceramic planter", "CER-PLANT", "38.00", "11.00", {"size": ["12cm", "18cm"]}),
    ("Canvas sneakers", "CNV-SNKR", "79.00", "27.00", {"size": ["40", "41", "42", "43", "44"]}),
    ("Cashmere scarf", "CSH-SCARF", "119.00", "44.00", {"colour": ["Camel", "Grey"]}),
    ("Packable down vest", "DOWN-VEST", "139.00", "52.00", {"size": ["S", "M", "L"]}),
    ("Cotton canvas apron", "CNV-APRON", "42.00", "12.50", {}),
    ("Glass water carafe", "GLS-CARAFE", "34.00", "9.80", {}),
    ("Stainless water bottle", "SST-BOTTLE", "32.00", "8.90", {"colour": ["Black", "Stone"]}),
    ("Wool hiking socks", "WOOL-SOCK", "21.00", "5.60", {"size": ["S", "M", "L"]}),
    ("Brass bottle opener", "BRS-OPEN", "19.00", "4.70", {}),
    ("Linen pillow cover", "LIN-PILLOW", "36.00", "10.40", {"colour": ["Natural", "Indigo"]}),
    ("Recycled fleece pullover", "REC-FLEECE", "84.00", "29.00", {"size": ["S", "M", "L", "XL"]}),
    ("Bamboo cutlery set", "BAM-CUTL", "17.00", "4.10", {}),
    ("Field notebook", "FLD-NOTE", "11.00", "2.60", {"ruling": ["Dot", "Lined"]}),
    ("Oilskin cap", "OIL-CAP", "39.00", "12.00", {"size": ["M", "L"]}),
    ("Hemp laundry bag", "HMP-LAUNDRY", "27.00", "7.00", {}),
]


def _gtin13(number: int) -> str:
    body = f"200{number:09d}"  # GS1 prefix 200-299: for internal use, never a real product
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def _combinations(options: dict[str, list[str]]) -> list[dict[str, str]]:
    combos = [{}]
    for name, values in options.items():
        combos = [{**combo, name: value} for combo in combos for value in values]
    return combos


def demo_catalogue_seed(workspace) -> None:
    """Create the catalogue once; a workspace that already has products is left alone."""
    if workspace.products.exists():
        return
    rng = random.Random(2026)  # noqa: S311 — demo data, not security
    main = location_default(workspace)
    store = Location.objects.filter(
        workspace=workspace, name=SECOND_LOCATION
    ).first() or location_create(workspace=workspace, name=SECOND_LOCATION)
    barcode = 1000
    received, sales = [], []
    for name, stem, price, cost, options in PRODUCTS:
        variants = []
        for combo in _combinations(options):
            barcode += 1
            suffix = "-".join(value.upper().replace(" ", "") for value in combo.values())
            variants.append(
                {
                    "sku": f"{stem}-{suffix}" if suffix else stem,
                    "name": " / ".join(combo.values()),
                    "options": combo,
                    "barcode": _gtin13(barcode),
                    "price": Decimal(price),
                    "cost": Decimal(cost),
                    "reorder_point": rng.choice([0, 5, 10, 20]),
                }
            )
        product = product_create(workspace=workspace, name=name, variants=variants)
        for variant in product.variants.all():
            for location, base in ((main, 60), (store, 15)):
                quantity = rng.randint(base // 3, base)
                received.append(AdjustmentLine(variant, location, quantity, Reason.RECEIVED))
                sold = rng.randint(0, quantity)
                if sold:
                    sales.append(AdjustmentLine(variant, location, -sold, Reason.SOLD))
    actor = Actor.system("Demo data")
    for lines in (received, sales):
        for start in range(0, len(lines), 100):
            stock_adjust_batch(workspace=workspace, lines=lines[start : start + 100], actor=actor)
