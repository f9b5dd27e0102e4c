"""The national-scale data set: 21 counties' organisations, networks, people, documents, rounds,
a million comments and their history, for measuring pages against a national instance.

    python manage.py seed_national --yes [--scale 1.0] [--seed 15] [--force]

Rows are written with PostgreSQL's COPY (psycopg 3) with explicit ids, the identity sequences
reset afterwards; what can be derived from rows already written (round events, dispositions,
the simple-history rows) is written by INSERT … SELECT in the database. Deterministic: the
same scale and seed give the same data. It refuses a database that holds any person,
organisation or network unless --force is given, and does nothing without --yes.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Iterable, Sequence
from datetime import timedelta
from types import SimpleNamespace

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.urls import reverse
from django.utils import timezone

from consultations.models import (
    Comment,
    Consultee,
    Decision,
    Disposition,
    Question,
    Response,
    ReviewRound,
    RoundEvent,
    Signature,
    SignOff,
)
from documents.models import Document, Section, Version, VersionSection, content_hash
from networks.models import Affiliation, Membership, Network, Organisation, Role, User
from notifications.models import Notification

PASSWORD = "demo"  # every seeded person's password, as in the demo data
EMAIL_DOMAIN = "nationell.invalid"  # reserved: nothing is ever delivered there

# The full national size (scale 1.0).
FULL = {
    "people": 20_000,
    "networks": 400,
    "documents": 4_000,
    "rounds": 10_000,
    "comments": 1_000_000,
    "notifications": 200_000,
}
MINIMUM = {
    "people": 40,
    "networks": 5,
    "documents": 8,
    "rounds": 16,
    "comments": 400,
    "notifications": 100,
}
MUNICIPALITIES_PER_COUNTY = 14
CIVIL_SOCIETY_PER_COUNTY = 1
SECTIONS_PER_DOCUMENT = 10
REPLY_SHARE = 0.4
MEMBERSHIPS_PER_PERSON = 2.5

COUNTIES = [
    "Stockholm",
    "Uppsala",
    "Södermanland",
    "Östergötland",
    "Jönköping",
    "Kronoberg",
    "Kalmar",
    "Gotland",
    "Blekinge",
    "Skåne",
    "Halland",
    "Västra Götaland",
    "Värmland",
    "Örebro",
    "Västmanland",
    "Dalarna",
    "Gävleborg",
    "Västernorrland",
    "Jämtland",
    "Västerbotten",
    "Norrbotten",
]
GROUP_KINDS = [
    (Network.Kind.WORKING_GROUP, "Arbetsgrupp"),
    (Network.Kind.WRITING_GROUP, "Skrivargrupp"),
    (Network.Kind.MANAGEMENT_GROUP, "Chefsgrupp"),
    (Network.Kind.COUNCIL, "Samverkansråd"),
]
_FIRST_NAMES_TEXT = (
    "Anna Eva Maria Karin Sara Lena Kerstin Ingrid Emma Elin Johanna Linnea Ida Maja Erik "
    "Lars Karl Anders Johan Per Nils Jonas Mikael Olof Hassan Amir Leila Fatima Aino Sanna"
)
FIRST_NAMES = _FIRST_NAMES_TEXT.split()
_LAST_NAMES_TEXT = (
    "Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson Gustafsson "
    "Pettersson Jonsson Jansson Hansson Bengtsson Lindberg Lindqvist Berg Holm Ali Nyström "
    "Sandberg Ek Lund Mohammed Virtanen Sjöberg Forsberg Åberg Öberg"
)
LAST_NAMES = _LAST_NAMES_TEXT.split()
_WORDS_TEXT = (
    "föräldraskapsstöd familjecentral barn föräldrar kommunen regionen samverkan insatser "
    "universella riktade förebyggande stöd verksamheter målgrupper uppföljning kunskap "
    "utvärdering kompetens personal socialtjänst elevhälsa mödrahälsovård barnhälsovård "
    "tillgänglighet delaktighet jämlikhet likvärdigt hälsa trygghet långsiktigt ansvar "
    "organisation strategi handlingsplan aktiviteter resurser finansiering nätverk arbetet "
    "ska bör kan behöver utvecklas stärkas erbjudas samordnas i och för med av till som det "
    "att på om en ett alla varje inom mellan under genom efter"
)
WORDS = _WORDS_TEXT.split()
HEADINGS = [
    "Inledning",
    "Syfte och mål",
    "Bakgrund",
    "Målgrupper",
    "Universellt föräldraskapsstöd",
    "Riktat stöd",
    "Samverkan och ansvar",
    "Kompetens",
    "Uppföljning och utvärdering",
    "Finansiering",
    "Kommunikation",
    "Tidsplan",
]
DOCUMENT_TITLES = [
    "Regional strategi för föräldraskapsstöd",
    "Handlingsplan för familjecentraler",
    "Överenskommelse om samverkan kring barn och föräldrar",
    "Plan för riktat föräldraskapsstöd",
    "Uppföljning av föräldraskapsstödet",
]
KIND_OF_DOCUMENT = [
    Document.Kind.STRATEGY,
    Document.Kind.ACTION_PLAN,
    Document.Kind.AGREEMENT,
    Document.Kind.ACTION_PLAN,
    Document.Kind.OTHER,
]
RATIONALES = [
    "Vi har arbetat in synpunkten i avsnittet.",
    "Förslaget ligger utanför strategins avgränsning.",
    "Delvis beaktat: formuleringen är ändrad men målet kvarstår.",
    "Noterat inför nästa revidering.",
]


def scaled(name: str, scale: float) -> int:
    return max(MINIMUM[name], round(FULL[name] * scale))


def slug(text: str) -> str:
    table = str.maketrans("åäöéÅÄÖ ", "aaoeAAO-")
    return text.translate(table).lower()


class Timer:
    """Times each step; prints `name: rows rows in s`."""

    def __init__(self, out):
        self.out = out
        self.times: dict[str, tuple[int, float]] = {}
        self.started = time.monotonic()

    def step(self, name: str, rows: int, since: float) -> None:
        seconds = time.monotonic() - since
        self.times[name] = (rows, seconds)
        self.out.write(f"  {name:<28} {rows:>10,} rows {seconds:8.1f} s")


class Writer:
    """COPY into tables with explicit ids; remembers the models whose sequences need a reset."""

    def __init__(self, cursor):
        self.cursor = cursor
        self.models: list[type[models.Model]] = []
        self.first_ids: dict[type[models.Model], int] = {}

    def first_id(self, model: type[models.Model]) -> int:
        """The first id of the rows written here (remembered: their history rows follow)."""
        table = model._meta.db_table
        self.cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608
        first = self.cursor.fetchone()[0]
        self.first_ids.setdefault(model, first)
        return first

    def copy(self, model: type[models.Model], columns: Sequence[str], rows: Iterable) -> int:
        if model not in self.models:
            self.models.append(model)
        count = 0
        sql = f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN"
        with self.cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count

    def reset_sequences(self) -> None:
        for sql in connection.ops.sequence_reset_sql(no_style(), self.models):
            self.cursor.execute(sql)


# Models with history, and the columns that give a history row its date and person.
HISTORY: list[tuple[type[models.Model], str, str | None]] = [
    (User, "date_joined", None),
    (Organisation, "now()", None),
    (Network, "created_at", None),
    (Membership, "start_date::timestamptz", None),
    (Affiliation, "now()", None),
    (Document, "created_at", "created_by_id"),
    (Section, "updated_at", None),
    (Version, "created_at", "created_by_id"),
    (Question, "now()", None),
    (Consultee, "added_at", "added_by_id"),
    (Response, "updated_at", None),
    (Comment, "created_at", "author_id"),
    (Disposition, "decided_at", "decided_by_id"),
    (Decision, "recorded_at", "recorded_by_id"),
    (SignOff, "requested_at", "requested_by_id"),
]


def history_sql(
    model: type[models.Model],
    date: str,
    user: str | None,
    kind: str = "+",
    values: dict[str, str] | None = None,
    where: str = "TRUE",
) -> str:
    """History rows for the model's rows from the id given on (and matching `where`), written in
    the database: one each, at `date`, by `user`, with `values` instead of the row's own."""
    historical = model.history.model  # type: ignore[attr-defined]
    columns = [
        f.column for f in historical._meta.concrete_fields if not f.name.startswith("history_")
    ]
    values = values or {}
    listed = ", ".join(columns)
    selected = ", ".join(values.get(column, column) for column in columns)
    return (
        f"INSERT INTO {historical._meta.db_table} "  # noqa: S608 - the models' tables
        f"({listed}, history_date, history_type, history_user_id, history_change_reason) "
        f"SELECT {selected}, {date}, '{kind}', {user or 'NULL'}, NULL "
        f"FROM {model._meta.db_table} WHERE id >= %s AND {where}"
    )


# A round's history as the timeline reads it: created as planned, then opened by its chair,
# closed at the deadline by the scan (nobody), its report published by its chair.
ROUND_HISTORY = [
    (
        "created_at",
        "chair_id",
        "+",
        {"status": "'planned'", "opened_at": "NULL", "closed_at": "NULL", "reported_at": "NULL"},
        "TRUE",
    ),
    (
        "opened_at",
        "chair_id",
        "~",
        {"status": "'open'", "closed_at": "NULL", "reported_at": "NULL"},
        "opened_at IS NOT NULL",
    ),
    (
        "closed_at",
        None,
        "~",
        {"status": "'closed'", "reported_at": "NULL"},
        "closed_at IS NOT NULL",
    ),
    ("reported_at", "chair_id", "~", {}, "reported_at IS NOT NULL"),
]


class Command(BaseCommand):
    help = (
        "Seed the national-scale data set (21 counties; at --scale 1.0: 20,000 people, 400 "
        "networks, 4,000 documents, 10,000 rounds, 1,000,000 comments, 200,000 notifications) "
        "on PostgreSQL. Refuses a database with data in it unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="1.0: the national size")
        parser.add_argument("--seed", type=int, default=15, help="random seed (repeatable data)")
        parser.add_argument("--yes", action="store_true", help="really write the data")
        parser.add_argument(
            "--force", action="store_true", help="also on a database that has data in it"
        )
        parser.add_argument("--no-analyze", action="store_true", help="skip ANALYZE at the end")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("seed_national needs PostgreSQL (it writes with COPY).")
        scale = options["scale"]
        if not 0 < scale <= 10:
            raise CommandError("--scale must be above 0 and at most 10.")
        sizes = {name: scaled(name, scale) for name in FULL}
        seed = options["seed"]
        database = connection.settings_dict["NAME"]
        plan = ", ".join(f"{n:,} {name}" for name, n in sizes.items())
        if not options["yes"]:
            raise CommandError(
                f"This writes {plan} into the database {database!r}. Run again with --yes."
            )
        existing = User.objects.exists() or Organisation.objects.exists()
        if existing and not options["force"]:
            raise CommandError(
                f"The database {database!r} already has people or organisations in it: "
                "seed_national only fills an empty database (or give --force to add to it)."
            )
        if User.objects.filter(email__endswith="@" + EMAIL_DOMAIN).exists():
            raise CommandError(f"The national data set is already in {database!r}.")
        self.stdout.write(f"Seeding {database!r} at scale {scale}: {plan}")
        timer = Timer(self.stdout)
        with transaction.atomic(), connection.cursor() as cursor:
            writer = Writer(cursor)
            Seeder(writer, timer, random.Random(seed), sizes).run()  # noqa: S311
            since = time.monotonic()
            count = 0
            for model, date, user in HISTORY:
                cursor.execute(history_sql(model, date, user), [writer.first_ids[model]])
                count += cursor.rowcount
            for date, user, kind, values, where in ROUND_HISTORY:
                sql = history_sql(ReviewRound, date, user, kind, values, where)
                cursor.execute(sql, [writer.first_ids[ReviewRound]])
                count += cursor.rowcount
            timer.step("history rows", count, since)
            writer.reset_sequences()
            since = time.monotonic()  # the commit checks the deferred foreign keys
        timer.step("commit (foreign keys)", 0, since)
        if not options["no_analyze"]:
            since = time.monotonic()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            timer.step("ANALYZE", 0, since)
        total = time.monotonic() - timer.started
        self.stdout.write(f"Total: {total:.1f} s")
        record_seed(database, f"seed_national: {total:.0f} s at scale {scale:g} (seed {seed})")
        self.report_sizes(database)
        self.stdout.write(f"Samples (log in with the password {PASSWORD!r}):")
        for name, value in samples().items():
            self.stdout.write(f"  {name:<28} {value}")

    def report_sizes(self, database: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            self.stdout.write(f"Database {database!r} on disk: {cursor.fetchone()[0]}")
            cursor.execute(
                "SELECT relname, n_live_tup, pg_size_pretty(pg_total_relation_size(relid)) "
                "FROM pg_stat_user_tables ORDER BY pg_total_relation_size(relid) DESC LIMIT 15"
            )
            for name, rows, size in cursor.fetchall():
                self.stdout.write(f"  {name:<44} ~{rows:>10,} rows {size:>10}")


def record_seed(database: str, text: str) -> None:
    """What was seeded and how long it took, kept as the database's comment (a benchmark
    reports it: seed_record()), with the day it was written."""
    text = f"{text}, {timezone.now():%Y-%m-%d %H:%M} UTC"
    with connection.cursor() as cursor:
        # Composed here: a utility statement takes no bound parameters (prepared statements).
        comment = f"COMMENT ON DATABASE {connection.ops.quote_name(database)} IS %s"
        cursor.execute(connection.ops.compose_sql(comment, [text]))


def seed_record() -> str:
    """The comment record_seed left on this database ('' if none)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
            "WHERE datname = current_database()"
        )
        return cursor.fetchone()[0] or ""


def is_seeded() -> bool:
    """Whether the national data set is in the database (a benchmark seeds only when not)."""
    return User.objects.filter(email__endswith="@" + EMAIL_DOMAIN).exists()


def samples() -> dict[str, object]:
    """Representative records of a seeded database, for benchmarks and by-hand checks: the open
    round with the most comments, its chair (who also chairs the document's network) and a
    member of that network who runs nothing (a member, writer or signatory), the document with
    the most versions, and the person with the most notifications. Ids and e-mail addresses; a
    few queries (under a second on the full size)."""
    from django.db.models import Count

    busiest = (
        ReviewRound.objects.filter(status=ReviewRound.Status.OPEN)
        .annotate(n=Count("comments"))
        .order_by("-n", "id")
        .select_related("chair", "document")
        .first()
    )
    if busiest is None:
        return {}
    member = (
        Membership.objects.active()
        .filter(network_id=busiest.document.network_id)
        .exclude(role__in=[Role.CHAIR, Role.COORDINATOR, Role.OBSERVER])
        .select_related("user")
        .order_by("id")
        .first()
    )
    longest = Document.objects.annotate(n=Count("versions")).order_by("-n", "id").first()
    reader = (
        Notification.objects.values("recipient_id", "recipient__email")
        .annotate(n=Count("id"))
        .order_by("-n", "recipient_id")
        .first()
    )
    return {
        "round": busiest.pk,
        "round comments": busiest.n,  # type: ignore[attr-defined]
        "document of the round": busiest.document_id,
        "network of the document": busiest.document.network_id,
        "chair": busiest.chair.email,
        "member": member.user.email if member else "",
        "document with most versions": longest.pk if longest else "",
        "most notified": reader["recipient__email"] if reader else "",
    }


class Seeder:
    def __init__(self, writer: Writer, timer: Timer, rng: random.Random, sizes: dict[str, int]):
        self.w = writer
        self.timer = timer
        self.rng = rng
        self.sizes = sizes
        self.now = timezone.now().replace(microsecond=0)
        self.paragraphs = [self.text(40, 90) for _ in range(400)]
        self.comment_texts = [self.text(8, 60) for _ in range(600)]

    def text(self, low: int, high: int) -> str:
        words = [self.rng.choice(WORDS) for _ in range(self.rng.randint(low, high))]
        sentences, start = [], 0
        while start < len(words):
            end = start + self.rng.randint(6, 16)
            sentence = " ".join(words[start:end])
            sentences.append(sentence[0].upper() + sentence[1:] + ".")
            start = end
        return " ".join(sentences)

    def timed(self, name: str, model, columns, rows) -> int:
        since = time.monotonic()
        count = self.w.copy(model, columns, rows)
        self.timer.step(name, count, since)
        return count

    def run(self) -> None:
        self.organisations()
        self.networks()
        self.people()
        self.documents()
        self.rounds()
        self.comments()
        self.derived()
        self.decisions()
        self.notifications()

    # --- organisations, networks, people -------------------------------------------------------

    def organisations(self) -> None:
        next_id = self.w.first_id(Organisation)
        self.county_orgs: list[dict[str, list[int]]] = []
        rows = []
        for county in COUNTIES:
            orgs: dict[str, list[int]] = {"municipality": [], "other": []}
            names = [(f"Region {county}", Organisation.Kind.REGION, "other")]
            names.append((f"Länsstyrelsen {county}", Organisation.Kind.COUNTY_BOARD, "other"))
            names += [
                (f"{county} kommun {m:02d}", Organisation.Kind.MUNICIPALITY, "municipality")
                for m in range(1, MUNICIPALITIES_PER_COUNTY + 1)
            ]
            names += [
                (f"Föreningen Föräldrastöd {county} {n}", Organisation.Kind.CIVIL_SOCIETY, "other")
                for n in range(1, CIVIL_SOCIETY_PER_COUNTY + 1)
            ]
            for name, kind, group in names:
                rows.append(
                    (
                        next_id,
                        name,
                        kind,
                        "",
                        f"registrator@{slug(name)}.{EMAIL_DOMAIN}",
                        "",
                        "",
                        "",
                    )
                )
                orgs[group].append(next_id)
                next_id += 1
            self.county_orgs.append(orgs)
        columns = [
            "id",
            "name",
            "kind",
            "organisation_number",
            "registry_email",
            "contact_name",
            "contact_email",
            "contact_phone",
        ]
        self.timed("organisations", Organisation, columns, rows)

    def networks(self) -> None:
        total = self.sizes["networks"]
        self.counties = max(1, min(len(COUNTIES), total // 19))
        next_id = self.w.first_id(Network)
        rows = []
        self.county_networks: list[list[int]] = [[] for _ in range(self.counties)]
        self.network_kind: dict[int, str] = {}
        self.network_county: dict[int, int] = {}
        parents = {}
        for county in range(self.counties):
            name = f"Föräldraskapsstöd {COUNTIES[county]}"
            rows.append((next_id, name, Network.Kind.NETWORK, "", None, False, self.now))
            parents[county] = next_id
            self.county_networks[county].append(next_id)
            self.network_kind[next_id] = Network.Kind.NETWORK
            self.network_county[next_id] = county
            next_id += 1
        for n in range(total - self.counties):
            county = n % self.counties
            kind, label = GROUP_KINDS[(n // self.counties) % len(GROUP_KINDS)]
            name = f"{label} {n // self.counties + 1}, {COUNTIES[county]}"
            created = self.now - timedelta(days=700 + n % 60)
            rows.append((next_id, name, kind, "", parents[county], False, created))
            self.county_networks[county].append(next_id)
            self.network_kind[next_id] = kind
            self.network_county[next_id] = county
            next_id += 1
        columns = ["id", "name", "kind", "description", "parent_id", "archived", "created_at"]
        self.timed("networks", Network, columns, rows)

    def people(self) -> None:
        total = self.sizes["people"]
        password = make_password(PASSWORD)  # once: hashing 20,000 times would take an hour
        first = self.w.first_id(User)
        self.person_county: list[int] = []
        self.county_people: list[list[int]] = [[] for _ in range(self.counties)]
        self.affiliation: dict[int, int] = {}
        rows = []
        for n in range(total):
            pk = first + n
            county = n % self.counties
            name = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
            email = f"person{n + 1:05d}@{EMAIL_DOMAIN}"
            joined = self.now - timedelta(days=720, minutes=n)
            rows.append((pk, password, False, email, name, "sv", True, False, False, joined))
            self.county_people[county].append(pk)
            orgs = self.county_orgs[county]
            pool = orgs["municipality"] if n % 5 else orgs["other"]
            self.affiliation[pk] = pool[(n // self.counties) % len(pool)]
        columns = [
            "id",
            "password",
            "is_superuser",
            "email",
            "full_name",
            "language",
            "is_active",
            "is_staff",
            "is_guest",
            "date_joined",
        ]
        self.timed("users", User, columns, rows)
        first = self.w.first_id(Affiliation)
        self.timed(
            "affiliations",
            Affiliation,
            ["id", "user_id", "organisation_id", "title", "can_approve"],
            (
                (first + i, pk, org, "Samordnare", i % 25 == 0)
                for i, (pk, org) in enumerate(self.affiliation.items())
            ),
        )
        # memberships: each network takes a share of its county's people
        self.members: dict[int, list[int]] = {}
        rows = []
        next_id = self.w.first_id(Membership)
        start = (self.now - timedelta(days=700)).date()
        for county in range(self.counties):
            people = self.county_people[county]
            networks = self.county_networks[county]
            per_network = max(3, round(len(people) * MEMBERSHIPS_PER_PERSON / len(networks)))
            for network in networks:
                chosen = self.rng.sample(people, min(per_network, len(people)))
                self.members[network] = chosen
                kind = self.network_kind[network]
                for i, pk in enumerate(chosen):
                    if i == 0:
                        role = Role.CHAIR
                    elif i == 1:
                        role = Role.COORDINATOR
                    elif kind == Network.Kind.WRITING_GROUP:
                        role = Role.WRITER
                    elif kind == Network.Kind.COUNCIL and i < 6:
                        role = Role.SIGNATORY
                    elif i % 20 == 0:
                        role = Role.OBSERVER
                    else:
                        role = Role.MEMBER
                    rows.append((next_id, pk, network, role, self.affiliation[pk], start, None))
                    next_id += 1
        columns = [
            "id",
            "user_id",
            "network_id",
            "role",
            "organisation_id",
            "start_date",
            "end_date",
        ]
        self.timed("memberships", Membership, columns, rows)

    # --- documents, versions, sections ---------------------------------------------------------

    def documents(self) -> None:
        total = self.sizes["documents"]
        rounds = self.sizes["rounds"]
        rng = self.rng
        # how many rounds each document has had: a tenth none (drafting), the rest share them
        with_rounds = max(1, total - total // 10)
        counts = [1] * with_rounds + [0] * (total - with_rounds)
        for _ in range(max(0, rounds - with_rounds)):
            counts[rng.randrange(with_rounds)] += 1
        doc_id = self.w.first_id(Document)
        version_id = self.w.first_id(Version)
        section_id = self.w.first_id(Section)
        vsection_id = self.w.first_id(VersionSection)
        documents, versions, sections, vsections = [], [], [], []
        self.docs: list[SimpleNamespace] = []
        for n in range(total):
            county = n % self.counties
            groups = [
                pk
                for pk in self.county_networks[county]
                if self.network_kind[pk] != Network.Kind.NETWORK
            ] or self.county_networks[county]
            network = groups[(n // self.counties) % len(groups)]
            members = self.members[network]
            title = f"{DOCUMENT_TITLES[n % len(DOCUMENT_TITLES)]} {n // len(DOCUMENT_TITLES) + 1}"
            writer = members[min(2, len(members) - 1)]
            created = self.now - timedelta(days=rng.randint(400, 700))
            doc = SimpleNamespace(
                id=doc_id,
                county=county,
                network=network,
                chair=members[0],
                writer=writer,
                members=members,
                title=title,
                created=created,
                rounds=counts[n],
                versions=[],
            )
            doc_id += 1
            self.docs.append(doc)
            keys = [
                hashlib.sha256(f"{doc.id}-{i}".encode()).hexdigest()[:12]
                for i in range(SECTIONS_PER_DOCUMENT)
            ]
            paragraphs = [
                [rng.randrange(len(self.paragraphs)) for _ in range(rng.randint(1, 3))]
                for _ in keys
            ]
            # one version per round, and one after the last round when it has closed
            for number in range(1, doc.rounds + 2):
                if number > 1:  # a revision changes a few sections
                    for i in rng.sample(range(len(keys)), 3):
                        paragraphs[i] = [
                            rng.randrange(len(self.paragraphs)) for _ in range(rng.randint(1, 3))
                        ]
                texts = [
                    SimpleNamespace(
                        key=key,
                        heading=HEADINGS[i % len(HEADINGS)],
                        body="\n\n".join(self.paragraphs[p] for p in paragraphs[i]),
                        paragraphs=list(paragraphs[i]),
                    )
                    for i, key in enumerate(keys)
                ]
                published = created + timedelta(days=60 * number)
                version = SimpleNamespace(
                    id=version_id,
                    number=number,
                    sections=texts,
                    hash=content_hash(title, texts),
                    published=published,
                )
                version_id += 1
                doc.versions.append(version)
                versions.append(
                    (
                        version.id,
                        doc.id,
                        number,
                        f"Version {number}",
                        "Reviderad efter remissen." if number > 1 else "",
                        title,
                        version.hash,
                        False,
                        None,
                        writer,
                        published,
                    )
                )
                for position, s in enumerate(texts, start=1):
                    vsections.append((vsection_id, version.id, s.key, s.heading, s.body, position))
                    vsection_id += 1
            for position, s in enumerate(doc.versions[-1].sections, start=1):
                sections.append(
                    (section_id, doc.id, s.key, s.heading, s.body, position, 1, doc.created)
                )
                section_id += 1
            documents.append(doc)
        self.document_rows = documents
        self.version_rows = versions
        self.section_rows = sections
        self.vsection_rows = vsections

    def write_documents(self) -> None:
        self.timed(
            "documents",
            Document,
            [
                "id",
                "network_id",
                "title",
                "kind",
                "status",
                "structure_revision",
                "created_by_id",
                "created_at",
            ],
            (
                (
                    d.id,
                    d.network,
                    d.title,
                    KIND_OF_DOCUMENT[d.id % len(KIND_OF_DOCUMENT)],
                    d.status,
                    0,
                    d.writer,
                    d.created,
                )
                for d in self.docs
            ),
        )
        self.timed(
            "sections",
            Section,
            ["id", "document_id", "key", "heading", "body", "position", "revision", "updated_at"],
            self.section_rows,
        )
        self.timed(
            "versions",
            Version,
            [
                "id",
                "document_id",
                "number",
                "label",
                "change_summary",
                "title",
                "content_hash",
                "editorial",
                "editorial_marked_by_id",
                "created_by_id",
                "created_at",
            ],
            self.version_rows,
        )
        self.timed(
            "version sections",
            VersionSection,
            ["id", "version_id", "key", "heading", "body", "position"],
            self.vsection_rows,
        )
        del self.section_rows, self.vsection_rows, self.version_rows

    # --- rounds and consulted parties ----------------------------------------------------------

    def rounds(self) -> None:
        rng, now = self.rng, self.now
        round_id = self.w.first_id(ReviewRound)
        rows = []
        dropped: set[int] = set()
        self.rounds_list: list[SimpleNamespace] = []
        for doc in self.docs:
            doc.status = Document.Status.DRAFTING
            doc.round_objects = []
            for k in range(doc.rounds):
                version = doc.versions[k]
                last = k == doc.rounds - 1
                if last:
                    state = rng.choices(
                        ["open", "planned", "closed", "reported"], weights=[30, 8, 12, 50]
                    )[0]
                else:
                    state = "reported"
                opens = version.published + timedelta(days=5)
                if state == "open":
                    opens = now - timedelta(days=rng.randint(1, 30), hours=rng.randint(0, 23))
                    closes = now + timedelta(hours=rng.randint(2, 42 * 24))  # the coming weeks
                elif state == "planned":
                    opens = now + timedelta(days=rng.randint(3, 30))
                    closes = opens + timedelta(days=30)
                else:
                    closes = opens + timedelta(days=30)
                    if closes >= now:  # a past round: moved back so its deadline has passed
                        closes = now - timedelta(days=rng.randint(2, 20))
                        opens = closes - timedelta(days=30)
                opened = opens if state != "planned" else None
                closed = closes if state in ("closed", "reported") else None
                reported = closes + timedelta(days=7) if state == "reported" else None
                if reported and reported > now:
                    reported = now
                r = SimpleNamespace(
                    id=round_id,
                    doc=doc,
                    version=version,
                    state=state,
                    opens=opens,
                    closes=closes,
                    chair=doc.chair,
                )
                round_id += 1
                doc.round_objects.append(r)
                self.rounds_list.append(r)
                rows.append(
                    (
                        r.id,
                        doc.id,
                        version.id,
                        f"Remiss {k + 1}: {doc.title}",
                        "Lämna synpunkter per avsnitt. Varje organisation lämnar ett samlat svar.",
                        state,
                        opens,
                        closes,
                        doc.chair,
                        opens - timedelta(days=3),
                        opened,
                        closed,
                        reported,
                        0,
                    )
                )
            if doc.round_objects:
                last_state = doc.round_objects[-1].state
                if last_state == "open":
                    doc.status = Document.Status.IN_CONSULTATION
                elif last_state in ("planned", "closed"):
                    doc.status = Document.Status.REVISING
                else:
                    doc.status = rng.choices(
                        [
                            Document.Status.REVISING,
                            Document.Status.ANCHORING,
                            Document.Status.AWAITING_SIGN_OFF,
                            Document.Status.ADOPTED,
                        ],
                        weights=[30, 20, 15, 35],
                    )[0]
            # a round not yet closed is on the latest version: drop the version after it
            if doc.round_objects and doc.round_objects[-1].state in ("open", "planned"):
                dropped.add(doc.versions.pop().id)
        self.version_rows = [v for v in self.version_rows if v[0] not in dropped]
        self.vsection_rows = [v for v in self.vsection_rows if v[1] not in dropped]
        self.write_documents()
        self.timed(
            "review rounds",
            ReviewRound,
            [
                "id",
                "document_id",
                "version_id",
                "title",
                "instructions",
                "status",
                "opens_at",
                "closes_at",
                "chair_id",
                "created_at",
                "opened_at",
                "closed_at",
                "reported_at",
                "sequence",
            ],
            rows,
        )
        question_id = self.w.first_id(Question)
        self.timed(
            "questions",
            Question,
            ["id", "round_id", "position", "text"],
            (
                (question_id + 2 * i + j, r.id, j + 1, text)
                for i, r in enumerate(self.rounds_list)
                for j, text in enumerate(
                    ["Saknas något viktigt område?", "Hur vill er organisation bidra?"]
                )
            ),
        )
        self.consultees()

    def consultees(self) -> None:
        rng, now = self.rng, self.now
        consultee_id = self.w.first_id(Consultee)
        response_id = self.w.first_id(Response)
        consultees, responses = [], []
        positions = ["supports", "reservations", "opposes", "declines"]
        for r in self.rounds_list:
            orgs = self.county_orgs[r.doc.county]
            parties: list[tuple[int | None, int | None, int | None]] = [
                (None, org, None) for org in orgs["other"][:1] + rng.sample(orgs["municipality"], 6)
            ]
            managers = [
                pk
                for pk in self.county_networks[r.doc.county]
                if self.network_kind[pk] == Network.Kind.MANAGEMENT_GROUP
            ]
            if managers:
                parties.append((rng.choice(managers), None, None))
            parties.append((None, None, rng.choice(self.county_people[r.doc.county])))
            for network, org, person in parties:
                if r.state == "planned":
                    status = "invited"
                elif r.state == "open":
                    status = rng.choices(
                        ["invited", "drafting", "submitted", "declined"], weights=[4, 3, 3, 1]
                    )[0]
                else:
                    status = rng.choices(["invited", "submitted", "declined"], weights=[1, 8, 1])[0]
                consultees.append(
                    (consultee_id, r.id, network, org, person, "", "", status, r.chair, r.opens)
                )
                if status in ("drafting", "submitted"):
                    submitted = status == "submitted"
                    at = min(now, r.closes - timedelta(days=1)) if submitted else None
                    responses.append(
                        (
                            response_id,
                            consultee_id,
                            rng.choice(positions) if submitted else "",
                            rng.choice(self.comment_texts),
                            "{}",
                            "submitted" if submitted else "draft",
                            None,
                            None,
                            at,
                            "web",
                            None,
                            None,
                            "",
                            "",
                            "",
                            at or r.opens,
                            None,
                            None,
                            "",
                        )
                    )
                    response_id += 1
                consultee_id += 1
        self.timed(
            "consultees",
            Consultee,
            [
                "id",
                "round_id",
                "network_id",
                "organisation_id",
                "person_id",
                "outside_email",
                "outside_name",
                "status",
                "added_by_id",
                "added_at",
            ],
            consultees,
        )
        self.timed(
            "responses",
            Response,
            [
                "id",
                "consultee_id",
                "position",
                "summary",
                "answers",
                "state",
                "approved_by_id",
                "approved_at",
                "submitted_at",
                "received_via",
                "received_at",
                "entered_by_id",
                "attachment_name",
                "attachment_type",
                "attachment",
                "updated_at",
                "sent_back_by_id",
                "sent_back_at",
                "sent_back_comment",
            ],
            responses,
        )

    # --- comments ------------------------------------------------------------------------------

    def comments(self) -> None:
        """Comments on every round that has opened: threads with replies, some quoting a
        passage, some proposing a new wording; larger rounds more often than not."""
        rng, now = self.rng, self.now
        opened = [r for r in self.rounds_list if r.state != "planned"]
        weights = [rng.paretovariate(1.5) for _ in opened]
        total_weight = sum(weights)
        target = self.sizes["comments"]
        shares = [max(2, int(target * w / total_weight)) for w in weights]
        shares = [min(s, 3000) for s in shares]  # no round beyond 3,000 comments
        shortfall = target - sum(shares)
        while shortfall > 0:  # spread what the cap left over the rest
            for i in rng.sample(range(len(shares)), min(len(shares), shortfall)):
                if shares[i] < 3000:
                    shares[i] += 1
                    shortfall -= 1
        first = self.w.first_id(Comment)
        self.first_comment = first
        kinds = ["remark"] * 6 + ["question"] * 2 + ["proposal"] * 2

        def rows():
            pk = first
            for r, count in zip(opened, shares, strict=True):
                sections = r.version.sections
                authors = r.doc.members + rng.sample(
                    self.county_people[r.doc.county], min(20, len(self.county_people[0]))
                )
                end = min(now, r.closes)
                span = (end - r.opens).total_seconds()
                top_count = max(1, round(count * (1 - REPLY_SHARE)))
                tops = []
                for _ in range(top_count):
                    created = r.opens + timedelta(seconds=rng.random() * span * 0.9)
                    section = rng.choice(sections) if rng.random() > 0.1 else None
                    kind = rng.choice(kinds)
                    quote, prefix, suffix, proposed = "", "", "", ""
                    if section and (kind == "proposal" or rng.random() < 0.3):
                        paragraph = self.paragraphs[rng.choice(section.paragraphs)]
                        words = paragraph.split(" ")
                        length = rng.randint(3, 10)
                        start = rng.randrange(0, max(1, len(words) - length))
                        before = " ".join(words[:start])
                        quote = " ".join(words[start : start + length])
                        after = " ".join(words[start + length :])
                        prefix = before[-32:]
                        suffix = (" " + after)[:32] if after else ""
                        if kind == "proposal":
                            proposed = quote + " " + rng.choice(WORDS)
                    author = rng.choice(authors)
                    yield (
                        pk,
                        r.id,
                        r.version.id,
                        section.key if section else "",
                        quote,
                        prefix,
                        suffix,
                        kind,
                        rng.choice(self.comment_texts),
                        proposed,
                        author,
                        self.affiliation[author] if rng.random() < 0.3 else None,
                        None,
                        rng.random() < 0.1,  # a tenth of the threads marked resolved
                        created,
                        created + timedelta(minutes=20) if rng.random() < 0.03 else None,
                        None,
                    )
                    tops.append((pk, section.key if section else "", created))
                    pk += 1
                for _ in range(count - top_count):
                    parent, key, after_at = rng.choice(tops)
                    created = min(end, after_at + timedelta(minutes=rng.randint(5, 3000)))
                    yield (
                        pk,
                        r.id,
                        r.version.id,
                        key,
                        "",
                        "",
                        "",
                        "remark",
                        rng.choice(self.comment_texts),
                        "",
                        rng.choice(authors),
                        None,
                        parent,
                        False,
                        created,
                        None,
                        None,
                    )
                    pk += 1

        self.timed(
            "comments",
            Comment,
            [
                "id",
                "round_id",
                "version_id",
                "section_key",
                "quote_exact",
                "quote_prefix",
                "quote_suffix",
                "kind",
                "body",
                "proposed_text",
                "author_id",
                "on_behalf_of_id",
                "parent_id",
                "resolved",
                "created_at",
                "edited_at",
                "deleted_at",
            ],
            rows(),
        )

    def derived(self) -> None:
        """Dispositions and round events, written in the database from the comments."""
        cursor = self.w.cursor
        since = time.monotonic()
        self.w.first_id(Disposition)
        rationales = "ARRAY[" + ", ".join(f"'{t}'" for t in RATIONALES) + "]"
        # the writing group answered half the top-level comments of closed rounds, a sixth of
        # open ones; a fifth of the accepted ones are in the version after the round
        cursor.execute(
            f"""
            INSERT INTO {Disposition._meta.db_table}
                (comment_id, outcome, rationale, decided_by_id, decided_at, applied_in_id,
                 applied_to_draft)
            SELECT c.id,
                   (ARRAY['accepted', 'partly', 'rejected', 'noted'])[1 + c.id %% 4],
                   ({rationales})[1 + c.id %% 4],
                   r.chair_id,
                   LEAST(c.created_at + interval '2 days', now()),
                   CASE WHEN c.id %% 4 = 0 AND r.status IN ('closed', 'reported')
                        THEN (SELECT v.id FROM {Version._meta.db_table} v
                              WHERE v.document_id = r.document_id AND v.number = (
                                  SELECT number + 1 FROM {Version._meta.db_table}
                                  WHERE id = r.version_id))
                   END,
                   false
            FROM {Comment._meta.db_table} c
            JOIN {ReviewRound._meta.db_table} r ON r.id = c.round_id
            WHERE c.parent_id IS NULL AND c.id >= %s
              AND ((r.status IN ('closed', 'reported') AND c.id %% 2 = 0)
                   OR (r.status = 'open' AND c.id %% 6 = 0))
            """,  # noqa: S608 - the models' tables and fixed texts, no input
            [self.first_comment],
        )
        self.timer.step("dispositions", cursor.rowcount, since)
        since = time.monotonic()
        cursor.execute(
            f"""
            INSERT INTO {RoundEvent._meta.db_table} (round_id, sequence, kind, subject_id,
                                                      created_at)
            SELECT round_id, row_number() OVER (PARTITION BY round_id ORDER BY at, id), kind,
                   id, at
            FROM (
                SELECT c.round_id, c.id, c.created_at AS at,
                       CASE WHEN c.parent_id IS NULL THEN 'comment' ELSE 'reply' END AS kind
                FROM {Comment._meta.db_table} c WHERE c.id >= %s
                UNION ALL
                SELECT c.round_id, c.id, d.decided_at, 'disposition'
                FROM {Disposition._meta.db_table} d
                JOIN {Comment._meta.db_table} c ON c.id = d.comment_id WHERE c.id >= %s
            ) events
            """,  # noqa: S608 - the models' tables and fixed texts, no input
            [self.first_comment, self.first_comment],
        )
        count = cursor.rowcount
        cursor.execute(
            f"""
            UPDATE {ReviewRound._meta.db_table} r SET sequence = e.last
            FROM (SELECT round_id, MAX(sequence) AS last FROM {RoundEvent._meta.db_table}
                  GROUP BY round_id) e
            WHERE e.round_id = r.id
            """  # noqa: S608 - the models' tables
        )
        self.timer.step("round events", count, since)

    # --- decisions and sign-offs ---------------------------------------------------------------

    def decisions(self) -> None:
        rng = self.rng
        decision_id = self.w.first_id(Decision)
        decisions: list[tuple] = []
        sign_off_id = self.w.first_id(SignOff)
        signature_id = self.w.first_id(Signature)
        sign_offs, signatories, signatures = [], [], []
        through = SignOff.signatories.through
        through_id = self.w.first_id(through)
        decided_statuses = (
            Document.Status.ANCHORING,
            Document.Status.AWAITING_SIGN_OFF,
            Document.Status.ADOPTED,
        )
        for doc in self.docs:
            if doc.status not in decided_statuses:
                continue
            version = doc.versions[-1]
            day = (version.published + timedelta(days=20)).date()
            decisions.append(
                (
                    doc.id,
                    version.id,
                    self.county_networks[doc.county][0],
                    "",
                    Decision.Kind.ENDORSEMENT,
                    day,
                    f"§ {rng.randint(1, 120)}",
                    "Nätverket ställer sig bakom förslaget.",
                    doc.chair,
                )
            )
            if doc.status == Document.Status.ANCHORING:
                continue
            adopted = doc.status == Document.Status.ADOPTED
            people = list(dict.fromkeys(doc.members[:3]))
            sign_offs.append(
                (
                    sign_off_id,
                    doc.id,
                    version.id,
                    doc.chair,
                    "all",
                    len(people),
                    "approved" if adopted else "pending",
                    version.published + timedelta(days=25),
                    None,
                    version.published + timedelta(days=40) if adopted else None,
                )
            )
            signed = people if adopted else people[:1]
            for person in people:
                signatories.append((through_id, sign_off_id, person))
                through_id += 1
            for person in signed:
                signatures.append(
                    (
                        signature_id,
                        sign_off_id,
                        person,
                        "approve",
                        "",
                        version.published + timedelta(days=30),
                        version.hash,
                    )
                )
                signature_id += 1
            if adopted:
                decisions.append(
                    (
                        doc.id,
                        version.id,
                        None,
                        f"Regionstyrelsen {COUNTIES[doc.county]}",
                        Decision.Kind.ADOPTED,
                        day + timedelta(days=30),
                        f"RS § {rng.randint(1, 200)}",
                        "Strategin antas.",
                        doc.chair,
                    )
                )
            sign_off_id += 1
        self.timed(
            "decisions",
            Decision,
            [
                "id",
                "document_id",
                "version_id",
                "body_network_id",
                "body_name",
                "kind",
                "decided_on",
                "minutes_reference",
                "text",
                "recorded_by_id",
                "conditions",
                "minutes_name",
                "minutes_type",
                "minutes",
                "corrects_id",
                "recorded_at",
            ],
            (
                (decision_id + n, *row, "", "", "", "", None, self.now)
                for n, row in enumerate(decisions)
            ),
        )
        self.timed(
            "sign-offs",
            SignOff,
            [
                "id",
                "document_id",
                "version_id",
                "requested_by_id",
                "rule",
                "required",
                "status",
                "requested_at",
                "sign_by",
                "completed_at",
            ],
            sign_offs,
        )
        columns = ["id", *(f.column for f in through._meta.concrete_fields if f.column != "id")]
        self.timed("signatories", through, columns, signatories)
        self.timed(
            "signatures",
            Signature,
            ["id", "sign_off_id", "signer_id", "verdict", "reason", "signed_at", "content_hash"],
            signatures,
        )

    # --- notifications -------------------------------------------------------------------------

    def notifications(self) -> None:
        rng, now = self.rng, self.now
        round_type = ContentType.objects.get_for_model(ReviewRound).pk
        url = reverse("consultations:round", args=[987654321])
        kinds = ["round_opened", "comment_reply", "comment_disposition", "round_closed"]
        opened = [r for r in self.rounds_list if r.state != "planned"]
        first = self.w.first_id(Notification)

        def rows():
            for n in range(self.sizes["notifications"]):
                r = rng.choice(opened)
                recipient = rng.choice(r.doc.members)
                created = now - timedelta(minutes=rng.randint(1, 180 * 24 * 60))
                channel = rng.choice(["in_app", "digest", "immediate"])
                context = {
                    "round": f"Remiss: {r.doc.title}",
                    "document": r.doc.title,
                    "deadline": r.closes.date().isoformat(),
                    "actor": "Anna Andersson",
                    "disposition": "Accepted",
                }
                yield (
                    first + n,
                    recipient,
                    "",
                    rng.choice(kinds),
                    r.chair,
                    round_type,
                    str(r.id),
                    json.dumps(context, ensure_ascii=False),
                    url.replace("987654321", str(r.id)),
                    None,
                    channel,
                    "sv",
                    created,
                    created + timedelta(hours=5) if rng.random() < 0.7 else None,
                    None,
                    created if channel != "in_app" else None,
                    1 if channel != "in_app" else 0,
                    "",
                    None,
                )

        self.timed(
            "notifications",
            Notification,
            [
                "id",
                "recipient_id",
                "email",
                "kind",
                "actor_id",
                "target_type_id",
                "target_id",
                "context",
                "url",
                "key",
                "channel",
                "language",
                "created_at",
                "read_at",
                "email_claimed_at",
                "emailed_at",
                "email_attempts",
                "email_error",
                "digest_id",
            ],
            rows(),
        )
