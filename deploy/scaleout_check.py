"""The scale-out check (issue 15): the configs of deploy/ run for real, and nothing is lost when
an ASGI process and a Celery worker die in the middle of a burst of comments.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/samverka REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python deploy/scaleout_check.py

On the PostgreSQL server of DATABASE_URL it creates a fresh database (`<name>_scaleout_check`,
dropped at the end unless --keep), migrates it and loads the demo (seed_demo). It empties the
three Redis databases the app uses (REDIS_URL's number n: broker n, channel layer n+1, cache
n+2), so give it numbers no running server uses. It starts an SMTP sink (aiosmtpd, in this
process, answering each message after 0.2 s as a distant mail server does) and the lines of
deploy/Procfile as they are — HAProxy with deploy/haproxy.cfg in front of two uvicorn processes
(web_a, web_b), two Celery workers (worker_a, worker_b) and one beat — on free ports, with DEBUG
off. Then:

1. A comment posted straight to one process reaches a websocket held by the other (both ways).
2. Four people post 50 comments through the balancer (half of them replies, each of which
   notifies the author of the comment replied to, by e-mail at once), while four live round
   pages (websockets through the balancer, on both processes) listen. After 20 answers web_a and
   worker_a are killed (SIGKILL, with their child processes). The client's rule: a request that
   fails (no answer, or 502/503/504 from the balancer) is sent once more, with the same form
   data: the same idempotency key, which a browser finds in the form it was given (a new one
   each time a comment or reply form is rendered) and this client makes itself (uuid4), one per
   comment. Then: every comment that got a 2xx/3xx answer is stored; every comment is stored
   once, also when its first POST was stored but its answer lost; every reply has its one in-app
   notification and its one e-mail at the sink (an e-mail whose worker was killed is sent again
   by the beat's sweep once its claim expires: NOTIFICATION_EMAIL_LEASE_SECONDS is 10 here, 600
   by default); every live page reconnects (to web_b) and, asking the round's events endpoint
   from the last sequence number it saw (as static/js/round.js does), has every comment stored.

3. A reply whose answer the client throws away is sent again with the same form data: both
   answers redirect to the same reply, stored once, notified once.

A POST that was stored but whose answer was lost (its process died after the commit) is sent
again with the same key, and answered with the comment stored the first time, storing, notifying
and pushing nothing again (consultations/services/comments.py): the check fails on any comment
stored twice, and prints how many of the comments sent twice were stored once, and how many of
those the first POST had stored (the kill loses an answer after the commit only now and then,
so step 3 loses one for sure).
An e-mail whose worker died after the SMTP server took it and before the send was recorded is
sent again with the same Message-ID (notifications/delivery.py): printed, and allowed only for
a message whose first copy the sink began to take (its DATA) before the kill: the killed worker
was sending it. (Up to KILL_NOTICED_S, 0.5 s, after the moment taken for the kill, which the
kill itself takes a little of.)

Prints a summary with the figures; exit status 0 when everything holds. Logs of every process
are kept (and named) when something fails, or with --keep.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import logging
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests
from websockets.exceptions import WebSocketException
from websockets.sync.client import connect as websocket_connect
from websockets.typing import Origin

ROOT = Path(__file__).resolve().parent.parent
PROCFILE = ROOT / "deploy" / "Procfile"
MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(<[^>\r\n]+>)", re.IGNORECASE | re.MULTILINE)
COMMENT_ID = re.compile(r'id="comment-(\d+)"')
PASSWORD = "demo"  # the demo accounts' (networks/demo.py)
POSTERS = [
    "chair@example.org",
    "coordinator@example.org",
    "member@example.org",
    "writer@example.org",
]
# The first two reply to the comments of the others: each reply notifies its parent's author.
REPLIERS = POSTERS[:2]
PARENT_AUTHORS = POSTERS[2:]
VIEWER = "observer@example.org"  # sees the round, may not comment: the live pages
BURST, KILL_AFTER, PARENTS, LIVE_PAGES = 50, 20, 10, 4
LEASE_SECONDS = 10
RETRY_STATUSES = {502, 503, 504}
TIMEOUT = (3, 20)

# How long after the moment taken for the kill a send may still be the killed worker's (the
# two SIGKILLs and the processes' exit take a little time).
KILL_NOTICED_S = 0.5


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] {text}", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout: float, what: str, interval: float = 0.2) -> float:
    """Seconds it took until condition() held; RuntimeError after timeout."""
    started = time.monotonic()
    while True:
        with contextlib.suppress(Exception):
            if condition():
                return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise RuntimeError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


def with_db(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


# --- the SMTP sink ----------------------------------------------------------------------------


class Sink:
    """Every message received, by Message-ID, with the times it began (its DATA came in) and
    was taken. It answers each message after `delay` seconds, as a mail server far away does
    (so that a worker killed in the burst is likely to be in the middle of a send); a message
    counts as taken when it is answered 250 on a connection that is still open (a client that
    is gone cancels it, when the sink notices in time)."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.lock = threading.Lock()
        self.arrivals: dict[str, list[float]] = {}
        self.began: dict[str, list[float]] = {}

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        began = time.monotonic()
        await asyncio.sleep(self.delay)
        if server.transport is None:
            return "421 Gone"
        match = MESSAGE_ID.search(envelope.content)
        key = match.group(1).decode() if match else "<none>"
        with self.lock:
            self.arrivals.setdefault(key, []).append(time.monotonic())
            self.began.setdefault(key, []).append(began)
        return "250 OK"

    def copies(self, message_id: str) -> list[float]:
        with self.lock:
            return list(self.arrivals.get(message_id, []))

    def duplicates(self) -> dict[str, list[float]]:
        with self.lock:
            return {k: list(v) for k, v in self.arrivals.items() if len(v) > 1}

    def first_began(self, message_id: str) -> float:
        """When the first copy of the message began to come in."""
        with self.lock:
            return self.began[message_id][0]

    def total(self) -> int:
        with self.lock:
            return sum(len(v) for v in self.arrivals.values())


# --- the processes of deploy/Procfile ---------------------------------------------------------


def procfile() -> dict[str, str]:
    lines = {}
    for line in PROCFILE.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, command = line.partition(":")
            lines[name.strip()] = command.strip()
    return lines


@dataclass
class Deployment:
    env: dict[str, str]
    logs: Path
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def start(self, name: str, command: str) -> None:
        with (self.logs / f"{name}.log").open("wb") as output:
            # Its own session (process group): a kill takes its children with it, as when a
            # machine or container dies.
            self.processes[name] = subprocess.Popen(  # noqa: S603 - the Procfile's own line
                ["/bin/sh", "-c", f"exec {command}"],
                cwd=ROOT,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self, name: str) -> None:
        process = self.processes[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in self.processes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def check_alive(self, *names: str) -> None:
        for name in names:
            if self.processes[name].poll() is not None:
                raise RuntimeError(f"{name} exited; see {self.logs / (name + '.log')}")


def run_command(args: list[str], env: dict[str, str], logs: Path, name: str) -> None:
    with (logs / f"{name}.log").open("wb") as output:
        done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed; see {logs / (name + '.log')}")


# --- people in browsers -----------------------------------------------------------------------


def browser() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # no proxies from the environment: everything is on loopback
    return session


def log_in(base: str, email: str) -> requests.Session:
    session = browser()
    session.get(f"{base}/login/", timeout=TIMEOUT).raise_for_status()
    answer = session.post(
        f"{base}/login/",
        data={
            "username": email,
            "password": PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    if answer.status_code != 302:
        raise RuntimeError(f"{email} could not log in: {answer.status_code}")
    return session


def cookie_header(session: requests.Session) -> str:
    return "; ".join(f"{name}={value}" for name, value in session.cookies.items())


@dataclass
class Attempt:
    status: int | None  # None: no answer at all
    server: str
    seconds: float
    sent_at: float = field(default_factory=time.time)  # wall clock, to compare with created_at


@dataclass
class Post:
    number: int
    token: str
    author: str
    parent: int | None
    attempts: list[Attempt] = field(default_factory=list)
    # The key of the form it is posted from, the same in the retry: one comment, however often
    # it is sent.
    key: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def accepted(self) -> bool:
        return bool(self.attempts) and self.attempts[-1].status in range(200, 400)


def send_post(session: requests.Session, url: str, data: dict[str, str]) -> Attempt:
    sent_at, started = time.time(), time.monotonic()
    try:
        answer = session.post(
            url,
            data={**data, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
            allow_redirects=False,
            timeout=TIMEOUT,
        )
    except requests.RequestException:
        return Attempt(None, "", time.monotonic() - started, sent_at)
    server = answer.headers.get("X-Samverka-Server", "")
    return Attempt(answer.status_code, server, time.monotonic() - started, sent_at)


def post_comment(session: requests.Session, base: str, round_id: int, post: Post, section: str):
    """The client's rule: a request without an answer, or with 502/503/504, is sent once more,
    with the same form data (the same idempotency key)."""
    if post.parent:
        url = f"{base}/rounds/{round_id}/comments/{post.parent}/reply/"
        data = {"body": post.token, "idempotency_key": post.key}
    else:
        url = f"{base}/rounds/{round_id}/comments/"
        data = {
            "body": post.token,
            "kind": "remark",
            "section_key": section,
            "idempotency_key": post.key,
        }
    for attempt in range(2):
        if attempt:
            time.sleep(0.3)
        post.attempts.append(send_post(session, url, data))
        status = post.attempts[-1].status
        if status is not None and status not in RETRY_STATUSES:
            return


# --- a live round page ------------------------------------------------------------------------


class LivePage(threading.Thread):
    """What static/js/round.js does: a websocket to /ws/rounds/<id>/ (through the balancer);
    on open, and on every event with a newer sequence number, it asks the round's events
    endpoint for what came after the last number it saw; when the socket closes it reconnects
    after 1 s, then 2, 4, … The comments it has seen are those in the threads it was sent."""

    def __init__(self, number: int, session: requests.Session, base: str, round_id: int):
        super().__init__(name=f"live-{number}", daemon=True)
        self.session, self.base, self.round_id = session, base, round_id
        self.ws_url = base.replace("http://", "ws://", 1) + f"/ws/rounds/{round_id}/"
        self.sequence = -1
        self.seen: set[int] = set()
        self.servers: list[str] = []  # the process of each connection, in order
        self.dropped_at: float | None = None
        self.reconnected_after: float | None = None  # from the drop to the new socket's hello
        self.caught_up_after: float | None = None  # from the drop to the first catch-up after
        self.errors: list[str] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.connected = threading.Event()

    def run(self) -> None:
        retry = 1.0
        while not self.stopping.is_set():
            try:
                self.listen()
                retry = 1.0
            except (WebSocketException, OSError, TimeoutError) as error:
                if self.stopping.is_set():
                    return
                if self.dropped_at is None and self.connected.is_set():
                    self.dropped_at = time.monotonic()
                self.errors.append(f"{type(error).__name__}: {error}")
            if self.stopping.wait(retry):
                return
            retry = min(retry * 2, 30.0)

    def listen(self) -> None:
        with websocket_connect(
            self.ws_url,
            origin=Origin(self.base),
            additional_headers={"Cookie": cookie_header(self.session)},
            proxy=None,
            open_timeout=5,
        ) as socket_:
            response = socket_.response
            server = response.headers.get("X-Samverka-Server", "") if response else ""
            hello = json.loads(socket_.recv(timeout=5))
            if hello.get("type") != "hello":
                raise OSError(f"no hello: {hello}")
            with self.lock:
                self.servers.append(server)
                if self.sequence < 0:
                    self.sequence = hello["sequence"]  # the page's number when it was rendered
                if self.dropped_at is not None and self.reconnected_after is None:
                    self.reconnected_after = time.monotonic() - self.dropped_at
            self.connected.set()
            self.catch_up()
            while not self.stopping.is_set():
                try:
                    message = json.loads(socket_.recv(timeout=0.5))
                except TimeoutError:
                    continue
                if message.get("type") == "event" and message["sequence"] > self.sequence:
                    self.catch_up()

    def catch_up(self) -> None:
        for attempt in range(3):  # round.js tries again at the next event; here there may be none
            try:
                answer = self.session.get(
                    f"{self.base}/rounds/{self.round_id}/events/",
                    params={"after": self.sequence},
                    timeout=TIMEOUT,
                )
                if answer.status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.5 * (attempt + 1))
        else:
            self.errors.append("catch-up failed 3 times")
            return
        data = answer.json()
        with self.lock:
            for thread in data["threads"]:
                self.seen.add(thread["id"])
                self.seen.update(int(pk) for pk in COMMENT_ID.findall(thread["html"]))
            self.sequence = max(self.sequence, data["sequence"])
            if self.dropped_at is not None and self.caught_up_after is None:
                self.caught_up_after = time.monotonic() - self.dropped_at


# --- the check --------------------------------------------------------------------------------


def fan_out(sessions: dict[str, requests.Session], url_of: dict[str, str], round_id: int):
    """A comment posted straight to one process reaches a socket held by the other: seconds
    from the POST's answer to the socket's event, per direction."""
    from consultations.models import Comment

    viewer, author = sessions[VIEWER], sessions["member@example.org"]
    figures = {}
    for post_to, listen_on in [("web_a", "web_b"), ("web_b", "web_a")]:
        listen_base = url_of[listen_on]
        with websocket_connect(
            listen_base.replace("http://", "ws://", 1) + f"/ws/rounds/{round_id}/",
            origin=Origin(listen_base),
            additional_headers={"Cookie": cookie_header(viewer)},
            proxy=None,
            open_timeout=5,
        ) as socket_:
            hello = json.loads(socket_.recv(timeout=5))
            token = f"Fan-out {post_to} -> {listen_on} {secrets.token_hex(4)}"
            with ThreadPoolExecutor(1) as pool:
                sent = time.monotonic()
                answer = pool.submit(
                    send_post,
                    author,
                    f"{url_of[post_to]}/rounds/{round_id}/comments/",
                    {"body": token, "kind": "remark", "section_key": ""},
                )
                event = json.loads(socket_.recv(timeout=10))
                took = time.monotonic() - sent
                if answer.result().status != 302:
                    raise RuntimeError(f"posting to {post_to} answered {answer.result()}")
        comment = Comment.objects.get(body=token)
        changes = viewer.get(
            f"{listen_base}/rounds/{round_id}/events/",
            params={"after": hello["sequence"]},
            timeout=TIMEOUT,
        ).json()
        shown = any(thread["id"] == comment.pk for thread in changes["threads"])
        if event.get("type") != "event" or event["sequence"] <= hello["sequence"] or not shown:
            raise RuntimeError(f"{listen_on} did not show the comment posted to {post_to}")
        figures[f"{post_to} -> {listen_on}"] = took
    return figures


def burst(
    deployment: Deployment,
    sessions: dict[str, requests.Session],
    base: str,
    round_id: int,
    parents: dict[str, list[int]],
    section: str,
    run_id: str,
):
    """BURST comments by four people at once through the balancer; web_a and worker_a are
    killed after KILL_AFTER answers. Returns the posts and the moment of the kill."""
    posts: dict[str, list[Post]] = {email: [] for email in POSTERS}
    parent_cycle = itertools.cycle([pk for email in PARENT_AUTHORS for pk in parents[email]])
    for number in range(BURST):
        author = POSTERS[number % len(POSTERS)]
        parent = next(parent_cycle) if author in REPLIERS else None
        token = f"Scale-out {run_id} #{number} by {author}"
        posts[author].append(Post(number, token, author, parent))
    answered = 0
    counter_lock = threading.Lock()
    kill_now = threading.Event()

    def poster(email: str) -> None:
        nonlocal answered
        for post in posts[email]:
            post_comment(sessions[email], base, round_id, post, section)
            with counter_lock:
                answered += 1
                if answered >= KILL_AFTER:
                    kill_now.set()
            time.sleep(0.05)

    threads = [threading.Thread(target=poster, args=(email,)) for email in POSTERS]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    kill_now.wait(timeout=120)
    killed_at = time.monotonic()
    deployment.kill("web_a")
    deployment.kill("worker_a")
    log(f"killed web_a and worker_a (SIGKILL) after {KILL_AFTER} answers")
    for thread in threads:
        thread.join(timeout=180)
    return [p for email in POSTERS for p in posts[email]], killed_at, time.monotonic() - started


@dataclass
class Verdict:
    lines: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def say(self, text: str) -> None:
        self.lines.append(text)

    def require(self, holds: bool, failure: str) -> None:
        if not holds:
            self.failures.append(failure)


def check(args: argparse.Namespace) -> int:
    database_url, redis_url = os.environ.get("DATABASE_URL", ""), args.redis_url
    if not database_url.startswith("postgres") or not redis_url:
        raise SystemExit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: see the docstring.")
    haproxy = shutil.which("haproxy")
    if haproxy is None:
        raise SystemExit("haproxy is not installed (apt-get install haproxy).")
    started = time.monotonic()
    run_id = secrets.token_hex(3)
    name = args.database or urlsplit(database_url).path.strip("/") + "_scaleout_check"
    logs = Path(tempfile.mkdtemp(prefix="samverka-scaleout-"))
    ports = {"balancer": free_port(), "web_a": free_port(), "web_b": free_port()}
    smtp_port = free_port()
    base = f"http://127.0.0.1:{ports['balancer']}"
    url_of = {
        "web_a": f"http://127.0.0.1:{ports['web_a']}",
        "web_b": f"http://127.0.0.1:{ports['web_b']}",
    }
    env = dict(
        os.environ,
        DATABASE_URL=with_db(database_url, name),
        REDIS_URL=redis_url,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",  # plain HTTP on loopback; TLS would end at the balancer
        SECURE_COOKIES="false",
        PROXY_COUNT="1",
        STATIC_ROOT=str(logs / "static"),
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
        SITE_URL=base,
        NOTIFICATION_EMAIL_LEASE_SECONDS=str(LEASE_SECONDS),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        SAMVERKA_BIND=f"127.0.0.1:{ports['balancer']}",
        WEB_A_PORT=str(ports["web_a"]),
        WEB_B_PORT=str(ports["web_b"]),
        BEAT_SCHEDULE=str(logs / "celerybeat-schedule"),
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    os.environ.update({k: v for k, v in env.items() if k not in {"PYTHONUNBUFFERED"}})
    os.environ["DJANGO_SETTINGS_MODULE"] = "workspace.settings"

    import psycopg
    import redis

    def admin_sql(sql: str) -> None:
        with psycopg.connect(with_db(database_url, "postgres"), autocommit=True) as connection:
            connection.execute(sql.encode())

    log(f"fresh database {name}; Redis {redis_url} (+1, +2) emptied; logs in {logs}")
    admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin_sql(f'CREATE DATABASE "{name}"')
    for offset in range(3):
        parts = urlsplit(redis_url)
        number = int(parts.path.strip("/") or 0) + offset
        redis.Redis.from_url(urlunsplit(parts._replace(path=f"/{number}"))).flushdb()

    deployment = Deployment(env=env, logs=logs)
    verdict = Verdict()
    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    sink = Sink(args.smtp_delay)
    smtp = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    pages: list[LivePage] = []
    ok = False
    setup_seconds = 0.0
    try:
        run_command(["migrate", "--noinput"], env, logs, "migrate")
        run_command(["seed_demo"], env, logs, "seed_demo")
        run_command(["collectstatic", "--noinput"], env, logs, "collectstatic")
        setup_seconds = time.monotonic() - started
        log(f"migrated, demo loaded, static files collected in {setup_seconds:.1f} s")

        import django

        django.setup()
        from consultations.models import Comment, ReviewRound
        from notifications.kinds import TEXTS, Channel, Kind
        from notifications.models import Notification
        from workspace.celery import app as celery_app

        lines = procfile()
        up_since = time.monotonic()
        for process in ["web_a", "web_b", "worker_a", "worker_b", "beat", "balancer"]:
            deployment.start(process, lines[process])
        health = browser()
        for process in ["web_a", "web_b"]:
            wait_for(
                lambda p=process: health.get(f"{url_of[p]}/healthz", timeout=2).status_code == 200,
                60,
                f"{process} to answer /healthz",
            )
        served = set()

        def both_behind_balancer() -> bool:
            deployment.check_alive("balancer")
            answer = health.get(f"{base}/healthz", timeout=2)
            served.add(answer.headers.get("X-Samverka-Server"))
            return answer.status_code == 200 and {"web_a", "web_b"} <= served

        wait_for(both_behind_balancer, 30, "the balancer to send to both processes", 0.05)
        workers = {"worker_a", "worker_b"}

        def workers_answer() -> bool:
            deployment.check_alive("worker_a", "worker_b", "beat")
            replies = celery_app.control.ping(timeout=1.0)
            return workers <= {next(iter(reply)).split("@")[0] for reply in replies}

        wait_for(workers_answer, 60, "both workers to answer a ping")
        log(f"balancer, 2 web processes, 2 workers, beat up in {time.monotonic() - up_since:.1f} s")
        balancer_log = logs / "balancer.log"
        balancer_log_from = balancer_log.stat().st_size

        review_round = ReviewRound.objects.get(status=ReviewRound.Status.OPEN)
        round_id = review_round.pk
        section = review_round.version.sections.order_by("position").values_list("key", flat=True)[
            0
        ]
        sessions = {email: log_in(base, email) for email in [*POSTERS, VIEWER]}
        # Replies are in the daily summary by default: the parent authors choose e-mail at once
        # for them, on their notification settings page.
        for email in PARENT_AUTHORS:
            choices = {f"kind-{kind}": texts.default for kind, texts in TEXTS.items()}
            choices[f"kind-{Kind.COMMENT_REPLY}"] = Channel.IMMEDIATE
            attempt = send_post(sessions[email], f"{base}/notifications/settings/", choices)
            if attempt.status != 302:
                raise RuntimeError(f"{email} could not choose e-mail at once: {attempt.status}")

        # 1. Across processes.
        fan = fan_out(sessions, url_of, round_id)
        verdict.say(
            "1. a comment posted to one process reached a socket held by the other: "
            + ", ".join(f"{way} in {seconds * 1000:.0f} ms" for way, seconds in fan.items())
            + " (from sending the POST to the socket's message)"
        )

        # The comments that the burst's replies answer (PARENTS, by the parent authors).
        parents: dict[str, list[int]] = {email: [] for email in PARENT_AUTHORS}
        for number in range(PARENTS):
            email = PARENT_AUTHORS[number % len(PARENT_AUTHORS)]
            token = f"Scale-out {run_id} parent {number}"
            parent = Post(-1, token, email, None)
            post_comment(sessions[email], base, round_id, parent, section)
            if not parent.accepted:
                raise RuntimeError(f"a parent comment was refused: {parent.attempts}")
            parents[email].append(Comment.objects.get(body=token).pk)
        first_burst_pk = max(pk for pks in parents.values() for pk in pks)

        # Live pages through the balancer, on both processes (round robin).
        for number in range(LIVE_PAGES * 2):
            on = Counter(server for page in pages for server in page.servers[:1])
            if len(pages) >= LIVE_PAGES and on["web_a"] and on["web_b"]:
                break
            page = LivePage(number, log_in(base, VIEWER), base, round_id)
            pages.append(page)
            page.start()
            if not page.connected.wait(10):
                raise RuntimeError(f"live page {number} did not connect: {page.errors}")
            # One request more, so that the next page lands on the other process (round robin).
            health.get(f"{base}/healthz", timeout=2)
        on_a = [page for page in pages if page.servers[0] == "web_a"]
        if not on_a:
            raise RuntimeError("no live page landed on web_a")

        # 2. The burst, and the kill.
        posts, killed_at, burst_seconds = burst(
            deployment, sessions, base, round_id, parents, section, run_id
        )
        stored = Counter(
            Comment.objects.filter(
                round_id=round_id, body__startswith=f"Scale-out {run_id} #"
            ).values_list("body", flat=True)
        )
        sent_twice = [p for p in posts if len(p.attempts) > 1]
        accepted = [p for p in posts if p.accepted]
        failed = [p for p in posts if not p.accepted]
        lost = [p for p in accepted if stored[p.token] == 0]
        duplicated = [p for p in posts if stored[p.token] > 1]
        sent_twice_stored_once = [p for p in sent_twice if stored[p.token] == 1]
        # Those the first POST had stored (the comment is older than the retry): the retry was
        # answered with it, by its key, instead of storing it again.
        created = dict(
            Comment.objects.filter(
                round_id=round_id, body__in=[p.token for p in sent_twice_stored_once]
            ).values_list("body", "created_at")
        )
        answered_by_key = [
            p
            for p in sent_twice_stored_once
            if created[p.token].timestamp() < p.attempts[1].sent_at
        ]
        answered_by = Counter(
            a.server for p in posts for a in p.attempts if a.status and a.status < 400
        )
        verdict.say(
            f"2. burst: {len(posts)} comments by {len(POSTERS)} people through the balancer in "
            f"{burst_seconds:.1f} s; web_a and worker_a killed (SIGKILL) after {KILL_AFTER} "
            "answers"
        )
        verdict.say(
            f"   answered 2xx/3xx: {len(accepted)} ({len([p for p in accepted if p in sent_twice])}"
            f" after one retry); sent twice: {len(sent_twice)}; failed twice: {len(failed)}; "
            f"answered by {dict(answered_by)}"
        )
        verdict.say(
            f"   comments stored: {sum(stored.values())} rows for {len(stored)} comments; lost: "
            f"{len(lost)}; stored twice: {len(duplicated)}; sent twice and stored once: "
            f"{len(sent_twice_stored_once)} of {len(sent_twice)} ({len(answered_by_key)} stored by "
            "the first POST, whose answer was lost: the retry answered by its key)"
        )
        verdict.require(not lost, f"{len(lost)} comments answered 2xx/3xx were not stored")
        verdict.require(
            not duplicated,
            f"{len(duplicated)} comments stored more than once (the retry's key did not find "
            f"the first post): {[p.token for p in duplicated][:5]}",
        )
        verdict.require(not failed, f"{len(failed)} comments failed even on the retry")

        # Live pages: every comment stored after the parents.
        burst_ids = set(
            Comment.objects.filter(round_id=round_id, pk__gt=first_burst_pk).values_list(
                "pk", flat=True
            )
        )

        def caught_up() -> bool:
            return all(burst_ids <= page.seen for page in pages)

        with contextlib.suppress(RuntimeError):
            wait_for(caught_up, 30, "the live pages to catch up")
        dropped = [page for page in pages if page.dropped_at is not None]
        missed = sum(len(burst_ids - page.seen) for page in pages)
        reconnect = [p.reconnected_after for p in dropped if p.reconnected_after is not None]
        catch = [p.caught_up_after for p in dropped if p.caught_up_after is not None]
        verdict.say(
            f"   live pages: {len(pages)} ({len(on_a)} on web_a, cut by the kill: {len(dropped)}); "
            f"reconnected to {sorted({p.servers[-1] for p in dropped})} in "
            f"{max(reconnect, default=0):.2f} s (slowest), caught up "
            f"{max(catch, default=0):.2f} s after the cut; comments missed: {missed}"
        )
        verdict.require(len(dropped) >= len(on_a), "a page on web_a was not cut by the kill")
        verdict.require(
            all(p.servers[-1] == "web_b" for p in dropped) and len(reconnect) == len(dropped),
            "a live page did not reconnect to web_b",
        )
        verdict.require(missed == 0, f"live pages missed {missed} comments")

        # Notifications: one in-app row per reply, and its e-mail once.
        replies = list(
            Comment.objects.filter(pk__in=burst_ids, parent__isnull=False).values_list(
                "pk", "author_id", "parent__author_id"
            )
        )
        expected = {str(pk) for pk, author, parent_author in replies if author != parent_author}
        rows = Notification.objects.filter(kind=Kind.COMMENT_REPLY, target_id__in=expected)
        per_reply = Counter(rows.values_list("target_id", flat=True))
        emailed = list(rows.filter(channel=Channel.IMMEDIATE).values_list("pk", flat=True))
        wanted = {f"<notification.{pk}@samverka>" for pk in emailed}

        def all_mailed() -> bool:
            unsent = Notification.objects.filter(pk__in=emailed, emailed_at__isnull=True)
            return not unsent.exists() and all(sink.copies(mid) for mid in wanted)

        mail_wait = 0.0
        with contextlib.suppress(RuntimeError):
            mail_wait = wait_for(all_mailed, args.mail_timeout, "every e-mail", 0.5)
        time.sleep(2)  # a late second send would arrive about now
        last_mail = max((sink.copies(mid)[-1] for mid in wanted if sink.copies(mid)), default=0)
        missing_mail = [mid for mid in wanted if not sink.copies(mid)]
        duplicates = sink.duplicates()
        # A message whose first copy began to come in before the kill was being sent by the
        # killed worker: the kill closes its connection at once, but the sink's event loop
        # notices only when it next reads, and may answer 250 to a client already gone (which
        # never recorded the send, so the sweep sends it again, with the same Message-ID).
        # Sent twice after the kill is a fault.
        crash_window = {
            mid: times
            for mid, times in duplicates.items()
            if len(times) == 2
            and sink.first_began(mid) <= killed_at + KILL_NOTICED_S
            and times[1] > killed_at
        }
        unexplained = {mid: t for mid, t in duplicates.items() if mid not in crash_window}
        verdict.say(
            f"   notifications: {len(rows)} in-app rows for {len(expected)} replies to others "
            f"(missing {len(expected - set(per_reply))}, duplicates "
            f"{sum(n - 1 for n in per_reply.values())}); e-mails: {len(wanted) - len(missing_mail)}"
            f" of {len(wanted)} at the sink, {sink.total()} messages in all, second sends "
            f"{sum(len(t) - 1 for t in duplicates.values())}"
            + (f" ({len(crash_window)} of a message taken before the kill)" if crash_window else "")
        )
        # Sent by the sweep: claimed more than once (the killed worker's claim expired), or sent
        # after the sweep's grace period (the killed worker had taken the task, not started it).
        grace = timedelta(seconds=30)
        swept = sum(
            1
            for attempts, created, mailed in Notification.objects.filter(
                pk__in=emailed
            ).values_list("email_attempts", "created_at", "emailed_at")
            if attempts > 1 or (mailed and mailed - created > grace)
        )
        verdict.say(f"   e-mails the beat's sweep sent after the kill: {swept}")
        verdict.say(
            f"   the last e-mail arrived {max(0.0, last_mail - killed_at):.1f} s after the kill "
            f"(the sink answers each after {args.smtp_delay:g} s; "
            f"waited {mail_wait:.1f} s after the live pages; a claim of the killed worker "
            f"expires after {LEASE_SECONDS} s, then the beat's sweep, every minute, hands it on)"
        )
        verdict.require(set(per_reply) == expected, "a reply has no in-app notification")
        verdict.require(all(n == 1 for n in per_reply.values()), "a reply notified twice in-app")
        verdict.require(not missing_mail, f"{len(missing_mail)} e-mails never reached the sink")
        verdict.require(
            not unexplained and len(crash_window) <= 2,
            f"e-mails sent twice: {sorted(unexplained or crash_window)}",
        )
        # The balancer: which processes it took out after the start, and whether it ever had none.
        balancer_says = balancer_log.read_bytes()[balancer_log_from:].decode(errors="replace")
        marked_down = Counter(
            re.findall(r"^\[WARNING\].*Server web/(\w+) is DOWN", balancer_says, re.MULTILINE)
        )
        no_server = balancer_says.count("<NOSRV>")
        verdict.say(
            f"   balancer: marked down {dict(marked_down) or 'none'}; answers without a process "
            f"(503): {no_server}"
        )
        verdict.require(
            set(marked_down) <= {"web_a"}, "the balancer took the surviving process (web_b) out"
        )
        verdict.require(no_server == 0, f"the balancer had no process for {no_server} requests")

        # 3. An answer lost for sure (the burst's kill loses one only now and then): a reply
        # whose answer the client throws away, sent again with the same form data.
        lost_answer = Post(-1, f"Scale-out {run_id} lost answer", REPLIERS[0], None)
        url = f"{base}/rounds/{round_id}/comments/{parents[PARENT_AUTHORS[0]][0]}/reply/"
        data = {"body": lost_answer.token, "idempotency_key": lost_answer.key}
        answers = [
            sessions[REPLIERS[0]].post(
                url,
                data={**data, "csrfmiddlewaretoken": sessions[REPLIERS[0]].cookies["csrftoken"]},
                allow_redirects=False,
                timeout=TIMEOUT,
            )
            for _ in range(2)
        ]
        resent = Comment.objects.filter(round_id=round_id, body=lost_answer.token)
        resent_ids = [str(pk) for pk in resent.values_list("pk", flat=True)]
        told = Notification.objects.filter(kind=Kind.COMMENT_REPLY, target_id__in=resent_ids)
        statuses = [a.status_code for a in answers]
        same = answers[0].headers.get("Location") == answers[1].headers.get("Location")
        verdict.say(
            f"3. a reply sent twice with the same key (the first answer thrown away): answered "
            f"{statuses}, {'the same' if same else 'different'} redirect; stored "
            f"{resent.count()} time(s), notified {told.count()} time(s)"
        )
        verdict.require(
            statuses == [302, 302] and same and resent.count() == 1 and told.count() == 1,
            "a reply sent again with its key was not answered with the first one, stored once",
        )
        ok = not verdict.failures
    finally:
        for page in pages:
            page.stopping.set()
        deployment.stop_all()
        smtp.stop()
        for page in pages:
            page.join(timeout=5)
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        if ok and not args.keep:
            admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            shutil.rmtree(logs, ignore_errors=True)
    print()
    print(
        f"Scale-out check: HAProxy ({haproxy}) in front of 2 uvicorn processes, 2 Celery "
        f"workers and 1 beat (deploy/Procfile), PostgreSQL {name}, Redis {redis_url}"
    )
    print(f"setup (fresh database, migrate, seed_demo, collectstatic): {setup_seconds:.1f} s")
    for line in verdict.lines:
        print(line)
    for failure in verdict.failures:
        print(f"FAIL: {failure}")
    if not ok:
        print(f"logs of every process: {logs}")
    print(f"scale-out check: {'pass' if ok else 'FAIL'} ({time.monotonic() - started:.0f} s)")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database", help="the database to create (<DATABASE_URL's>_scaleout_check)"
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL", ""), help="REDIS_URL unless given"
    )
    parser.add_argument(
        "--mail-timeout", type=float, default=100, help="seconds to wait for the e-mails (100)"
    )
    parser.add_argument(
        "--smtp-delay", type=float, default=0.2, help="seconds the sink takes per message (0.2)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database and the logs")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    return check(args)


if __name__ == "__main__":
    sys.exit(main())
