"""Running calls at the same moment, each in its own thread and database connection (for the
PostgreSQL race tests)."""

import threading

from django.db import connection


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
