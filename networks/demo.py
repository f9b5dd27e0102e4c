"""The Örebro demo: organisations, networks, fictional people and their roles.

Idempotent: everything is looked up by its natural key and only created when missing, so running
it again writes nothing (no rows, no history).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import models, transaction

from networks.models import Membership, Network, Organisation, Role

User = get_user_model()

DEMO_PASSWORD = "demo"  # only ever set on the demo accounts below
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def at_morning(day: date) -> datetime:
    return datetime.combine(day, time(9), tzinfo=STOCKHOLM)


def date_history(obj: models.Model, *when: datetime) -> None:
    """Give the object's history the dates of the story instead of the day the demo was loaded:
    its history rows, oldest first, get `when` in order (the last date for any further rows).
    Only for the demo: the app itself never rewrites history."""
    history = type(obj).history  # type: ignore[attr-defined]  # simple-history's manager
    rows = list(history.filter(id=obj.pk).order_by("history_id").values_list("pk", flat=True))
    for index, row in enumerate(rows):
        history.filter(pk=row).update(history_date=when[min(index, len(when) - 1)])


MUNICIPALITIES = [
    "Askersunds kommun",
    "Degerfors kommun",
    "Hallsbergs kommun",
    "Hällefors kommun",
    "Karlskoga kommun",
    "Kumla kommun",
    "Laxå kommun",
    "Lekebergs kommun",
    "Lindesbergs kommun",
    "Ljusnarsbergs kommun",
    "Nora kommun",
    "Örebro kommun",
]

ORGANISATIONS = [
    ("Region Örebro län", Organisation.Kind.REGION),
    ("Länsstyrelsen Örebro län", Organisation.Kind.COUNTY_BOARD),
    *[(name, Organisation.Kind.MUNICIPALITY) for name in MUNICIPALITIES],
    ("Föreningen För Familjecentralers Främjande", Organisation.Kind.CIVIL_SOCIETY),
    ("Region Kronoberg", Organisation.Kind.REGION),
    ("Växjö kommun", Organisation.Kind.MUNICIPALITY),
]


def registry_address(name: str) -> str:
    """A registry address for the demo on a reserved domain (RFC 2606): the demo never
    e-mails a real municipality's registrar."""
    word = name.split()[0].lower().translate(str.maketrans("åäöé", "aaoe"))
    return f"registrator@{word}.example"


LANSSAMVERKAN = "Länssamverkan föräldraskapsstöd"
ARBETSGRUPP = "Strategisk arbetsgrupp för föräldraskapsstödsutveckling"
SKRIVARGRUPP = "Skrivargrupp"
CHEFSNATVERK = "Chefsnätverk socialtjänst"
RADET = "Specifika samverkansrådet"
KCRD = "KC/RD"
KRONOBERG = "Föräldraskapsstöd Kronoberg"

# When each network began (its members are members since then): the working group was anchored
# in February–March 2022 and formed its writing group (domain/004); the others are older.
ORGANISATIONS_SINCE = date(2018, 1, 2)
NETWORK_SINCE = {
    LANSSAMVERKAN: date(2019, 3, 1),
    ARBETSGRUPP: date(2022, 2, 15),
    SKRIVARGRUPP: date(2022, 3, 21),
    CHEFSNATVERK: date(2018, 9, 3),
    RADET: date(2020, 1, 20),
    KCRD: date(2018, 1, 15),
    KRONOBERG: date(2021, 4, 6),
}

NETWORKS = [
    (
        LANSSAMVERKAN,
        Network.Kind.NETWORK,
        None,
        "Länets samverkan kring föräldraskapsstöd mellan kommunerna, Region Örebro län, "
        "Länsstyrelsen och civilsamhället.",
    ),
    (
        ARBETSGRUPP,
        Network.Kind.WORKING_GROUP,
        None,
        "Tar fram en regional strategi för länets föräldraskapsstödsarbete med utgångspunkt "
        "i den nationella strategin.",
    ),
    (
        SKRIVARGRUPP,
        Network.Kind.WRITING_GROUP,
        ARBETSGRUPP,
        "Skriver och reviderar strategiförslaget och bemöter remissvaren.",
    ),
    (
        CHEFSNATVERK,
        Network.Kind.MANAGEMENT_GROUP,
        None,
        "Nätverk för socialchefer i länets kommuner.",
    ),
    (
        RADET,
        Network.Kind.COUNCIL,
        None,
        "Politisk förankring av gemensamma strategier mellan kommunerna och regionen.",
    ),
    (
        KCRD,
        Network.Kind.MANAGEMENT_GROUP,
        None,
        "Kommundirektörerna och regiondirektören: fattar beslut om regionala strategier.",
    ),
    (
        KRONOBERG,
        Network.Kind.NETWORK,
        None,
        "Regional samverkan om föräldraskapsstöd i Kronobergs län.",
    ),
]


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    organisation: str
    roles: tuple[tuple[str, str], ...]  # (network name, role)
    login: bool = False  # a documented demo login


PEOPLE = [
    Person(
        "chair@example.org",
        "Cecilia Ordförande",
        "Region Örebro län",
        ((ARBETSGRUPP, Role.CHAIR), (LANSSAMVERKAN, Role.MEMBER)),
        login=True,
    ),
    Person(
        "coordinator@example.org",
        "Konrad Samordnare",
        "Region Örebro län",
        (
            (ARBETSGRUPP, Role.COORDINATOR),
            (LANSSAMVERKAN, Role.COORDINATOR),
            (RADET, Role.COORDINATOR),
            (CHEFSNATVERK, Role.COORDINATOR),
            (KCRD, Role.COORDINATOR),
        ),
        login=True,
    ),
    Person(
        "writer@example.org",
        "Vera Skribent",
        "Örebro kommun",
        ((SKRIVARGRUPP, Role.WRITER), (ARBETSGRUPP, Role.MEMBER)),
        login=True,
    ),
    Person(
        "member@example.org",
        "Maja Medlem",
        "Kumla kommun",
        ((ARBETSGRUPP, Role.MEMBER), (LANSSAMVERKAN, Role.MEMBER)),
        login=True,
    ),
    Person(
        "signatory@example.org",
        "Sven Beslutsfattare",
        "Karlskoga kommun",
        ((KCRD, Role.SIGNATORY),),
        login=True,
    ),
    Person(
        "observer@example.org",
        "Olivia Observatör",
        "Länsstyrelsen Örebro län",
        ((ARBETSGRUPP, Role.OBSERVER), (LANSSAMVERKAN, Role.OBSERVER)),
        login=True,
    ),
    Person(
        "kerstin.socialchef@example.org",
        "Kerstin Socialchef",
        "Kumla kommun",
        (),  # no network: her link to Kumla (the demo's next step) makes her its approver
    ),  # a demo login too, listed by seed_demo with that link rather than with roles
    Person(
        "outsider@example.org",
        "Otto Utomstående",
        "Region Kronoberg",
        ((KRONOBERG, Role.CHAIR),),
        login=True,
    ),
    # Fictional colleagues, so that the groups look like the real ones.
    Person(
        "anna.lindqvist@example.org",
        "Anna Lindqvist",
        "Region Örebro län",
        ((LANSSAMVERKAN, Role.CHAIR),),
    ),
    Person(
        "erik.holm@example.org",
        "Erik Holm",
        "Hallsbergs kommun",
        ((ARBETSGRUPP, Role.MEMBER), (LANSSAMVERKAN, Role.MEMBER)),
    ),
    Person(
        "fatima.karlsson@example.org",
        "Fatima Karlsson",
        "Lindesbergs kommun",
        ((ARBETSGRUPP, Role.MEMBER), (SKRIVARGRUPP, Role.CHAIR)),
    ),
    Person(
        "jonas.berg@example.org",
        "Jonas Berg",
        "Föreningen För Familjecentralers Främjande",
        ((ARBETSGRUPP, Role.MEMBER), (LANSSAMVERKAN, Role.MEMBER)),
    ),
    Person(
        "lena.nyberg@example.org",
        "Lena Nyberg",
        "Karlskoga kommun",
        ((SKRIVARGRUPP, Role.WRITER), (ARBETSGRUPP, Role.MEMBER)),
    ),
    Person(
        "per.sandberg@example.org",
        "Per Sandberg",
        "Örebro kommun",
        ((CHEFSNATVERK, Role.CHAIR),),
    ),
    Person(
        "ingrid.wall@example.org",
        "Ingrid Wall",
        "Nora kommun",
        ((CHEFSNATVERK, Role.MEMBER),),
    ),
    Person(
        "mats.eriksson@example.org",
        "Mats Eriksson",
        "Askersunds kommun",
        ((CHEFSNATVERK, Role.MEMBER),),
    ),
    Person(
        "karin.ahl@example.org",
        "Karin Åhl",
        "Region Örebro län",
        ((RADET, Role.CHAIR),),
    ),
    Person(
        "ola.strand@example.org",
        "Ola Strand",
        "Degerfors kommun",
        ((RADET, Role.MEMBER),),
    ),
    Person(
        "birgitta.svan@example.org",
        "Birgitta Svan",
        "Region Örebro län",
        ((KCRD, Role.CHAIR),),
    ),
    Person(
        "henrik.ek@example.org",
        "Henrik Ek",
        "Örebro kommun",
        ((KCRD, Role.SIGNATORY),),
    ),
    Person(
        "sara.moberg@example.org",
        "Sara Moberg",
        "Växjö kommun",
        ((KRONOBERG, Role.MEMBER),),
    ),
]


@transaction.atomic
def seed_demo() -> dict[str, int]:
    """Create what is missing; return how many rows of each kind were created."""
    created = {"organisations": 0, "networks": 0, "people": 0, "memberships": 0}
    organisations = {}
    for name, kind in ORGANISATIONS:
        organisations[name], new = Organisation.objects.get_or_create(
            name=name, defaults={"kind": kind, "registry_email": registry_address(name)}
        )
        if new:
            date_history(organisations[name], at_morning(ORGANISATIONS_SINCE))
        created["organisations"] += new
    networks: dict[str, Network] = {}
    for name, kind, parent, description in NETWORKS:
        parent_network = networks[parent] if parent else None
        since = at_morning(NETWORK_SINCE[name])
        networks[name], new = Network.objects.get_or_create(
            name=name,
            parent=parent_network,
            defaults={"kind": kind, "description": description, "created_at": since},
        )
        if new:
            date_history(networks[name], since)
        created["networks"] += new
    for person in PEOPLE:
        user = User.objects.filter(email=person.email).first()
        if user is None:
            # since their first network began; one in no network (Kumla's head of social
            # services, linked to her organisation) since the working group's start
            first = min((NETWORK_SINCE[n] for n, _role in person.roles), default=None)
            joined = at_morning(first or NETWORK_SINCE[ARBETSGRUPP])
            user = User(email=person.email, full_name=person.name, date_joined=joined)
            user.set_password(DEMO_PASSWORD)
            user.save()
            date_history(user, joined)
            created["people"] += 1
        elif not user.password:
            # An earlier seed created this account without a password (an empty one, which no
            # login matches): give it the demo password, once.
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        seen_networks = set()
        for network_name, role in person.roles:
            if network_name in seen_networks:
                continue  # one role per network: the first listed wins
            seen_networks.add(network_name)
            network = networks[network_name]
            if not Membership.objects.filter(user=user, network=network).exists():
                membership = Membership.objects.create(
                    user=user,
                    network=network,
                    role=role,
                    organisation=organisations[person.organisation],
                    start_date=NETWORK_SINCE[network_name],  # a member since the start
                )
                date_history(membership, at_morning(membership.start_date))
                created["memberships"] += 1
    return created


DEMO_LOGINS = [(p.email, p.name, p.roles) for p in PEOPLE if p.login]
