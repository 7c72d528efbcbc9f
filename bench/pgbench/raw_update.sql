-- The database's own limit, for scale: one single-row UPDATE per transaction, spread over
-- the benchmark's counter rows (salync_bench_counter, created by the harness).
\set id random(1, :rows)
UPDATE salync_bench_counter SET n = n + 1 WHERE id = :id;
