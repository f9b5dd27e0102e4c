"""The 'speaks for a party' relation as the tests ask it, through the policies' faces."""

from consultations.models import Consultee
from consultations.policies import rounds as round_policy
from consultations.policies.actions import ConsulteeAction
from networks import registry


def speaks_for(person, parties) -> list:
    """The parties, of a list, this person may answer for now (the dashboard's face)."""
    owed = registry.objects_for(person, ConsulteeAction.RESPOND, Consultee)
    ids = set(owed.values_list("pk", flat=True))
    return [party for party in parties if party.pk in ids]


def acting_for(person, review_round) -> set[int]:
    """The organisations this person may comment for in the round."""
    spoken_for = round_policy.organisations_spoken_for(person, review_round)
    return set(spoken_for.values_list("pk", flat=True))


def people_of(review_round, parties=None) -> list:
    """Everyone who speaks for these parties of the round (all of them without a list)."""
    parties = review_round.consultees.all() if parties is None else parties
    return list(round_policy.people_of(review_round, parties))
