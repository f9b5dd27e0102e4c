"""The consultation's forms, submitted from the pages as a browser does: a new round and its steps,
comments, replies, changes, answers, formal responses, decisions and sign-off."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations import guests
from consultations.models import (
    Comment,
    Consultee,
    Decision,
    Disposition,
    GuestLink,
    GuestPass,
    Response,
    ReviewRound,
    Signature,
    SignOff,
)
from consultations.services import comments as comment_services
from consultations.services import decisions as decision_services
from consultations.services import rounds as round_services
from networks.models import Affiliation, Role
from notifications.kinds import Kind
from notifications.models import Notification
from tests.consultations.test_round_reminder import sent_state
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory
from tests.forms import (
    browser_client,
    find_form,
    follow_link,
    forms_on,
    page_text,
    submit_form,
    submits,
)


def named_on_an_organisations_page(person, network):
    """An outside expert in no network: named on the page of a research institute that takes
    part in the chair's network, a chair may consult them by name (networks.policies
    PersonPolicy: the people of the organisations whose people one sees)."""
    institute = OrganisationFactory(name="Forskningsinstitutet")
    Affiliation.objects.create(user=person, organisation=institute)
    MembershipFactory(network=network, organisation=institute)


pytestmark = pytest.mark.django_db


def in_days(days):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


@pytest.fixture
def closed_world(open_world):
    people = open_world["people"]
    round_services.close_round(open_world["round"], by_user=people["chair"])
    open_world["round"].refresh_from_db()
    return open_world


def add_comment(world, who="manager", **kwargs):
    return comment_services.add_comment(
        world["round"],
        by_user=world["people"][who],
        body=kwargs.pop("body", "Målen behöver följas upp."),
        kind=kwargs.pop("kind", "remark"),
        section_key=kwargs.pop("section_key", world["section"].key),
        **kwargs,
    )


# -- the round and its steps ---------------------------------------------------------------------


@submits("consultations:round_new")
def test_a_chair_plans_a_round_from_the_documents_rounds(world):
    people, document = world["people"], world["document"]
    named_on_an_organisations_page(people["expert"], world["document"].network)
    MembershipFactory(network__name="Specifika samverkansrådet", user=people["chair"])
    client = browser_client(people["chair"])
    rounds_page = client.get(reverse("consultations:document_rounds", args=[document.pk]))
    page = follow_link(client, rounds_page, "Starta en remissrunda")

    response = submit_form(
        client,
        page,
        button="Spara remissrundan som planerad",
        fields={
            "Namn på remissrundan": "Remiss hösten",
            "Instruktioner till remissinstanserna": "Svara per avsnitt.",
            "Särskilda frågor": "Saknas något?\nÄr målen rimliga?",
            "Sista svarsdag": in_days(30),
            "Specifika samverkansrådet": True,
            "Kumla kommun": True,
            "Namngivna personer": people["expert"].email,
        },
    )

    assert "Remissrundan är planerad." in page_text(response)
    review_round = ReviewRound.objects.get(title="Remiss hösten")
    assert review_round.status == ReviewRound.Status.PLANNED
    assert review_round.version == world["version"]
    assert [q.text for q in review_round.questions.order_by("pk")] == [
        "Saknas något?",
        "Är målen rimliga?",
    ]
    assert Consultee.objects.filter(round=review_round).count() == 3
    assert response.redirect_chain[-1][0] == review_round.get_absolute_url()


@submits("consultations:step", step="open")
def test_the_chair_opens_a_planned_round(world):
    client = browser_client(world["people"]["chair"])
    round_page = client.get(world["round"].get_absolute_url())
    page = follow_link(client, round_page, "Öppna remissrundan")

    response = submit_form(client, page, button="Öppna remissrundan")

    assert "Remissrundan är öppen. Remissinstanserna har fått besked." in page_text(response)
    world["round"].refresh_from_db()
    assert world["round"].status == ReviewRound.Status.OPEN


@submits("consultations:step", step="consult")
def test_the_chair_consults_more_parties(world):
    MembershipFactory(organisation__name="Örebro kommun")
    client = browser_client(world["people"]["chair"])
    page = follow_link(
        client, client.get(world["round"].get_absolute_url()), "Lägg till fler remissinstanser"
    )

    response = submit_form(
        client, page, button="Lägg till remissinstanserna", fields={"Örebro kommun": True}
    )

    assert "Remissinstanserna har lagts till i remissrundan." in page_text(response)
    assert world["round"].consultees.filter(organisation__name="Örebro kommun").exists()


@submits("consultations:step", step="extend")
def test_the_chair_extends_the_deadline_of_an_open_round(open_world):
    client = browser_client(open_world["people"]["chair"])
    page = follow_link(
        client, client.get(open_world["round"].get_absolute_url()), "Förläng svarstiden"
    )

    response = submit_form(
        client, page, button="Förläng svarstiden", fields={"Sista svarsdag": in_days(40)}
    )

    assert "Svarstiden är förlängd. Remissinstanserna har fått besked." in page_text(response)
    open_world["round"].refresh_from_db()
    closes_on = timezone.localtime(open_world["round"].closes_at).date().isoformat()
    assert closes_on == in_days(40)


@submits("consultations:step", step="extend")
def test_extending_to_an_earlier_day_is_refused_and_nobody_is_told(open_world):
    review_round = open_world["round"]
    before = review_round.closes_at
    told = Notification.objects.filter(kind=Kind.DEADLINE_EXTENDED)
    client = browser_client(open_world["people"]["chair"])
    page = client.get(reverse("consultations:step", args=[review_round.pk, "extend"]))

    refused = submit_form(
        client, page, button="Förläng svarstiden", fields={"Sista svarsdag": in_days(2)}
    )

    assert "Svarstiden är förlängd." not in page_text(refused)
    review_round.refresh_from_db()
    assert review_round.closes_at == before
    assert not told.exists()
    assert refused.status_code == 400  # the form again, to choose a later day

    response = submit_form(
        client, refused, button="Förläng svarstiden", fields={"Sista svarsdag": in_days(20)}
    )
    assert "Svarstiden är förlängd." in page_text(response)


@submits("consultations:step", step="close")
def test_the_chair_closes_an_open_round(open_world):
    client = browser_client(open_world["people"]["chair"])
    page = follow_link(
        client, client.get(open_world["round"].get_absolute_url()), "Stäng remissrundan nu"
    )

    response = submit_form(client, page, button="Stäng remissrundan")

    assert "Remissrundan är stängd." in page_text(response)
    open_world["round"].refresh_from_db()
    assert open_world["round"].status == ReviewRound.Status.CLOSED


@submits("consultations:publish")
def test_the_chair_publishes_the_report_of_a_closed_round(closed_world):
    client = browser_client(closed_world["people"]["chair"])
    page = client.get(closed_world["round"].get_absolute_url())
    if "Publicera sammanställningen" not in {b for f in forms_on(page) for b in f.button_texts()}:
        page = follow_link(client, page, "Publicera sammanställningen")  # the step's own page

    response = submit_form(client, page, button="Publicera sammanställningen")

    assert "Sammanställningen är publicerad." in page_text(response)
    closed_world["round"].refresh_from_db()
    assert closed_world["round"].status == ReviewRound.Status.REPORTED


# -- comments ------------------------------------------------------------------------------------


@submits("consultations:comment_add")
def test_a_consulted_person_proposes_a_change_to_a_section(open_world):
    section = open_world["round"].version.sections.get(heading="Mål")
    client = browser_client(open_world["people"]["manager"])
    round_page = client.get(open_world["round"].get_absolute_url())
    page = follow_link(client, round_page, "Kommentera avsnittet Mål")

    response = submit_form(
        client,
        page,
        button="Skicka synpunkt",
        inside=f"section-{section.key}",
        fields={
            "Typ": "Ändringsförslag",
            "Din synpunkt": "Målen bör gälla även blivande föräldrar.",
            "Föreslagen text (för ett ändringsförslag)": "Fyra målområden.",
        },
    )

    assert "Din synpunkt är sparad. Alla i remissrundan kan läsa den." in page_text(response)
    assert "Målen bör gälla även blivande föräldrar." in page_text(response)
    comment = Comment.objects.get(body="Målen bör gälla även blivande föräldrar.")
    assert (comment.kind, comment.section_key) == ("proposal", section.key)
    assert comment.proposed_text == "Fyra målområden."


@submits("consultations:reply_add")
def test_a_participant_replies_to_a_comment(open_world):
    comment = add_comment(open_world)
    client = browser_client(open_world["people"]["expert"])
    page = client.get(open_world["round"].get_absolute_url())

    response = submit_form(
        client,
        page,
        action="consultations:reply_add",
        form_kwargs={"comment_pk": comment.pk},
        fields={"Ditt svar": "Håller med, och uppföljningen bör vara årlig."},
    )

    assert "Håller med, och uppföljningen bör vara årlig." in page_text(response)
    reply = Comment.objects.get(parent=comment)
    assert reply.author == open_world["people"]["expert"]


@submits("consultations:comment_edit")
def test_the_author_changes_their_comment(open_world):
    comment = add_comment(open_world)
    client = browser_client(open_world["people"]["manager"])
    round_page = client.get(open_world["round"].get_absolute_url())
    page = follow_link(client, round_page, "Ändra eller ta bort din synpunkt")

    response = submit_form(
        client, page, button="Spara ändringen", fields={"Ditt svar": "Målen behöver mätas."}
    )

    assert "Din synpunkt har ändrats." in page_text(response)
    comment.refresh_from_db()
    assert comment.body == "Målen behöver mätas."


@submits("consultations:comment_edit")
def test_the_author_removes_their_comment(open_world):
    comment = add_comment(open_world)
    client = browser_client(open_world["people"]["manager"])
    round_page = client.get(open_world["round"].get_absolute_url())
    page = follow_link(client, round_page, "Ändra eller ta bort din synpunkt")

    response = submit_form(client, page, button="Ta bort synpunkten")

    assert "Din synpunkt har tagits bort." in page_text(response)
    assert "Målen behöver följas upp." not in page_text(response)
    assert not Comment.objects.filter(pk=comment.pk).exists()


@submits("consultations:disposition")
def test_the_writing_group_answers_a_comment_after_closing(open_world):
    comment = add_comment(open_world)
    round_services.close_round(open_world["round"], by_user=open_world["people"]["chair"])
    client = browser_client(open_world["people"]["writer"])
    page = client.get(open_world["round"].get_absolute_url())

    response = submit_form(
        client,
        page,
        action="consultations:disposition",
        form_kwargs={"comment_pk": comment.pk},
        button="Spara bemötandet",
        fields={"Utfall": "Godtas delvis", "Motivering": "Uppföljning läggs till i avsnittet."},
    )

    assert "Svaret är sparat." in page_text(response)
    disposition = Disposition.objects.get(comment=comment)
    assert disposition.outcome == Disposition.Outcome.PARTLY_ACCEPTED
    assert disposition.rationale == "Uppföljning läggs till i avsnittet."


@submits("consultations:disposition")
def test_the_writing_group_applies_a_proposal_to_the_draft(open_world):
    comment = add_comment(
        open_world, kind="proposal", body="Skriv om.", proposed_text="Alla föräldrar får stöd."
    )
    round_services.close_round(open_world["round"], by_user=open_world["people"]["chair"])
    client = browser_client(open_world["people"]["writer"])
    page = client.get(open_world["round"].get_absolute_url())

    response = submit_form(
        client,
        page,
        action="consultations:disposition",
        form_kwargs={"comment_pk": comment.pk},
        button="För in förslaget i utkastet",
    )

    assert "Förslaget är infört i arbetsutkastet, och synpunkten är bemött." in page_text(response)
    assert Disposition.objects.filter(comment=comment).exists()
    open_world["section"].refresh_from_db()
    assert open_world["section"].body == "Alla föräldrar får stöd."


# -- formal responses ----------------------------------------------------------------------------


def kumla_consultee(world):
    return world["round"].consultees.get(organisation=world["kumla"])


@submits("consultations:respond")
def test_a_municipality_drafts_its_response_and_sends_it_for_approval(open_world):
    people = open_world["people"]
    client = browser_client(people["drafter"])
    round_page = client.get(open_world["round"].get_absolute_url())
    page = follow_link(client, round_page, "Kumla kommun")

    page = submit_form(
        client,
        page,
        button="Spara utkast",
        fields={
            "position": "Tillstyrker med reservation",
            "Sammanfattning av remissvaret": "Kumla ställer sig bakom med en reservation.",
            "Saknas något?": "Uppföljningen.",
        },
    )
    assert "Utkastet är sparat." in page_text(page)
    response = submit_form(client, page, button="Skicka för godkännande")

    assert "Remissvaret väntar på godkännande." in page_text(response)
    saved = Response.objects.get(consultee=kumla_consultee(open_world))
    assert saved.position == Response.Position.SUPPORTS_WITH_RESERVATIONS
    assert saved.summary == "Kumla ställer sig bakom med en reservation."
    assert list(saved.answers.values()) == ["Uppföljningen."]


@submits("consultations:respond")
def test_the_approver_approves_and_submits_the_response(open_world):
    people = open_world["people"]
    drafter = browser_client(people["drafter"])
    page = follow_link(drafter, drafter.get(open_world["round"].get_absolute_url()), "Kumla kommun")
    submit_form(
        drafter,
        page,
        button="Skicka för godkännande",
        fields={"position": "Tillstyrker", "Sammanfattning av remissvaret": "Vi tillstyrker."},
    )
    client = browser_client(people["approver"])
    page = follow_link(client, client.get(open_world["round"].get_absolute_url()), "Kumla kommun")

    response = submit_form(client, page, button="Godkänn och skicka in")

    assert "Remissvaret är inskickat som remissinstansens svar." in page_text(response)
    saved = Response.objects.get(consultee=kumla_consultee(open_world))
    assert saved.state == Response.State.SUBMITTED
    assert saved.position == Response.Position.SUPPORTS


@submits("consultations:enter_response")
def test_the_chair_enters_a_response_that_came_by_e_mail_with_the_original(open_world):
    client = browser_client(open_world["people"]["chair"])
    round_page = client.get(open_world["round"].get_absolute_url())
    page = follow_link(client, round_page, "Registrera remissvar för Chefsnätverket")

    response = submit_form(
        client,
        page,
        button="Registrera remissvaret",
        fields={
            "position": "Avstyrker",
            "Sammanfattning av remissvaret": "Chefsnätverket avstyrker.",
            "Hur det kom in": "Via e-post",
            "Kom in den": timezone.localdate().isoformat(),
            "Originalet (frivilligt)": ("svar.pdf", b"%PDF-1.4 remissvar", "application/pdf"),
        },
    )

    assert "Remissvaret är registrerat som remissinstansens svar." in page_text(response)
    consultee = open_world["round"].consultees.get(network=open_world["managers"])
    saved = Response.objects.get(consultee=consultee)
    assert (saved.state, saved.position, saved.received_via) == ("submitted", "opposes", "email")
    assert saved.attachment_name == "svar.pdf"
    original = client.get(
        reverse("consultations:attachment", args=[open_world["round"].pk, consultee.pk])
    )
    assert b"".join(original) == b"%PDF-1.4 remissvar"


# -- decisions and sign-off ----------------------------------------------------------------------


@submits("consultations:decision_new")
def test_the_coordinator_records_an_endorsement_with_its_minutes(closed_world):
    document = closed_world["document"]
    client = browser_client(closed_world["people"]["coordinator"])
    decisions_page = client.get(reverse("consultations:decisions", args=[document.pk]))
    page = follow_link(client, decisions_page, "Registrera ett beslut")

    response = submit_form(
        client,
        page,
        button="Registrera",
        fields={
            "Typ av beslut": "Ställer sig bakom",
            "Eller organets namn": "Specifika samverkansrådet",
            "Datum för beslutet": timezone.localdate().isoformat(),
            "Protokollsparagraf": "§ 42",
            "Beslutet": "Rådet ställer sig bakom förslaget.",
            "Protokollet (frivilligt)": ("protokoll.pdf", b"%PDF-1.4 protokoll"),
        },
    )

    assert "Beslutet är registrerat." in page_text(response)
    assert "Rådet ställer sig bakom förslaget." in page_text(response)
    decision = Decision.objects.get(text="Rådet ställer sig bakom förslaget.")
    assert (decision.kind, decision.minutes_reference) == ("endorsement", "§ 42")
    minutes = follow_link(client, response, "Protokollet")
    assert b"".join(minutes) == b"%PDF-1.4 protokoll"


@pytest.fixture
def anchored(closed_world):
    """The document has been given views on and may be signed off; two signatories exist."""
    people = closed_world["people"]
    decision_services.record_decision(
        closed_world["document"],
        by_user=people["coordinator"],
        version=closed_world["version"],
        kind="views",
        decided_on=timezone.localdate(),
        text="Förankrat.",
        body_name="Chefsgruppen",
    )
    for name in ("Sigrid Signatär", "Stina Signatär"):
        key = name.split()[0].lower()
        membership = MembershipFactory(
            network=closed_world["group"], role=Role.SIGNATORY, user__full_name=name
        )
        people[key] = membership.user
        # How the request form names each person offered: name, role, body (organisation).
        closed_world.setdefault("offered", {})[key] = (
            f"{name} Beslutsfattare, {closed_world['group'].name} ({membership.organisation})"
        )
    return closed_world


@pytest.fixture
def pending(anchored):
    people = anchored["people"]
    anchored["sign_off"] = decision_services.request_sign_off(
        anchored["document"],
        by_user=people["chair"],
        version=anchored["version"],
        signatories=[people["sigrid"], people["stina"]],
        required=None,
    )
    return anchored


@submits("consultations:sign_off_new")
def test_the_chair_asks_the_signatories_to_sign(anchored):
    document = anchored["document"]
    client = browser_client(anchored["people"]["chair"])
    decisions_page = client.get(reverse("consultations:decisions", args=[document.pk]))
    page = follow_link(client, decisions_page, "Begär fastställande")

    response = submit_form(
        client,
        page,
        button="Be dem skriva under",
        fields={anchored["offered"]["sigrid"]: True, anchored["offered"]["stina"]: True},
    )

    assert "Undertecknarna har ombetts att skriva under." in page_text(response)
    sign_off = SignOff.objects.get(document=document)
    assert set(sign_off.signatories.all()) == {
        anchored["people"]["sigrid"],
        anchored["people"]["stina"],
    }


@submits("consultations:sign_off")
def test_a_signatory_signs_with_their_password(pending):
    sigrid = pending["people"]["sigrid"]
    client = browser_client(sigrid)
    page = client.get(pending["sign_off"].get_absolute_url())

    response = submit_form(
        client,
        page,
        button="Skriv under",
        fields={"Jag godkänner": True, "Ditt lösenord, för att bekräfta att det är du": PASSWORD},
    )

    assert "Din underskrift är registrerad." in page_text(response)
    signature = Signature.objects.get(sign_off=pending["sign_off"], signer=sigrid)
    assert signature.verdict == Signature.Verdict.APPROVE


@submits("consultations:sign_off_withdraw")
def test_the_chair_withdraws_a_request_for_sign_off(pending):
    client = browser_client(pending["people"]["chair"])
    page = client.get(pending["sign_off"].get_absolute_url())

    response = submit_form(client, page, button="Återkalla begäran")

    assert "Begäran om fastställande har återkallats." in page_text(response)
    pending["sign_off"].refresh_from_db()
    assert pending["sign_off"].status == SignOff.Status.WITHDRAWN


@submits("consultations:new_revision")
def test_a_new_revision_starts_from_the_adopted_version(pending):
    people, document = pending["people"], pending["document"]
    for signer in (people["sigrid"], people["stina"]):
        decision_services.sign(
            pending["sign_off"], by_user=signer, verdict="approve", password=PASSWORD
        )
    document.refresh_from_db()
    assert document.status == "adopted"
    client = browser_client(people["coordinator"])
    page = client.get(reverse("consultations:decisions", args=[document.pk]))

    response = submit_form(client, page, button="Påbörja en ny revidering inför nästa period")

    assert "En ny revidering har påbörjats." in page_text(response)
    document.refresh_from_db()
    assert document.status == "revising"


# -- a refused form comes back as typed: correct one field and send it again ---------------------


@submits("consultations:round_new")
def test_a_round_with_a_past_last_day_comes_back_as_typed_and_is_saved_once_corrected(world):
    people, document = world["people"], world["document"]
    named_on_an_organisations_page(people["expert"], world["document"].network)
    client = browser_client(people["chair"])
    page = client.get(reverse("consultations:round_new", args=[document.pk]))

    refused = submit_form(
        client,
        page,
        button="Spara remissrundan som planerad",
        fields={
            "Namn på remissrundan": "Remiss hösten",
            "Instruktioner till remissinstanserna": "Svara per avsnitt.",
            "Särskilda frågor": "Saknas något?",
            "Sista svarsdag": in_days(-1),
            "Kumla kommun": True,
            "Namngivna personer": people["expert"].email,
        },
    )
    assert refused.status_code == 400
    assert "Sista svarsdag kan inte ligga bakåt i tiden." in page_text(refused)
    assert not ReviewRound.objects.filter(title="Remiss hösten").exists()

    response = submit_form(
        client,
        refused,
        button="Spara remissrundan som planerad",
        fields={"Sista svarsdag": in_days(20)},
    )

    assert "Remissrundan är planerad." in page_text(response)
    review_round = ReviewRound.objects.get(title="Remiss hösten")
    assert review_round.instructions == "Svara per avsnitt."
    assert [q.text for q in review_round.questions.all()] == ["Saknas något?"]
    parties = {str(c.party) for c in Consultee.objects.filter(round=review_round)}
    assert parties == {"Kumla kommun", str(people["expert"])}


@submits("consultations:decision_new")
def test_a_decision_without_a_body_comes_back_as_typed_and_is_recorded_once_corrected(
    closed_world,
):
    document = closed_world["document"]
    client = browser_client(closed_world["people"]["coordinator"])
    page = client.get(reverse("consultations:decision_new", args=[document.pk]))

    refused = submit_form(
        client,
        page,
        button="Registrera",
        fields={
            "Typ av beslut": "Synpunkter lämnade",
            "Datum för beslutet": timezone.localdate().isoformat(),
            "Beslutet": "Chefsgruppen har lämnat synpunkter.",
        },
    )
    assert refused.status_code == 400
    assert "Ange vilket organ som fattade beslutet" in page_text(refused)
    assert not Decision.objects.exists()

    response = submit_form(
        client, refused, button="Registrera", fields={"Eller organets namn": "Chefsgruppen"}
    )

    assert "Beslutet är registrerat." in page_text(response)
    decision = Decision.objects.get()
    assert (decision.kind, decision.text) == ("views", "Chefsgruppen har lämnat synpunkter.")


@submits("consultations:decision_new")
def test_a_decision_is_corrected_by_a_new_record_from_its_correct_link(closed_world):
    document, people = closed_world["document"], closed_world["people"]
    wrong = decision_services.record_decision(
        document,
        by_user=people["coordinator"],
        version=closed_world["version"],
        kind="views",
        decided_on=timezone.localdate(),
        text="Synpunkter lämnade.",
        body_name="Chefsgrupen",
    )
    client = browser_client(people["coordinator"])
    decisions_page = client.get(reverse("consultations:decisions", args=[document.pk]))
    page = follow_link(client, decisions_page, "Rätta Chefsgrupen")

    response = submit_form(
        client, page, button="Registrera", fields={"Eller organets namn": "Chefsgruppen"}
    )

    assert "Beslutet är registrerat." in page_text(response)
    correction = Decision.objects.exclude(pk=wrong.pk).get()
    assert (correction.corrects, correction.body_name) == (wrong, "Chefsgruppen")
    assert correction.text == "Synpunkter lämnade."  # what was not corrected is carried over


@submits("consultations:enter_response")
def test_an_entered_response_without_a_position_comes_back_as_typed(open_world):
    client = browser_client(open_world["people"]["chair"])
    consultee = open_world["round"].consultees.get(network=open_world["managers"])
    page = client.get(
        reverse("consultations:enter_response", args=[open_world["round"].pk, consultee.pk])
    )

    refused = submit_form(
        client,
        page,
        button="Registrera remissvaret",
        fields={"Sammanfattning av remissvaret": "Inkom per brev.", "Hur det kom in": "Via brev"},
    )
    assert refused.status_code == 400
    assert "Välj remissinstansens ställningstagande." in page_text(refused)
    assert not Response.objects.filter(consultee=consultee).exists()

    response = submit_form(
        client, refused, button="Registrera remissvaret", fields={"position": "Tillstyrker"}
    )

    assert "Remissvaret är registrerat som remissinstansens svar." in page_text(response)
    saved = Response.objects.get(consultee=consultee)
    assert (saved.summary, saved.received_via) == ("Inkom per brev.", "letter")


@submits("consultations:sign_off")
def test_a_signatory_refuses_with_a_reason_and_the_document_goes_back_to_revising(pending):
    stina, document = pending["people"]["stina"], pending["document"]
    client = browser_client(stina)
    page = client.get(pending["sign_off"].get_absolute_url())

    refused = submit_form(
        client,
        page,
        button="Skriv under",
        fields={"Jag avböjer": True, "Ditt lösenord, för att bekräfta att det är du": PASSWORD},
    )
    assert refused.status_code == 400
    assert not Signature.objects.exists()

    response = submit_form(
        client,
        refused,
        button="Skriv under",
        fields={
            "Motivering": "Målen saknar finansiering.",
            "Ditt lösenord, för att bekräfta att det är du": PASSWORD,
        },
    )

    assert "Du avböjde. Din underskrift är registrerad" in page_text(response)
    assert Signature.objects.get(signer=stina).verdict == Signature.Verdict.REJECT
    document.refresh_from_db()
    assert document.status == "revising"


# -- a guest, from the link in the e-mail ---------------------------------------------------------


@submits("consultations:guest_code")
@submits("consultations:guest_verify")
def test_a_guest_asks_for_a_code_and_comes_in_with_it(
    open_world, smtp_inbox, django_capture_on_commit_callbacks
):
    from consultations.models import Guest
    from tests.consultations.guesting import consult_by_link, last_code

    reached = consult_by_link(
        open_world["round"],
        open_world["people"]["chair"],
        smtp_inbox,
        django_capture_on_commit_callbacks,
    )
    client = browser_client()
    page = client.get(reached.url)

    sent = submit_form(client, page, button="Skicka kod")
    assert "En kod har skickats till" in page_text(sent)
    entered = submit_form(
        client,
        sent,
        button="Fortsätt",
        fields={
            "Koden från e-postmeddelandet": last_code(smtp_inbox),
            "Ditt namn": "Eva Ek",
            "Titel/roll (frivilligt)": "Registrator",
        },
    )

    assert "Gäst för Lekebergs kommun · Eva Ek" in page_text(entered)
    assert Guest.objects.get().title == "Registrator"


@submits("consultations:comment_add")
@submits("consultations:respond")
def test_a_guest_comments_and_submits_the_partys_response_from_the_pages(
    open_world, smtp_inbox, django_capture_on_commit_callbacks
):
    from tests.consultations.guesting import consult_by_link, guest_user

    review_round = open_world["round"]
    reached = consult_by_link(
        review_round,
        open_world["people"]["chair"],
        smtp_inbox,
        django_capture_on_commit_callbacks,
    )
    eva = guest_user(reached, smtp_inbox)
    client = browser_client(eva)
    round_page = client.get(review_round.get_absolute_url())
    heading = open_world["section"].heading
    page = follow_link(client, round_page, f"Kommentera avsnittet {heading}")

    commented = submit_form(
        client,
        page,
        action="consultations:comment_add",
        inside=f"section-{open_world['section'].key}",
        fields={"Din synpunkt": "Lekeberg saknar landsbygden."},
    )
    assert Comment.objects.get(body="Lekeberg saknar landsbygden.").author == eva

    respond = follow_link(client, commented, "Lekebergs kommun")
    check = submit_form(
        client,
        respond,
        button="Godkänn och skicka in",
        fields={
            "Tillstyrker med reservation": True,
            "Sammanfattning av remissvaret": "Lekeberg stöder.",
        },
    )
    assert "Kontrollera innan du skickar in" in page_text(check)  # nothing is sent yet
    assert not Response.objects.filter(consultee=reached.party, state="submitted").exists()
    submitted = submit_form(client, check, button="Skicka in")

    assert "Remissvaret är inskickat som remissinstansens svar." in page_text(submitted)
    response = Response.objects.get(consultee=reached.party)
    assert response.approved_by == eva
    assert response.state == Response.State.SUBMITTED


# -- reaching the parties: people outside Samverka, guest links ---------------------------------


@pytest.fixture
def lekeberg(world):
    """An organisation nobody in Samverka speaks for, with a registry address, consulted."""
    organisation = OrganisationFactory(
        name="Lekebergs kommun", registry_email="kommunen@lekeberg.se"
    )
    round_services.add_consultees(
        world["round"], by_user=world["people"]["chair"], organisations=[organisation]
    )
    return world["round"].consultees.get(organisation=organisation)


def guest_links(consultee):
    return list(
        GuestLink.objects.filter(guest_pass__consultee=consultee).values_list("reason", flat=True)
    )


@submits("consultations:round_new")
def test_a_chair_consults_people_outside_samverka_by_name_and_address(world):
    client = browser_client(world["people"]["chair"])
    page = client.get(reverse("consultations:round_new", args=[world["document"].pk]))
    typed = "Anna Berg <Anna.Berg@oru.se>\nBo Ek bo.ek(at)uni.se"

    refused = submit_form(
        client,
        page,
        button="Spara remissrundan som planerad",
        fields={
            "Namn på remissrundan": "Remiss till forskarna",
            "Sista svarsdag": in_days(30),
            "Personer utanför Samverka": typed,
        },
    )

    assert refused.status_code == 400
    assert "Rad 2, ”Bo Ek bo.ek(at)uni.se”: där finns ingen e-postadress." in page_text(refused)
    kept = find_form(refused, button="Spara remissrundan som planerad")["outside"]
    assert kept == typed  # what was typed comes back, to correct
    assert not ReviewRound.objects.filter(title="Remiss till forskarna").exists()

    response = submit_form(
        client,
        refused,
        button="Spara remissrundan som planerad",
        fields={"Personer utanför Samverka": "Anna Berg <Anna.Berg@oru.se>\nBo Ek, bo.ek@uni.se"},
    )

    assert "Remissrundan är planerad." in page_text(response)
    review_round = ReviewRound.objects.get(title="Remiss till forskarna")
    assert set(review_round.consultees.values_list("outside_email", "outside_name")) == {
        ("anna.berg@oru.se", "Anna Berg"),
        ("bo.ek@uni.se", "Bo Ek"),
    }
    text = page_text(response)
    assert "Anna Berg: anna.berg@oru.se" in text  # the chair is told where the link goes
    assert "2 remissinstanser får en gästlänk" in text  # told before opening
    assert "Länken skickas när remissen öppnas." in text


@submits("consultations:step", step="consult")
def test_the_chair_consults_an_outside_person_in_an_open_round_and_a_link_goes_out(open_world):
    client = browser_client(open_world["people"]["chair"])
    page = follow_link(
        client, client.get(open_world["round"].get_absolute_url()), "Lägg till fler remissinstanser"
    )

    refused = submit_form(
        client,
        page,
        button="Lägg till remissinstanserna",
        fields={"Personer utanför Samverka": "Eva Lund eva.lund@"},
    )
    assert refused.status_code == 400
    assert "Rad 1: ”eva.lund@” är ingen e-postadress." in page_text(refused)

    response = submit_form(
        client,
        refused,
        button="Lägg till remissinstanserna",
        fields={"Personer utanför Samverka": "Eva Lund eva.lund@oru.se"},
    )

    assert "Remissinstanserna har lagts till i remissrundan." in page_text(response)
    eva = open_world["round"].consultees.get(outside_email="eva.lund@oru.se")
    assert eva.outside_name == "Eva Lund"
    assert guest_links(eva) == [GuestLink.Reason.ADDED]


@submits("consultations:step", step="open")
def test_before_opening_the_chair_is_told_who_cannot_be_reached_and_who_gets_a_link(
    world, lekeberg
):
    askersund = OrganisationFactory(name="Askersunds kommun")  # no address, nobody here
    round_services.add_consultees(
        world["round"], by_user=world["people"]["chair"], organisations=[askersund]
    )
    client = browser_client(world["people"]["chair"])
    page = follow_link(client, client.get(world["round"].get_absolute_url()), "Öppna remissrundan")
    text = page_text(page)

    assert "1 remissinstans kan inte nås" in text
    assert (
        "Askersunds kommun: Ingen i Samverka företräder Askersunds kommun, och organisationen "
        "har ingen registratorsadress att skicka remissen till." in text
    )
    assert "1 remissinstans får en gästlänk" in text
    assert "Lekebergs kommun: kommunen@lekeberg.se" in text

    response = submit_form(client, page, button="Öppna remissrundan")  # the chair decides

    assert "Remissrundan är öppen." in page_text(response)
    assert guest_links(lekeberg) == [GuestLink.Reason.OPENING]
    assert not GuestPass.objects.filter(consultee__organisation=askersund).exists()


@submits("consultations:send_link")
def test_the_chair_sends_a_party_its_link_again(world, lekeberg):
    chair = world["people"]["chair"]
    round_services.open_round(world["round"], by_user=chair)
    client = browser_client(chair)
    page = client.get(world["round"].get_absolute_url())
    assert f"Gästlänk till registratorsadress {guests.masked('kommunen@lekeberg.se')}" in (
        page_text(page)
    )

    response = submit_form(
        client, page, action="consultations:send_link", form_kwargs={"consultee_pk": lekeberg.pk}
    )

    assert (
        "En ny länk till remissen är på väg till kommunen@lekeberg.se (Lekebergs kommun)."
        in page_text(response)
    )
    assert guest_links(lekeberg) == [GuestLink.Reason.OPENING, GuestLink.Reason.RESENT]


@submits("consultations:withdraw_link")
def test_the_chair_withdraws_a_link_after_being_asked(world, lekeberg):
    chair = world["people"]["chair"]
    round_services.open_round(world["round"], by_user=chair)
    client = browser_client(chair)
    page = follow_link(
        client,
        client.get(world["round"].get_absolute_url()),
        "Dra tillbaka länken (Lekebergs kommun)",
    )
    assert "Dra tillbaka länken till Lekebergs kommun?" in page_text(page)
    assert "kommunen@lekeberg.se" in page_text(page)

    response = submit_form(client, page, button="Dra tillbaka länken")

    assert "Länken till Lekebergs kommun är tillbakadragen" in page_text(response)
    guest_pass = GuestPass.objects.get(consultee=lekeberg)
    assert guest_pass.revoked_by == chair
    assert "tillbakadragen" in page_text(response)
    assert "Skicka länken igen (Lekebergs kommun)" in {
        b for f in forms_on(response) for b in f.button_texts()
    }


def test_no_link_is_sent_by_hand_before_the_round_opens_and_the_reason_is_given(world, lekeberg):
    client = browser_client(world["people"]["chair"])
    page = client.get(world["round"].get_absolute_url())
    assert "Skicka länken" not in page_text(page)  # no button: the link goes when it opens
    url = reverse("consultations:send_link", args=[world["round"].pk, lekeberg.pk])

    response = client.post(url, {"csrfmiddlewaretoken": client.cookies["csrftoken"].value})

    assert response.status_code == 302
    followed = client.get(response["Location"])
    assert "Remissrundan har inte öppnats än: gästlänkarna skickas när den öppnas." in page_text(
        followed
    )
    assert not GuestPass.objects.exists()


# -- the chair reminds the parties that have not answered ------------------------------------


@submits("consultations:remind")
def test_the_chair_reminds_from_the_round_page_and_sees_it_recorded(reminding):
    """From the round page (the parties first), the question that names them, the button that
    says how many; recorded on the page; the same day again refused in words, nothing sent."""
    chair = reminding["people"]["chair"]
    client = browser_client(chair)
    page = client.get(reminding["round"].get_absolute_url())
    text = page_text(page)
    assert "1 av 4 har svarat" in text
    assert "dagar kvar" in text
    assert text.index("Remissinstanser") < text.index("Inledning")  # before the document

    question = follow_link(client, page, "Påminn de 3 remissinstanser som inte svarat")
    asked = page_text(question)
    assert "Skicka en påminnelse till 3 remissinstanser?" in asked
    assert "Lekebergs kommun" in asked
    assert "Chefsnätverket" in asked
    assert "Kumla kommun" not in asked  # it has answered

    done = submit_form(client, question, button="Skicka påminnelsen till 3 remissinstanser")
    shown = page_text(done)
    assert "En påminnelse har skickats till de 3 remissinstanser som inte har svarat." in shown
    assert f"av {chair.get_full_name()} (3 remissinstanser)" in shown
    assert "Påmint senast" in shown
    assert "Du kan påminna dem igen i morgon." in shown

    # The same day again: the question page says why, and has no button; the question sent
    # again from a page still open in another tab sends nothing.
    again = page_text(client.get(reverse("consultations:remind", args=[reminding["round"].pk])))
    assert "redan påmints i dag" in again
    assert "Skicka påminnelsen" not in again
    before = sent_state()
    refused = submit_form(client, question, button="Skicka påminnelsen till 3 remissinstanser")
    assert "redan påmints i dag" in page_text(refused)
    assert sent_state() == before
