"""Who may do what in a review round and for its consulted parties (networks.registry explains
the three questions).

An action is allowed when two halves agree, as for comments (consultations/policies/threads.py):

- the person: what their standing gives (`Standing`): readers of the document see its rounds and
  those who take part in it comment; those who run the document's process (a chair or
  coordinator of its network) and the round's own chair run the round (and see how each party
  is reached: by its people, by a guest link to its address, or not at all); the writing group
  answers its comments and reads every response; the people of a consulted party see the round
  once it has opened and comment in it (a person consulted by name is such a party: one row,
  with its own record, and nothing else lets an outside person into one round);
- the state: what the round's status (`ROUND_STAGES`) and a party's own state
  (`party_stages`) allow anyone at all: a planned round is opened, an open one closed, a closed
  one reported; guest links are sent, sent again and withdrawn while it is open (a planned
  round sends them when it opens), and the parties that have not answered are reminded while
  it is open (once a day: the service keeps the day, consultations.models.RoundReminder); a
  response is written and approved while the round is open and the party has not answered,
  and entered by those who run the round until the report is published.

A step the person could take, but not in this state, is refused with the reason
(`require`): "the round is already closed", not "not allowed".

Answering the comments (RoundAction.ANSWER) is the writing group's in every state here: the
comment's policy adds the stage (only once the round has closed), in one place.

Who speaks for a party is ONE relation (`Ties`, `_reaches`), asked in both directions:
`users_for(ConsulteeAction.SPEAK / RESPOND / APPROVE, party)` (who is told, who may answer,
who approves) and `objects_for(user, ConsulteeAction.RESPOND)` (the parties a person owes a
response for), and the organisations a person comments for (`organisations_spoken_for`). A person
speaks for:

- a person consulted by name: that person;
- a party reached through its guest link (consultations.guests: an organisation with nobody in
  Samverka, a person outside it consulted by e-mail address): the guests who verified with its
  link, while the link is valid (until the round closes and a grace period after);
- a network: its members, not its observers (an observer reads);
- an organisation: the people affiliated with it, and those whose membership represents it in a
  network the round reaches (the document's network, the networks above it and the groups under
  it, or a consulted network); a membership elsewhere (another county's network) speaks for it
  nowhere here, and an observer's membership only reads.

Who approves: the person consulted by name, a consulted network's chairs and coordinators, an
organisation's people affiliated with `can_approve`, and a party's guests (the one who reads the
body's registry address answers for it).

Whether anyone with an account speaks for a party (`reached_by_people`) decides whether its
guest link is sent: the same relation, asked as "is there anyone".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from consultations import errors
from consultations.models import Consultee, Guest, GuestPass, Response, ReviewRound
from consultations.policies.actions import ConsulteeAction, ResponseAction, RoundAction
from documents.errors import DocumentLocked
from documents.models import Document
from documents.policies import DocumentAction
from networks import registry
from networks.errors import DomainError, NotAllowed, NotFound
from networks.models import Affiliation, Membership, Network, Organisation, Role
from networks.permissions import MANAGING_ROLES, MAX_DEPTH, Action, lineage
from networks.policies import memberships_of

Status = ReviewRound.Status
VIEW = RoundAction.VIEW
RUN_STEPS = frozenset(
    {
        RoundAction.OPEN,
        RoundAction.CLOSE,
        RoundAction.EXTEND,
        RoundAction.CONSULT,
        RoundAction.SEND_LINKS,
        RoundAction.REMIND,
        RoundAction.PUBLISH_REPORT,
    }
)
# What the round's status allows anyone at all (the person's standing takes away).
_ALWAYS = {VIEW, RoundAction.ANSWER, RoundAction.READ_EVERY_RESPONSE, RoundAction.SEE_REACH}
ROUND_STAGES: dict[str, frozenset[str]] = {
    Status.PLANNED: frozenset(
        {*_ALWAYS, RoundAction.OPEN, RoundAction.EXTEND, RoundAction.CONSULT}
    ),
    Status.OPEN: frozenset(
        {
            *_ALWAYS,
            RoundAction.COMMENT,
            RoundAction.CLOSE,
            RoundAction.EXTEND,
            RoundAction.CONSULT,
            RoundAction.SEND_LINKS,  # a link goes out once the round is open, not before
            RoundAction.REMIND,  # those who have not answered, while they still can
        }
    ),
    Status.CLOSED: frozenset({*_ALWAYS, RoundAction.PUBLISH_REPORT}),
    Status.REPORTED: frozenset(_ALWAYS),
}


def party_stages(round_status: str, answered: bool) -> frozenset[str]:
    """What the round's status and the party's own state allow on a party, anyone at all."""
    allowed = {VIEW, ConsulteeAction.VIEW_RESPONSE}
    if round_status != Status.PLANNED:
        allowed.add(ConsulteeAction.SPEAK)  # its people are told from the opening on
    if not answered:
        if round_status == Status.OPEN:
            allowed |= {ConsulteeAction.RESPOND, ConsulteeAction.APPROVE}
        if round_status in (Status.OPEN, Status.CLOSED):
            allowed.add(ConsulteeAction.ENTER)  # a letter that came in time, until the report
    return frozenset(allowed)


# ------------------------------------------------------------------- one relation: the ties


@dataclass(frozen=True)
class Tie:
    """One active membership: its network, the networks above it, the organisation it
    represents, and its role (an observer's membership reads, never speaks)."""

    network_id: int
    ancestors: tuple[int, ...]
    organisation_id: int | None
    role: str

    @property
    def speaks(self) -> bool:
        return self.role != Role.OBSERVER


@dataclass(frozen=True)
class Ties:
    """Everything that makes a person speak for a party: memberships and affiliations."""

    user_id: int
    memberships: tuple[Tie, ...]
    affiliated: frozenset[int]
    approves_for: frozenset[int]  # organisations whose responses they approve
    guest_of: frozenset[int] = frozenset()  # parties (consultees) a guest answers for, now


def ties_of(user) -> Ties:
    """Once per request: the memberships (networks.policies.memberships_of, which the
    networks' policy reads too) and the affiliations."""
    return registry.cached(user, ("consultations.ties",), lambda: _load_ties(user))


def valid_passes(now=None) -> QuerySet[GuestPass]:
    """The guest passes that let their guests in now: not revoked, the round opened, and not
    more than the grace period (settings.GUEST_GRACE_DAYS) after it closed."""
    now = now or timezone.now()
    since = now - timedelta(days=settings.GUEST_GRACE_DAYS)
    return (
        GuestPass.objects.filter(revoked_at__isnull=True)
        .exclude(consultee__round__status=Status.PLANNED)
        .filter(
            Q(consultee__round__closed_at__isnull=True) | Q(consultee__round__closed_at__gt=since)
        )
    )


def _load_ties(user) -> Ties:
    if getattr(user, "is_guest", False):
        parties = valid_passes().filter(guests__user=user).values_list("consultee_id", flat=True)
        return Ties(user.pk, (), frozenset(), frozenset(), guest_of=frozenset(parties))
    memberships = tuple(
        Tie(tie.network_id, tie.parents, tie.organisation_id, tie.role)
        for tie in memberships_of(user)
    )
    affiliations = list(
        Affiliation.objects.filter(user=user).values_list("organisation_id", "can_approve")
    )
    return Ties(
        user_id=user.pk,
        memberships=memberships,
        affiliated=frozenset(o for o, _approves in affiliations),
        approves_for=frozenset(o for o, approves in affiliations if approves),
    )


def _reaches(ties: Sequence[Tie], prefix: str = "") -> Q:
    """A filter on rounds (as `prefix`…) whose consultation reaches any of the ties' networks: a
    consulted network, the document's network, a network above it or a group under it. The
    ties' networks are asked at once (`IN` lists), not tie by tie: a person with ten
    memberships is one rule of a few terms, built and planned once, not ten."""
    networks = sorted({tie.network_id for tie in ties})
    above = sorted({pk for tie in ties for pk in tie.ancestors})  # the round's network is above
    # the tie's network is above the round's: the groups under it, MAX_DEPTH levels down (a
    # subquery on the networks, not three more joins to the rounds' query)
    below = Network.objects.filter(
        _any(*(Q(**{f"{'parent__' * level}parent_id__in": networks}) for level in range(MAX_DEPTH)))
    )
    consulted = Consultee.objects.filter(network_id__in=networks).values("round_id")
    network = f"{prefix}document__network_id"
    return (
        Q(**{f"{prefix}pk__in": consulted})
        | Q(**{f"{network}__in": [*networks, *above]})
        | Q(**{f"{network}__in": below.values("pk")})
    )


def _any(*rules: Q | None) -> Q:
    """The rules joined with OR; a rule that can hold for nothing is left out (never an empty
    `IN ()`, which a boolean column cannot carry)."""
    kept = [r for r in rules if r is not None]
    if not kept:
        return Q(pk__in=[])
    joined = kept[0]
    for rule in kept[1:]:
        joined |= rule
    return joined


def _in(field: str, ids: Iterable[int]) -> Q | None:
    ids = set(ids)
    return Q(**{f"{field}__in": ids}) if ids else None


def _speaks(ties: Ties, *, observers: bool = False) -> Q:
    """A filter on consulted parties: those this person speaks for (or, with observers, at
    least reads with)."""
    chosen = [t for t in ties.memberships if observers or t.speaks]
    # The memberships that represent an organisation, by organisation: a person's memberships
    # mostly represent the one they work for (one rule for all of them).
    by_organisation: dict[int, list[Tie]] = {}
    for t in chosen:
        if t.organisation_id:
            by_organisation.setdefault(t.organisation_id, []).append(t)
    represented = [
        Q(organisation_id=organisation) & _reaches(same, "round__")
        for organisation, same in sorted(by_organisation.items())
    ]
    return _any(
        Q(person_id=ties.user_id),
        _in("pk", ties.guest_of),
        _in("network_id", {t.network_id for t in chosen}),
        _in("organisation_id", ties.affiliated),
        *represented,
    )


def _approves(ties: Ties) -> Q:
    managing = {t.network_id for t in ties.memberships if t.role in MANAGING_ROLES}
    return _any(
        Q(person_id=ties.user_id),
        _in("pk", ties.guest_of),
        _in("network_id", managing),
        _in("organisation_id", ties.approves_for),
    )


def organisations_spoken_for(user, review_round: ReviewRound) -> QuerySet[Organisation]:
    """The organisations this person may comment for in this round: through an affiliation, or
    a membership (not an observer's) the round reaches; consulted or not."""
    if not registry.is_person(user):
        return Organisation.objects.none()
    ties = ties_of(user)
    if ties.guest_of:  # a guest comments for the organisation whose link they came by
        guest_parties = Consultee.objects.filter(pk__in=ties.guest_of, round=review_round)
        return Organisation.objects.filter(pk__in=guest_parties.values("organisation_id"))
    represented = [t for t in ties.memberships if t.speaks and t.organisation_id]
    reached = ReviewRound.objects.filter(pk=review_round.pk)
    through_membership = [
        Q(pk=t.organisation_id) & Q(Exists(reached.filter(_reaches([t])))) for t in represented
    ]
    return Organisation.objects.filter(
        _any(_in("pk", ties.affiliated), *through_membership)
    ).order_by("name")


def _speakers(review_round: ReviewRound, consultees: Sequence[Consultee]) -> Q:
    """A filter on people: those who speak for any of these parties of the round (the same
    relation as `_speaks`, from the parties' side)."""
    organisations = {c.organisation_id for c in consultees if c.organisation_id}
    members = Membership.objects.active().exclude(role=Role.OBSERVER)
    represent = None
    if organisations:
        consulted = review_round.consultees.filter(network__isnull=False).values("network_id")
        reached = lineage(review_round.document.network) | Q(network_id__in=consulted)
        represent = Q(
            pk__in=members.filter(reached, organisation_id__in=organisations).values("user_id")
        ) | Q(
            pk__in=Affiliation.objects.filter(organisation_id__in=organisations).values("user_id")
        )
    networks = {c.network_id for c in consultees if c.network_id}
    return _any(
        _in("pk", {c.person_id for c in consultees if c.person_id}),
        Q(pk__in=members.filter(network_id__in=networks).values("user_id")) if networks else None,
        represent,
        _guests(consultees),
    )


def _guests(consultees: Sequence[Consultee]) -> Q:
    passes = valid_passes().filter(consultee__in=[c.pk for c in consultees])
    return Q(pk__in=Guest.objects.filter(guest_pass__in=passes).values("user_id"))


def reached_by_people(review_round: ReviewRound, consultees: Iterable[Consultee]) -> set[int]:
    """The parties (their ids) at least one person with an account speaks for: `_speakers`
    without the guests, asked party by party in one query (none when the parties were read
    with `reaching_people` as REACHED, as selectors.consultees_of(with_reach=True) does). The
    others are reached only by a guest link to their address, or not at all."""
    consultees = list(consultees)
    if all(hasattr(c, REACHED) for c in consultees):
        return {c.pk for c in consultees if getattr(c, REACHED)}
    ids = [c.pk for c in consultees]
    rows = (
        Consultee.objects.filter(pk__in=ids)
        .annotate(**{REACHED: reaching_people(review_round)})
        .values_list("pk", REACHED)
    )
    return {pk for pk, reached_ in rows if reached_}


REACHED = "reached_by_people_"  # the annotation `reaching_people` is read as


def reaching_people(review_round: ReviewRound) -> ExpressionWrapper:
    """Whether a party of the round (the Consultee a query reads) is spoken for by at least one
    person with an account (the rule of `reached_by_people`), as an expression to annotate."""
    members = (
        Membership.objects.active()
        .exclude(role=Role.OBSERVER)
        .filter(user__is_active=True, user__is_guest=False)
    )
    consulted = review_round.consultees.filter(network__isnull=False).values("network_id")
    reached = lineage(review_round.document.network) | Q(network_id__in=consulted)
    organisation = OuterRef("organisation_id")
    rule = (
        Q(person__is_active=True, person__is_guest=False)  # a guest has no inbox here
        | Exists(members.filter(network_id=OuterRef("network_id")))
        | Exists(members.filter(reached, organisation_id=organisation))
        | Exists(
            Affiliation.objects.filter(
                organisation_id=organisation, user__is_active=True, user__is_guest=False
            )
        )
    )
    return ExpressionWrapper(rule, output_field=BooleanField())


def _approvers(consultees: Sequence[Consultee]) -> Q:
    networks = {c.network_id for c in consultees if c.network_id}
    organisations = {c.organisation_id for c in consultees if c.organisation_id}
    managers = Membership.objects.active().filter(network_id__in=networks, role__in=MANAGING_ROLES)
    approving = Affiliation.objects.filter(organisation_id__in=organisations, can_approve=True)
    return _any(
        _in("pk", {c.person_id for c in consultees if c.person_id}),
        Q(pk__in=managers.values("user_id")) if networks else None,
        Q(pk__in=approving.values("user_id")) if organisations else None,
        _guests(consultees),
    )


def people_of(
    review_round: ReviewRound, consultees: Iterable[Consultee], action: str = ConsulteeAction.SPEAK
) -> QuerySet:
    """`users_for(action, party)` for several parties of one round at once, in one query."""
    consultees = [
        c for c in consultees if action in party_stages(review_round.status, c.has_answered)
    ]
    User = get_user_model()
    if not consultees:
        return User.objects.none()
    rule = (
        _approvers(consultees)
        if action == ConsulteeAction.APPROVE
        else _speakers(review_round, consultees)
    )
    return User.objects.filter(rule, is_active=True)


# ------------------------------------------------------------------------- the person's half


@dataclass(frozen=True)
class Party:
    """A consulted party of the round, and what this person is to it."""

    pk: int
    answered: bool
    speaks: bool
    reads: bool
    approves: bool


@dataclass(frozen=True)
class Standing:
    """What a person is in one round, whatever its state."""

    on_document: frozenset[str]
    runs: bool
    parties: dict[int, Party]

    @property
    def speaks(self) -> bool:
        return any(p.speaks for p in self.parties.values())

    @property
    def reads(self) -> bool:
        return any(p.reads for p in self.parties.values())


def standing(user, review_round: ReviewRound) -> Standing:
    key = ("consultations.standing", review_round.pk, review_round.status)
    return registry.cached(user, key, lambda: _load_standing(user, review_round))


def _load_standing(user, review_round: ReviewRound) -> Standing:
    on_document = frozenset(registry.actions(user, review_round.document))
    runs = DocumentAction.RUN_PROCESS in on_document or review_round.chair_id == user.pk
    ties = ties_of(user)

    def flag(rule: Q) -> ExpressionWrapper:
        return ExpressionWrapper(rule, output_field=BooleanField())

    rows = (
        Consultee.objects.filter(round_id=review_round.pk)
        .annotate(
            speaks_=flag(_speaks(ties)),
            reads_=flag(_speaks(ties, observers=True)),
            approves_=flag(_approves(ties)),
        )
        .values_list("pk", "status", "speaks_", "reads_", "approves_")
    )
    parties = {
        pk: Party(pk, status in ANSWERED, speaks, reads, approves)
        for pk, status, speaks, reads, approves in rows
    }
    return Standing(on_document, runs, parties)


ANSWERED = frozenset({Consultee.Status.SUBMITTED, Consultee.Status.DECLINED})


def person_allows(review_round: ReviewRound, standing: Standing) -> frozenset[str]:
    """What the person's standing gives in the round, before its state takes away (seeing it is
    already decided: the consulted see it from the opening on)."""
    on_document = standing.on_document
    reads_document = DocumentAction.VIEW in on_document
    consulted = review_round.status != Status.PLANNED and (standing.speaks or standing.reads)
    if not (reads_document or standing.runs or consulted):
        return frozenset()
    allowed = {VIEW}
    if (reads_document and DocumentAction.TAKE_PART in on_document) or (
        consulted and standing.speaks
    ):
        allowed.add(RoundAction.COMMENT)
    if standing.runs:
        allowed |= RUN_STEPS | {RoundAction.READ_EVERY_RESPONSE, RoundAction.SEE_REACH}
    if reads_document and DocumentAction.ANSWER in on_document:
        allowed |= {RoundAction.ANSWER, RoundAction.READ_EVERY_RESPONSE}
    return frozenset(allowed)


def person_allows_on_party(
    review_round: ReviewRound, standing: Standing, party: Party
) -> frozenset[str]:
    on_round = person_allows(review_round, standing)
    if VIEW not in on_round:
        return frozenset()
    allowed: set[str] = {VIEW}
    if party.speaks:
        allowed.add(ConsulteeAction.SPEAK)
    if party.speaks or party.approves:
        allowed |= {ConsulteeAction.RESPOND, ConsulteeAction.VIEW_RESPONSE}
    if party.approves:
        allowed.add(ConsulteeAction.APPROVE)
    if standing.runs:
        allowed.add(ConsulteeAction.ENTER)
    if RoundAction.READ_EVERY_RESPONSE in on_round:
        allowed.add(ConsulteeAction.VIEW_RESPONSE)
    return frozenset(allowed)


def _party(standing: Standing, consultee: Consultee) -> Party:
    party = standing.parties.get(consultee.pk)
    if party is None:  # added after the standing was read: nothing but the round's own rights
        return Party(consultee.pk, consultee.has_answered, False, False, False)
    return party


def on_parties(user, review_round: ReviewRound, consultees: Iterable[Consultee]) -> None:
    """Set `may` (the actions allowed now) on each party of one round, for its page: one
    standing for all of them."""
    if not registry.is_person(user):
        for consultee in consultees:
            consultee.may = registry.NOTHING
        return
    person = standing(user, review_round)
    for consultee in consultees:
        allowed = person_allows_on_party(review_round, person, _party(person, consultee))
        stage = party_stages(review_round.status, consultee.has_answered)
        consultee.may = registry.Allowed(allowed & stage)


# ------------------------------------------------------------------------------ the policies


@registry.register("consultations.ReviewRound")
class RoundPolicy(registry.Policy):
    view_action = VIEW
    all_actions = frozenset(RoundAction)

    def actions(self, user, review_round: ReviewRound) -> frozenset[str]:
        person = person_allows(review_round, standing(user, review_round))
        allowed = person & ROUND_STAGES[review_round.status]
        if review_round.document.is_locked:
            # An adopted or archived document is not sent out again: its planned round never opens.
            allowed -= {RoundAction.OPEN}
        return allowed

    def cache_key(self, review_round: ReviewRound) -> tuple:
        return (
            self.label,
            review_round.pk,
            review_round.status,
            review_round.chair_id,
            review_round.document.status,
        )

    def objects_for(self, user, action: str) -> QuerySet:
        """The rounds where this person may take a step now (the start page's rounds to run:
        OPEN, CLOSE, PUBLISH_REPORT), or whose comments they answer (ANSWER), in one query."""
        rounds = ReviewRound.objects.all()
        if action in RUN_STEPS:
            return rounds.filter(_run_by(user), _in_stage(action))
        if action == RoundAction.ANSWER:
            # The network's policy gives it (never in an archived network).
            answering = registry.ids_for(user, Action.ANSWER, Network)
            return rounds.filter(document__network_id__in=answering)
        raise NotImplementedError(f"{self.label}: no objects_for({action!r})")


def _in_stage(action: str) -> Q:
    """A filter on rounds whose state allows `action` (one of RUN_STEPS) to anyone at all."""
    stages = [s for s, allowed in ROUND_STAGES.items() if action in allowed]
    rule = Q(status__in=stages)
    if action == RoundAction.OPEN:
        # As `actions`: a planned round on a locked document never opens, not even for the
        # round's own chair.
        rule &= ~Q(document__status__in=Document.LOCKED_STATUSES)
    return rule


def rounds_to_run(user, steps: Sequence[str]) -> QuerySet[ReviewRound]:
    """The rounds where this person may take one of `steps` (RUN_STEPS) now, each annotated
    with `step`: the first of `steps` it allows. The same rule as `objects_for(user, step)` for
    each step, with the person's half (`_run_by`) built and planned once, not once per step:
    the start page's rounds to run in one query without repeating a subquery per step."""
    if not registry.is_person(user):
        return ReviewRound.objects.none()
    if not set(steps) <= RUN_STEPS:
        raise ValueError(f"rounds_to_run({steps!r}): not steps of running a round")
    stages = [_in_stage(step) for step in steps]
    return (
        ReviewRound.objects.filter(_run_by(user))
        .filter(_any(*stages))
        .annotate(
            step=Case(
                *(
                    When(stage, then=Value(str(step)))
                    for step, stage in zip(steps, stages, strict=True)
                ),
                default=None,
                output_field=CharField(),
            )
        )
    )


def _run_by(user) -> Q:
    """A filter on rounds this person runs: their own, and those of the documents whose
    process their role runs (not in an archived network, not on a locked document)."""
    running = registry.ids_for(user, Action.RUN_PROCESS, Network)
    return Q(chair=user) | Q(
        document__network_id__in=running,
        document__status__in=[s for s in Document.Status if s not in Document.LOCKED_STATUSES],
    )


@registry.register("consultations.Consultee")
class ConsulteePolicy(registry.Policy):
    view_action = VIEW
    all_actions = frozenset({VIEW, *ConsulteeAction})

    def actions(self, user, consultee: Consultee) -> frozenset[str]:
        review_round = consultee.round
        person = standing(user, review_round)
        allowed = person_allows_on_party(review_round, person, _party(person, consultee))
        return allowed & party_stages(review_round.status, consultee.has_answered)

    def cache_key(self, consultee: Consultee) -> tuple:
        return (self.label, consultee.pk, consultee.status, consultee.round.status)

    def objects_for(self, user, action: str) -> QuerySet:
        """The parties this person may answer for now (RESPOND: the dashboard's 'owed') or
        approve for (APPROVE), in one query after their ties."""
        if action not in (ConsulteeAction.RESPOND, ConsulteeAction.APPROVE):
            raise NotImplementedError(f"{self.label}: no objects_for({action!r})")
        ties = ties_of(user)
        rule = _approves(ties) if action == ConsulteeAction.APPROVE else _speaks(ties)
        return Consultee.objects.filter(rule, round__status=Status.OPEN).exclude(
            status__in=ANSWERED
        )

    def users_for(self, action: str, consultee: Consultee) -> QuerySet:
        """Who speaks for the party (SPEAK: told of the round), may write its response now
        (RESPOND) or approve it (APPROVE)."""
        if action not in (ConsulteeAction.SPEAK, ConsulteeAction.RESPOND, ConsulteeAction.APPROVE):
            raise NotImplementedError(f"{self.label}: no users_for({action!r})")
        return people_of(consultee.round, [consultee], action)


@registry.register("consultations.Response")
class ResponsePolicy(registry.Policy):
    """A party's response: while it is a draft (or waits for approval) it is read only by those
    who may write it; once submitted, by everyone who may read the party's response (those who
    run the round or answer its comments, and the party's own people)."""

    view_action = VIEW  # who sees the party sees that it has a response (403, not 404)
    all_actions = frozenset({VIEW, *ResponseAction})

    def actions(self, user, response: Response) -> frozenset[str]:
        on_party = registry.actions(user, response.consultee)
        needs = (
            ConsulteeAction.VIEW_RESPONSE
            if response.state == Response.State.SUBMITTED
            else ConsulteeAction.RESPOND
        )
        return (on_party & {VIEW}) | ({ResponseAction.READ} if needs in on_party else set())

    def cache_key(self, response: Response) -> tuple:
        consultee = response.consultee
        return (self.label, response.pk, response.state, consultee.status, consultee.round.status)


# --------------------------------------------------------------- refusals a person can read


def require(user, action: str, obj: ReviewRound | Consultee) -> registry.Allowed:
    """`registry.require`, refusing a step the person could take in another state with the
    reason (the round is already closed, the party has answered), not "not allowed"."""
    allowed = registry.actions(user, obj)
    if VIEW not in allowed:
        raise NotFound()
    if action in allowed:
        return allowed
    if isinstance(obj, ReviewRound):
        person = person_allows(obj, standing(user, obj))
        if action not in person:
            raise NotAllowed()
        if action == RoundAction.OPEN and obj.status == Status.PLANNED and obj.document.is_locked:
            raise DocumentLocked()
        raise _round_refusal(action, obj.status)
    person_stand = standing(user, obj.round)
    if action not in person_allows_on_party(obj.round, person_stand, _party(person_stand, obj)):
        raise NotAllowed()
    raise _party_refusal(action, obj.round.status)


def _round_refusal(action: str, status: str) -> DomainError:
    if action == RoundAction.COMMENT:
        return errors.RoundNotOpen() if status == Status.PLANNED else errors.RoundClosed()
    if action == RoundAction.OPEN and status == Status.OPEN:
        return errors.InvalidTransition(errors.ALREADY_OPEN)
    if action == RoundAction.PUBLISH_REPORT:
        if status == Status.REPORTED:
            return errors.InvalidTransition(errors.ALREADY_REPORTED)
        return errors.InvalidTransition(errors.CLOSE_BEFORE_REPORT)
    if action == RoundAction.SEND_LINKS and status == Status.PLANNED:
        return errors.InvalidTransition(errors.LINKS_WHEN_OPEN)
    if status == Status.PLANNED:
        return errors.InvalidTransition(errors.NOT_OPENED_YET)
    return errors.InvalidTransition(errors.ALREADY_CLOSED)


def _party_refusal(action: str, status: str) -> DomainError:
    if status == Status.PLANNED:
        return errors.RoundNotOpen()
    if action == ConsulteeAction.ENTER and status == Status.REPORTED:
        return errors.ReportPublished()
    if action != ConsulteeAction.ENTER and status != Status.OPEN:
        return errors.RoundClosed()
    return errors.ResponseExists()
