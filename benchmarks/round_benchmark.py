"""How fast the review-round page is served, and how fast a new comment reaches open pages.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/samverka_bench \\
    REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python -m benchmarks.round_benchmark [--workers 1,2] [--ws-clients 100,500] \\
        [--layer-socket-timeout 10 --layer-max-connections 1000] [--json]

Creates the database if it is missing, migrates it, and seeds (wiping what an earlier run left,
recognised by the prefix `roundbench`) one open round on a 60-section document of about 25,000
words: 500 comments (threads with replies, some longer than the page shows, quotes, change
proposals, comments on behalf of organisations, dispositions on some, a few removed), consulted
networks, organisations and people, some with a formal response. The seeding writes rows
directly (bulk_create); the services are not needed to build a page's worth of data.

Measured with the settings module `workspace.settings` as in production (DEBUG off; a random
SECRET_KEY; no HTTPS redirect, as the clients speak plain HTTP on loopback):

1. The round page, `GET /rounds/<id>/`, as the chair sees it, from a real ASGI server (uvicorn,
   started here as a subprocess, `--workers 1` and then `--workers 2`), with a session made
   for the chair: REQUESTS sequential requests after a warm-up (client-side wall time, a new
   connection per request), then CLIENTS threads doing CONCURRENT requests each at once. There
   is no page cache: every request reads and renders the page (the text, each section's count
   and the threads it opens with, `selectors.light_round_page`). With --write-every the clients
   run once more while this process adds a comment every WRITE_EVERY seconds through the
   service.
2. The same template rendered in this process with the view's own context (captured from
   `round_detail`) and the same request; only the context processors run (one query: the
   number of unread notifications on the bell). Also timed in this process, to explain the
   difference: the whole Django stack (test client), the view without rendering the page, and
   the page's reads.
3. Live updates: 100, then 500 websocket clients on `/ws/rounds/<id>/` (session cookie, Origin
   header), each waiting for its "hello". Then a new comment is posted through
   `consultations.services.comments.add_comment` in this process, and two times are taken until
   every client has the "event" message: from the COMMIT, when the comment exists (the push:
   `group_send` through the Redis channel layer, on this process's event loop, as it runs on the
   server's loop in production, and the fan-out in the server), and from the call (adding the
   whole service: the row lock on the round, the permission checks, the INSERTs of the comment,
   its history and the round event).
   Next to it, a raw `channel_layer.group_send("round.<id>", {...})` of the same message from
   this process to the same clients. Alternated, repeated WS_REPEAT times after a warm-up each.
   A client the server closes is counted and replaced before the next message. Also reported:
   the errors uvicorn logged, and how many channels were still in the round's group in Redis
   after every client had closed (the group key is then deleted).

--layer-socket-timeout and --layer-max-connections run the server with those options on the
channel layer's Redis connections (a settings module written to a temporary directory that
imports workspace.settings), to measure a proposed change to the settings without making it;
--server-args passes more arguments to uvicorn.

Targets: the first response at most 250 KB; the server's median at most 60 ms and its p99 at
4 concurrent clients at most 400 ms (one worker, no page cache; the in-memory render is printed
beside them); a comment reaching
the clients within 1.5x of the raw group_send (medians), timed from the commit that makes the
comment exist, as the raw message is timed from its send: both are then the same journey, and
the ratio is the cost of the live path (the push after the commit, the consumers) over the
channel layer's own. The time from the call is printed next to it: it adds storing the comment
(about 15 ms, the same for any number of clients), which a raw group_send does not do, so with
100 clients, whose fan-out takes about 20 ms, it is well over 1.5x. This is a script, not a
test: timings on shared machines are too noisy to fail a build on. It exits 0 whatever the
figures are (non-zero only if something could not be measured). Everything it created is
removed at the end unless --keep is given; the database itself is kept.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import math
import os
import random
import resource
import secrets
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/samverka_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"

PREFIX = "roundbench"  # every network, organisation, user and document made here carries it
EMAIL_DOMAIN = f"{PREFIX}.invalid"
SEED = 20251

COMMENTS = 500
TOP_LEVEL = 300  # the rest are replies
GENERAL_SHARE = 0.10  # top-level comments on the whole document
UNCOMMENTED_SECTIONS = 8  # sections nobody comments on (the coverage list)
QUOTE_SHARE = 0.35  # of the comments on a section
DISPOSITION_SHARE = 0.35  # of the top-level comments
DELETED = 3  # top-level comments removed by their author (with replies, so they stay)
ORGANISATIONS = 12
COMMENTERS = 24
PEOPLE_CONSULTED = 4

PAGE_BYTES_TARGET = 250_000  # the first response, at most 250 KB
SERVER_P50_TARGET_MS = 60.0  # one client, rendered without any page cache
CONCURRENT_P99_TARGET_MS = 400.0
PUSH_RATIO_TARGET = 1.5
RAW_SEQUENCE_BASE = 10**12  # raw group_send messages carry numbers no real event has

WAIT_SECONDS = 20.0


# --- environment and database -----------------------------------------------------------------


def configure_environment(conn_max_age: int | None) -> None:
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("REDIS_URL", DEFAULT_REDIS_URL)
    # As in production, except that the clients speak plain HTTP on loopback.
    os.environ["DEBUG"] = "false"
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ["SECURE_COOKIES"] = "false"
    os.environ["DJANGO_SETTINGS_MODULE"] = "workspace.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if conn_max_age is not None:
        os.environ["CONN_MAX_AGE"] = str(conn_max_age)
    if not os.environ["DATABASE_URL"].startswith(("postgres://", "postgresql://")):
        raise SystemExit("DATABASE_URL must point to PostgreSQL for this benchmark.")


def ensure_database(url: str) -> bool:
    """Create the database named in the URL if it does not exist; True if it was created."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            return False
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True


def raise_file_limit(wanted: int = 8192) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        new = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
        soft = new
    return soft


# --- statistics -------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    k = (len(ordered) - 1) * q
    low = math.floor(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def summary(values: Sequence[float]) -> dict:
    return {
        "n": len(values),
        "p50_ms": round(percentile(values, 0.50), 2),
        "p90_ms": round(percentile(values, 0.90), 2),
        "p99_ms": round(percentile(values, 0.99), 2),
        "mean_ms": round(statistics.fmean(values), 2),
        "min_ms": round(min(values), 2),
        "max_ms": round(max(values), 2),
    }


def timings(function: Callable[[], object], repeat: int, warmup: int = 2) -> list[float]:
    for _ in range(warmup):
        function()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        runs.append((time.perf_counter() - start) * 1000)
    return runs


# --- seeding ----------------------------------------------------------------------------------


def wipe() -> dict:
    """Remove everything an earlier run made (bottom-up: most foreign keys are PROTECT)."""
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.models import Session
    from django.db import transaction

    from consultations.models import (
        CarriedComment,
        Comment,
        Consultee,
        Disposition,
        Question,
        Response,
        ReviewRound,
        RoundEvent,
    )
    from documents.models import Document, Section, Version, VersionSection
    from networks.models import Affiliation, Membership, Network, Organisation

    user_model = get_user_model()
    removed = {}
    with transaction.atomic():
        networks = list(
            Network.objects.filter(name__startswith=PREFIX).values_list("pk", flat=True)
        )
        documents = list(Document.objects.filter(network__in=networks).values_list("pk", flat=True))
        rounds = list(
            ReviewRound.objects.filter(document__in=documents).values_list("pk", flat=True)
        )
        comments = list(Comment.objects.filter(round__in=rounds).values_list("pk", flat=True))
        consultees = list(Consultee.objects.filter(round__in=rounds).values_list("pk", flat=True))
        versions = list(Version.objects.filter(document__in=documents).values_list("pk", flat=True))
        sections = list(Section.objects.filter(document__in=documents).values_list("pk", flat=True))
        users = list(
            user_model.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").values_list(
                "pk", flat=True
            )
        )
        organisations = list(
            Organisation.objects.filter(name__startswith=PREFIX).values_list("pk", flat=True)
        )
        dispositions = list(
            Disposition.objects.filter(comment__in=comments).values_list("pk", flat=True)
        )
        questions = list(Question.objects.filter(round__in=rounds).values_list("pk", flat=True))
        responses = list(
            Response.objects.filter(consultee__in=consultees).values_list("pk", flat=True)
        )
        Disposition.objects.filter(pk__in=dispositions).delete()
        CarriedComment.objects.filter(comment__in=comments).delete()
        Comment.objects.filter(pk__in=comments).update(parent=None)
        removed["comments"] = Comment.objects.filter(pk__in=comments).delete()[0]
        RoundEvent.objects.filter(round__in=rounds).delete()
        Response.objects.filter(pk__in=responses).delete()
        Consultee.objects.filter(pk__in=consultees).delete()
        Question.objects.filter(pk__in=questions).delete()
        removed["rounds"] = ReviewRound.objects.filter(pk__in=rounds).delete()[0]
        VersionSection.objects.filter(version__in=versions).delete()
        Version.objects.filter(pk__in=versions).delete()
        Section.objects.filter(pk__in=sections).delete()
        Document.objects.filter(pk__in=documents).delete()
        Membership.objects.filter(user__in=users).delete()
        Membership.objects.filter(network__in=networks).delete()
        Affiliation.objects.filter(user__in=users).delete()
        Network.objects.filter(pk__in=networks, parent__isnull=False).delete()
        Network.objects.filter(pk__in=networks).delete()
        Organisation.objects.filter(pk__in=organisations).delete()
        # The history rows of the objects above (the services write some, e.g. add_comment).
        for model, ids in (
            (Comment, comments),
            (Disposition, dispositions),
            (Consultee, consultees),
            (Response, responses),
            (Question, questions),
            (ReviewRound, rounds),
            (Version, versions),
            (Section, sections),
            (Document, documents),
            (Network, networks),
            (Organisation, organisations),
        ):
            if ids:
                model.history.filter(id__in=ids).delete()
        sessions = (
            [
                s.pk
                for s in Session.objects.all()
                if str(s.get_decoded().get("_auth_user_id")) in {str(u) for u in users}
            ]
            if users
            else []
        )
        Session.objects.filter(pk__in=sessions).delete()
        user_model.objects.filter(pk__in=users).delete()
        removed["users"] = len(users)
    return removed


def _words(rng: random.Random, low: int, high: int) -> str:
    from benchmarks.diff_benchmark import sentence

    text = " ".join(sentence(rng) for _ in range(rng.randint(low, high)))
    return text


def seed() -> dict:
    """One open round with COMMENTS comments on a 60-section document; returns ids and counts."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from benchmarks.diff_benchmark import build_document, edit
    from consultations import anchoring
    from consultations.models import (
        Comment,
        Consultee,
        Disposition,
        Question,
        Response,
        ReviewRound,
    )
    from documents.models import Document, Section, Version, VersionSection, content_hash
    from networks.models import Affiliation, Membership, Network, Organisation, Role

    rng = random.Random(SEED)  # noqa: S311 - repeatable data, not a secret
    user_model = get_user_model()
    now = timezone.now()

    def person(name: str) -> object:
        return user_model(email=f"{name}@{EMAIL_DOMAIN}", full_name=name.replace("-", " ").title())

    with transaction.atomic():
        group = Network.objects.create(
            name=f"{PREFIX} Arbetsgruppen", kind=Network.Kind.WORKING_GROUP
        )
        writing = Network.objects.create(
            name=f"{PREFIX} Skrivargruppen", kind=Network.Kind.WRITING_GROUP, parent=group
        )
        managers = Network.objects.create(
            name=f"{PREFIX} Chefsnätverket", kind=Network.Kind.MANAGEMENT_GROUP
        )
        organisations = Organisation.objects.bulk_create(
            Organisation(name=f"{PREFIX} Kommun {n:02d}", kind=Organisation.Kind.MUNICIPALITY)
            for n in range(1, ORGANISATIONS + 1)
        )
        people = [person("anna-ordforande"), person("sara-skribent")]
        people += [person(f"deltagare-{n:02d}") for n in range(1, COMMENTERS + 1)]
        people += [person(f"expert-{n}") for n in range(1, PEOPLE_CONSULTED + 1)]
        for user in people:
            user.set_unusable_password()
        people = user_model.objects.bulk_create(people)
        chair, writer = people[0], people[1]
        commenters = people[2 : 2 + COMMENTERS]
        experts = people[2 + COMMENTERS :]
        memberships = [
            Membership(user=chair, network=group, role=Role.CHAIR),
            Membership(user=writer, network=writing, role=Role.WRITER),
        ]
        for n, user in enumerate(commenters):
            if n % 3 == 2:  # a third are in the management group, consulted as a network
                memberships.append(Membership(user=user, network=managers, role=Role.MEMBER))
            else:
                memberships.append(
                    Membership(
                        user=user,
                        network=group,
                        role=Role.MEMBER,
                        organisation=organisations[n % ORGANISATIONS],
                    )
                )
        Membership.objects.bulk_create(memberships)
        Affiliation.objects.bulk_create(
            Affiliation(user=commenters[n], organisation=organisations[n], can_approve=n % 2 == 0)
            for n in range(0, ORGANISATIONS, 3)
        )

        document = Document.objects.create(
            network=group,
            title=f"{PREFIX}: Regional strategi för föräldraskapsstöd",
            status=Document.Status.IN_CONSULTATION,
            created_by=writer,
        )
        text = build_document(random.Random(SEED))  # noqa: S311 - the diff benchmark's text
        sections = Section.objects.bulk_create(
            Section(document=document, heading=heading, body="\n\n".join(paragraphs), position=n)
            for n, (_key, heading, paragraphs) in enumerate(text, start=1)
        )
        version = Version(
            document=document,
            number=1,
            label="Remissversion",
            title=document.title,
            content_hash=content_hash(document.title, sections),
            created_by=writer,
            created_at=now - timedelta(days=6),
        )
        version.save()
        VersionSection.objects.bulk_create(
            VersionSection(
                version=version, key=s.key, heading=s.heading, body=s.body, position=s.position
            )
            for s in sections
        )
        review_round = ReviewRound.objects.create(
            document=document,
            version=version,
            title="Remiss: regional strategi för föräldraskapsstöd",
            instructions="Läs förslaget och lämna synpunkter per avsnitt.\n\n"
            "Varje organisation lämnar ett samlat remissvar.",
            status=ReviewRound.Status.OPEN,
            opens_at=now - timedelta(days=5),
            opened_at=now - timedelta(days=5),
            closes_at=now + timedelta(days=25),
            chair=chair,
        )
        Question.objects.bulk_create(
            Question(round=review_round, position=n, text=text)
            for n, text in enumerate(
                [
                    "Saknas något viktigt område i strategin?",
                    "Är målen möjliga att följa upp?",
                    "Hur vill er organisation bidra?",
                ],
                start=1,
            )
        )
        consultees = [Consultee(round=review_round, network=managers, added_by=chair)]
        consultees += [
            Consultee(round=review_round, organisation=o, added_by=chair) for o in organisations
        ]
        consultees += [Consultee(round=review_round, person=p, added_by=chair) for p in experts]
        for n, consultee in enumerate(consultees):
            consultee.status = ("submitted", "drafting", "invited", "invited", "declined")[n % 5]
        consultees = Consultee.objects.bulk_create(consultees)
        positions = [p for p, _label in Response.Position.choices]
        Response.objects.bulk_create(
            Response(
                consultee=c,
                position=positions[n % len(positions)] if c.status == "submitted" else "",
                summary=_words(rng, 2, 5),
                state="submitted" if c.status == "submitted" else "draft",
                submitted_at=now - timedelta(days=1) if c.status == "submitted" else None,
            )
            for n, c in enumerate(consultees)
            if c.status in ("submitted", "drafting")
        )

        # Comments: top-level ones first (their ids are needed for the replies), in time order.
        texts = {s.key: anchoring.normalise(anchoring.plain(s.body)) for s in sections}
        commented = [s.key for s in sections]
        rng.shuffle(commented)
        commented = commented[UNCOMMENTED_SECTIONS:]
        authors = commenters + experts + [writer]
        kinds = ["remark"] * 6 + ["question"] * 2 + ["proposal"] * 2
        clock = now - timedelta(days=5)
        step = timedelta(days=4.5) / COMMENTS
        top = []
        for n in range(TOP_LEVEL):
            author = rng.choice(authors)
            key = "" if rng.random() < GENERAL_SHARE else rng.choice(commented)
            kind = rng.choice(kinds)
            quote = None
            if key and (rng.random() < QUOTE_SHARE or kind == "proposal"):
                words = texts[key].split(" ")
                length = rng.randint(4, 14)
                first = rng.randrange(0, max(1, len(words) - length))
                start = len(" ".join(words[:first])) + (1 if first else 0)
                end = start + len(" ".join(words[first : first + length]))
                quote = anchoring.make_anchor(texts[key], start, end)
            proposed = ""
            if kind == "proposal":
                proposed = edit(rng, quote.exact) if quote else _words(rng, 1, 2)
            member = next(
                (m for m in memberships if m.user_id == author.pk and m.organisation_id), None
            )
            clock += step * rng.uniform(0.5, 1.2)
            top.append(
                Comment(
                    round=review_round,
                    version=version,
                    section_key=key,
                    quote_exact=quote.exact if quote else "",
                    quote_prefix=quote.prefix[:64] if quote else "",
                    quote_suffix=quote.suffix[:64] if quote else "",
                    kind=kind,
                    body=_words(rng, 1, 5),
                    proposed_text=proposed,
                    author=author,
                    on_behalf_of_id=member.organisation_id if member and n % 2 == 0 else None,
                    created_at=clock,
                )
            )
        top = Comment.objects.bulk_create(top)
        # Replies: most threads get none or a few; some get more than the page shows.
        weights = [8 if n % 25 == 0 else 1 for n in range(len(top))]
        replies = []
        last_reply = {}
        for _ in range(COMMENTS - TOP_LEVEL):
            parent = rng.choices(top, weights=weights)[0]
            after = max(last_reply.get(parent.pk, parent.created_at), parent.created_at)
            created = after + timedelta(minutes=rng.randint(5, 600))
            last_reply[parent.pk] = created
            replies.append(
                Comment(
                    round=review_round,
                    version=version,
                    section_key=parent.section_key,
                    body=_words(rng, 1, 3),
                    author=rng.choice([*authors, chair]),
                    parent=parent,
                    created_at=created,
                )
            )
        replies = Comment.objects.bulk_create(replies)
        with_replies = [c for c in top if c.pk in last_reply]
        removed = rng.sample(with_replies, DELETED)
        for comment in removed:
            comment.deleted_at = comment.created_at + timedelta(hours=2)
            comment.body = comment.proposed_text = ""
        Comment.objects.bulk_update(removed, ["deleted_at", "body", "proposed_text"])
        removed_ids = {c.pk for c in removed}
        answered = rng.sample(
            [c for c in top if c.pk not in removed_ids], round(DISPOSITION_SHARE * TOP_LEVEL)
        )
        outcomes = ["accepted", "partly", "rejected", "noted"]
        Disposition.objects.bulk_create(
            Disposition(
                comment=c,
                outcome=outcomes[n % 4],
                rationale=_words(rng, 1, 3),
                decided_by=writer,
                decided_at=now - timedelta(hours=n % 48),
                applied_in=version if n % 5 == 0 else None,
            )
            for n, c in enumerate(answered)
        )
    return {
        "round_id": review_round.pk,
        "chair_id": chair.pk,
        "sections": len(sections),
        "words": sum(len(s.heading.split()) + len(s.body.split()) for s in sections),
        "comments": len(top) + len(replies),
        "top_level": len(top),
        "replies": len(replies),
        "threads_with_hidden_replies": sum(
            1 for c in top if sum(1 for r in replies if r.parent_id == c.pk) > 5
        ),
        "quotes": sum(1 for c in top if c.quote_exact),
        "proposals": sum(1 for c in top if c.kind == "proposal"),
        "dispositions": len(answered),
        "removed": len(removed),
        "consultees": len(consultees),
    }


def make_session(user_id: int) -> str:
    """A logged-in session for the user, the way `django.contrib.auth.login` stores one."""
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore

    user = get_user_model().objects.get(pk=user_id)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


# --- in this process: the render with the data in memory, and where the time goes ------------


def in_process(round_id: int, user_id: int, session_key: str, repeat: int) -> dict:
    from unittest import mock

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.cache import cache
    from django.db import connection
    from django.http import HttpResponse
    from django.template.loader import render_to_string
    from django.test import Client, RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django.urls import resolve
    from django.utils import translation

    from consultations import selectors
    from consultations.views import rounds as views
    from documents.readability import lix_of_markdown
    from documents.selectors import version_sections
    from networks.registry import remember_for_this_request

    url = f"/rounds/{round_id}/"
    translation.activate(settings.LANGUAGE_CODE)
    user_model = get_user_model()

    def request_for(user):
        request = RequestFactory(HTTP_HOST="127.0.0.1").get(url)
        request.user = user
        request.session = SessionStore(session_key)  # the idle-timeout context processor reads it
        request.resolver_match = resolve(url)
        remember_for_this_request(user)  # as PermissionCacheMiddleware does for a GET
        return request

    # The whole Django stack in this process (sessions, middleware, view, template).
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key

    def full():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code} in this process")

    full_stack = timings(full, repeat)

    # The view without rendering: its queries and round_page, with the context captured.
    captured: dict = {}

    def capture(request, template_name, context=None, *args, **kwargs):
        captured.update(request=request, template=template_name, context=context)
        return HttpResponse(b"")

    view_runs, query_counts, query_ms = [], [], []
    with mock.patch.object(views, "render", capture):
        for n in range(repeat + 2):
            request = request_for(user_model.objects.get(pk=user_id))
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                views.round_detail(request, pk=round_id)
                elapsed = (time.perf_counter() - start) * 1000
            if n >= 2:
                view_runs.append(elapsed)
                query_counts.append(len(queries))
                query_ms.append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
    request, template, context = captured["request"], captured["template"], captured["context"]

    # The same template with the data already in memory: the page rendered with the view's own
    # context (its threads read once).
    review_round = selectors.get_round_for_user(request.user, round_id)

    def render_in_memory():
        return render_to_string(template, context, request=request)

    render_in_memory()
    with CaptureQueriesContext(connection) as render_queries:
        html = render_in_memory()
    in_memory = timings(render_in_memory, repeat)
    page = context["page"]

    # The parts of the page's reads.
    round_page = timings(lambda: selectors.light_round_page(review_round, request.user), repeat)
    sections_runs = timings(lambda: version_sections(review_round.version), repeat)
    bodies = [s.body for s in review_round.version.sections.all()]
    lix_runs = timings(lambda: [lix_of_markdown(b) for b in bodies], repeat)
    import hashlib

    keys = [f"md:v1:{hashlib.sha256(b.encode()).hexdigest()}" for b in bodies]
    cache_runs = timings(lambda: [cache.get(k) for k in keys], repeat)
    return {
        "in_memory_render": summary(in_memory),
        "queries_during_render": len(render_queries),
        "page_bytes": len(html.encode()),
        "threads_on_page": sum(len(s.threads) for s in page.sections) + len(page.general.threads),
        "full_stack_in_process": summary(full_stack),
        "view_without_render": summary(view_runs),
        "view_queries": max(query_counts),
        "view_query_ms_p50": round(statistics.median(query_ms), 2),
        "round_page": summary(round_page),
        "version_sections": summary(sections_runs),
        "lix_of_all_sections": summary(lix_runs),
        "markdown_cache_gets": summary(cache_runs),
    }


# --- the ASGI server --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# The proposed fix for the channel layer (--layer-socket-timeout, --layer-max-connections), as a
# settings module that the server subprocess imports from a temporary directory; nothing in the
# project is changed.
LAYER_SETTINGS = """from workspace.settings import *  # noqa: F403

CHANNEL_LAYERS["default"]["CONFIG"]["hosts"] = [  # noqa: F405
    {{"address": redis_db_url(REDIS_URL, 1), **{options!r}}}  # noqa: F405
]
"""


def layer_options(args) -> dict:
    options = {}
    if args.layer_socket_timeout is not False:
        options["socket_timeout"] = args.layer_socket_timeout
    if args.layer_max_connections is not None:
        options["max_connections"] = args.layer_max_connections
    return options


class Server:
    """uvicorn in a subprocess, with this process's environment. Counts the errors it logs."""

    def __init__(self, workers: int, args, env: dict | None = None):
        self.workers = workers
        self.env = env or {}
        self.port = free_port()
        self.log = Path(tempfile.mkstemp(prefix="round-benchmark-uvicorn-", suffix=".log")[1])
        self.process: subprocess.Popen | None = None
        self.layer_options = layer_options(args)  # empty: the project's settings as they are
        self.extra_args = shlex.split(args.server_args)
        self.settings_dir: tempfile.TemporaryDirectory | None = None
        self.errors: dict[str, int] = {}

    def __enter__(self):
        env = dict(os.environ, PYTHONUNBUFFERED="1", **self.env)
        if self.layer_options:
            self.settings_dir = tempfile.TemporaryDirectory(prefix="round-benchmark-settings-")
            module = Path(self.settings_dir.name) / "round_benchmark_settings.py"
            module.write_text(LAYER_SETTINGS.format(options=self.layer_options))
            env["DJANGO_SETTINGS_MODULE"] = "round_benchmark_settings"
            env["PYTHONPATH"] = os.pathsep.join(
                p for p in (self.settings_dir.name, env.get("PYTHONPATH", "")) if p
            )
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "workspace.asgi:application",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--workers",
                    str(self.workers),
                    "--no-access-log",
                    "--log-level",
                    "warning",
                    "--timeout-graceful-shutdown",
                    "5",
                    *self.extra_args,
                ],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"uvicorn exited ({self.process.returncode}); see {self.log}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"uvicorn did not listen in 60 s; see {self.log}") from None
                time.sleep(0.1)
        return self

    def __exit__(self, *exc):
        process = self.process
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # its own session: only what it started
                process.wait(timeout=5)
        if self.settings_dir is not None:
            self.settings_dir.cleanup()
        text = self.log.read_text(errors="replace")
        for label, needle in (
            ("exceptions_in_asgi_application", "Exception in ASGI application"),
            ("redis_read_timeouts", "Timeout reading from"),
        ):
            if text.count(needle):
                self.errors[label] = text.count(needle)
        if self.errors:
            self.errors["log"] = str(self.log)
        elif not exc[0]:
            self.log.unlink(missing_ok=True)


def fetch(port: int, path: str, cookie: str) -> tuple[float, int]:
    """One GET on a new connection, accepting gzip as browsers do; (milliseconds until the whole
    body is read, the body's size as sent)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        start = time.perf_counter()
        connection.request(
            "GET",
            path,
            headers={"Cookie": cookie, "Accept": "text/html", "Accept-Encoding": "gzip"},
        )
        response = connection.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - start) * 1000
    finally:
        connection.close()
    if response.status != 200:
        raise RuntimeError(f"GET {path} answered {response.status}: {body[:300]!r}")
    return elapsed, len(body)


def http_phase(workers: int, data: dict, session_key: str, args) -> dict:
    """The round page served by uvicorn, rendered on every request (there is no page cache):
    sequential requests, then the clients at once; with --write-every, the clients again while
    a comment is added every so many seconds."""
    from django.conf import settings

    path = f"/rounds/{data['round_id']}/"
    cookie = f"{settings.SESSION_COOKIE_NAME}={session_key}"
    with Server(workers, args) as server:
        # Warm-up: compiled templates, the Markdown cache, every worker (concurrent requests
        # reach idle workers first).
        for _ in range(5):
            fetch(server.port, path, cookie)
        _concurrent(server.port, path, cookie, clients=max(workers, 2) * 2, each=3)
        sequential = [fetch(server.port, path, cookie) for _ in range(args.requests)]
        latencies, wall = _concurrent(server.port, path, cookie, args.clients, args.concurrent)
        phase = {
            "workers": workers,
            "page_bytes": sequential[-1][1],
            "sequential": summary([ms for ms, _size in sequential]),
            "concurrent_clients": args.clients,
            "concurrent": summary(latencies),
            "throughput_per_s": round(len(latencies) / wall, 2),
        }
        if args.write_every:
            with Writer(data["round_id"], data["chair_id"], args.write_every) as writer:
                latencies, wall = _concurrent(
                    server.port, path, cookie, args.clients, args.concurrent
                )
            phase["with_writer"] = {
                "comments_added": writer.added,
                "every_s": args.write_every,
                "concurrent": summary(latencies),
                "throughput_per_s": round(len(latencies) / wall, 2),
            }
    phase["server_errors"] = server.errors
    return phase


class Writer:
    """A comment every `every` seconds, through the service, from a thread of this process."""

    def __init__(self, round_id: int, user_id: int, every: float):
        self.round_id, self.user_id, self.every = round_id, user_id, every
        self.added = 0
        self.stop = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db import connection

        from consultations.models import ReviewRound
        from consultations.services import comments as comment_services

        try:
            user = get_user_model().objects.get(pk=self.user_id)
            while not self.stop.wait(self.every):
                comment_services.add_comment(
                    ReviewRound.objects.get(pk=self.round_id),
                    by_user=user,
                    body=f"Synpunkt under mätningen, nummer {self.added + 1}.",
                )
                self.added += 1
        except BaseException as error:  # noqa: BLE001 - raised in the main thread
            self.error = error
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        if self.error is not None:
            raise RuntimeError(f"the writer failed: {self.error!r}") from self.error


def _concurrent(port: int, path: str, cookie: str, clients: int, each: int):
    latencies: list[float] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients)

    def client():
        try:
            barrier.wait()
            for _ in range(each):
                elapsed, _size = fetch(port, path, cookie)
                with lock:
                    latencies.append(elapsed)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    if errors:
        raise RuntimeError(f"a concurrent client failed: {errors[0]}") from errors[0]
    return latencies, wall


# --- websockets -------------------------------------------------------------------------------


class Expected:
    """Arrivals of one message (by sequence number) at the clients open when it was sent."""

    def __init__(self, members: set[int]):
        self.members = set(members)
        self.sent_to = len(self.members)
        self.arrived: set[int] = set()
        self.last = 0.0
        self.done = asyncio.Event()
        self._check()

    def arrive(self, client: int, at: float) -> None:
        if client in self.members and client not in self.arrived:
            self.arrived.add(client)
            self.last = max(self.last, at)
            self._check()

    def lost(self, client: int) -> None:
        """The client's connection closed before the message reached it."""
        if client not in self.arrived:
            self.members.discard(client)
            self._check()

    def _check(self) -> None:
        if self.arrived >= self.members:
            self.done.set()


class Fleet:
    """Websocket clients on one round page, each reading in its own task. A client that the
    server closes is counted and replaced before the next message, as the page's script does."""

    def __init__(self, port: int, round_id: int, session_key: str, cookie_name: str):
        self.uri = f"ws://127.0.0.1:{port}/ws/rounds/{round_id}/"
        self.origin = f"http://127.0.0.1:{port}"
        self.cookie = f"{cookie_name}={session_key}"
        self.clients: dict[int, object] = {}
        self.readers: list[asyncio.Task] = []
        self.expected: dict[int, Expected] = {}
        self.next_id = 0
        self.closing = False
        self.server_closes: dict[str, int] = {}

    async def fill(self, count: int, parallel: int = 20) -> float:
        """Open clients until `count` are connected (each has had its "hello")."""
        from websockets.asyncio.client import connect

        semaphore = asyncio.Semaphore(parallel)

        async def one():
            async with semaphore:
                websocket = await connect(
                    self.uri,
                    origin=self.origin,
                    additional_headers={"Cookie": self.cookie},
                    proxy=None,
                    open_timeout=60,
                    max_queue=None,
                )
                hello = json.loads(await asyncio.wait_for(websocket.recv(), 60))
                if hello.get("type") != "hello":
                    raise RuntimeError(f"expected a hello, got {hello}")
                client = self.next_id
                self.next_id += 1
                self.clients[client] = websocket
                self.readers.append(asyncio.create_task(self._read(client, websocket)))

        start = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(count - len(self.clients))))
        return time.perf_counter() - start

    async def _read(self, client: int, websocket) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            async for raw in websocket:
                at = time.perf_counter()
                message = json.loads(raw)
                if message.get("type") == "event":
                    expected = self.expected.get(message["sequence"])
                    if expected is not None:
                        expected.arrive(client, at)
        except ConnectionClosed:
            pass
        finally:
            self.clients.pop(client, None)
            if not self.closing:
                code = str(websocket.close_code)
                self.server_closes[code] = self.server_closes.get(code, 0) + 1
                for expected in self.expected.values():
                    expected.lost(client)

    def expect(self, sequence: int) -> Expected:
        expected = Expected(set(self.clients))
        self.expected[sequence] = expected
        return expected

    async def close(self) -> None:
        self.closing = True
        await asyncio.gather(
            *(websocket.close() for websocket in list(self.clients.values())),
            return_exceptions=True,
        )
        await asyncio.gather(*self.readers, return_exceptions=True)


async def websocket_phase(port: int, round_id: int, user_id: int, session_key: str, args) -> dict:
    from asgiref.sync import sync_to_async
    from channels.layers import get_channel_layer
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connections

    from consultations import live
    from consultations.models import ReviewRound
    from consultations.services.comments import add_comment

    layer = get_channel_layer()
    group = live.group_name(round_id)
    fleet = Fleet(port, round_id, session_key, settings.SESSION_COOKIE_NAME)
    rng = random.Random(SEED + 1)  # noqa: S311

    # When the push starts (after the COMMIT): live.record schedules `push(event)` by name.
    pushed: dict = {}
    original_push = live.push

    def timed_push(event):
        pushed["at"] = time.perf_counter()
        return original_push(event)

    live.push = timed_push
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
            body=f"Ny synpunkt {n} från mätningen: {rng.random():.6f}",
            section_key=rng.choice(state["keys"]),
        )

    async def delivered(expected: Expected) -> None:
        await asyncio.wait_for(expected.done.wait(), WAIT_SECONDS)
        if not expected.arrived:
            raise RuntimeError("no client received the message")

    rows = []
    counter = 0
    try:
        await sync_to_async(prepare)()
        for count in args.ws_clients:
            connect_seconds = await fleet.fill(count)
            comment_runs, push_runs, call_runs, raw_runs, send_runs = [], [], [], [], []
            short = 0  # messages that reached fewer clients than were open when it was sent
            for trial in range(args.ws_repeat + 1):  # the first of each kind is a warm-up
                for kind in ("comment", "raw"):
                    await fleet.fill(count)  # replace clients the server dropped
                    counter += 1
                    if kind == "comment":
                        expected = fleet.expect(await sync_to_async(sequence_now)() + 1)
                        pushed.clear()
                        start = time.perf_counter()
                        await sync_to_async(post)(counter)
                        returned = time.perf_counter()
                        await delivered(expected)
                        if trial:
                            comment_runs.append((expected.last - start) * 1000)
                            push_runs.append((expected.last - pushed["at"]) * 1000)
                            call_runs.append((returned - start) * 1000)
                    else:
                        sequence = RAW_SEQUENCE_BASE + counter
                        expected = fleet.expect(sequence)
                        message = {"type": "round.event", "sequence": sequence, "kind": "comment"}
                        message["comment"] = None
                        start = time.perf_counter()
                        await layer.group_send(group, message)
                        sent = time.perf_counter()
                        await delivered(expected)
                        if trial:
                            raw_runs.append((expected.last - start) * 1000)
                            send_runs.append((sent - start) * 1000)
                    short += len(expected.arrived) < expected.sent_to
                    await asyncio.sleep(0.05)
            comment = statistics.median(comment_runs)
            raw = statistics.median(raw_runs)
            rows.append(
                {
                    "clients": count,
                    "connect_s": round(connect_seconds, 2),
                    "comment_from_call_ms": summary(comment_runs),
                    "comment_from_push_ms": summary(push_runs),
                    "add_comment_call_ms": summary(call_runs),
                    "raw_group_send_ms": summary(raw_runs),
                    "raw_group_send_call_ms": summary(send_runs),
                    "ratio": round(comment / raw, 2),
                    "ratio_from_push": round(statistics.median(push_runs) / raw, 2),
                    "delivery_passed": statistics.median(push_runs) / raw <= PUSH_RATIO_TARGET,
                    "messages_short_of_clients": short,
                }
            )
    finally:
        live.push = original_push
        await fleet.close()
        await sync_to_async(connections.close_all)()
        # Every consumer leaves the group when its websocket closes; what is left in Redis after
        # the server has had time for that are members it failed to remove. Then the group goes
        # (it is this run's round, which is removed too).
        stale = None
        key = f"{layer.prefix}:group:{group}"
        redis = getattr(layer, "connection", None)
        if redis is not None:
            redis = layer.connection(layer.consistent_hash(group))
            await asyncio.sleep(2)
            stale = await redis.zcard(key)
            await redis.delete(key)
        close_pools = getattr(layer, "close_pools", None)
        if close_pools is not None:
            await close_pools()
    return {
        "rows": rows,
        "server_closed_clients": fleet.server_closes,
        "stale_group_members": stale,
    }


# --- the run ----------------------------------------------------------------------------------


def run(args) -> dict:
    import django

    configure_environment(args.conn_max_age)
    created = ensure_database(os.environ["DATABASE_URL"])
    files = raise_file_limit(max(4096, 4 * max(args.ws_clients, default=0) + 512))
    django.setup()

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0, interactive=False)
    wipe()
    start = time.perf_counter()
    data = seed()
    data["seed_s"] = round(time.perf_counter() - start, 2)
    session_key = make_session(data["chair_id"])
    results = {
        "database": settings.DATABASES["default"]["NAME"],
        "database_created": created,
        "conn_max_age": settings.DATABASES["default"]["CONN_MAX_AGE"],
        "debug": settings.DEBUG,
        "channel_layer_options": layer_options(args) or "as configured",
        "server_args": args.server_args,
        "cpus": os.cpu_count(),
        "open_files_limit": files,
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        "data": data,
        "targets": {
            "page_bytes": PAGE_BYTES_TARGET,
            "server_p50_ms": SERVER_P50_TARGET_MS,
            "concurrent_p99_ms": CONCURRENT_P99_TARGET_MS,
            "push_ratio": PUSH_RATIO_TARGET,
        },
        "errors": [],
    }
    try:
        results["in_process"] = in_process(
            data["round_id"], data["chair_id"], session_key, args.render_repeat
        )
        memory = results["in_process"]["in_memory_render"]["p50_ms"]
        results["http"] = []
        for workers in args.workers:
            try:
                phase = http_phase(workers, data, session_key, args)
            except Exception as error:  # noqa: BLE001 - reported, and the other phases run
                results["errors"].append(f"HTTP, --workers {workers}: {error!r}")
                continue
            phase["render_ratio"] = round(phase["sequential"]["p50_ms"] / memory, 2)
            phase["size_passed"] = phase["page_bytes"] <= PAGE_BYTES_TARGET
            phase["p50_passed"] = phase["sequential"]["p50_ms"] <= SERVER_P50_TARGET_MS
            for row in (phase, phase.get("with_writer", {})):
                if row:
                    row["concurrent_passed"] = (
                        row["concurrent"]["p99_ms"] <= CONCURRENT_P99_TARGET_MS
                    )
            results["http"].append(phase)
        if args.ws_clients:
            connections.close_all()  # the websocket phase uses the ORM from another thread
            results["websocket_workers"] = args.ws_workers
            server = Server(args.ws_workers, args)
            try:
                with server:
                    results["websocket"] = asyncio.run(
                        websocket_phase(
                            server.port, data["round_id"], data["chair_id"], session_key, args
                        )
                    )
            except Exception as error:  # noqa: BLE001 - reported with what the server logged
                results["errors"].append(f"websockets: {error!r}")
            results.setdefault("websocket", {})["server_errors"] = server.errors
    finally:
        connections.close_all()
        if not args.keep:
            wipe()
    results["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    return results


def print_table(results: dict) -> None:
    data, local = results["data"], results.get("in_process")
    print(
        f"Round page: {data['sections']} sections, {data['words']} words; {data['comments']} "
        f"comments ({data['top_level']} threads, {data['replies']} replies, "
        f"{data['threads_with_hidden_replies']} threads with hidden replies, {data['quotes']} "
        f"quotes, {data['proposals']} proposals, {data['dispositions']} dispositions, "
        f"{data['removed']} removed); {data['consultees']} consulted parties. "
        f"Seeded in {data['seed_s']} s."
    )
    print(
        f"PostgreSQL database {results['database']}, DEBUG={results['debug']}, CONN_MAX_AGE="
        f"{results['conn_max_age']}, channel layer: {results['channel_layer_options']}, "
        f"extra uvicorn arguments: {results['server_args'] or 'none'};\n{results['cpus']} CPUs "
        "(load average "
        f"{results['load_average_before'][0]:g} before, {results['load_average_after'][0]:g} "
        "after); viewer: the round's chair."
    )
    if local:
        print()
        size = f"page of {local['page_bytes'] / 1024:.0f} KiB"
        print(f"In this process, {size} (ms)    p50      p90      p99")
        rows = [
            ("render, data in memory", local["in_memory_render"]),
            ("whole Django stack", local["full_stack_in_process"]),
            ("view without rendering", local["view_without_render"]),
            ("  selectors.light_round_page", local["round_page"]),
            ("    version_sections", local["version_sections"]),
            ("      LIX of all 60 sections", local["lix_of_all_sections"]),
            ("      60 Markdown cache gets", local["markdown_cache_gets"]),
        ]
        for label, row in rows:
            print(f"{label:<36} {row['p50_ms']:>8.1f} {row['p90_ms']:>8.1f} {row['p99_ms']:>8.1f}")
        print(
            f"The view runs {local['view_queries']} queries ({local['view_query_ms_p50']:.1f} ms "
            f"in the database); the in-memory render runs {local['queries_during_render']} "
            "(context processors)."
        )
    if results.get("http"):
        print()
        print(
            "Served by uvicorn (ms)                 p50      p90      p99     mean   ratio   target"
        )
        for phase in results["http"]:
            seq, con = phase["sequential"], phase["concurrent"]
            name = f"--workers {phase['workers']}, rendered each time"
            ratio = (
                f"{phase['render_ratio']:>6.2f}x   "
                f"{'pass' if phase['p50_passed'] else 'FAIL'} (p50 ≤ {SERVER_P50_TARGET_MS:g} ms)"
            )
            print(name)
            print(
                f"  1 client {seq['p50_ms']:>27.1f} {seq['p90_ms']:>8.1f} {seq['p99_ms']:>8.1f} "
                f"{seq['mean_ms']:>8.1f} {ratio}"
            )
            rows = [(f"  {phase['concurrent_clients']} clients", phase)]
            if phase.get("with_writer"):
                writer = phase["with_writer"]
                rows.append(
                    (
                        f"  {phase['concurrent_clients']} clients, a comment every "
                        f"{writer['every_s']:g} s",
                        writer,
                    )
                )
            for label, row in rows:
                con = row["concurrent"]
                print(
                    f"{label:<28}{con['p50_ms']:>9.1f} {con['p90_ms']:>8.1f} "
                    f"{con['p99_ms']:>8.1f} {con['mean_ms']:>8.1f}          "
                    f"{'pass' if row['concurrent_passed'] else 'FAIL'} (p99 ≤ "
                    f"{CONCURRENT_P99_TARGET_MS:g} ms; {row['throughput_per_s']:.1f} pages/s)"
                )
        first = results["http"][0]
        print(
            f"(1 client: {first['sequential']['n']} requests; {first['concurrent_clients']} "
            f"clients: {first['concurrent']['n']} requests in all; {first['page_bytes'] / 1024:.0f}"
            " KiB each.)"
        )
        writers = [p["with_writer"] for p in results["http"] if p.get("with_writer")]
        if writers:
            print(
                "Comments added while the clients read: "
                + ", ".join(str(w["comments_added"]) for w in writers)
                + "."
            )
    ws = results.get("websocket") or {}
    if ws.get("rows"):
        print()
        print(
            f"Live update to every client (uvicorn --workers {results['websocket_workers']}; "
            "medians, ms)"
        )
        print(
            "clients  comment(call)  comment(push)  add_comment()  raw group_send"
            "   call/raw   push/raw  target"
        )
        for row in ws["rows"]:
            print(
                f"{row['clients']:>7}  {row['comment_from_call_ms']['p50_ms']:>13.1f}  "
                f"{row['comment_from_push_ms']['p50_ms']:>13.1f}  "
                f"{row['add_comment_call_ms']['p50_ms']:>13.1f}  "
                f"{row['raw_group_send_ms']['p50_ms']:>14.1f}  "
                f"{row['ratio']:>7.2f}x  {row['ratio_from_push']:>7.2f}x "
                f"{'pass' if row['delivery_passed'] else 'FAIL'} (≤ {PUSH_RATIO_TARGET:g}x)"
            )
        print(
            "comment(push): from the start of the push after the COMMIT (the comment exists) "
            "until the last client\nhas the event; the target compares it with the raw "
            "group_send (medians). comment(call): from calling\nadd_comment (row lock, "
            "permission checks, INSERTs, COMMIT, push); add_comment(): until the call "
            "returned.\n"
            f"{ws['rows'][0]['comment_from_call_ms']['n']} of each kind per row, alternated, "
            "after a warm-up."
        )
        for row in ws["rows"]:
            if row["messages_short_of_clients"]:
                print(
                    f"{row['clients']} clients: {row['messages_short_of_clients']} messages did "
                    "not reach every client open when they were sent (closed by the server "
                    "meanwhile)."
                )
    if ws.get("stale_group_members"):
        print(
            f"After every client had closed, {ws['stale_group_members']} channels were still "
            "members of the round's group in Redis (the server failed to remove them)."
        )
    if ws.get("server_closed_clients"):
        print(
            "Websockets closed by the server during the run (close code: count): "
            + ", ".join(f"{code}: {n}" for code, n in ws["server_closed_clients"].items())
        )
    for phase in results.get("http", []):
        if phase["server_errors"]:
            print(f"uvicorn --workers {phase['workers']} logged errors: {phase['server_errors']}")
    if ws.get("server_errors"):
        print(f"uvicorn (websockets) logged errors: {ws['server_errors']}")
    for error in results["errors"]:
        print(f"NOT MEASURED: {error}")


def targets() -> list:
    """For benchmarks.run_all, a short run: one server worker, 100 websocket clients, no
    comments written while the clients read."""
    from benchmarks.targets import Target

    args = argparse.Namespace(
        requests=20,
        clients=4,
        concurrent=25,
        workers=[1],
        write_every=0.0,
        render_repeat=15,
        ws_clients=[100],
        ws_repeat=8,
        ws_workers=1,
        conn_max_age=None,
        layer_socket_timeout=False,
        layer_max_connections=None,
        server_args="",
        keep=False,
        json=False,
    )
    results = run(args)
    load = results["load_average_before"][0]
    memory = results["in_process"]["in_memory_render"]["p50_ms"]
    data = results["data"]
    shown = results["in_process"]["threads_on_page"]
    data_line = f"{shown} of {data['top_level']} threads shown, {data['comments']} comments"
    lines = []
    for phase in results.get("http", []):
        seq, concurrent = phase["sequential"], phase["concurrent"]
        lines += [
            Target(
                "round page: first response size",
                f"{phase['page_bytes'] / 1000:.0f} KB sent, gzip ("
                f"{results['in_process']['page_bytes'] / 1000:.0f} KB of HTML; {data_line})",
                f"≤ {PAGE_BYTES_TARGET / 1000:g} KB",
                phase["size_passed"],
            ),
            Target(
                "round page: p50 without cache",
                f"{seq['p50_ms']:.1f} ms (in-memory render {memory:.1f} ms; load {load:g})",
                f"≤ {SERVER_P50_TARGET_MS:g} ms",
                phase["p50_passed"],
            ),
            Target(
                f"round page: p99 at {phase['concurrent_clients']} clients without cache",
                f"{concurrent['p99_ms']:.1f} ms (p50 {concurrent['p50_ms']:.1f} ms; load {load:g})",
                f"≤ {CONCURRENT_P99_TARGET_MS:g} ms",
                phase["concurrent_passed"],
            ),
        ]
    for row in (results.get("websocket") or {}).get("rows", []):
        lines.append(
            Target(
                f"round page: a comment reaching {row['clients']} websockets",
                f"{row['comment_from_push_ms']['p50_ms']:.1f} ms = {row['ratio_from_push']:.2f}x a "
                f"raw group_send ({row['raw_group_send_ms']['p50_ms']:.1f} ms; load {load:g})",
                f"≤ {PUSH_RATIO_TARGET:g}x",
                row["delivery_passed"],
            )
        )
    for error in results["errors"]:
        lines.append(Target("round page", f"not measured: {error}", "measured", False))
    return lines


def _timeout(text: str) -> float | None:
    return None if text.lower() == "none" else float(text)


def _int_list(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30, help="sequential requests (30)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients (4)")
    parser.add_argument(
        "--concurrent", type=int, default=50, help="requests per concurrent client (50)"
    )
    parser.add_argument(
        "--workers", type=_int_list, default=[1, 2], help="uvicorn workers to try (1,2)"
    )
    parser.add_argument(
        "--write-every",
        type=float,
        default=2.0,
        help="seconds between comments while the clients read (2; 0 to skip)",
    )
    parser.add_argument("--render-repeat", type=int, default=30, help="in-process runs (30)")
    parser.add_argument(
        "--ws-clients",
        type=_int_list,
        default=[100, 500],
        help="websocket clients, growing (100,500; empty to skip)",
    )
    parser.add_argument("--ws-repeat", type=int, default=15, help="pushes of each kind (15)")
    parser.add_argument("--ws-workers", type=int, default=1, help="uvicorn workers for it (1)")
    parser.add_argument(
        "--conn-max-age", type=int, default=None, help="CONN_MAX_AGE for both processes"
    )
    parser.add_argument(
        "--layer-socket-timeout",
        type=_timeout,
        default=False,
        metavar="SECONDS|none",
        help="run the server with this socket_timeout on the channel layer's Redis connections "
        "(the proposed fix; default: the project's settings as they are)",
    )
    parser.add_argument(
        "--layer-max-connections",
        type=int,
        default=None,
        help="run the server with this max_connections on the channel layer's Redis pool",
    )
    parser.add_argument(
        "--server-args",
        default="",
        help='more uvicorn arguments, e.g. "--ws-per-message-deflate false"',
    )
    parser.add_argument("--keep", action="store_true", help="keep the seeded round afterwards")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    results = run(args)
    if args.json:
        json.dump(results, sys.stdout, indent=2)
        print()
    else:
        print_table(results)
    return 1 if results["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
