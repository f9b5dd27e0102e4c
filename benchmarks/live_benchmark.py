"""How fast a new comment reaches the live round pages open on it: `make bench`'s "live fan-out".

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/samverka_bench \\
    REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python -m benchmarks.live_benchmark [--ws-clients 100,500] [--ws-repeat 10]

The live-update phase of benchmarks/round_benchmark.py on its own, with its functions (the seed,
the session, the uvicorn server, the fleet of websocket clients) imported: the same seeded round
(500 comments; wiped and seeded again, removed at the end), one uvicorn process (`--workers 1`,
DEBUG off) with the real Redis channel layer, and 100, then 500 websocket clients on
`/ws/rounds/<id>/` (session cookie, Origin header), each waiting for its "hello".

A comment is posted through `consultations.services.comments.add_comment` in this process and
timed from its push (after the COMMIT that makes it exist) until every client has the event.
Alternated with it (which goes first swaps every trial), the floor: a raw
`channel_layer.group_send` of the same message to the same clients, sent as the push is sent,
from a thread through async_to_sync (the round benchmark sends it on the event loop its clients
read on). Target: the comment's median within 1.5x of the raw group_send's median, measured in
the same run: the cost of the live path (the push after the commit, the consumers) over the
channel layer's own. The time from the service call is printed next to it (it adds storing the
comment, the same for any number of clients), and the load average: on a shared two-core
machine the figures move with it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Sequence

from benchmarks import round_benchmark as rb

CLIENTS = [100, 500]
REPEAT = 10
RATIO_TARGET = rb.PUSH_RATIO_TARGET  # 1.5


async def fan_out(port: int, round_id: int, user_id: int, session_key: str, args) -> dict:
    """The round benchmark's live phase (its Fleet of clients), with the raw group_send sent as
    the live path sends its push: from a thread, through async_to_sync (live.push runs in the
    thread that committed), not on the event loop the 500 clients read on. The two kinds
    alternate, the first of each trial swapped, so that neither always follows the other."""
    from asgiref.sync import async_to_sync, sync_to_async
    from channels.layers import get_channel_layer
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connections

    from consultations import live
    from consultations.models import ReviewRound
    from consultations.services.comments import add_comment

    layer = get_channel_layer()
    group = live.group_name(round_id)
    fleet = rb.Fleet(port, round_id, session_key, settings.SESSION_COOKIE_NAME)
    pushed: dict = {}
    original_push = live.push

    def timed_push(event):
        pushed["at"] = time.perf_counter()
        return original_push(event)

    state: dict = {}

    def prepare():
        state["user"] = get_user_model().objects.get(pk=user_id)
        state["round"] = ReviewRound.objects.get(pk=round_id)
        state["keys"] = list(state["round"].version.sections.values_list("key", flat=True))

    def sequence_now() -> int:
        return ReviewRound.objects.values_list("sequence", flat=True).get(pk=round_id)

    def post(n: int):
        return add_comment(
            state["round"],
            by_user=state["user"],
            body=f"Ny synpunkt {n} från mätningen av det levande flödet",
            section_key=state["keys"][n % len(state["keys"])],
        )

    def raw_send(message: dict) -> float:
        start = time.perf_counter()
        async_to_sync(layer.group_send)(group, message)
        return start

    async def delivered(expected) -> None:
        await asyncio.wait_for(expected.done.wait(), rb.WAIT_SECONDS)
        if not expected.arrived:
            raise RuntimeError("no client received the message")

    live.push = timed_push
    rows, counter = [], 0
    try:
        await sync_to_async(prepare)()
        for count in args.ws_clients:
            connect_seconds = await fleet.fill(count)
            comment_runs, call_runs, raw_runs, short = [], [], [], 0
            for trial in range(args.ws_repeat + 1):  # the first trial is a warm-up
                kinds = ("comment", "raw") if trial % 2 else ("raw", "comment")
                for kind in kinds:
                    await fleet.fill(count)  # replace clients the server dropped
                    counter += 1
                    if kind == "comment":
                        expected = fleet.expect(await sync_to_async(sequence_now)() + 1)
                        pushed.clear()
                        called = time.perf_counter()
                        await sync_to_async(post)(counter)
                        await delivered(expected)
                        if trial:
                            comment_runs.append((expected.last - pushed["at"]) * 1000)
                            call_runs.append((expected.last - called) * 1000)
                    else:
                        sequence = rb.RAW_SEQUENCE_BASE + counter
                        expected = fleet.expect(sequence)
                        message = {
                            "type": "round.event",
                            "sequence": sequence,
                            "kind": "comment",
                            "comment": None,
                        }
                        start = await sync_to_async(raw_send)(message)
                        await delivered(expected)
                        if trial:
                            raw_runs.append((expected.last - start) * 1000)
                    short += len(expected.arrived) < expected.sent_to
                    await asyncio.sleep(0.05)
            rows.append(
                {
                    "clients": count,
                    "connect_s": round(connect_seconds, 2),
                    "comment_from_push_ms": rb.summary(comment_runs),
                    "comment_from_call_ms": rb.summary(call_runs),
                    "raw_group_send_ms": rb.summary(raw_runs),
                    "messages_short_of_clients": short,
                }
            )
    finally:
        live.push = original_push
        await fleet.close()
        await sync_to_async(connections.close_all)()
        redis = getattr(layer, "connection", None)
        if redis is not None:  # this run's group goes with its round
            await asyncio.sleep(1)
            await layer.connection(layer.consistent_hash(group)).delete(
                f"{layer.prefix}:group:{group}"
            )
        close_pools = getattr(layer, "close_pools", None)
        if close_pools is not None:
            await close_pools()
    return {"rows": rows, "server_closed_clients": fleet.server_closes}


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
                    fan_out(server.port, data["round_id"], data["chair_id"], session_key, args)
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
