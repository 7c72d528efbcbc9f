"""``lost_updates``: after the adjustment runs, every applied delta must show in on_hand, and
in the ledger as a chain of rows, each starting where the one before it on that level ended."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Snapshot:
    on_hand: dict[int, int]  # level id → on_hand
    last_adjustment: int  # the ledger's highest id


@dataclass(frozen=True)
class Found:
    rows: int  # ledger rows written since the snapshot
    lost: int
    detail: str


def snapshot(workspace_id: int) -> Snapshot:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, on_hand FROM inventory_stocklevel WHERE workspace_id = %s", [workspace_id]
        )
        on_hand = dict(cursor.fetchall())
        cursor.execute("SELECT coalesce(max(id), 0) FROM inventory_stockadjustment")
        (last,) = cursor.fetchone()
    connection.close()
    return Snapshot(on_hand=on_hand, last_adjustment=last)


def check(workspace_id: int, before: Snapshot, *, acknowledged: int) -> Found:
    """Count what was lost, once the server has stopped (its last requests applied): per
    level, on_hand's change minus the sum of its new ledger rows; rows that do not start where
    the previous one ended (a read-modify-write race); levels not at their last row; and 201
    answers without a row. Rows may outnumber the 201s counted: a request in flight when wrk
    stops is applied, but its answer is not counted."""
    from django.db import connection, transaction

    # One snapshot for both reads: a commit between them would look like a lost update.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute(
            """
            SELECT level_id, id, quantity, on_hand_after,
                   lag(on_hand_after) OVER (PARTITION BY level_id ORDER BY id) AS previous
            FROM inventory_stockadjustment
            WHERE workspace_id = %s AND id > %s
            ORDER BY level_id, id
            """,
            [workspace_id, before.last_adjustment],
        )
        rows = cursor.fetchall()
        cursor.execute(
            "SELECT id, on_hand FROM inventory_stocklevel WHERE workspace_id = %s", [workspace_id]
        )
        on_hand = dict(cursor.fetchall())
    connection.close()
    deltas: dict[int, int] = {}
    last_after: dict[int, int] = {}
    broken = 0
    for level_id, _id, quantity, after, previous in rows:
        start = before.on_hand[level_id] if previous is None else previous
        broken += after != start + quantity
        deltas[level_id] = deltas.get(level_id, 0) + quantity
        last_after[level_id] = after
    drift = sum(
        abs(on_hand[level] - before.on_hand[level] - deltas.get(level, 0)) for level in on_hand
    )
    stale = sum(on_hand[level] != after for level, after in last_after.items())
    unrecorded = max(0, acknowledged - len(rows))
    lost = drift + broken + stale + unrecorded
    detail = (
        f"{len(rows)} ledger rows on {len(deltas)} levels for {acknowledged} answers 201 counted; "
        f"on_hand off by {drift} in all, {broken} rows not starting where the previous ended, "
        f"{stale} levels not at their last row, {unrecorded} answers 201 without a row"
    )
    return Found(rows=len(rows), lost=lost, detail=detail)
