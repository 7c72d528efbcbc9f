"""The ``q=`` trigram indexes (0004) without GIN's pending list, on PostgreSQL.

With ``fastupdate`` on (GIN's default), new rows wait in a pending list, up to
``gin_pending_list_limit`` (4 MB), until a vacuum merges them, and every search scans that list
whole: on a freshly loaded 100k-product catalogue a one-product search read 777 buffers and
took 8 ms instead of 32 buffers and 0.3 ms (bench/explain-plans.md). A catalogue is searched
far more often than it is written to, so these indexes take each row in at insert time, and
the list they hold now is merged.
"""

from django.db import migrations

TRIGRAM_INDEXES = ["inventory_product_name_trgm", "inventory_variant_sku_trgm"]


def fastupdate_off(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f"ALTER INDEX {name} SET (fastupdate = off)")
        schema_editor.execute(f"SELECT gin_clean_pending_list('{name}'::regclass)")


def fastupdate_default(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f"ALTER INDEX {name} RESET (fastupdate)")


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0004_search_and_filter_indexes"),
    ]

    operations = [migrations.RunPython(fastupdate_off, fastupdate_default, elidable=False)]
