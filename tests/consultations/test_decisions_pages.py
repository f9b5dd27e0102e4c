"""Role × page matrix for decisions and sign-off; signatories from outside the working group see
the sign-off (and its version) but not the document; refused writes change nothing."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consultations.models import Decision, ReviewRound, Signature, SignOff
from consultations.policies.actions import RoundAction
from consultations.services import decisions
from consultations.services import rounds as round_services
from documents.models import Document
from documents.policies import DocumentAction
from networks import registry
from networks.models import Network, Role
from tests.consultations.page_forms import fill, form_posting_to
from tests.factories import PASSWORD, MembershipFactory, NetworkFactory

pytestmark = pytest.mark.django_db

VISITORS = ["chair", "coordinator", "member", "writer", "signatory", "outsider", "anonymous"]
READERS = {"chair", "coordinator", "member", "writer"}
RUNNERS = {"chair", "coordinator"}


@pytest.fixture
def setup(world):
    people = world["people"]
    round_services.open_round(world["round"], by_user=people["chair"])
    round_services.close_round(world["round"], by_user=people["chair"])
    kcrd = NetworkFactory(kind=Network.Kind.MANAGEMENT_GROUP)
    region = world["group"].memberships.get(user=people["chair"]).organisation
    for name in ["signatory", "second_signatory"]:
        people[name] = MembershipFactory(
            network=kcrd, role=Role.SIGNATORY, organisation=region
        ).user
    decisions.record_decision(
        world["document"],
        by_user=people["coordinator"],
        version=world["version"],
        kind="views",
        decided_on=timezone.localdate(),
        text="Förankrat.",
        body_name="Chefsgruppen",
    )
    world["sign_off"] = decisions.request_sign_off(
        world["document"],
        by_user=people["chair"],
        version=world["version"],
        signatories=[people["signatory"], people["second_signatory"]],
        required=None,
    )
    world["decision"] = decisions.record_decision(
        world["document"],
        by_user=people["coordinator"],
        version=world["version"],
        kind="views",
        decided_on=timezone.localdate(),
        text="Synpunkter lämnade.",
        body_name="Socialnämnden i Kumla kommun",
    )
    return world


def snapshot():
    return (
        sorted(Decision.objects.values_list("id", "kind")),
        sorted(SignOff.objects.values_list("id", "status")),
        sorted(Signature.objects.values_list("id", "verdict")),
        sorted(Document.objects.values_list("id", "status")),
    )


def login(client, w, visitor):
    if visitor != "anonymous":
        client.force_login(w["people"][visitor])


def expected(visitor, allowed, ok, seen):
    if visitor == "anonymous":
        return 302
    if visitor in allowed:
        return ok
    return 403 if visitor in seen else 404


@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize("name", ["decisions", "decision_new", "sign_off_new", "sign_off"])
def test_pages(client, setup, visitor, name):
    d = setup["document"]
    pages = {
        "decisions": (reverse("consultations:decisions", args=[d.pk]), READERS, READERS),
        "decision_new": (reverse("consultations:decision_new", args=[d.pk]), RUNNERS, READERS),
        "sign_off_new": (reverse("consultations:sign_off_new", args=[d.pk]), RUNNERS, READERS),
        "sign_off": (setup["sign_off"].get_absolute_url(), READERS | {"signatory"}, READERS),
    }
    url, allowed, seen = pages[name]
    login(client, setup, visitor)
    assert client.get(url).status_code == expected(visitor, allowed, 200, seen)


@pytest.mark.parametrize("visitor", VISITORS)
def test_only_the_signatory_signs_and_with_the_right_password(client, setup, visitor):
    login(client, setup, visitor)
    url = setup["sign_off"].get_absolute_url()
    before = snapshot()
    wrong = client.post(url, {"verdict": "approve", "password": "fel"})
    assert snapshot() == before
    response = client.post(url, {"verdict": "approve", "password": PASSWORD})
    if visitor == "signatory":
        assert wrong.status_code == 400
        assert response.status_code == 302
        assert snapshot() != before
    else:
        assert response.status_code == {"anonymous": 302}.get(
            visitor, 400 if visitor in READERS else 404
        )
        assert snapshot() == before


@pytest.mark.parametrize("visitor", VISITORS)
def test_recording_a_decision(client, setup, visitor):
    login(client, setup, visitor)
    before = snapshot()
    response = client.post(
        reverse("consultations:decision_new", args=[setup["document"].pk]),
        {
            "version": setup["version"].pk,
            "kind": "endorsement",
            "body_name": "Rådet",
            "decided_on": timezone.localdate().isoformat(),
            "text": "Ställer sig bakom.",
        },
    )
    assert response.status_code == expected(visitor, RUNNERS, 302, READERS)
    assert (snapshot() != before) is (visitor in RUNNERS)


@pytest.mark.parametrize("corrects", ["abc", "999999", "1.5"])
def test_correcting_a_decision_that_is_not_there_is_not_found(client, setup, corrects):
    login(client, setup, "chair")
    url = reverse("consultations:decision_new", args=[setup["document"].pk])
    before = snapshot()
    assert client.get(url, {"corrects": corrects}).status_code == 404
    assert client.post(url, {"corrects": corrects, "text": "Rättelse"}).status_code == 404
    assert snapshot() == before


def test_minutes_keep_their_name_when_downloaded(client, setup):
    decision = setup["decision"]
    name = 'Protokoll "§ 12" för nämnden.pdf'
    stored = default_storage.save("minutes/protokoll.pdf", ContentFile(b"%PDF-1.4"))
    Decision.objects.filter(pk=decision.pk).update(minutes=stored, minutes_name=name)
    login(client, setup, "member")
    response = client.get(reverse("consultations:decision_minutes", args=[decision.pk]))
    assert response.status_code == 200
    assert response.streaming  # sent from the file storage in chunks, not built in memory
    assert b"".join(response.streaming_content) == b"%PDF-1.4"
    header = response["Content-Disposition"]
    assert header.startswith("attachment; filename*=utf-8''")
    assert '"' not in header  # the quotes in the name cannot end the header's value
    assert "Protokoll%20%22%C2%A7%2012%22" in header


@pytest.mark.parametrize("visitor", VISITORS)
def test_withdrawing(client, setup, visitor):
    login(client, setup, visitor)
    before = snapshot()
    response = client.post(reverse("consultations:sign_off_withdraw", args=[setup["sign_off"].pk]))
    assert response.status_code == expected(visitor, RUNNERS, 302, READERS | {"signatory"})
    assert (snapshot() != before) is (visitor in RUNNERS)


def test_a_signatory_outside_the_group_reads_the_version_on_the_sign_off_page(client, setup):
    client.force_login(setup["people"]["signatory"])
    page = client.get(setup["sign_off"].get_absolute_url()).content.decode()
    assert "barnets hela uppväxt" in page
    assert setup["version"].short_hash in page
    assert client.get(setup["document"].get_absolute_url()).status_code == 404


@pytest.mark.parametrize("name", ["decisions", "sign_off"])
def test_pages_do_not_grow_with_the_record(client, setup, name):
    client.force_login(setup["people"]["chair"])
    url = (
        reverse("consultations:decisions", args=[setup["document"].pk])
        if name == "decisions"
        else setup["sign_off"].get_absolute_url()
    )

    def count():
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count()
    if name == "decisions":  # the record grows
        for n in range(15):
            decisions.record_decision(
                setup["document"],
                by_user=setup["people"]["coordinator"],
                version=setup["version"],
                kind="endorsement",
                decided_on=timezone.localdate(),
                text=f"Beslut {n}",
                body_name=f"Nämnd {n}",
            )
    else:  # the sign-off grows: 15 more signatories, and their signatures
        sign_off = setup["sign_off"]
        SignOff.objects.filter(pk=sign_off.pk).update(required=100)  # nobody adopts it here
        kcrd = setup["people"]["signatory"].memberships.get().network
        for _n in range(15):
            person = MembershipFactory(network=kcrd, role=Role.SIGNATORY).user
            sign_off.signatories.add(person)
            decisions.sign(sign_off, by_user=person, verdict="approve", password=PASSWORD)
        assert sign_off.signatures.count() == 15
        old = setup["round"]
        for n in range(5):  # and more closed rounds on the version: one outcome is linked
            ReviewRound.objects.create(
                document=old.document,
                version=old.version,
                title=f"Remiss {n}",
                status=ReviewRound.Status.CLOSED,
                opens_at=old.opens_at,
                closes_at=old.closes_at,
                chair=old.chair,
                opened_at=old.opened_at,
                closed_at=timezone.now(),
            )
    assert count() == few


def test_the_sign_off_page_says_who_asked_and_links_the_outcome_and_the_decisions(client, setup):
    sign_off = setup["sign_off"]
    for visitor in ["chair", "signatory"]:
        person = setup["people"][visitor]
        client.force_login(person)
        page = client.get(sign_off.get_absolute_url()).content.decode()
        assert f"Begärd av {setup['people']['chair'].get_full_name()}" in page
        report = reverse("consultations:report", args=[setup["round"].pk])
        sees_round = registry.can(person, RoundAction.VIEW, setup["round"])
        assert (report in page) == sees_round
        decisions_url = reverse("consultations:decisions", args=[setup["document"].pk])
        sees_document = registry.can(person, DocumentAction.VIEW, setup["document"])
        assert (decisions_url in page) == sees_document


def _sign_as_the_browser(client, sign_off, verdict, reason=""):
    url = sign_off.get_absolute_url()
    form = form_posting_to(client.get(url).content.decode())
    labels = {"approve": "Jag godkänner", "reject": "Jag avböjer"}
    page = client.get(url).content.decode()
    assert labels[verdict] in page
    data = fill(form, {"verdict": verdict, "password": PASSWORD, "reason": reason})
    return client.post(url, data, follow=True)


def test_approving_as_the_browser_does_and_the_last_approval_adopts(client, setup):
    sign_off = setup["sign_off"]
    client.force_login(setup["people"]["signatory"])
    page = _sign_as_the_browser(client, sign_off, "approve").content.decode()
    assert "Du godkände. Din underskrift är registrerad." in page
    assert "Dokumentet är nu fastställt" not in page
    assert "Du har skrivit under" in page
    client.force_login(setup["people"]["second_signatory"])
    response = _sign_as_the_browser(client, sign_off, "approve")
    page = response.content.decode()
    assert "Dokumentet är nu fastställt." in page
    setup["document"].refresh_from_db()
    assert setup["document"].status == Document.Status.ADOPTED
    signed = page.split('id="signed-heading"')[1]
    assert setup["document"].title in signed
    assert "Godkänt" in signed


def test_declining_as_the_browser_does(client, setup):
    sign_off = setup["sign_off"]
    client.force_login(setup["people"]["signatory"])
    page = _sign_as_the_browser(client, sign_off, "reject", reason="Fel siffror.").content.decode()
    assert "Du avböjde." in page
    assert "Dokumentet är nu fastställt" not in page
    signed = page.split('id="signed-heading"')[1]
    assert setup["document"].title in signed
    assert "Avböjt" in signed
    assert Signature.objects.get().verdict == Signature.Verdict.REJECT


def test_asking_with_a_last_day_to_sign_shows_it_to_the_signatory(client, setup):
    people = setup["people"]
    decisions.withdraw_sign_off(setup["sign_off"], by_user=people["chair"])
    client.force_login(people["chair"])
    url = reverse("consultations:sign_off_new", args=[setup["document"].pk])
    form = form_posting_to(client.get(url).content.decode())
    last_day = timezone.localdate() + timedelta(days=7)
    chosen = {"signatories": [str(people["signatory"].pk)]}

    past = fill(form, {**chosen, "sign_by": str(timezone.localdate() - timedelta(days=1))})
    refused = client.post(url, past)
    assert refused.status_code == 400
    assert "Sista dagen att skriva under kan inte ha passerat." in refused.content.decode()
    response = client.post(url, fill(form, {**chosen, "sign_by": last_day.isoformat()}))
    assert response.status_code == 302

    sign_off = SignOff.objects.get(status=SignOff.Status.PENDING)
    assert sign_off.sign_by == last_day
    client.force_login(people["signatory"])
    page = client.get(sign_off.get_absolute_url()).content.decode()
    assert f'Skriv under senast <time datetime="{last_day.isoformat()}">' in page
