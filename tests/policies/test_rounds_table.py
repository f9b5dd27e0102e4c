"""Review rounds and their consulted parties: who may do what, in every state; and the relation
"speaks for a party" asked from both sides gives the same answer."""

from datetime import timedelta

import pytest
from django.utils import timezone

from consultations.models import Consultee, Response, ReviewRound
from consultations.policies import rounds as round_policy
from consultations.policies.actions import ConsulteeAction, RoundAction
from consultations.services.rounds import add_consultees
from documents.models import Version
from networks import registry
from networks.models import Affiliation, Network, Role
from tests.factories import (
    DocumentFactory,
    MembershipFactory,
    NetworkFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.policies.table import check, fresh

MODELS = ["consultations.ReviewRound", "consultations.Consultee", "consultations.Response"]

# ------------------------------------------------------------------------------ the rounds

RUNS = "read_every_response see_reach"
ANSWERS = "dispose_comment read_every_response"
RUNS_AND_ANSWERS = f"{ANSWERS} see_reach"
PLANNED = f"""
  chair of the working group                    view_round open_round extend_round consult {RUNS_AND_ANSWERS}
  coordinator of the working group              view_round open_round extend_round consult {RUNS_AND_ANSWERS}
  writer in the working group                   view_round {ANSWERS}
  member of the working group                   view_round
  observer in the working group                 view_round
  writer in its writing group                   view_round {ANSWERS}
  member of its writing group                   view_round
  member of the network above                   view_round
  member of the network above, for Kumla        view_round
  chair of a consulted network                  -
  member of a consulted network                 -
  member of a consulted network, for Kumla      -
  observer in a consulted network               -
  observer in a consulted network, for Kumla    -
  person consulted by name                      -
  affiliated with Kumla                         -
  affiliated with Kumla, approves               -
  member of another county's network for Kumla  -
  chair of the round, outside the network       view_round open_round extend_round consult {RUNS}
  consulted by name by the round's chair        -
  outsider                                      -
"""  # noqa: E501 - a table row is read across
OPEN = f"""
  chair of the working group                    view_round comment_round close_round extend_round consult send_guest_links remind_parties {RUNS_AND_ANSWERS}
  coordinator of the working group              view_round comment_round close_round extend_round consult send_guest_links remind_parties {RUNS_AND_ANSWERS}
  writer in the working group                   view_round comment_round {ANSWERS}
  member of the working group                   view_round comment_round
  observer in the working group                 view_round
  writer in its writing group                   view_round comment_round {ANSWERS}
  member of its writing group                   view_round comment_round
  member of the network above                   view_round
  member of the network above, for Kumla        view_round comment_round
  chair of a consulted network                  view_round comment_round
  member of a consulted network                 view_round comment_round
  member of a consulted network, for Kumla      view_round comment_round
  observer in a consulted network               view_round
  observer in a consulted network, for Kumla    view_round
  person consulted by name                      view_round comment_round
  affiliated with Kumla                         view_round comment_round
  affiliated with Kumla, approves               view_round comment_round
  member of another county's network for Kumla  -
  chair of the round, outside the network       view_round close_round extend_round consult send_guest_links remind_parties {RUNS}
  consulted by name by the round's chair        view_round comment_round
  outsider                                      -
"""  # noqa: E501 - a table row is read across


def _after_close(publish: str) -> str:
    return f"""
  chair of the working group                    view_round {publish} {RUNS_AND_ANSWERS}
  coordinator of the working group              view_round {publish} {RUNS_AND_ANSWERS}
  writer in the working group                   view_round {ANSWERS}
  member of the working group                   view_round
  observer in the working group                 view_round
  writer in its writing group                   view_round {ANSWERS}
  member of its writing group                   view_round
  member of the network above                   view_round
  member of the network above, for Kumla        view_round
  chair of a consulted network                  view_round
  member of a consulted network                 view_round
  member of a consulted network, for Kumla      view_round
  observer in a consulted network               view_round
  observer in a consulted network, for Kumla    view_round
  person consulted by name                      view_round
  affiliated with Kumla                         view_round
  affiliated with Kumla, approves               view_round
  member of another county's network for Kumla  -
  chair of the round, outside the network       view_round {publish} {RUNS}
  consulted by name by the round's chair        view_round
  outsider                                      -
"""


ROUNDS = (
    f"in state: planned{PLANNED}in state: open{OPEN}"
    f"in state: closed{_after_close('publish_report')}in state: reported{_after_close('')}"
)

# ------------------------------------------------------------- Kumla, a consulted organisation

SPEAKS = "view_round speak_for view_response"
RESPONDS = "view_round speak_for respond view_response"


def _party(
    *, runner: str, reader: str, speaker: str, approver: str, consulted: str, rep: str
) -> str:
    return f"""
  chair of the working group                    {runner}
  coordinator of the working group              {runner}
  writer in the working group                   {reader}
  member of the working group                   view_round
  observer in the working group                 view_round
  writer in its writing group                   {reader}
  member of its writing group                   view_round
  member of the network above                   view_round
  member of the network above, for Kumla        {rep}
  chair of a consulted network                  {consulted}
  member of a consulted network                 {consulted}
  member of a consulted network, for Kumla      {speaker}
  observer in a consulted network               {consulted}
  observer in a consulted network, for Kumla    {consulted}
  person consulted by name                      {consulted}
  affiliated with Kumla                         {speaker}
  affiliated with Kumla, approves               {approver}
  member of another county's network for Kumla  -
  chair of the round, outside the network       {runner}
  consulted by name by the round's chair        {consulted}
  outsider                                      -
"""


READS = "view_round view_response"
ENTERS = "view_round enter_response view_response"
PARTIES = (
    "in state: planned"
    + _party(runner=READS, reader=READS, speaker="-", approver="-", consulted="-", rep=READS)
    + "in state: open"
    + _party(
        runner=ENTERS,
        reader=READS,
        speaker=RESPONDS,
        approver=f"{RESPONDS} approve_response",
        consulted="view_round",
        rep=RESPONDS,
    )
    + "in state: open, answered"
    + _party(
        runner=READS,
        reader=READS,
        speaker=SPEAKS,
        approver=SPEAKS,
        consulted="view_round",
        rep=SPEAKS,
    )
    + "in state: closed"
    + _party(
        runner=ENTERS,
        reader=READS,
        speaker=SPEAKS,
        approver=SPEAKS,
        consulted="view_round",
        rep=SPEAKS,
    )
    + "".join(
        f"in state: {state}"
        + _party(
            runner=READS,
            reader=READS,
            speaker=SPEAKS,
            approver=SPEAKS,
            consulted="view_round",
            rep=SPEAKS,
        )
        for state in ("closed, answered", "reported")
    )
)
PARTY_STATES = {
    "planned": ("planned", "invited"),
    "open": ("open", "drafting"),
    "open, answered": ("open", "submitted"),
    "closed": ("closed", "invited"),
    "closed, answered": ("closed", "declined"),
    "reported": ("reported", "submitted"),
}


@pytest.fixture
def world(db):
    above = NetworkFactory(name="Länsnätverket")
    group = NetworkFactory(name="Arbetsgruppen", parent=above)
    writing = NetworkFactory(name="Skrivgruppen", parent=group, kind=Network.Kind.WRITING_GROUP)
    managers = NetworkFactory(name="Chefsnätverket", kind=Network.Kind.MANAGEMENT_GROUP)
    county = NetworkFactory(name="Annat läns nätverk")
    kumla = OrganisationFactory(name="Kumla kommun")
    document = DocumentFactory(network=group)
    version = Version.objects.create(
        document=document, number=1, label="1", title=document.title, content_hash="r"
    )
    chair_of_round, expert, named = UserFactory(), UserFactory(), UserFactory()
    review_round = ReviewRound.objects.create(
        document=document,
        version=version,
        title="Remiss",
        opens_at=timezone.now() - timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=10),
        chair=chair_of_round,
    )
    parties = {
        "network": Consultee.objects.create(round=review_round, network=managers),
        "organisation": Consultee.objects.create(round=review_round, organisation=kumla),
        "person": Consultee.objects.create(round=review_round, person=expert),
    }
    # Let into this one round as the page does it: a party of its own, by name, nothing else.
    add_consultees(review_round, by_user=chair_of_round, people=[named])

    def member(network, role=Role.MEMBER, organisation=None):
        return MembershipFactory(network=network, role=role, organisation=organisation).user

    def affiliated(can_approve):
        person = UserFactory()
        Affiliation.objects.create(user=person, organisation=kumla, can_approve=can_approve)
        return person

    people = {
        "chair of the working group": member(group, Role.CHAIR),
        "coordinator of the working group": member(group, Role.COORDINATOR),
        "writer in the working group": member(group, Role.WRITER),
        "member of the working group": member(group),
        "observer in the working group": member(group, Role.OBSERVER),
        "writer in its writing group": member(writing, Role.WRITER),
        "member of its writing group": member(writing),
        "member of the network above": member(above),
        "member of the network above, for Kumla": member(above, organisation=kumla),
        "chair of a consulted network": member(managers, Role.CHAIR),
        "member of a consulted network": member(managers),
        "member of a consulted network, for Kumla": member(managers, organisation=kumla),
        "observer in a consulted network": member(managers, Role.OBSERVER),
        "observer in a consulted network, for Kumla": member(
            managers, Role.OBSERVER, organisation=kumla
        ),
        "person consulted by name": expert,
        "affiliated with Kumla": affiliated(False),
        "affiliated with Kumla, approves": affiliated(True),
        "member of another county's network for Kumla": member(county, organisation=kumla),
        "chair of the round, outside the network": chair_of_round,
        "consulted by name by the round's chair": named,
        "outsider": UserFactory(),
    }
    return {"round": review_round, "parties": parties, "people": people, "kumla": kumla}


def _set(review_round, status, consultee=None, consultee_status=None):
    ReviewRound.objects.filter(pk=review_round.pk).update(status=status)
    review_round.refresh_from_db()
    if consultee is not None:
        Consultee.objects.filter(pk=consultee.pk).update(status=consultee_status)
        consultee.refresh_from_db()
        consultee.round = review_round


def test_rounds_table(world):
    review_round = world["round"]

    def in_state(status):
        def make():
            _set(review_round, status)
            return review_round

        return make

    people = {who: (lambda user=user: user) for who, user in world["people"].items()}
    states = {s: in_state(s) for s in ("planned", "open", "closed", "reported")}
    check("consultations.ReviewRound", ROUNDS, people, states)


def test_parties_table(world):
    review_round, kumla_party = world["round"], world["parties"]["organisation"]

    def in_state(status, party_status):
        def make():
            _set(review_round, status, kumla_party, party_status)
            return kumla_party

        return make

    people = {who: (lambda user=user: user) for who, user in world["people"].items()}
    states = {name: in_state(*statuses) for name, statuses in PARTY_STATES.items()}
    check("consultations.Consultee", PARTIES, people, states)


# ------------------------------------------------------- Kumla's response, draft and submitted


def _response(*, runner: str, reader: str, writer: str) -> str:
    return f"""
  chair of the working group                    view_round {runner}
  coordinator of the working group              view_round {runner}
  writer in the working group                   view_round {reader}
  member of the working group                   view_round
  observer in the working group                 view_round
  writer in its writing group                   view_round {reader}
  member of its writing group                   view_round
  member of the network above                   view_round
  member of the network above, for Kumla        view_round {writer}
  chair of a consulted network                  view_round
  member of a consulted network                 view_round
  member of a consulted network, for Kumla      view_round {writer}
  observer in a consulted network               view_round
  observer in a consulted network, for Kumla    view_round
  person consulted by name                      view_round
  affiliated with Kumla                         view_round {writer}
  affiliated with Kumla, approves               view_round {writer}
  member of another county's network for Kumla  -
  chair of the round, outside the network       view_round {runner}
  consulted by name by the round's chair        view_round
  outsider                                      -
"""


READ = "read_response"  # every row that sees the party also has view_round
# A draft is read by those who write it (not by those who run the round: the page says the party
# has not answered); a submitted response by all who read the party's response.
DRAFT = _response(runner="", reader="", writer=READ)
SUBMITTED = _response(runner=READ, reader=READ, writer=READ)
RESPONSES = (
    f"in state: open, draft{DRAFT}in state: open, awaiting approval{DRAFT}"
    f"in state: open, submitted{SUBMITTED}"
    f"in state: closed, draft{_response(runner='', reader='', writer='')}"
    f"in state: reported, submitted{SUBMITTED}"
)
RESPONSE_STATES = {
    "open, draft": ("open", "drafting", "draft"),
    "open, awaiting approval": ("open", "drafting", "awaiting_approval"),
    "open, submitted": ("open", "submitted", "submitted"),
    "closed, draft": ("closed", "drafting", "draft"),
    "reported, submitted": ("reported", "submitted", "submitted"),
}


def test_responses_table(world):
    review_round, kumla_party = world["round"], world["parties"]["organisation"]
    response = Response.objects.create(consultee=kumla_party, summary="Kumla tillstyrker.")

    def in_state(status, party_status, state):
        def make():
            _set(review_round, status, kumla_party, party_status)
            Response.objects.filter(pk=response.pk).update(state=state)
            response.refresh_from_db()
            response.consultee = kumla_party
            return response

        return make

    people = {who: (lambda user=user: user) for who, user in world["people"].items()}
    states = {name: in_state(*statuses) for name, statuses in RESPONSE_STATES.items()}
    check("consultations.Response", RESPONSES, people, states)


# ----------------------------------------------------- one relation, asked from both sides


@pytest.mark.parametrize("status", ["planned", "open", "closed"])
def test_who_speaks_for_a_party_is_the_same_asked_from_either_side(world, status):
    """For every kind of tie (by name, a network's member, an observer, an affiliation, a
    membership in a network the round reaches, in a consulted one, in another county's): the
    people the party's policy names (users_for) are exactly those whose own actions say so, the
    parties a person is shown as owing (objects_for) are those they may answer for, and the
    organisations they comment for are those they speak for."""
    review_round, people = world["round"], world["people"]
    _set(review_round, status)
    parties = list(review_round.consultees.all())
    for party in parties:
        party.round = review_round
    for action in (ConsulteeAction.SPEAK, ConsulteeAction.RESPOND, ConsulteeAction.APPROVE):
        for party in parties:
            named = set(registry.users_for(action, party))
            deciding = {u for u in people.values() if action in registry.actions(fresh(u), party)}
            assert named == deciding, (action, party.kind)
    for who, person in people.items():
        owed = set(registry.objects_for(fresh(person), ConsulteeAction.RESPOND, Consultee))
        may = {p for p in parties if ConsulteeAction.RESPOND in registry.actions(fresh(person), p)}
        assert owed == may, who
        spoken_for = round_policy.organisations_spoken_for(fresh(person), review_round)
        speaks_for_kumla = ConsulteeAction.SPEAK in registry.actions(
            fresh(person), world["parties"]["organisation"]
        )
        if status != "planned":  # before it opens, nobody is told they speak for a party
            assert (world["kumla"] in set(spoken_for)) == speaks_for_kumla, who


def test_the_rounds_a_person_runs_or_answers_are_those_their_actions_say(world):
    review_round, people = world["round"], world["people"]
    for status in ("planned", "open", "closed", "reported"):
        _set(review_round, status)
        for who, person in people.items():
            allowed = registry.actions(fresh(person), review_round)
            for action in (
                RoundAction.CLOSE,
                RoundAction.SEND_LINKS,
                RoundAction.PUBLISH_REPORT,
                RoundAction.ANSWER,
            ):
                listed = registry.objects_for(fresh(person), action, ReviewRound)
                assert (review_round in set(listed)) == (action in allowed), (status, who, action)


def test_the_rounds_to_run_on_the_start_page_are_those_the_actions_allow(world):
    """Mitt arbete's rounds to run (one rule for three steps): a round is listed when the person
    may take one of the steps now, with the first of them it allows."""
    review_round, people = world["round"], world["people"]
    steps = [RoundAction.CLOSE, RoundAction.OPEN, RoundAction.PUBLISH_REPORT]
    for status in ("planned", "open", "closed", "reported"):
        _set(review_round, status)
        for who, person in people.items():
            allowed = registry.actions(fresh(person), review_round)
            expected = next((step for step in steps if step in allowed), None)
            listed = {r.pk: r.step for r in round_policy.rounds_to_run(fresh(person), steps)}
            assert listed.get(review_round.pk) == expected, (status, who)


def test_the_rounds_to_run_are_asked_only_for_steps_of_running_a_round(world):
    chair = world["people"]["chair of the working group"]
    with pytest.raises(ValueError, match="not steps of running a round"):
        round_policy.rounds_to_run(chair, [RoundAction.ANSWER])
