"""Asking for sign-off, on the demo's Örebro networks: the working group's chair asks KC/RD's
directors to sign the newest version, shown as text; each person offered is shown with their role
and body; nobody of another county is offered, and a person not offered is refused in words."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consultations.errors import CannotBeAskedToSign
from consultations.models import Decision, Signature, SignOff
from consultations.policies.actions import SignOffAction
from consultations.policies.decisions import signing_memberships
from consultations.services import decisions
from documents import services as document_services
from documents.demo import seed_demo as seed_documents
from documents.models import Document
from networks import registry
from networks.demo import ARBETSGRUPP, KCRD, KRONOBERG
from networks.demo import seed_demo as seed_networks
from networks.models import Membership, Network, Organisation, Role, User
from tests.consultations.browserlike import read_form
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

DIRECTORS = ["Sven Beslutsfattare", "Henrik Ek", "Birgitta Svan"]  # KC/RD's signatories and chair


@pytest.fixture
def demo():
    """The demo's networks and strategy (version 2 the newest), anchored: the manager group has
    given its views, so the chair may ask for sign-off."""
    seed_networks()
    seed_documents()
    document = Document.objects.get(network__name=ARBETSGRUPP)
    Document.objects.filter(pk=document.pk).update(status=Document.Status.REVISING)
    chair = User.objects.get(email="chair@example.org")
    decisions.record_decision(
        document,
        by_user=chair,
        version=document.versions.get(number=2),
        kind="views",
        decided_on=timezone.localdate(),
        text="Chefsnätverket ställer sig positivt.",
        body_network=Network.objects.get(name="Chefsnätverk socialtjänst"),
    )
    document.refresh_from_db()
    assert document.status == Document.Status.ANCHORING
    return {"document": document, "chair": chair}


def person(name):
    return User.objects.get(full_name=name)


def snapshot():
    return (
        sorted(SignOff.objects.values_list("id", "status")),
        sorted(SignOff.signatories.through.objects.values_list("signoff_id", "user_id")),
        sorted(Signature.objects.values_list("id")),
        sorted(Document.objects.values_list("id", "status")),
        Decision.objects.count(),
    )


def url(demo):
    return reverse("consultations:sign_off_new", args=[demo["document"].pk])


def test_the_chair_asks_kcrd_to_sign_by_submitting_the_page_as_a_browser_does(client, demo):
    client.force_login(demo["chair"])

    page = client.get(url(demo))
    assert page.status_code == 200
    form = read_form(page.content.decode())
    response = client.post(url(demo), form.data(tick=DIRECTORS))

    sign_off = SignOff.objects.get()
    assert response.status_code == 302
    assert response["Location"] == sign_off.get_absolute_url()
    assert sign_off.version == demo["document"].versions.get(number=2)
    assert sorted(p.get_full_name() for p in sign_off.signatories.all()) == sorted(DIRECTORS)
    assert sign_off.required == 3
    assert sign_off.requested_by == demo["chair"]
    demo["document"].refresh_from_db()
    assert demo["document"].status == Document.Status.AWAITING_SIGN_OFF


def test_the_page_shows_the_version_as_text_and_each_person_with_role_and_body(client, demo):
    client.force_login(demo["chair"])

    html = client.get(url(demo)).content.decode()
    form = read_form(html)

    assert '<select name="version"' not in html
    assert "Version 2: Reviderad version oktober 2022" in html
    assert demo["document"].versions.get(number=2).short_hash in html
    assert dict(form.fields)["version"] == str(demo["document"].versions.get(number=2).pk)
    assert form.box("Sven Beslutsfattare").label == (
        "Sven Beslutsfattare Beslutsfattare, KC/RD (Karlskoga kommun)"
    )
    assert form.box("Henrik Ek").label.endswith("Beslutsfattare, KC/RD (Örebro kommun)")
    assert form.box("Birgitta Svan").label.endswith("Ordförande, KC/RD (Region Örebro län)")
    # The working group's own people are offered too, in their role there.
    assert form.box("Cecilia Ordförande").label.endswith(
        f"Ordförande, {ARBETSGRUPP} (Region Örebro län)"
    )
    assert not any(b.checked for b in form.boxes)


def test_nobody_of_another_county_and_no_observer_is_offered(client, demo):
    client.force_login(demo["chair"])

    form = read_form(client.get(url(demo)).content.decode())

    offered = " ".join(b.label for b in form.boxes)
    for name in ["Otto Utomstående", "Sara Moberg", "Olivia Observatör"]:
        assert name not in offered
    kronoberg = Membership.objects.filter(network__name=KRONOBERG).values_list("user_id", flat=True)
    assert not {int(b.value) for b in form.boxes} & set(kronoberg)


def test_a_person_not_offered_is_refused_in_words_and_nothing_changes(client, demo):
    client.force_login(demo["chair"])
    form = read_form(client.get(url(demo)).content.decode())
    data = form.data(tick=["Sven Beslutsfattare"])
    data["signatories"].append(str(person("Otto Utomstående").pk))  # not on the page
    before = snapshot()

    response = client.post(url(demo), data)

    assert response.status_code == 400
    html = response.content.decode()
    assert "kan inte ombes att skriva under" in html
    assert snapshot() == before
    # What was chosen is kept.
    assert read_form(html).box("Sven Beslutsfattare").checked


def test_the_service_refuses_a_person_not_offered_whatever_sends_it(demo):
    before = snapshot()

    with pytest.raises(CannotBeAskedToSign) as refused:
        decisions.request_sign_off(
            demo["document"],
            by_user=demo["chair"],
            version=demo["document"].versions.get(number=2),
            signatories=[person("Sven Beslutsfattare"), person("Otto Utomstående")],
            required=None,
        )

    assert "Otto Utomstående" in str(refused.value.message)
    assert snapshot() == before


def test_a_version_published_while_the_page_was_open_is_not_signed_unseen(client, demo):
    client.force_login(demo["chair"])
    form = read_form(client.get(url(demo)).content.decode())
    writer = User.objects.get(email="writer@example.org")
    section = demo["document"].sections.first()
    section.body += "\n\nEn sista ändring."
    section.save()
    document_services.publish_version(
        demo["document"], by_user=writer, label="Slutversion", change_summary=""
    )
    before = snapshot()

    response = client.post(url(demo), form.data(tick=DIRECTORS))

    assert response.status_code == 400
    assert "En nyare version" in response.content.decode()
    assert snapshot() == before


def test_choosing_nobody_says_so(client, demo):
    client.force_login(demo["chair"])
    form = read_form(client.get(url(demo)).content.decode())
    before = snapshot()

    response = client.post(url(demo), form.data())

    assert response.status_code == 400
    assert "Välj minst en undertecknare" in response.content.decode()
    assert snapshot() == before


def test_who_may_be_asked_follows_shared_organisations_not_the_requesters_networks(demo):
    """The sign-off policy's rule: the document's own network (not its observers), and the
    signatories and chairs of networks sharing an organisation with it; the people it names
    are the people it offers (users_for)."""
    offered = signing_memberships(demo["document"]).select_related("user", "network")
    rows = {(m.user.get_full_name(), m.network.name, m.role) for m in offered}
    asked = registry.users_for(SignOffAction.SIGN, SignOff(document=demo["document"]))
    assert set(asked) == {m.user for m in offered}

    for name in ["Sven Beslutsfattare", "Henrik Ek"]:
        assert (name, KCRD, Role.SIGNATORY) in rows
    assert ("Birgitta Svan", KCRD, Role.CHAIR) in rows
    assert ("Konrad Samordnare", KCRD, Role.COORDINATOR) not in rows  # not a signing role there
    assert ("Konrad Samordnare", ARBETSGRUPP, Role.COORDINATOR) in rows  # the group's own
    assert not any(network == KRONOBERG for _n, network, _r in rows)
    assert not any(role == Role.OBSERVER for _n, _network, role in rows)


def test_the_page_costs_the_same_however_many_may_be_asked(client, demo):
    client.force_login(demo["chair"])

    def count():
        client.get(url(demo))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(demo)).status_code == 200
        return len(queries)

    few = count()
    kcrd = Network.objects.get(name=KCRD)
    karlskoga = Organisation.objects.get(name="Karlskoga kommun")
    for _n in range(15):
        MembershipFactory(network=kcrd, role=Role.SIGNATORY, organisation=karlskoga)

    assert len(read_form(client.get(url(demo)).content.decode()).boxes) >= 15 + len(DIRECTORS)
    assert count() == few
