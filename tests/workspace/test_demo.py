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
