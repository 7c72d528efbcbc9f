"""Indexes for the list filters (STYLE.md "Fast by construction").

On every database: the variant list (workspace, status, id) and the stock list (workspace, id),
so ``WHERE workspace_id = … [AND status = …] ORDER BY id LIMIT n`` reads one workspace's rows
in order.

On PostgreSQL only: ``pg_trgm`` and GIN trigram indexes for ``q=``. Django's ``icontains``
compiles to ``UPPER(column::text) LIKE UPPER(%s)``, so the indexes are on that expression,
which is what lets the planner answer ``LIKE '%…%'`` from them. They live outside the model
state (SQLite has no GIN), so ``makemigrations --check`` is clean on both databases.
"""

from django.db import migrations, models

TRIGRAM_INDEXES = [
    ("inventory_product_name_trgm", "inventory_product", "name"),
    ("inventory_variant_sku_trgm", "inventory_variant", "sku"),
]


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in TRIGRAM_INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (UPPER({column}) gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0003_text_without_control_characters"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="stocklevel",
            index=models.Index(fields=["workspace", "id"], name="inventory_s_workspa_93dcf7_idx"),
        ),
        migrations.AddIndex(
            model_name="variant",
            index=models.Index(
                fields=["workspace", "status", "id"], name="inventory_v_workspa_149774_idx"
            ),
        ),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes, elidable=False),
    ]
