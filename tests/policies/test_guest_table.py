"""Guests in the role × state matrix: what a guest may do in a round, on its parties, their
responses and its comments, in every state of the round, beside the people of Samverka whose
rows the guests' should be read against (consultations/policies/rounds.py, threads.py).

The round consults three municipalities by their registry addresses: Kumla, which also has a
person in Samverka (the chair sent its address a link as well), Lekeberg, which has nobody, and
Askersund, whose link the chair revoked. Each address's reader came in as a guest. Another round
(another document) consults Kumla too, and has its own guest. The link is valid while the round
is open and GUEST_GRACE_DAYS after it closed: "beyond the grace period" is a round closed longer
ago than that.

And the relation "speaks for a party" gives the same answer asked from either side with guests
among the people, and `reached_by_people` (who gets a link) is `people_of` less the guests, for
every kind of party."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from consultations import guests
from consultations.models import Comment, Consultee, Response, ReviewRound
from consultations.policies import rounds as round_policy
from consultations.policies.actions import ConsulteeAction
from consultations.services import rounds as round_services
from documents import services as document_services
from documents.models import Document
from networks import registry
from networks.models import Affiliation, Network, Role
from tests.consultations.guest_mail import let_in, tokens_to
from tests.factories import (
    DocumentFactory,
    MembershipFactory,
    NetworkFactory,
    OrganisationFactory,
    SectionFactory,
    UserFactory,
)
from tests.policies.table import check, fresh

MODELS = [
    "consultations.ReviewRound",
    "consultations.Consultee",
    "consultations.Response",
    "consultations.Comment",
]

pytestmark = pytest.mark.django_db(transaction=True)

KUMLA, LEKEBERG, ASKERSUND = "registrator@kumla.se", "kommunen@lekeberg.se", "kommun@askersund.se"
BEYOND = "beyond the grace period"
# the round's status, and how long ago it closed (None: it has not)
ROUND_STATES = {
    "planned": ("planned", None),
    "open": ("open", None),
    "closed": ("closed", timedelta(days=1)),
    "reported": ("reported", timedelta(days=1)),
    f"closed, {BEYOND}": ("closed", timedelta(days=settings.GUEST_GRACE_DAYS, hours=1)),
    f"reported, {BEYOND}": ("reported", timedelta(days=settings.GUEST_GRACE_DAYS, hours=1)),
}


def _rows(*, chair: str, member: str, writer: str, kumla: str, guest: str, other: str) -> str:
    """One state's rows: `kumla` is the person affiliated with Kumla, `guest` Kumla's guest,
    `other` Lekeberg's guest (the guest of another party). Askersund's guest, whose link the
    chair revoked, and Kumla's guest in another round have nothing in any state, as an
    outsider."""
    return f"""
  chair of the working group          {chair}
  member of the working group         {member}
  writer in the writing group         {writer}
  affiliated with Kumla, approves     {kumla}
  guest of Kumla                      {guest}
  guest of Lekeberg                   {other}
  guest of Askersund, revoked         -
  guest of Kumla in another round     -
  outsider                            -
"""


# ------------------------------------------------------------------------------ the round

VIEW = "view_round"
COMMENTS_IN = "view_round comment_round"
ANSWERS = "dispose_comment read_every_response"
ROUNDS = (
    "in state: planned"
    + _rows(
        chair=f"view_round open_round extend_round consult see_reach {ANSWERS}",
        member=VIEW,
        writer=f"view_round {ANSWERS}",
        kumla="-",
        guest="-",
        other="-",
    )
    + "in state: open"
    + _rows(
        chair="view_round comment_round close_round extend_round consult send_guest_links "
        f"remind_parties see_reach {ANSWERS}",
        member=COMMENTS_IN,
        writer=f"view_round comment_round {ANSWERS}",
        kumla=COMMENTS_IN,
        guest=COMMENTS_IN,
        other=COMMENTS_IN,
    )
    + "in state: closed"
    + _rows(
        chair=f"view_round publish_report see_reach {ANSWERS}",
        member=VIEW,
        writer=f"view_round {ANSWERS}",
        kumla=VIEW,
        guest=VIEW,
        other=VIEW,
    )
    + "in state: reported"
    + _rows(
        chair=f"view_round see_reach {ANSWERS}",
        member=VIEW,
        writer=f"view_round {ANSWERS}",
        kumla=VIEW,
        guest=VIEW,
        other=VIEW,
    )
    + f"in state: closed, {BEYOND}"
    + _rows(
        chair=f"view_round publish_report see_reach {ANSWERS}",
        member=VIEW,
        writer=f"view_round {ANSWERS}",
        kumla=VIEW,
        guest="-",
        other="-",
    )
    + f"in state: reported, {BEYOND}"
    + _rows(
        chair=f"view_round see_reach {ANSWERS}",
        member=VIEW,
        writer=f"view_round {ANSWERS}",
        kumla=VIEW,
        guest="-",
        other="-",
    )
)

# ------------------------------------------------------------------------------ Kumla, the party

READS = "view_round view_response"
ENTERS = "view_round enter_response view_response"
SPEAKS = "view_round speak_for view_response"
APPROVES = "view_round speak_for respond view_response approve_response"
# (the round's state, Kumla's status)
PARTY_STATES = {
    "planned": ("planned", "invited"),
    "open": ("open", "drafting"),
    "open, answered": ("open", "submitted"),
    "closed": ("closed", "invited"),
    "reported": ("reported", "submitted"),
    f"closed, {BEYOND}": (f"closed, {BEYOND}", "invited"),
    f"reported, {BEYOND}": (f"reported, {BEYOND}", "submitted"),
}
PARTIES = (
    "in state: planned"
    + _rows(chair=READS, member=VIEW, writer=READS, kumla="-", guest="-", other="-")
    + "in state: open"
    + _rows(chair=ENTERS, member=VIEW, writer=READS, kumla=APPROVES, guest=APPROVES, other=VIEW)
    + "in state: open, answered"
    + _rows(chair=READS, member=VIEW, writer=READS, kumla=SPEAKS, guest=SPEAKS, other=VIEW)
    + "in state: closed"
    + _rows(chair=ENTERS, member=VIEW, writer=READS, kumla=SPEAKS, guest=SPEAKS, other=VIEW)
    + "in state: reported"
    + _rows(chair=READS, member=VIEW, writer=READS, kumla=SPEAKS, guest=SPEAKS, other=VIEW)
    + f"in state: closed, {BEYOND}"
    + _rows(chair=ENTERS, member=VIEW, writer=READS, kumla=SPEAKS, guest="-", other="-")
    + f"in state: reported, {BEYOND}"
    + _rows(chair=READS, member=VIEW, writer=READS, kumla=SPEAKS, guest="-", other="-")
)

# ------------------------------------------------------------------------------ Kumla's response

READ = "view_round read_response"
# (the round's state, Kumla's status, the response's state)
RESPONSE_STATES = {
    "planned, draft": ("planned", "drafting", "draft"),
    "open, draft": ("open", "drafting", "draft"),
    "open, submitted": ("open", "submitted", "submitted"),
    "closed, draft": ("closed", "drafting", "draft"),
    "reported, submitted": ("reported", "submitted", "submitted"),
    f"closed, {BEYOND}, draft": (f"closed, {BEYOND}", "drafting", "draft"),
    f"reported, {BEYOND}, submitted": (f"reported, {BEYOND}", "submitted", "submitted"),
}
# A draft is read by those who write it, while they may (the round open); a submitted response
# by all who read the party's response.
RESPONSES = (
    "in state: planned, draft"
    + _rows(chair=VIEW, member=VIEW, writer=VIEW, kumla="-", guest="-", other="-")
    + "in state: open, draft"
    + _rows(chair=VIEW, member=VIEW, writer=VIEW, kumla=READ, guest=READ, other=VIEW)
    + "in state: open, submitted"
    + _rows(chair=READ, member=VIEW, writer=READ, kumla=READ, guest=READ, other=VIEW)
    + "in state: closed, draft"
    + _rows(chair=VIEW, member=VIEW, writer=VIEW, kumla=VIEW, guest=VIEW, other=VIEW)
    + "in state: reported, submitted"
    + _rows(chair=READ, member=VIEW, writer=READ, kumla=READ, guest=READ, other=VIEW)
    + f"in state: closed, {BEYOND}, draft"
    + _rows(chair=VIEW, member=VIEW, writer=VIEW, kumla=VIEW, guest="-", other="-")
    + f"in state: reported, {BEYOND}, submitted"
    + _rows(chair=READ, member=VIEW, writer=READ, kumla=READ, guest="-", other="-")
)

# ------------------------------------------------------------------------------ the comments

# A remark by the member of the working group, and a change proposal by Kumla's guest.
COMMENT_STATES = ["a member's remark", "the guest's proposal"]
REPLIES = "view_round reply"
OWN = "view_round reply edit_comment"
ANSWERS_IT = "view_round answer_comment"
APPLIES_IT = "view_round answer_comment apply_proposal"
COMMENTS = (
    "".join(
        f"in state: planned, comment {comment}"
        + _rows(chair=VIEW, member=VIEW, writer=VIEW, kumla="-", guest="-", other="-")
        for comment in COMMENT_STATES
    )
    + "in state: open, comment a member's remark"
    + _rows(chair=REPLIES, member=OWN, writer=REPLIES, kumla=REPLIES, guest=REPLIES, other=REPLIES)
    + "in state: open, comment the guest's proposal"
    + _rows(chair=REPLIES, member=REPLIES, writer=REPLIES, kumla=REPLIES, guest=OWN, other=REPLIES)
    + "in state: closed, comment a member's remark"
    + _rows(chair=ANSWERS_IT, member=VIEW, writer=ANSWERS_IT, kumla=VIEW, guest=VIEW, other=VIEW)
    + "in state: closed, comment the guest's proposal"
    + _rows(chair=APPLIES_IT, member=VIEW, writer=APPLIES_IT, kumla=VIEW, guest=VIEW, other=VIEW)
    + "".join(
        f"in state: reported, comment {comment}"
        + _rows(chair=VIEW, member=VIEW, writer=VIEW, kumla=VIEW, guest=VIEW, other=VIEW)
        for comment in COMMENT_STATES
    )
    + f"in state: closed, {BEYOND}, comment a member's remark"
    + _rows(chair=ANSWERS_IT, member=VIEW, writer=ANSWERS_IT, kumla=VIEW, guest="-", other="-")
    + f"in state: closed, {BEYOND}, comment the guest's proposal"
    + _rows(chair=APPLIES_IT, member=VIEW, writer=APPLIES_IT, kumla=VIEW, guest="-", other="-")
    + "".join(
        f"in state: reported, {BEYOND}, comment {comment}"
        + _rows(chair=VIEW, member=VIEW, writer=VIEW, kumla=VIEW, guest="-", other="-")
        for comment in COMMENT_STATES
    )
)

# ------------------------------------------------------------------------------ the world


def _round(document, chair, closes_in_days=10):
    version = document_services.publish_version(
        document, by_user=chair, label="Remissversion", change_summary=""
    )
    return round_services.create_round(
        document,
        by_user=chair,
        version=version,
        title=f"Remiss {document.title}",
        questions=[],
        closes_at=timezone.now() + timedelta(days=closes_in_days),
    )


def _guest(inbox, address, name):
    """The reader of the address opens the latest link sent there and comes in as a guest."""
    return let_in(inbox, tokens_to(inbox, address)[-1], name)


@pytest.fixture
def world(smtp_inbox):
    above = NetworkFactory(name="Länsnätverket")
    group = NetworkFactory(name="Arbetsgruppen", parent=above)
    writing = NetworkFactory(name="Skrivgruppen", parent=group, kind=Network.Kind.WRITING_GROUP)

    def member(network, role=Role.MEMBER):
        return MembershipFactory(network=network, role=role, organisation=None).user

    chair = member(group, Role.CHAIR)
    kumla = OrganisationFactory(name="Kumla kommun", registry_email=KUMLA)
    lekeberg = OrganisationFactory(name="Lekebergs kommun", registry_email=LEKEBERG)
    askersund = OrganisationFactory(name="Askersunds kommun", registry_email=ASKERSUND)
    affiliated = UserFactory()
    Affiliation.objects.create(user=affiliated, organisation=kumla, can_approve=True)
    document = DocumentFactory(network=group, title="Regional strategi")
    section = SectionFactory(document=document, body="Alla barn ska få stöd.")
    review_round = _round(document, chair)
    round_services.add_consultees(
        review_round, by_user=chair, organisations=[kumla, lekeberg, askersund]
    )
    round_services.open_round(review_round, by_user=chair)
    review_round.refresh_from_db()
    parties = {c.organisation.name: c for c in review_round.consultees.select_related("round")}

    # Lekeberg and Askersund got their links at the opening; Kumla has people in Samverka, so
    # the chair sends its address one by hand.
    guests.send_first_link(parties[kumla.name], by_user=chair)
    people = {
        "chair of the working group": chair,
        "member of the working group": member(group),
        "writer in the writing group": member(writing, Role.WRITER),
        "affiliated with Kumla, approves": affiliated,
        "guest of Kumla": _guest(smtp_inbox, KUMLA, "Kim Kvist"),
        "guest of Lekeberg": _guest(smtp_inbox, LEKEBERG, "Lena Lund"),
        "guest of Askersund, revoked": _guest(smtp_inbox, ASKERSUND, "Ali Ask"),
        "outsider": member(NetworkFactory(name="Annat län")),
    }
    # Another document's round consults Kumla too, and its link lets in the same person by
    # name: another pass, so another account.
    plan = DocumentFactory(network=group, title="Handlingsplan")
    SectionFactory(document=plan, body="Fler i arbete.")
    other_round = _round(plan, chair, 20)
    round_services.add_consultees(other_round, by_user=chair, organisations=[kumla])
    round_services.open_round(other_round, by_user=chair)
    guests.send_first_link(other_round.consultees.get(), by_user=chair)
    people["guest of Kumla in another round"] = _guest(smtp_inbox, KUMLA, "Kim Kvist")
    guests.revoke(parties[askersund.name].guest_pass, by_user=chair)
    assert len({u.pk for u in people.values()}) == len(people)
    return {
        "round": review_round,
        "document": document,
        "section": section,
        "kumla": kumla,
        "party": parties[kumla.name],
        "parties": parties,
        "people": people,
    }


def _set_round(review_round, state: str) -> None:
    status, closed_ago = ROUND_STATES[state]
    ReviewRound.objects.filter(pk=review_round.pk).update(
        status=status, closed_at=None if closed_ago is None else timezone.now() - closed_ago
    )
    review_round.refresh_from_db()


def _set_party(party, state: str, status: str) -> Consultee:
    _set_round(party.round, state)
    Consultee.objects.filter(pk=party.pk).update(status=status)
    party.refresh_from_db()
    return party


def _everyone(world):
    return {who: (lambda user=user: user) for who, user in world["people"].items()}


# ------------------------------------------------------------------------------ the tables


def test_rounds_table_with_guests(world):
    review_round = world["round"]

    def in_state(state):
        def make():
            _set_round(review_round, state)
            return review_round

        return make

    states = {state: in_state(state) for state in ROUND_STATES}
    check("consultations.ReviewRound", ROUNDS, _everyone(world), states)


def test_parties_table_with_guests(world):
    party = world["party"]

    def in_state(state, status):
        def make():
            return _set_party(party, state, status)

        return make

    states = {name: in_state(*statuses) for name, statuses in PARTY_STATES.items()}
    check("consultations.Consultee", PARTIES, _everyone(world), states)


def test_responses_table_with_guests(world):
    party = world["party"]
    response = Response.objects.create(consultee=party, summary="Kumla tillstyrker.")

    def in_state(state, status, response_state):
        def make():
            _set_party(party, state, status)
            Response.objects.filter(pk=response.pk).update(state=response_state)
            response.refresh_from_db()
            response.consultee = party
            return response

        return make

    states = {name: in_state(*statuses) for name, statuses in RESPONSE_STATES.items()}
    check("consultations.Response", RESPONSES, _everyone(world), states)


def test_comments_table_with_guests(world):
    review_round, people, section = world["round"], world["people"], world["section"]
    by_member = Comment.objects.create(
        round=review_round,
        version=review_round.version,
        author=people["member of the working group"],
        body="Bra.",
    )
    proposal = Comment.objects.create(
        round=review_round,
        version=review_round.version,
        author=people["guest of Kumla"],
        on_behalf_of=world["kumla"],
        kind=Comment.Kind.PROPOSAL,
        section_key=section.key,
        quote_exact="Alla barn",
        proposed_text="Alla barn och unga",
        body="Ta med de unga.",
    )
    comments = dict(zip(COMMENT_STATES, (by_member, proposal), strict=True))

    def in_state(state, comment):
        def make():
            Document.objects.filter(pk=world["document"].pk).update(
                status=Document.Status.IN_CONSULTATION
            )
            _set_round(review_round, state)
            return Comment.objects.select_related("round__document__network").get(
                pk=comments[comment].pk
            )

        return make

    states = {
        f"{state}, comment {comment}": in_state(state, comment)
        for state in ROUND_STATES
        for comment in COMMENT_STATES
    }
    check("consultations.Comment", COMMENTS, _everyone(world), states)


# ------------------------------------------------------------------------------ one relation


@pytest.mark.parametrize("state", list(ROUND_STATES))
def test_who_speaks_for_a_party_is_the_same_asked_from_either_side_with_guests(world, state):
    """As tests/policies/test_rounds_table.py asks it, with guests among the people: who the
    party's policy names (users_for) are those whose own actions say so, the parties a person
    owes a response for or approves (objects_for) those they may answer for or approve, and the
    organisations they comment for those they speak for."""
    review_round, people = world["round"], world["people"]
    _set_round(review_round, state)
    parties = list(review_round.consultees.select_related("organisation"))
    for party in parties:
        party.round = review_round
    for action in (ConsulteeAction.SPEAK, ConsulteeAction.RESPOND, ConsulteeAction.APPROVE):
        for party in parties:
            named = set(registry.users_for(action, party))
            deciding = {u for u in people.values() if action in registry.actions(fresh(u), party)}
            assert named == deciding, (action, str(party.party))
    for who, person in people.items():
        owed = set(registry.objects_for(fresh(person), ConsulteeAction.RESPOND, Consultee))
        owed_here = {p for p in owed if p.round_id == review_round.pk}
        may = {p for p in parties if ConsulteeAction.RESPOND in registry.actions(fresh(person), p)}
        assert owed_here == may, who
        approves = set(registry.objects_for(fresh(person), ConsulteeAction.APPROVE, Consultee))
        may = {p for p in parties if ConsulteeAction.APPROVE in registry.actions(fresh(person), p)}
        assert {p for p in approves if p.round_id == review_round.pk} == may, who
        spoken_for = set(round_policy.organisations_spoken_for(fresh(person), review_round))
        speaks_for = {
            p.organisation
            for p in parties
            if ConsulteeAction.SPEAK in registry.actions(fresh(person), p)
        }
        if state != "planned":  # before it opens, nobody is told they speak for a party
            assert spoken_for == speaks_for, who


def test_a_guest_owes_exactly_their_party_while_the_link_is_valid(world):
    people, parties = world["people"], world["parties"]
    owed = {
        who: set(registry.objects_for(fresh(people[who]), ConsulteeAction.RESPOND, Consultee))
        for who in ("guest of Kumla", "guest of Lekeberg", "guest of Askersund, revoked")
    }
    assert owed == {
        "guest of Kumla": {parties["Kumla kommun"]},
        "guest of Lekeberg": {parties["Lekebergs kommun"]},
        "guest of Askersund, revoked": set(),
    }


# ------------------------------------------------------------- reached by people, or by a link

# Each kind of party, and whether someone with an account speaks for it (who, then, is told;
# the others get a guest link at their address, or cannot be reached).
PARTY_KINDS = {
    "a network with members": True,
    "a network with only an observer": False,
    "a network with nobody": False,
    "an organisation represented in the document's network": True,
    "an organisation represented in the network above": True,
    "an organisation represented in the writing group under it": True,
    "an organisation represented in a consulted network": True,
    "an organisation represented by an observer only": False,
    "an organisation represented only in another county's network": False,
    "an organisation through an affiliation": True,
    "an organisation whose only affiliated person has left": False,
    "an organisation with nobody, and a guest": False,
    "an organisation with nobody and no address": False,
    "a person consulted by name": True,
    "a person consulted by name who has left": False,
    "an outside person, and a guest": False,
    "a guest consulted by name": False,
}


@pytest.fixture
def every_kind(smtp_inbox):
    above = NetworkFactory(name="Länsnätverket")
    group = NetworkFactory(name="Arbetsgruppen", parent=above)
    writing = NetworkFactory(name="Skrivgruppen", parent=group, kind=Network.Kind.WRITING_GROUP)
    managers = NetworkFactory(name="Chefsnätverket", kind=Network.Kind.MANAGEMENT_GROUP)
    observed = NetworkFactory(name="Referensgruppen")
    chair = MembershipFactory(network=group, role=Role.CHAIR, organisation=None).user
    document = DocumentFactory(network=group, title="Regional strategi")
    SectionFactory(document=document, body="Alla barn ska få stöd.")
    review_round = _round(document, chair)
    organisations = {
        name: OrganisationFactory(name=f"Organisation {number}")
        for number, name in enumerate(PARTY_KINDS)
        if name.startswith("an organisation")
    }

    def represents(name, network, role=Role.MEMBER):
        MembershipFactory(network=network, role=role, organisation=organisations[name])

    MembershipFactory(network=managers, organisation=None)
    MembershipFactory(network=observed, role=Role.OBSERVER, organisation=None)
    represents("an organisation represented in the document's network", group)
    represents("an organisation represented in the network above", above)
    represents("an organisation represented in the writing group under it", writing)
    represents("an organisation represented in a consulted network", managers)
    represents("an organisation represented by an observer only", group, Role.OBSERVER)
    represents("an organisation represented only in another county's network", NetworkFactory())
    Affiliation.objects.create(
        user=UserFactory(), organisation=organisations["an organisation through an affiliation"]
    )
    Affiliation.objects.create(
        user=UserFactory(is_active=False),
        organisation=organisations["an organisation whose only affiliated person has left"],
    )
    with_guest = organisations["an organisation with nobody, and a guest"]
    with_guest.registry_email = "registrator@example.se"
    with_guest.save()
    parties = {
        "a network with members": {"network": managers},
        "a network with only an observer": {"network": observed},
        "a network with nobody": {"network": NetworkFactory(name="Tomma nätverket")},
        "a person consulted by name": {"person": UserFactory()},
        "a person consulted by name who has left": {"person": UserFactory(is_active=False)},
        "an outside person, and a guest": {
            "outside_email": "forskare@universitet.se",
            "outside_name": "Fia Forskare",
        },
        **{name: {"organisation": organisation} for name, organisation in organisations.items()},
    }
    consultees = {
        name: Consultee.objects.create(round=review_round, **party)
        for name, party in parties.items()
    }
    round_services.open_round(review_round, by_user=chair)
    review_round.refresh_from_db()
    guest = _guest(smtp_inbox, "registrator@example.se", "Eva Ek")
    _guest(smtp_inbox, "forskare@universitet.se", "Fia Forskare")
    consultees["a guest consulted by name"] = Consultee.objects.create(
        round=review_round, person=guest
    )
    return review_round, consultees


def test_reached_by_people_is_who_speaks_for_a_party_less_the_guests(every_kind):
    review_round, consultees = every_kind

    reached = round_policy.reached_by_people(review_round, consultees.values())
    by_people = {name: c.pk in reached for name, c in consultees.items()}
    speakers = {
        name: round_policy.people_of(review_round, [c]).filter(is_guest=False).exists()
        for name, c in consultees.items()
    }

    assert by_people == PARTY_KINDS
    assert speakers == PARTY_KINDS
    # the guests speak for their parties (they answer for them), but reach nobody by e-mail
    with_guests = {
        name
        for name, c in consultees.items()
        if round_policy.people_of(review_round, [c]).filter(is_guest=True).exists()
    }
    assert with_guests == {
        "an organisation with nobody, and a guest",
        "an outside person, and a guest",
        "a guest consulted by name",
    }
    # before the opening (when the chair reads who is reached how) the answer is the same
    ReviewRound.objects.filter(pk=review_round.pk).update(status=ReviewRound.Status.PLANNED)
    review_round.refresh_from_db()
    assert round_policy.reached_by_people(review_round, consultees.values()) == reached


def test_the_chair_reads_per_party_how_it_is_reached(every_kind):
    review_round, consultees = every_kind

    found = {r.consultee.pk: r for r in guests.reach(review_round, list(consultees.values()))}
    how = {
        name: "people" if found[c.pk].by_people else "link" if found[c.pk].by_link else "nobody"
        for name, c in consultees.items()
    }

    assert how == {
        name: "people" if by_people else "nobody" for name, by_people in PARTY_KINDS.items()
    } | {
        "an organisation with nobody, and a guest": "link",
        "an outside person, and a guest": "link",
    }
    for name, c in consultees.items():
        if how[name] == "nobody":
            assert found[c.pk].why_unreachable, name
        else:
            assert not found[c.pk].why_unreachable, name
