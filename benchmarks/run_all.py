"""Every benchmark, one line per target: `make bench`.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/samverka_bench \\
    REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python -m benchmarks.run_all [--only diff,notifications] [--json]

Each benchmark module has a function `targets()` that runs it (in a short form where it has
one) and returns its `benchmarks.targets.Target`s: name, figure (with the baseline it is
compared with, measured in the same run), target, pass or FAIL. Each runs in a process of its
own (they configure Django differently), one after the other, and the lines are printed as
`name: figure … target … pass`. The exit status is 1 if any target FAILs or a benchmark could
not run. A new benchmark is one entry in BENCHMARKS.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.targets import Target

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Benchmark:
    name: str
    module: str  # with a function `targets() -> list[Target]`
    needs_services: bool = True  # DATABASE_URL (PostgreSQL) and REDIS_URL
    timeout_s: int = 900


BENCHMARKS = [
    Benchmark("diff", "benchmarks.diff_benchmark", needs_services=False),
    Benchmark("round page", "benchmarks.round_benchmark"),
    Benchmark("national scale", "benchmarks.national_benchmark", timeout_s=1800),
    Benchmark("notifications", "benchmarks.notification_benchmark"),
    Benchmark("live fan-out", "benchmarks.live_benchmark"),
]


def run_one(module: str, output: str) -> None:
    """In the child process: run the module's targets and write them as JSON."""
    targets = importlib.import_module(module).targets()
    Path(output).write_text(json.dumps([target.as_dict() for target in targets]))


def run(benchmark: Benchmark) -> tuple[list[Target], float, str]:
    """Run one benchmark in its own process; what it printed goes to a log file."""
    log = Path(tempfile.gettempdir()) / f"bench-{benchmark.name.replace(' ', '-')}.log"
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as file:
        output = file.name
    started = time.perf_counter()
    try:
        with log.open("wb") as printed:
            process = subprocess.run(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", "benchmarks.run_all", "--child", benchmark.module, output],
                cwd=ROOT,
                stdout=printed,
                stderr=subprocess.STDOUT,
                timeout=benchmark.timeout_s,
                check=False,
            )
        text = Path(output).read_text()
        if process.returncode != 0 or not text:
            raise RuntimeError(f"exit status {process.returncode}")
        targets = [Target(**row) for row in json.loads(text)]
    except Exception as error:  # noqa: BLE001 - reported as a failed target, the others run
        targets = [Target(benchmark.name, f"not measured ({error})", f"see {log}", False)]
    finally:
        Path(output).unlink(missing_ok=True)
    return targets, time.perf_counter() - started, str(log)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated names (default: all)")
    parser.add_argument("--json", action="store_true", help="print the targets as JSON")
    parser.add_argument("--child", nargs=2, metavar=("MODULE", "OUTPUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        run_one(*args.child)
        return 0
    wanted = {name.strip() for name in args.only.split(",") if name.strip()}
    chosen = [b for b in BENCHMARKS if not wanted or b.name in wanted]
    if any(b.needs_services for b in chosen) and not (
        os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
        and os.environ.get("REDIS_URL")
    ):
        print("make bench needs DATABASE_URL (PostgreSQL) and REDIS_URL: see the README.")
        return 2
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the start")
    everything: list[Target] = []
    for benchmark in chosen:
        targets, seconds, log = run(benchmark)
        everything += targets
        if not args.json:
            for target in targets:
                print(target.line(), flush=True)
            print(
                f"  ({benchmark.name}: {seconds:.0f} s, load average "
                f"{os.getloadavg()[0]:.2f}; its output in {log})",
                flush=True,
            )
    if args.json:
        json.dump([target.as_dict() for target in everything], sys.stdout, indent=2)
        print()
    failed = [target for target in everything if target.passed is False]
    print(
        f"{len(everything) - len(failed)} of {len(everything)} targets pass or are for information"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
