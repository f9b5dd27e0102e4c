"""Every main page against the national-scale data set (issue 15): queries, plans and latency.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/samverka_bench \\
    REDIS_URL=redis://127.0.0.1:6379/0 \\
    NATIONAL_DATABASE_URL=postgres://postgres@127.0.0.1:5432/samverka_national_full \\
        .venv/bin/python -m benchmarks.national_benchmark [--pages round,diff] [--each 10] [--json]

The national database (NATIONAL_DATABASE_URL; by default DATABASE_URL's server, database
`samverka_national_full`) must already hold the data set of `manage.py seed_national --yes`
(about 80 s to 4 minutes and 2 GB on this machine kind). The benchmark does not seed it: two
gigabytes written as a side effect of `make bench` would surprise whoever runs it, so a missing
data set is one FAIL line that says how to seed it. The small data set the query counts are
compared with is the same command at --scale 0.01 (the same shapes: busy people, a big round,
documents with versions, sign-offs; about 10 s), in NATIONAL_SMALL_DATABASE_URL (by default
`samverka_national_small` on the same server), created, migrated and seeded here when missing.

Pages, each for a person who would open it, picked from the data in the same way on both data
sets (`pick_pages`): Mitt arbete for the busiest person (the most networks, then the most
notifications), the network, document, round and timeline of the open round with the most
comments for its chair, the comparison of the document with the most versions, the report
(HTML, CSV, Word) of the reported round with the most comments for its chair, the decisions of
the document with the most decisions, the sign-off with the most signatories for whoever asked
for it, the notifications of the most notified person, and the organisation with the most
people for one of them.

For each page:
1. the number of queries (django.test.Client in this process's children, the same person's
   session, after one warm-up request) on the national data against the small data set:
   target not more;
2. p50 and p99 at 4 concurrent clients (each --each requests, a new connection each) against
   uvicorn with 2 workers, DEBUG off, as the round benchmark starts it: target p99 ≤ 300 ms;
3. EXPLAIN (FORMAT JSON) of every SELECT the page made, on the national data: target no
   Seq Scan on a table of more than 10,000 rows (pg_class.reltuples); the offenders are named.
The round page has no page cache: what a page costs is measured. Also printed: the data
set's size on disk and the seed time, which `seed_national` records as a comment on the database.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
NATIONAL_DATABASE = "samverka_national_full"
SMALL_DATABASE = "samverka_national_small"
SMALL_SCALE = 0.01
P99_TARGET_MS = 300.0
CLIENTS = 4
WORKERS = 2
SEQ_SCAN_ROWS = 10_000
EMAIL_DOMAIN = "nationell.invalid"  # seed_national's; checked without importing Django

PAGES = [
    "Mitt arbete",
    "network",
    "document",
    "diff",
    "round",
    "report HTML",
    "report CSV",
    "report Word",
    "decisions",
    "sign-off",
    "timeline",
    "notifications",
    "organisation",
]


# --- databases --------------------------------------------------------------------------------


def _on_server(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def _server(url: str) -> dict:
    """Host, port and user of a database URL (never its password: it is printed)."""
    parts = urlsplit(url)
    return {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": parts.username or "postgres",
    }


def database_urls() -> tuple[str, str]:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/samverka_bench")
    national = os.environ.get("NATIONAL_DATABASE_URL") or _on_server(base, NATIONAL_DATABASE)
    small = os.environ.get("NATIONAL_SMALL_DATABASE_URL") or _on_server(base, SMALL_DATABASE)
    return national, small


def _connect(url: str, **kwargs):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname=parts.path.lstrip("/"),
        **kwargs,
    )


def national_data(url: str) -> str:
    """'' when the database holds seed_national's data set; otherwise what is missing."""
    import psycopg

    try:
        with _connect(url, connect_timeout=10) as conn:
            exists = conn.execute("SELECT to_regclass('networks_user')").fetchone()[0]
            if exists is None:
                return "the database is not migrated"
            row = conn.execute(
                "SELECT 1 FROM networks_user WHERE email LIKE %s LIMIT 1", ["%@" + EMAIL_DOMAIN]
            ).fetchone()
            return "" if row else "the database holds no national data set"
    except psycopg.OperationalError as error:
        return f"cannot connect ({str(error).strip().splitlines()[0]})"


def database_facts(url: str) -> dict:
    """Size on disk, and the seed's record (seed_national's comment on the database)."""
    with _connect(url) as conn:
        size, comment = conn.execute(
            "SELECT pg_database_size(current_database()), "
            "shobj_description(oid, 'pg_database') FROM pg_database "
            "WHERE datname = current_database()"
        ).fetchone()
    return {"bytes": size, "seed_record": comment or ""}


def prepare_small(url: str) -> dict:
    """Create, migrate and seed the small data set if it is not there; how long it took."""
    from benchmarks.round_benchmark import ensure_database

    ensure_database(url)
    if not national_data(url):
        return {"seeded_now": False}
    # manage.py as in production (DEBUG off), so with the run's secret key.
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY=os.environ["NATIONAL_BENCHMARK_SECRET_KEY"])
    started = time.perf_counter()
    for command in (
        ["migrate", "-v", "0"],
        ["seed_national", "--yes", "--scale", str(SMALL_SCALE)],
    ):
        subprocess.run(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return {"seeded_now": True, "seconds": round(time.perf_counter() - started, 1)}


# --- in a child process, on one database: the pages, their queries and plans ------------------


def _environment() -> None:
    """As in production (round_benchmark's settings), with one SECRET_KEY for this run: the
    sessions made in a child process are read by the server's workers."""
    from benchmarks.round_benchmark import configure_environment

    secret = os.environ.get("NATIONAL_BENCHMARK_SECRET_KEY") or secrets.token_urlsafe(50)
    os.environ["NATIONAL_BENCHMARK_SECRET_KEY"] = secret
    configure_environment(None)
    os.environ["SECRET_KEY"] = secret


def _setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    _environment()
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    import django

    django.setup()


def pick_pages() -> list[dict]:
    """The pages to measure and who opens each, chosen from the data (the same rules on any
    scale of seed_national's data set)."""
    from django.db.models import Count, Exists, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from consultations.models import Decision, ReviewRound, SignOff
    from networks.models import Affiliation, Membership, Organisation, User
    from notifications.models import Notification
    from workspace.management.commands.seed_national import samples

    def count_of(queryset, field: str):
        return Coalesce(
            Subquery(
                queryset.filter(**{field: OuterRef("pk")})
                .order_by()
                .values(field)
                .annotate(n=Count("pk"))
                .values("n")[:1]
            ),
            0,
        )

    picked = samples()
    chair = User.objects.get(email=picked["chair"]).pk
    most_notified = User.objects.get(email=picked["most notified"]).pk
    busy = (
        User.objects.annotate(
            networks=count_of(Membership.objects.active(), "user"),
            notes=count_of(Notification.objects.all(), "recipient"),
        )
        .order_by("-networks", "-notes", "pk")
        .values_list("pk", flat=True)
        .first()
    )

    def member_of(network_id: int) -> int:
        return (
            Membership.objects.active()
            .filter(network_id=network_id)
            .order_by("role", "pk")
            .values_list("user_id", flat=True)
            .first()
        )

    reported = (
        ReviewRound.objects.filter(status=ReviewRound.Status.REPORTED)
        .annotate(n=Count("comments"))
        .order_by("-n", "pk")
        .first()
    )
    decided = (
        Decision.objects.values("document_id", "document__network_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "document_id")
        .first()
    )
    sign_off = SignOff.objects.annotate(n=Count("signatories")).order_by("-n", "pk").first()
    organisation = Organisation.objects.get(  # the most people speaking for it in networks
        pk=Membership.objects.active()
        .filter(organisation__isnull=False)
        .values("organisation_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "organisation_id")
        .values_list("organisation_id", flat=True)
        .first()
    )
    affiliated = (  # one of its people who takes part in a network (sees its people)
        Affiliation.objects.filter(organisation=organisation)
        .filter(Exists(Membership.objects.active().filter(user_id=OuterRef("user_id"))))
        .order_by("pk")
        .values_list("user_id", flat=True)
        .first()
    )
    longest = picked["document with most versions"]
    from documents.models import Document

    longest_network = Document.objects.values_list("network_id", flat=True).get(pk=longest)
    round_id, document = picked["round"], picked["document of the round"]
    pages = {
        "Mitt arbete": ("/", busy),
        "network": (f"/networks/{picked['network of the document']}/", chair),
        "document": (f"/documents/{document}/", chair),
        "diff": (f"/documents/{longest}/compare/", member_of(longest_network)),
        "round": (f"/rounds/{round_id}/", chair),
        "report HTML": (f"/rounds/{reported.pk}/report/", reported.chair_id),
        "report CSV": (f"/rounds/{reported.pk}/report.csv", reported.chair_id),
        "report Word": (f"/rounds/{reported.pk}/report.docx", reported.chair_id),
        "decisions": (
            f"/documents/{decided['document_id']}/decisions/",
            member_of(decided["document__network_id"]),
        ),
        "sign-off": (f"/sign-offs/{sign_off.pk}/", sign_off.requested_by_id),
        "timeline": (f"/documents/{document}/timeline/", chair),
        "notifications": ("/notifications/", most_notified),
        "organisation": (f"/organisations/{organisation.pk}/", affiliated),
    }
    return [{"name": name, "path": pages[name][0], "user_id": pages[name][1]} for name in PAGES]


def _walk(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _walk(child)


def seq_scans(cursor, sql: str, big: dict[str, int]) -> list[str]:
    """The tables over SEQ_SCAN_ROWS rows that the query's plan reads with a Seq Scan."""
    cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
    plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    found = []
    for node in _walk(plan[0]["Plan"]):
        table = node.get("Relation Name")
        if node.get("Node Type") == "Seq Scan" and table in big:
            found.append(table)
    return found


def measure_pages(url: str, wanted: list[str], explain: bool) -> dict:
    _setup_django(url)
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from benchmarks.round_benchmark import make_session

    pages = [page for page in pick_pages() if page["name"] in wanted]
    big: dict[str, int] = {}
    if explain:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relname, reltuples::bigint FROM pg_class WHERE relkind = 'r' "
                "AND relnamespace = 'public'::regnamespace AND reltuples > %s",
                [SEQ_SCAN_ROWS],
            )
            big = dict(cursor.fetchall())
    sessions: dict[int, str] = {}
    for page in pages:
        user_id = page["user_id"]
        if user_id not in sessions:
            sessions[user_id] = make_session(user_id)
        page["session_key"] = sessions[user_id]
        client = Client(HTTP_HOST="127.0.0.1")
        client.cookies[settings.SESSION_COOKIE_NAME] = sessions[user_id]
        client.get(page["path"])  # warm-up: templates, the policies' first questions
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page["path"])
            body = b"".join(response) if response.streaming else response.content
        page["in_process_ms"] = round((time.perf_counter() - started) * 1000, 1)
        page["status"] = response.status_code
        page["bytes"] = len(body)
        page["queries"] = len(captured.captured_queries)
        page["slowest_queries"] = sorted(
            (
                {"ms": round(float(q["time"]) * 1000, 1), "sql": q["sql"][:400]}
                for q in captured.captured_queries
            ),
            key=lambda q: -q["ms"],
        )[:3]
        if explain:
            offenders: dict[str, list[str]] = {}
            with connection.cursor() as cursor:
                for query in captured.captured_queries:
                    sql = query["sql"]
                    if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                        continue
                    for table in seq_scans(cursor, sql, big):
                        offenders.setdefault(table, []).append(sql[:300])
            page["seq_scans"] = {table: len(sqls) for table, sqls in offenders.items()}
            page["seq_scan_queries"] = [sqls[0] for sqls in offenders.values()]
    return {"pages": pages, "big_tables": big}


def _child(url: str, wanted: list[str], explain: bool) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as file:
        output = file.name
    try:
        process = subprocess.run(  # noqa: S603 - our own interpreter and module
            [
                sys.executable,
                "-m",
                "benchmarks.national_benchmark",
                "--child",
                url,
                output,
                "--pages",
                ",".join(wanted),
                *(["--explain"] if explain else []),
            ],
            cwd=ROOT,
            check=False,
            capture_output=True,
            text=True,
        )
        if process.returncode != 0:
            raise RuntimeError(process.stderr.strip().splitlines()[-1] if process.stderr else "")
        return json.loads(Path(output).read_text())
    finally:
        Path(output).unlink(missing_ok=True)


# --- the server -------------------------------------------------------------------------------


def serve_pages(url: str, pages: list[dict], each: int) -> None:
    """p50 and p99 at CLIENTS concurrent clients for each page, from uvicorn with WORKERS."""
    from benchmarks.round_benchmark import Server, _concurrent, fetch, summary

    _environment()
    from django.conf import settings as django_settings

    cookie_name = getattr(django_settings, "SESSION_COOKIE_NAME", "sessionid")
    options = argparse.Namespace(
        layer_socket_timeout=False, layer_max_connections=None, server_args=""
    )
    env = {"DATABASE_URL": url}
    with Server(WORKERS, options, env=env) as server:
        for page in pages:
            cookie = f"{cookie_name}={page['session_key']}"
            try:
                for _ in range(2 * WORKERS):  # each worker has seen the page
                    fetch(server.port, page["path"], cookie)
                latencies, _wall = _concurrent(server.port, page["path"], cookie, CLIENTS, each)
                page["concurrent"] = summary(latencies)
                page["load_average"] = os.getloadavg()[0]
            except Exception as error:  # noqa: BLE001 - one page's failure, the others run
                page["concurrent_error"] = str(error)[:300]
    if server.errors:
        for page in pages:
            page.setdefault("server_errors", server.errors)


def _delete_sessions(url: str, keys: list[str]) -> None:
    with _connect(url, autocommit=True) as conn:
        conn.execute("DELETE FROM django_session WHERE session_key = ANY(%s)", [keys])


# --- the run ----------------------------------------------------------------------------------


def run(args) -> dict:
    national, small = database_urls()
    os.environ.setdefault("NATIONAL_BENCHMARK_SECRET_KEY", secrets.token_urlsafe(50))
    results: dict = {
        "national": urlsplit(national).path.lstrip("/"),
        "small": urlsplit(small).path.lstrip("/"),
        "server": _server(national),
        "load_average_before": os.getloadavg(),
        "errors": [],
    }
    missing = national_data(national)
    if missing:
        results["missing"] = missing
        return results
    results["facts"] = database_facts(national)
    results["small_seed"] = prepare_small(small)
    wanted = args.pages
    small_pages = {p["name"]: p for p in _child(small, wanted, explain=False)["pages"]}
    measured = _child(national, wanted, explain=True)
    pages = measured["pages"]
    for page in pages:
        small_page = small_pages[page["name"]]
        page["small_queries"] = small_page["queries"]
        page["small_path"] = small_page["path"]
        page["small_status"] = small_page["status"]
    results["pages"] = pages
    results["big_tables"] = measured["big_tables"]
    try:
        if args.each:
            serve_pages(national, pages, args.each)
    finally:
        keys = sorted({page["session_key"] for page in pages})
        _delete_sessions(national, keys)
        _delete_sessions(small, sorted({p["session_key"] for p in small_pages.values()}))
    results["load_average_after"] = os.getloadavg()
    return results


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:,.0f} MB"


def lines(results: dict) -> list:
    from benchmarks.targets import Target

    out = []
    if "missing" in results:
        server = results["server"]
        out.append(
            Target(
                "national scale",
                f"not measured: {results['missing']} ({results['national']})",
                "the national data set, seeded once beforehand (80 s–4 min, 2 GB): "
                f"`createdb -h {server['host']} -p {server['port']} -U {server['user']} "
                f"{results['national']}`, then with DATABASE_URL=postgres://{server['user']}@"
                f"{server['host']}:{server['port']}/{results['national']}: "
                "`.venv/bin/python manage.py migrate` and `… manage.py seed_national --yes`; "
                "or NATIONAL_DATABASE_URL naming a database that holds it",
                False,
            )
        )
        return out
    facts = results["facts"]
    after = results.get("load_average_after", results["load_average_before"])
    out.append(
        Target(
            "national scale: load average",
            f"{results['load_average_before'][0]:.2f} at the start, {after[0]:.2f} at the end "
            f"({os.cpu_count()} CPUs)",
            "for information",
            None,
        )
    )
    out.append(
        Target(
            "national scale: data set on disk",
            f"{_mb(facts['bytes'])} ({results['national']})",
            "for information",
            None,
        )
    )
    out.append(
        Target(
            "national scale: seed time",
            facts["seed_record"] or "not recorded (seeded before seed_national kept a record)",
            "for information",
            None,
        )
    )
    small_seed = results.get("small_seed", {})
    if small_seed.get("seeded_now"):
        out.append(
            Target(
                "national scale: small data set seeded for the comparison",
                f"{small_seed['seconds']} s (scale {SMALL_SCALE}, {results['small']})",
                "for information",
                None,
            )
        )
    for page in results.get("pages", []):
        name = f"national scale: {page['name']}"
        if page["status"] != 200 or page["small_status"] != 200:
            out.append(
                Target(
                    name,
                    f"answered {page['status']} ({page['path']}), on the small data set "
                    f"{page['small_status']} ({page['small_path']})",
                    "200 on both",
                    False,
                )
            )
            continue
        out.append(
            Target(
                f"{name}: queries",
                f"{page['queries']} on national data vs {page['small_queries']} on the small "
                f"data set ({page['path']})",
                "not more than on the small data set",
                page["queries"] <= page["small_queries"],
            )
        )
        if "concurrent" in page:
            c = page["concurrent"]
            out.append(
                Target(
                    f"{name}: p99 at {CLIENTS} clients, {WORKERS} workers",
                    f"{c['p99_ms']:.0f} ms (p50 {c['p50_ms']:.0f} ms, n {c['n']}; "
                    f"{page['bytes'] / 1024:,.0f} KiB; load {page['load_average']:.2f})",
                    f"≤ {P99_TARGET_MS:g} ms",
                    c["p99_ms"] <= P99_TARGET_MS,
                )
            )
        elif "concurrent_error" in page:
            out.append(
                Target(f"{name}: p99", f"not measured: {page['concurrent_error']}", "", False)
            )
        scans = page.get("seq_scans", {})
        listed = ", ".join(f"{table} ×{n}" for table, n in sorted(scans.items()))
        out.append(
            Target(
                f"{name}: sequential scans on tables over {SEQ_SCAN_ROWS:,} rows",
                f"{sum(scans.values())} ({listed or 'none'})",
                "0",
                not scans,
            )
        )
    for error in results["errors"]:
        out.append(Target("national scale", f"not measured: {error}", "measured", False))
    return out


def targets() -> list:
    """For benchmarks.run_all: every page, 4 clients × 8 requests each."""
    return lines(run(argparse.Namespace(pages=PAGES, each=8)))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", default="", help="comma-separated page names (default: all)")
    parser.add_argument(
        "--each", type=int, default=10, help="requests per client (0: no server phase)"
    )
    parser.add_argument("--json", action="store_true", help="print everything measured as JSON")
    parser.add_argument("--explain", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child", nargs=2, metavar=("URL", "OUTPUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.pages = [p.strip() for p in args.pages.split(",") if p.strip()] or PAGES
    unknown = set(args.pages) - set(PAGES)
    if unknown:
        parser.error(f"unknown pages {sorted(unknown)}; the pages: {', '.join(PAGES)}")
    if args.child:
        url, output = args.child
        Path(output).write_text(json.dumps(measure_pages(url, args.pages, args.explain)))
        return 0
    results = run(args)
    if args.json:
        json.dump(results, sys.stdout, indent=2, default=str)
        print()
    for target in lines(results):
        print(target.line(), flush=True)
    if not args.json:
        for page in results.get("pages", []):
            for query in page.get("seq_scan_queries", []):
                print(f"  {page['name']}: seq scan in {query}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
