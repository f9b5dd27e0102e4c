"""Running calls at the same moment, each in its own thread and database connection (for the
PostgreSQL race tests)."""

import threading
import time

from django.db import connection, transaction


def race(*calls, refused: tuple[type[Exception], ...]) -> list[str]:
    """Start every call together; each outcome is "done" or "refused" (one of `refused` was
    raised), in the order of the calls. Any other error fails the test."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str | BaseException | None] = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            call()
            outcomes[index] = "done"
        except refused:
            outcomes[index] = "refused"
        except BaseException as error:  # noqa: BLE001 - handed to the test below
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    return outcomes


class Running:
    """One call running in its own thread and database connection, started now; the test can
    see whether it waits for a row lock another connection holds (PostgreSQL only)."""

    def __init__(self, call, *, refused: tuple[type[Exception], ...] = ()):
        self.refused = refused
        self.outcome: str | BaseException | None = None
        self.error: Exception | None = None
        self.pid: int | None = None
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(call,))
        self._thread.start()
        assert self._started.wait(timeout=10)

    def _run(self, call):
        try:
            connection.ensure_connection()
            self.pid = connection.connection.info.backend_pid
            self._started.set()
            call()
            self.outcome = "done"
        except self.refused as error:
            self.outcome, self.error = "refused", error
        except BaseException as error:  # noqa: BLE001 - handed to the test in result()
            self.outcome = error
        finally:
            self._started.set()
            connection.close()

    def waits_for_a_lock(self, timeout: float = 10) -> bool:
        """True once the call waits for a lock; False if it finished without waiting."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self._thread.is_alive():
                return False
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [self.pid]
                )
                row = cursor.fetchone()
            if row and row[0] == "Lock":
                return True
            time.sleep(0.02)
        raise AssertionError("the call neither finished nor waited for a lock")

    def result(self, timeout: float = 30) -> str:
        self._thread.join(timeout=timeout)
        assert not self._thread.is_alive(), "the call did not finish"
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        return self.outcome


def holding(call):
    """`call` run in a transaction that stays open until `release()`: its row locks are held.
    Returns once the call has returned."""
    release, held = threading.Event(), threading.Event()

    def run():
        with transaction.atomic():
            call()
            held.set()
            assert release.wait(timeout=30)

    running = Running(run)
    if not held.wait(timeout=10):
        running.result()  # the call failed: its error
    running.release = release.set
    return running
