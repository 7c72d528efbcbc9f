"""Real threads against the real database, for the concurrency tests (PostgreSQL)."""

import threading

from django.db import connection

JOIN_TIMEOUT = 45  # seconds: a thread still alive after this is stuck (a deadlock, a hang)


def run_threads(count: int, work) -> list:
    """Run ``work(index, barrier)`` in ``count`` threads; returns each thread's result or the
    exception it raised. Every thread closes its own database connection."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def body(index):
        try:
            results[index] = work(index, barrier)
        except BaseException as error:  # reported to the test as this thread's result
            barrier.abort()  # never leave the others waiting on a thread that died
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=body, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    stuck = [i for i, thread in enumerate(threads) if thread.is_alive()]
    assert not stuck, f"threads {stuck} did not finish within {JOIN_TIMEOUT}s (deadlock?)"
    return results
