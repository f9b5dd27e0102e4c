"""How fast a new comment reaches the live round pages open on it: `make bench`'s "live fan-out".

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/samverka_bench \\
    REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python -m benchmarks.live_benchmark [--ws-clients 100,500] [--ws-repeat 10]

The live-update phase of benchmarks/round_benchmark.py (its functions, imported), on its own:
the same seeded round (500 comments; wiped and seeded again, removed at the end), one uvicorn
process (`--workers 1`, DEBUG off) with the real Redis channel layer, and 100, then 500
websocket clients on `/ws/rounds/<id>/` (session cookie, Origin header), each waiting for its
"hello". A comment is posted through `consultations.services.comments.add_comment` in this
process and timed from its push (after the COMMIT that makes it exist) until every client has
the event; alternated with a raw `channel_layer.group_send` of the same message to the same
clients, the floor. Target: the comment's median within 1.5x of the raw group_send's median,
measured in the same run (the cost of the live path, the push after the commit and the
consumers, over the channel layer's own). The time from the service call is printed next to it
(it adds storing the comment, the same for any number of clients). The load average is printed
with each figure: on a shared two-core machine the figures move with it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence

from benchmarks import round_benchmark as rb

CLIENTS = [100, 500]
REPEAT = 10
RATIO_TARGET = rb.PUSH_RATIO_TARGET  # 1.5


def measure(clients: Sequence[int] = CLIENTS, repeat: int = REPEAT) -> dict:
    import django

    rb.configure_environment(None)
    rb.ensure_database(os.environ["DATABASE_URL"])
    rb.raise_file_limit(max(4096, 4 * max(clients, default=0) + 512))
    django.setup()

    from django.core.management import call_command
    from django.db import connections

    args = argparse.Namespace(
        ws_clients=list(clients),
        ws_repeat=repeat,
        layer_socket_timeout=False,
        layer_max_connections=None,
        server_args="",
    )
    call_command("migrate", verbosity=0, interactive=False)
    rb.wipe()
    results: dict = {"errors": [], "load_average_before": os.getloadavg()[0]}
    try:
        data = rb.seed()
        session_key = rb.make_session(data["chair_id"])
        connections.close_all()  # the websocket phase uses the ORM from another thread
        server = rb.Server(1, args)
        try:
            with server:
                results["websocket"] = asyncio.run(
                    rb.websocket_phase(
                        server.port, data["round_id"], data["chair_id"], session_key, args
                    )
                )
        except Exception as error:  # noqa: BLE001 - reported as a target not measured
            results["errors"].append(f"{error!r}")
        results["server_errors"] = server.errors
    finally:
        connections.close_all()
        rb.wipe()
        connections.close_all()
    results["load_average_after"] = os.getloadavg()[0]
    return results


def lines(results: dict) -> list:
    from benchmarks.targets import Target

    websocket = results.get("websocket") or {}
    load = f"load {results['load_average_before']:.2f} → {results['load_average_after']:.2f}"
    out = []
    for row in websocket.get("rows", []):
        push, raw = row["comment_from_push_ms"], row["raw_group_send_ms"]
        ratio = push["p50_ms"] / raw["p50_ms"]
        out.append(
            Target(
                f"live fan-out: a comment reaching {row['clients']} websockets",
                f"{push['p50_ms']:.1f} ms (p90 {push['p90_ms']:.1f}) = {ratio:.2f}x a raw "
                f"group_send ({raw['p50_ms']:.1f} ms); from the call "
                f"{row['comment_from_call_ms']['p50_ms']:.1f} ms; messages short of clients "
                f"{row['messages_short_of_clients']}; {load}",
                f"≤ {RATIO_TARGET:g}x",
                ratio <= RATIO_TARGET and not row["messages_short_of_clients"],
            )
        )
    closed = websocket.get("server_closed_clients")
    if closed or results.get("server_errors"):
        out.append(
            Target(
                "live fan-out: clients the server closed, errors it logged",
                f"{closed or {}}; {results.get('server_errors') or {}}",
                "none",
                False,
            )
        )
    for error in results["errors"]:
        out.append(Target("live fan-out", f"not measured: {error}", "measured", False))
    if not out:
        out.append(Target("live fan-out", "not measured: no rows", "measured", False))
    return out


def targets() -> list:
    """For benchmarks.run_all: 100 and 500 clients."""
    return lines(measure())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ws-clients", type=rb._int_list, default=CLIENTS)
    parser.add_argument("--ws-repeat", type=int, default=REPEAT)
    args = parser.parse_args(argv)
    found = lines(measure(args.ws_clients, args.ws_repeat))
    for target in found:
        print(target.line())
    return 0 if all(t.passed is not False for t in found) else 1


if __name__ == "__main__":
    sys.exit(main())
