"""The demo data: the Örebro networks and the documented logins; a second run changes nothing."""

import pytest
from django.core.management import call_command

from consultations.models import Comment, Consultee, ReviewRound
from documents.models import Document, Section, Version
from networks import registry
from networks.demo import DEMO_PASSWORD
from networks.models import Invitation, Membership, Network, Organisation, Role, User
from networks.permissions import Action

pytestmark = pytest.mark.django_db


def counts():
    models = [
        User,
        Organisation,
        Network,
        Membership,
        Invitation,
        Document,
        Section,
        Version,
        ReviewRound,
        Consultee,
        Comment,
    ]
    rows = {m.__name__: m.objects.count() for m in models}
    history = {m.__name__: m.history.count() for m in models}
    return rows, history


def test_a_second_run_changes_nothing(capsys):
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    assert counts() == first
    assert "nothing changed" in capsys.readouterr().out


def test_the_demo_logins_work_and_have_their_roles():
    call_command("seed_demo")
    working_group = Network.objects.get(name__startswith="Strategisk arbetsgrupp")
    writing_group = Network.objects.get(name="Skrivargrupp")
    kcrd = Network.objects.get(name="KC/RD")
    kronoberg = Network.objects.get(name="Föräldraskapsstöd Kronoberg")

    def person(email):
        user = User.objects.get(email=email)
        assert user.check_password(DEMO_PASSWORD)
        return user

    def role(email, network):
        return Membership.objects.active().get(user__email=email, network=network).role

    assert role("chair@example.org", working_group) == Role.CHAIR
    assert role("coordinator@example.org", working_group) == Role.COORDINATOR
    assert role("writer@example.org", writing_group) == Role.WRITER
    assert role("member@example.org", working_group) == Role.MEMBER
    assert role("signatory@example.org", kcrd) == Role.SIGNATORY
    assert role("observer@example.org", working_group) == Role.OBSERVER
    assert writing_group.parent == working_group
    assert set(Membership.objects.filter(network=kcrd).values_list("role", flat=True)) >= {
        Role.SIGNATORY
    }
    outsider = person("outsider@example.org")
    assert registry.can(outsider, Action.VIEW_NETWORK, kronoberg)
    assert not any(
        registry.can(outsider, Action.VIEW_NETWORK, n)
        for n in Network.objects.exclude(pk=kronoberg.pk)
    )
    member = person("member@example.org")
    assert Membership.objects.get(user=member, network=working_group).organisation.kind == (
        Organisation.Kind.MUNICIPALITY
    )


def test_the_county_is_complete():
    call_command("seed_demo")
    municipalities = Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY)
    assert municipalities.exclude(name="Växjö kommun").count() == 12
    assert Organisation.objects.filter(name="Region Örebro län").exists()
    assert Organisation.objects.filter(name="Länsstyrelsen Örebro län").exists()
    assert Organisation.objects.filter(kind=Organisation.Kind.CIVIL_SOCIETY).exists()
    assert all(
        Membership.objects.active().filter(network=n, role=Role.CHAIR).exists()
        for n in Network.objects.all()
    )


def test_the_demo_tells_a_true_story_in_its_dates():
    """History in 2022 for the 2022 chain, members since their network began (not the day the
    demo was loaded), every round opened after its version was published."""
    from datetime import date

    from django.utils import timezone

    from consultations.models import Decision, Disposition, Response, SignOff
    from documents.demo import TITLE

    call_command("seed_demo")
    now, today = timezone.now(), timezone.localdate()
    strategy = Document.objects.get(title=TITLE)
    chain = [
        (Document, [strategy.pk]),
        (Section, list(strategy.sections.values_list("pk", flat=True))),
        (Version, list(strategy.versions.values_list("pk", flat=True))),
        (ReviewRound, list(strategy.rounds.values_list("pk", flat=True))),
        (
            Comment,
            list(Comment.objects.filter(round__document=strategy).values_list("pk", flat=True)),
        ),
        (
            Consultee,
            list(Consultee.objects.filter(round__document=strategy).values_list("pk", flat=True)),
        ),
        (
            Response,
            list(
                Response.objects.filter(consultee__round__document=strategy).values_list(
                    "pk", flat=True
                )
            ),
        ),
        (
            Disposition,
            list(
                Disposition.objects.filter(comment__round__document=strategy).values_list(
                    "pk", flat=True
                )
            ),
        ),
        (Decision, list(strategy.decisions.values_list("pk", flat=True))),
        (SignOff, list(strategy.sign_offs.values_list("pk", flat=True))),
    ]
    for model, pks in chain:
        assert pks, model.__name__
        years = set(model.history.filter(id__in=pks).values_list("history_date__year", flat=True))
        assert years == {2022}, (model.__name__, years)
    for version in Version.objects.all():
        (row,) = version.history.all()
        assert row.history_date == version.created_at

    # Members since their network began, long before today; the history says so too.
    working_group = Network.objects.get(name__startswith="Strategisk arbetsgrupp")
    for membership in Membership.objects.all():
        assert membership.start_date < today
        first = membership.history.earliest("history_date")
        assert first.history_date.date() == membership.start_date
    august = strategy.rounds.get(title__contains="augusti")
    opened = august.opened_at.date()
    assert all(m.start_date < opened for m in Membership.objects.filter(network=working_group))
    assert Network.objects.filter(created_at__date__gte=today).count() == 0
    assert User.objects.filter(date_joined__date__gte=today).count() == 0

    # Each round opened after its version was published, and was planned before it opened.
    for review_round in ReviewRound.objects.select_related("version"):
        assert review_round.version.created_at <= review_round.opened_at
        assert review_round.version.created_at <= review_round.opens_at
        assert review_round.created_at <= review_round.opened_at
        assert review_round.version.document.created_at < review_round.version.created_at
    assert date(2022, 8, 15) <= opened
    # Nothing happened in the future.
    for model in (Document, Section, Version, ReviewRound, Comment, Membership, Network, User):
        assert not model.history.filter(history_date__gt=now).exists(), model.__name__
