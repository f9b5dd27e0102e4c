"""The whole chain of a strategy, in order, the way the people of the Örebro demo walk it.

A writer imports the Word file and publishes version 1; the chair sends it out on consultation
to a network and two organisations; a member comments while the chair watches the comments
arrive; the member drafts Kumla kommun's response and its head of social services approves it
from the e-mail; the coordinator enters Karlskoga kommun's response that came by letter; the
chair extends and closes the round; the writer answers every comment, applies the proposal and
publishes version 2; the member sees what happened to each comment; the chair publishes the
report (Word and CSV read back); the council and the manager group give their word; KC/RD's
signatories sign (a wrong password first); the document is adopted and locked; the timeline
tells it in order. An observer of the consulted network reads and takes no part; an outsider
finds none of it. axe-core runs on every page state.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import docx
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from consultations.demo import seed_demo as seed_rounds
from consultations.models import Comment, Response, ReviewRound, Signature, SignOff
from documents.demo import seed_demo as seed_documents
from documents.models import Document
from networks.demo import ARBETSGRUPP, CHEFSNATVERK, LANSSAMVERKAN, RADET
from networks.demo import seed_demo as seed_networks
from tests.browser.test_rounds import select_with_mouse
from tests.documents.docx_factory import STRATEGY_HEADINGS, STRATEGY_TITLE, make_strategy_docx
from tests.journeys.conftest import log_in_here

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

WRITER = "writer@example.org"
CHAIR = "chair@example.org"
MEMBER = "member@example.org"
COORDINATOR = "coordinator@example.org"
APPROVER = "kerstin.socialchef@example.org"
SIGNATORIES = ("signatory@example.org", "henrik.ek@example.org")
OUTSIDER = "outsider@example.org"
OBSERVER = "observer@example.org"

ROUND_TITLE = "Remiss: regional strategi för föräldraskapsstöd 2026"
QUESTION = "Saknas något viktigt område i strategin?"
SECTION_COMMENT = "Inledningen bör nämna barnkonventionen, som är svensk lag sedan 2020."
PROPOSAL_COMMENT = "Stödet gäller alla vårdnadshavare, inte bara föräldrarna."
KUMLA_SUMMARY = "Kumla kommun ställer sig bakom strategin men vill se en tydligare uppföljning."
KUMLA_ANSWER = "Uppföljningen av stödet till familjer med små barn saknas."
KARLSKOGA_SUMMARY = "Karlskoga kommun tillstyrker förslaget i sin helhet (brev 2026-03-02)."
KARLSKOGA_ANSWER = "Nej, inget saknas."
SECTION_RATIONALE = "Barnkonventionen nämns nu i inledningens första stycke."
PROPOSAL_RATIONALE = "Vi för in förslaget: stödet gäller alla vårdnadshavare."


@dataclass
class Chain:
    """What the chain has made so far, and every address of it (for the outsider)."""

    document: Document | None = None
    review_round: ReviewRound | None = None
    addresses: list[str] = field(default_factory=list)

    def saw(self, page) -> None:
        path = re.sub(r"^https?://[^/]+", "", page.url).split("#")[0]
        if path not in self.addresses:
            self.addresses.append(path)


def main_menu(page, name):
    return page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name=name)


def document_tab(page, name):
    return page.get_by_role("navigation", name="Delar av dokumentet").get_by_role("link", name=name)


def message(page):
    return page.get_by_role("status").filter(has=page.locator(".messages"))


# --- 1. The writer imports the Word file and publishes version 1 -------------------------------


def writer_imports_and_publishes(journey, chain: Chain) -> None:
    axe = journey.axe
    docx_path = journey.tmp_path / "Regional strategi.docx"
    make_strategy_docx(docx_path)
    writer = journey.as_person(WRITER)
    policy = writer.reload().headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy, f"no Content-Security-Policy for scripts: {policy!r}"
    # Served as in production: the stylesheet by its hashed name from the collected files.
    expect(writer.locator("link[rel=stylesheet]").first).to_have_attribute(
        "href", re.compile(r"^/static/css/samverka\.[0-9a-f]{12}\.css$")
    )
    axe(writer, "Mitt arbete, the writer")
    main_menu(writer, "Mina nätverk").click()
    writer.get_by_role("main").get_by_role("link", name=ARBETSGRUPP, exact=True).click()
    writer.get_by_role("link", name="Dokument", exact=True).click()
    axe(writer, "the working group's documents")
    writer.get_by_role("link", name="Importera en Word-fil").click()
    expect(writer.get_by_role("heading", level=1)).to_have_text("Importera en Word-fil")
    axe(writer, "the import form")
    writer.get_by_label("Word-fil (.docx)").set_input_files(str(docx_path))
    writer.get_by_role("button", name="Importera").click()
    # The real worker reads the file; the progress page ends with a link to the document.
    open_it = writer.get_by_role("link", name="Öppna dokumentet")
    expect(open_it).to_be_visible()
    axe(writer, "the import, done")
    open_it.click()
    expect(writer.get_by_role("heading", level=1)).to_have_text(STRATEGY_TITLE)
    for heading in STRATEGY_HEADINGS:
        expect(writer.get_by_role("heading", name=heading, level=2)).to_be_visible()
    chain.document = Document.objects.get(title=STRATEGY_TITLE)
    chain.saw(writer)
    axe(writer, "the imported document")

    writer.get_by_role("link", name="Publicera en version").first.click()
    axe(writer, "publish version 1")
    writer.get_by_label("Versionens namn").fill("Remissversion")
    writer.get_by_label("Vad som har ändrats").fill("Förslaget som går ut på remiss.")
    writer.get_by_role("button", name="Publicera", exact=True).click()
    writer.wait_for_url(f"**/documents/{chain.document.pk}/versions/1/")
    expect(writer.get_by_text("Remissversion").first).to_be_visible()
    chain.saw(writer)
    axe(writer, "version 1")


# --- 2. The chair opens a round to a network and two organisations ----------------------------


def chair_opens_round(journey, chain: Chain):
    axe = journey.axe
    chair = journey.as_person(CHAIR)
    main_menu(chair, "Mina nätverk").click()
    chair.get_by_role("main").get_by_role("link", name=ARBETSGRUPP, exact=True).click()
    chair.get_by_role("link", name="Dokument", exact=True).click()
    chair.get_by_role("link", name=STRATEGY_TITLE).click()
    document_tab(chair, "Remiss").click()
    chain.saw(chair)
    axe(chair, "the document's rounds, none yet")
    chair.get_by_role("link", name="Starta en remissrunda").click()
    axe(chair, "start a round")
    expect(chair.get_by_label("Version som ska skickas ut")).to_have_value(
        str(chain.document.versions.get(number=1).pk)
    )
    chair.get_by_label("Namn på remissrundan").fill(ROUND_TITLE)
    chair.get_by_label("Instruktioner till remissinstanserna").fill(
        "Lämna synpunkter per avsnitt. Varje organisation lämnar ett samlat remissvar."
    )
    chair.get_by_label("Särskilda frågor").fill(QUESTION)
    last_day = timezone.localdate() + timedelta(days=14)
    chair.get_by_label("Sista svarsdag").fill(last_day.isoformat())
    chair.get_by_role("group", name="Nätverk").get_by_label(LANSSAMVERKAN).check()
    organisations = chair.get_by_role("group", name="Organisationer")
    organisations.get_by_label("Kumla kommun").check()
    organisations.get_by_label("Karlskoga kommun").check()
    axe(chair, "start a round, filled in")
    chair.get_by_role("button", name="Spara remissrundan som planerad").click()
    expect(chair.get_by_role("heading", level=1)).to_have_text(ROUND_TITLE)
    chain.review_round = ReviewRound.objects.get(title=ROUND_TITLE)
    assert chain.review_round.status == ReviewRound.Status.PLANNED
    chain.saw(chair)
    axe(chair, "the round, planned")

    chair.get_by_role("link", name="Öppna remissrundan").click()
    axe(chair, "open the round")
    chair.get_by_role("button", name="Öppna remissrundan").click()
    expect(message(chair)).to_contain_text("Remissrundan är öppen")
    parties = chair.get_by_role("region", name="Remissinstanser")
    for party in (LANSSAMVERKAN, "Kumla kommun", "Karlskoga kommun"):
        expect(parties).to_contain_text(party)
    chain.review_round.refresh_from_db()
    assert chain.review_round.status == ReviewRound.Status.OPEN
    axe(chair, "the round, open")
    return chair


# --- 3. A member comments; the chair sees the comments arrive live ----------------------------


def member_comments_while_chair_watches(journey, chain: Chain, chair):
    axe = journey.axe
    round_path = chain.review_round.get_absolute_url()
    chair.evaluate("() => { window.__notReloaded = true; }")

    member = journey.as_person(MEMBER)
    axe(member, "Mitt arbete, the member, a response waits")
    member.get_by_role("main").get_by_role("link", name=ROUND_TITLE).first.click()
    expect(member.get_by_role("heading", level=1)).to_have_text(ROUND_TITLE)
    axe(member, "the round, open, as the member")

    # A remark on a section, on behalf of Kumla kommun.
    intro = member.get_by_role("region", name=STRATEGY_HEADINGS[0])
    intro.get_by_role("link", name=re.compile("^Kommentera avsnittet")).click()
    intro.get_by_label("Din synpunkt").fill(SECTION_COMMENT)
    intro.get_by_label("Jag skriver för").select_option(label="Kumla kommun")
    axe(member, "the comment form of a section")
    intro.get_by_role("button", name="Skicka synpunkt").click()
    expect(message(member)).to_contain_text("Din synpunkt är sparad")
    expect(
        member.get_by_role("region", name=STRATEGY_HEADINGS[0]).get_by_text(SECTION_COMMENT)
    ).to_be_visible()

    # The chair sees it arrive without reloading, and a screen reader hears it.
    chair_intro = chair.get_by_role("region", name=STRATEGY_HEADINGS[0])
    expect(chair_intro.get_by_text(SECTION_COMMENT)).to_be_visible()
    expect(chair.locator("[data-round-announcer]")).to_contain_text("Maja Medlem")
    assert chair.evaluate("() => window.__notReloaded === true"), "the chair's page reloaded"
    axe(chair, "the round, a comment arrived live")

    # A change proposal on a passage selected with the mouse.
    goal2 = member.get_by_role("region", name=STRATEGY_HEADINGS[2])
    passage = select_with_mouse(member, goal2.locator(".prose"))
    goal2.get_by_role("button", name="Lämna synpunkt på det markerade textavsnittet").click()
    expect(goal2.locator("[data-quote-shown]")).to_have_text(passage)
    goal2.get_by_label("Typ").select_option(label="Ändringsförslag")
    goal2.get_by_label("Din synpunkt").fill(PROPOSAL_COMMENT)
    proposed = passage.replace("föräldrar", "vårdnadshavare")
    assert proposed != passage, passage
    goal2.get_by_label("Föreslagen text (för ett ändringsförslag)").fill(proposed)
    goal2.get_by_label("Jag skriver för").select_option(label="Kumla kommun")
    axe(member, "a change proposal on a selected passage")
    goal2.get_by_role("button", name="Skicka synpunkt").click()
    expect(message(member)).to_contain_text("Din synpunkt är sparad")

    chair_goal2 = chair.get_by_role("region", name=STRATEGY_HEADINGS[2])
    expect(chair_goal2.get_by_text(PROPOSAL_COMMENT)).to_be_visible()
    expect(chair_goal2.locator(".comment__quote").first).to_contain_text(passage)
    assert chair.evaluate("() => window.__notReloaded === true"), "the chair's page reloaded"
    axe(chair, "the round, a proposal arrived live")

    proposal = Comment.objects.get(round=chain.review_round, body=PROPOSAL_COMMENT)
    assert proposal.kind == Comment.Kind.PROPOSAL
    assert proposal.quote_exact == passage
    assert proposal.on_behalf_of.name == "Kumla kommun"
    assert member.url.split("#")[0].endswith(round_path)
    return member, passage, proposed


def observer_reads_only(journey, chain: Chain):
    """Länsstyrelsen's observer in the consulted network reads the round and takes no part."""
    observer = journey.as_person(OBSERVER, then=chain.review_round.get_absolute_url())
    expect(observer.get_by_role("heading", level=1)).to_have_text(ROUND_TITLE)
    expect(observer.get_by_role("main")).to_contain_text(SECTION_COMMENT)
    expect(observer.get_by_text("Kommentera avsnittet")).to_have_count(0)
    expect(observer.get_by_text("Lämna synpunkt på hela dokumentet")).to_have_count(0)
    expect(observer.get_by_role("region", name="Ditt remissvar")).to_have_count(0)
    axe = journey.axe
    axe(observer, "the round, as an observer")


# --- 4. The member drafts Kumla's response; the approver approves it from the e-mail ----------


def member_drafts_and_approver_approves(journey, chain: Chain, member):
    axe = journey.axe
    mine = member.get_by_role("region", name="Ditt remissvar")
    mine.get_by_role("link", name="Kumla kommun").click()
    expect(member.get_by_role("heading", level=1)).to_have_text("Kumla kommun")
    chain.saw(member)
    axe(member, "Kumla's response, not started")
    member.get_by_label("Tillstyrker med reservation").check()
    member.get_by_label("Sammanfattning av remissvaret").fill(KUMLA_SUMMARY)
    member.get_by_label(QUESTION).fill(KUMLA_ANSWER)
    member.get_by_role("button", name="Skicka för godkännande").click()
    expect(message(member)).to_contain_text("Remissvaret väntar på godkännande")
    axe(member, "Kumla's response, awaiting approval")

    # The worker e-mails the approver; she follows the link in it.
    respond_links = journey.links_mailed_to(APPROVER, containing="/respond/")
    assert respond_links, f"no e-mail to {APPROVER} links to the response"

    approver = journey.new_page(APPROVER)
    approver.goto(respond_links[0])
    log_in_here(approver, APPROVER)
    expect(approver.get_by_role("heading", level=1)).to_have_text("Kumla kommun")
    review = approver.get_by_role("region", name="Remissvaret väntar på ditt godkännande")
    expect(review).to_contain_text("Skickat för godkännande av")
    expect(review).to_contain_text(KUMLA_SUMMARY)
    expect(review).to_contain_text(KUMLA_ANSWER)
    axe(approver, "Kumla's response, as the approver: read-only review")
    approver.get_by_role("button", name="Godkänn och skicka in").click()
    expect(message(approver)).to_contain_text("Remissvaret är inskickat")
    response = Response.objects.get(
        consultee__organisation__name="Kumla kommun", consultee__round=chain.review_round
    )
    assert response.state == Response.State.SUBMITTED
    assert response.approved_by.email == APPROVER
    parties = approver.get_by_role("region", name="Remissinstanser")
    expect(parties.get_by_role("listitem").filter(has_text="Kumla kommun")).to_contain_text(
        "Tillstyrker med reservation"
    )
    axe(approver, "the round, Kumla has answered")


# --- 5. The coordinator enters Karlskoga's response that came by letter ------------------------


def coordinator_enters_letter(journey, chain: Chain):
    axe = journey.axe
    letter = journey.tmp_path / "Remissvar Karlskoga kommun.pdf"
    letter.write_bytes(b"%PDF-1.4\n% Karlskoga kommun, remissvar\n%%EOF\n")
    coordinator = journey.as_person(COORDINATOR, then=chain.review_round.get_absolute_url())
    coordinator.get_by_role("link", name="Registrera remissvar för Karlskoga kommun").click()
    expect(coordinator.get_by_role("heading", level=1)).to_contain_text("Karlskoga kommun")
    chain.saw(coordinator)
    axe(coordinator, "enter a response")
    coordinator.get_by_label("Tillstyrker", exact=True).check()
    coordinator.get_by_label("Sammanfattning av remissvaret").fill(KARLSKOGA_SUMMARY)
    coordinator.get_by_label(QUESTION).fill(KARLSKOGA_ANSWER)
    coordinator.get_by_label("Hur det kom in").select_option(label="Via brev")
    coordinator.get_by_label("Originalet (frivilligt)").set_input_files(str(letter))
    axe(coordinator, "enter a response, filled in")
    coordinator.get_by_role("button", name="Registrera remissvaret").click()
    expect(message(coordinator)).to_contain_text("Remissvaret är registrerat")
    response = Response.objects.get(
        consultee__organisation__name="Karlskoga kommun", consultee__round=chain.review_round
    )
    assert response.received_via == Response.Via.LETTER
    with response.attachment.open("rb") as stored:
        assert stored.read() == letter.read_bytes()
    parties = coordinator.get_by_role("region", name="Remissinstanser")
    karlskoga = parties.get_by_role("listitem").filter(has_text="Karlskoga kommun")
    expect(karlskoga).to_contain_text("Tillstyrker")
    axe(coordinator, "the round, Karlskoga's letter entered")
    # The original is there for whoever reads the response.
    with coordinator.expect_download() as info:
        karlskoga.get_by_role("link", name="Originalet från Karlskoga kommun").click()
    assert info.value.suggested_filename == letter.name
    assert Path(info.value.path()).read_bytes() == letter.read_bytes()
    return coordinator, letter


# --- 6. The chair extends the deadline, then closes the round ----------------------------------


def chair_extends_and_closes(journey, chain: Chain, chair):
    axe = journey.axe
    chair.goto(journey.url(chain.review_round.get_absolute_url()))
    chair.get_by_role("link", name="Förläng svarstiden").click()
    chain.saw(chair)
    axe(chair, "extend the deadline")
    before = chain.review_round.closes_at
    new_day = timezone.localdate(before) + timedelta(days=7)
    chair.get_by_label("Sista svarsdag").fill(new_day.isoformat())
    chair.get_by_role("button", name="Förläng svarstiden").click()
    expect(message(chair)).to_contain_text("Svarstiden är förlängd")
    chain.review_round.refresh_from_db()
    assert timezone.localdate(chain.review_round.closes_at) == new_day
    axe(chair, "the round, deadline extended")

    chair.get_by_role("link", name="Stäng remissrundan nu").click()
    chain.saw(chair)
    axe(chair, "close the round")
    chair.get_by_role("button", name="Stäng remissrundan").click()
    expect(message(chair)).to_contain_text("Remissrundan är stängd")
    chain.review_round.refresh_from_db()
    assert chain.review_round.status == ReviewRound.Status.CLOSED
    axe(chair, "the round, closed")


# --- 7. The writer answers every comment, applies the proposal, publishes version 2 -----------


def writer_answers_and_publishes(journey, chain: Chain, proposed):
    axe = journey.axe
    writer = journey.as_person(WRITER)
    waiting = writer.get_by_role("region", name="Synpunkter att bemöta")
    waiting.get_by_role("link", name=ROUND_TITLE).click()
    expect(writer.get_by_role("heading", level=1)).to_have_text(ROUND_TITLE)
    axe(writer, "the closed round, as the writer")

    intro = writer.get_by_role("region", name=STRATEGY_HEADINGS[0])
    thread = intro.locator(".thread").filter(has_text=SECTION_COMMENT)
    thread.get_by_label("Utfall").select_option(label="Godtas")
    thread.get_by_label("Motivering").fill(SECTION_RATIONALE)
    thread.get_by_role("button", name="Spara bemötandet").click()
    # Saved in place: the confirmation at the thread takes the focus.
    expect(writer.locator(".thread__saved")).to_be_focused()
    expect(writer.locator(".thread__saved")).to_contain_text("Svaret är sparat")
    intro = writer.get_by_role("region", name=STRATEGY_HEADINGS[0])
    expect(intro.locator(".disposition")).to_contain_text(SECTION_RATIONALE)
    axe(writer, "the closed round, one comment answered")

    goal2 = writer.get_by_role("region", name=STRATEGY_HEADINGS[2])
    thread = goal2.locator(".thread").filter(has_text=PROPOSAL_COMMENT)
    thread.get_by_label("Motivering").fill(PROPOSAL_RATIONALE)
    thread.get_by_role("button", name="För in förslaget i utkastet").click()
    applied = writer.locator(".thread__saved").filter(has_text="Förslaget är infört")
    expect(applied).to_be_focused()
    expect(applied).to_contain_text("Alla synpunkter är bemötta")
    progress = writer.get_by_role("region", name="Bemötta synpunkter")
    expect(progress).to_contain_text("2 av 2 synpunkter bemötta")
    axe(writer, "the closed round, every comment answered")

    # The working draft has the proposal; the writer publishes version 2.
    breadcrumbs = writer.get_by_role("navigation", name="Du är här")
    breadcrumbs.get_by_role("link", name=STRATEGY_TITLE).click()
    document_tab(writer, "Arbetsutkast").click()
    expect(writer.get_by_role("region", name=STRATEGY_HEADINGS[2])).to_contain_text(proposed)
    writer.get_by_role("link", name="Publicera en version").first.click()
    axe(writer, "publish version 2")
    writer.get_by_label("Versionens namn").fill("Reviderad efter remissen")
    writer.get_by_label("Vad som har ändrats").fill("Synpunkterna från remissen är bemötta.")
    writer.get_by_role("button", name="Publicera", exact=True).click()
    writer.wait_for_url(f"**/documents/{chain.document.pk}/versions/2/")
    chain.saw(writer)
    axe(writer, "version 2")
    return writer


# --- 8. The member sees what happened to each comment ------------------------------------------


def member_sees_what_happened(journey, chain: Chain, member, passage, proposed):
    axe = journey.axe
    main_menu(member, "Mina synpunkter").click()
    expect(member.get_by_role("heading", level=1)).to_have_text("Vad hände med mina synpunkter")
    cards = member.get_by_role("main").get_by_role("listitem")
    remark = cards.filter(has_text=SECTION_COMMENT)
    expect(remark).to_contain_text("Godtas")
    expect(remark).to_contain_text(SECTION_RATIONALE)
    proposal = cards.filter(has_text=PROPOSAL_COMMENT)
    expect(proposal).to_contain_text(passage)
    expect(proposal).to_contain_text("Godtas")
    expect(proposal).to_contain_text(PROPOSAL_RATIONALE)
    expect(proposal).to_contain_text("genomförd i version 2")
    expect(proposal).to_contain_text(proposed)  # the passage as it reads now
    axe(member, "what happened to my comments")


# --- 9. The chair publishes the report; Word and CSV are read back ----------------------------


def chair_publishes_report(journey, chain: Chain, chair):
    axe = journey.axe
    chair.goto(journey.url(chain.review_round.get_absolute_url()))
    chair.get_by_role("link", name="Publicera sammanställningen").click()
    chain.saw(chair)
    axe(chair, "publish the report")
    chair.get_by_role("button", name="Publicera sammanställningen").click()
    expect(message(chair)).to_contain_text("Sammanställningen är publicerad")
    chain.review_round.refresh_from_db()
    assert chain.review_round.status == ReviewRound.Status.REPORTED
    chain.saw(chair)
    expect(chair.get_by_role("heading", level=1)).to_have_text(ROUND_TITLE)
    responses = chair.get_by_role("region", name="Remissvar")
    expect(responses.get_by_role("row").filter(has_text="Kumla kommun")).to_contain_text(
        "Tillstyrker med reservation"
    )
    expect(responses.get_by_role("row").filter(has_text="Karlskoga kommun")).to_contain_text(
        "Tillstyrker"
    )
    expect(chair.get_by_role("main")).to_contain_text(QUESTION)
    expect(chair.get_by_role("main")).to_contain_text(KUMLA_ANSWER)
    axe(chair, "the published report")

    with chair.expect_download() as info:
        chair.get_by_role("link", name="Ladda ned som Word-fil").click()
    path = journey.tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    word = docx.Document(str(path))
    cells = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    paragraphs = [p.text for p in word.paragraphs]
    everything = "\n".join(paragraphs + cells)
    for text in (
        ROUND_TITLE,
        SECTION_COMMENT,
        SECTION_RATIONALE,
        PROPOSAL_COMMENT,
        PROPOSAL_RATIONALE,
        KUMLA_SUMMARY,
        KARLSKOGA_SUMMARY,
        "Godtas",
        "Tillstyrker med reservation",
        QUESTION,
        KUMLA_ANSWER,
        KARLSKOGA_ANSWER,
    ):
        assert text in everything, f"{text!r} is not in the Word report:\n{everything}"

    with chair.expect_download() as info:
        chair.get_by_role("link", name="Ladda ned som CSV-fil").click()
    path = journey.tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    remark = [row for row in rows if SECTION_COMMENT in row]
    assert len(remark) == 1, text
    assert "Godtas" in remark[0], text
    assert SECTION_RATIONALE in remark[0], text
    proposal = [row for row in rows if PROPOSAL_COMMENT in row]
    assert len(proposal) == 1, text
    assert PROPOSAL_RATIONALE in proposal[0], text
    for answer in (KUMLA_ANSWER, KARLSKOGA_ANSWER):
        assert any(answer in cell for row in rows for cell in row), f"{answer!r} not in:\n{text}"


# --- 10. The council endorses, the manager group gives its views ------------------------------


def bodies_give_their_word(journey, chain: Chain, coordinator):
    axe = journey.axe
    coordinator.goto(journey.url(chain.document.get_absolute_url()))
    document_tab(coordinator, "Beslut").click()
    chain.saw(coordinator)
    axe(coordinator, "decisions, none yet")
    today = timezone.localdate().isoformat()
    for body, kind, reference, text in (
        (
            RADET,
            "Ställer sig bakom",
            "§ 12",
            "Specifika samverkansrådet ställer sig bakom den reviderade strategin.",
        ),
        (
            CHEFSNATVERK,
            "Synpunkter lämnade",
            "§ 7",
            "Chefsnätverket har lämnat synpunkter och ställer sig positivt till strategin.",
        ),
    ):
        coordinator.get_by_role("link", name="Registrera ett beslut").click()
        axe(coordinator, f"record a decision of {body}")
        expect(coordinator.get_by_label("Version som beslutet gäller")).to_have_value(
            str(chain.document.versions.get(number=2).pk)
        )
        coordinator.get_by_label("Typ av beslut").select_option(label=kind)
        coordinator.get_by_label("Organ i Samverka").select_option(label=body)
        coordinator.get_by_label("Datum för beslutet").fill(today)
        coordinator.get_by_label("Protokollsparagraf").fill(reference)
        coordinator.get_by_label("Beslutet", exact=True).fill(text)
        coordinator.get_by_role("button", name="Registrera", exact=True).click()
        expect(message(coordinator)).to_contain_text("Beslutet är registrerat")
        expect(coordinator.get_by_role("main")).to_contain_text(text)
    axe(coordinator, "decisions, endorsed and views given")


# --- 11. The chair asks KC/RD's signatories to sign; a wrong password; they sign ---------------


def chair_requests_sign_off(journey, chain: Chain, chair):
    axe = journey.axe
    chair.goto(journey.url(chain.document.get_absolute_url()))
    document_tab(chair, "Beslut").click()
    chair.get_by_role("link", name="Begär fastställande").click()
    axe(chair, "ask for sign-off")
    signatories = chair.get_by_role("group", name="Undertecknare")
    signatories.get_by_label("Sven Beslutsfattare").check()
    signatories.get_by_label("Henrik Ek").check()
    chair.get_by_role("button", name="Be dem skriva under").click()
    expect(message(chair)).to_contain_text("Undertecknarna har ombetts att skriva under")
    sign_off = SignOff.objects.get(document=chain.document)
    assert sign_off.version.number == 2
    assert {p.email for p in sign_off.signatories.all()} == set(SIGNATORIES)
    chain.saw(chair)
    axe(chair, "the sign-off, waiting")
    return sign_off


def signatories_sign(journey, chain: Chain, sign_off):
    axe = journey.axe
    first = journey.as_person(SIGNATORIES[0])
    waiting = first.get_by_role("region", name="Väntar på din underskrift")
    axe(first, "Mitt arbete, a signature waits")
    waiting.get_by_role("link", name=STRATEGY_TITLE).click()
    expect(first.get_by_role("heading", level=1)).to_have_text(STRATEGY_TITLE)
    axe(first, "the sign-off, as a signatory")
    first.get_by_label("Jag godkänner").check()
    first.get_by_label("Ditt lösenord, för att bekräfta att det är du").fill("fel lösenord")
    first.get_by_role("button", name="Skriv under").click()
    expect(first.get_by_role("alert")).to_contain_text("Lösenordet stämmer inte")
    assert not Signature.objects.filter(sign_off=sign_off).exists()
    sign_off.refresh_from_db()
    assert sign_off.status == SignOff.Status.PENDING
    chain.document.refresh_from_db()
    assert chain.document.status != Document.Status.ADOPTED
    axe(first, "the sign-off, wrong password")

    first.get_by_label("Jag godkänner").check()
    first.get_by_label("Ditt lösenord, för att bekräfta att det är du").fill("demo")
    first.get_by_role("button", name="Skriv under").click()
    expect(message(first)).to_contain_text("Din underskrift är registrerad")
    axe(first, "the sign-off, one of two signed")

    second = journey.as_person(SIGNATORIES[1], then=sign_off.get_absolute_url())
    second.get_by_label("Jag godkänner").check()
    second.get_by_label("Ditt lösenord, för att bekräfta att det är du").fill("demo")
    second.get_by_role("button", name="Skriv under").click()
    expect(message(second)).to_contain_text("Dokumentet är nu fastställt")
    signers = second.get_by_role("region", name="Undertecknare")
    expect(signers.get_by_text("Godkänt")).to_have_count(2)
    axe(second, "the sign-off, approved")
    chain.document.refresh_from_db()
    assert chain.document.status == Document.Status.ADOPTED


# --- 12. Adopted and locked ---------------------------------------------------------------------


def document_is_adopted_and_locked(journey, chain: Chain, writer_before):
    """`writer_before` still shows the working draft as it was before the adoption."""
    axe = journey.axe
    sections_before = list(chain.document.sections.values_list("key", "body"))
    # The writer had the draft open and clicks "Redigera": refused, in the page, once.
    writer_before.get_by_role("region", name=STRATEGY_HEADINGS[1]).get_by_role(
        "link", name=re.compile("^Redigera")
    ).click()
    expect(writer_before.get_by_text("Dokumentet är fastställt")).to_be_visible()
    expect(writer_before.locator("header.site-header")).to_have_count(1)
    expect(writer_before.get_by_role("main")).to_have_count(1)
    axe(writer_before, "editing refused on a page opened before the adoption")

    writer_before.goto(journey.url(chain.document.get_absolute_url()))
    expect(writer_before.get_by_text("Fastställd", exact=True).first).to_be_visible()
    expect(writer_before.get_by_role("link", name=re.compile("^Redigera"))).to_have_count(0)
    expect(writer_before.get_by_role("link", name="Publicera en version")).to_have_count(0)
    axe(writer_before, "the adopted document")
    writer_before.get_by_role("link", name="Vem som beslutade, och när").click()
    expect(writer_before.get_by_role("main")).to_contain_text("Fastställd")
    expect(writer_before.get_by_role("main")).to_contain_text("Sven Beslutsfattare")
    expect(writer_before.get_by_role("main")).to_contain_text("Henrik Ek")
    axe(writer_before, "decisions of the adopted document")
    assert list(chain.document.sections.values_list("key", "body")) == sections_before


# --- 13. The timeline reads in order -------------------------------------------------------------


def timeline_reads_in_order(journey, chain: Chain, page):
    axe = journey.axe
    page.goto(journey.url(chain.document.get_absolute_url()))
    document_tab(page, "Tidslinje").click()
    chain.saw(page)
    axe(page, "the timeline")
    items = page.locator(".timeline__item")
    titles = [" ".join(t.split()) for t in items.all_inner_texts()]
    expected = [
        "Version 1",
        ROUND_TITLE,
        "Kumla kommun",
        "Karlskoga kommun",
        "Version 2",
        "Sammanställning",
        RADET,
        CHEFSNATVERK,
        "Fastställ",
    ]
    positions = []
    for word in expected:
        where = [i for i, title in enumerate(titles) if word in title]
        assert where, f"{word!r} is not on the timeline:\n" + "\n".join(titles)
        positions.append(where[0])
    assert positions == sorted(positions), "the timeline is out of order:\n" + "\n".join(titles)


# --- 14. The outsider finds nothing -------------------------------------------------------------


def every_address(chain: Chain) -> list[str]:
    """Every page and file of the document, its round and its sign-off: those the people above
    saw, and the rest of what the URLs offer."""
    doc = f"/documents/{chain.document.pk}"
    rnd = f"/rounds/{chain.review_round.pk}"
    consultees = {c.party.name: c.pk for c in chain.review_round.consultees.all()}
    section = chain.document.sections.order_by("position").first()
    sign_off = SignOff.objects.get(document=chain.document)
    paths = [
        *chain.addresses,
        f"{doc}/",
        f"{doc}/versions/",
        f"{doc}/versions/1/",
        f"{doc}/versions/2/",
        f"{doc}/versions/2/word/",
        f"{doc}/compare/?from=1&to=2",
        f"{doc}/history/",
        f"{doc}/sections/{section.key}/history/",
        f"{doc}/sections/{section.key}/edit/",
        f"{doc}/rounds/",
        f"{doc}/decisions/",
        f"{doc}/timeline/",
        f"{doc}/publish/",
        f"{doc}/rounds/new/",
        f"{doc}/decisions/new/",
        f"{doc}/sign-off/new/",
        f"{rnd}/",
        f"{rnd}/events/?after=0",
        f"{rnd}/report/",
        f"{rnd}/report.docx",
        f"{rnd}/report.csv",
        f"{rnd}/respond/{consultees['Kumla kommun']}/",
        f"{rnd}/respond/{consultees['Karlskoga kommun']}/original/",
        f"{rnd}/enter/{consultees['Karlskoga kommun']}/",
        f"/sign-offs/{sign_off.pk}/",
    ]
    return list(dict.fromkeys(paths))


def outsider_finds_nothing(journey, chain: Chain):
    outsider = journey.as_person(OUTSIDER)
    for path in every_address(chain):
        response = outsider.goto(journey.url(path))
        assert response.status == 404, f"{path}: {response.status} for the outsider"
        expect(outsider.get_by_role("heading", level=1)).to_be_visible()
    journey.axe(outsider, "not found, as the outsider")


# About two minutes on an idle 2-core machine; the suite's default of 300 s is too close under load.
@pytest.mark.timeout(600)
def test_the_whole_chain_in_order(journey):
    seed_networks()
    seed_documents()
    seed_rounds()
    chain = Chain()
    writer_imports_and_publishes(journey, chain)
    chair = chair_opens_round(journey, chain)
    member, passage, proposed = member_comments_while_chair_watches(journey, chain, chair)
    observer_reads_only(journey, chain)
    member_drafts_and_approver_approves(journey, chain, member)
    coordinator, _letter = coordinator_enters_letter(journey, chain)
    chair_extends_and_closes(journey, chain, chair)
    writer = writer_answers_and_publishes(journey, chain, proposed)
    member_sees_what_happened(journey, chain, member, passage, proposed)
    chair_publishes_report(journey, chain, chair)
    bodies_give_their_word(journey, chain, coordinator)
    sign_off = chair_requests_sign_off(journey, chain, chair)
    writer.goto(journey.url(chain.document.get_absolute_url()))
    signatories_sign(journey, chain, sign_off)
    document_is_adopted_and_locked(journey, chain, writer)
    timeline_reads_in_order(journey, chain, chair)
    outsider_finds_nothing(journey, chain)
    journey.finish()
