"""From the closed round to the published report: publishing it from the pages, the report
saying it is preliminary until then, the round's questions and every party's answers in the
report (on screen, Word, CSV), the writing group reading each party's response, the original of
an entered response linked for those who may see it, and a CSV that no spreadsheet reads as
formulas."""

import csv
import io
from datetime import timedelta
from html.parser import HTMLParser

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consultations.models import Comment, Consultee, Disposition, Response, ReviewRound
from consultations.policies import rounds as round_policy
from consultations.policies.actions import ConsulteeAction
from consultations.services import comments, dispositions, responses
from consultations.services import rounds as round_services
from networks import registry
from notifications.models import Notification
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

LETTER = b"%PDF-1.4 brevet fran experten"


# --- Forms as a browser submits them ----------------------------------------------------------


class _Forms(HTMLParser):
    """The page's forms: where each posts, its fields with their values, its submit buttons."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append(
                {
                    "action": a.get("action") or "",
                    "method": (a.get("method") or "get").lower(),
                    "fields": [],
                    "buttons": [],
                }
            )
            return
        if not self.forms:
            return
        form = self.forms[-1]
        kind = (a.get("type") or "text").lower()
        if tag == "input" and a.get("name"):
            if kind == "submit":
                form["buttons"].append((a["name"], a.get("value", "")))
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    form["fields"].append((a["name"], a.get("value", "on")))
            elif kind != "file":
                form["fields"].append((a["name"], a.get("value", "")))
        elif tag == "button" and kind == "submit":
            form["buttons"].append((a.get("name"), a.get("value", "")))
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]
        elif tag == "select" and a.get("name"):
            self._select = [a["name"], None, None]
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select[2] is None:
                self._select[2] = value
            if "selected" in a:
                self._select[1] = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            self.forms[-1]["fields"].append(tuple(self._textarea))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            name, chosen, first = self._select
            self.forms[-1]["fields"].append((name, chosen if chosen is not None else first))
            self._select = None


def post_forms(html: str) -> list[dict]:
    """The page's own forms that post (not the header's log-out and language forms)."""
    parser = _Forms()
    parser.feed(html)
    everywhere = {reverse("logout"), reverse("set_language")}
    return [f for f in parser.forms if f["method"] == "post" and f["action"] not in everywhere]


def submit(client, page_url, form, *, button=0, files=None, **values):
    """POST the form as a browser would: its own fields, what was typed, the button pressed."""
    data: dict = {}
    for name, value in form["fields"]:
        data.setdefault(name, value)
    data.update(values)
    if form["buttons"] and form["buttons"][button][0]:
        name, value = form["buttons"][button]
        data[name] = value
    data.update(files or {})
    return client.post(form["action"] or page_url, data)


def link(html: str, text: str) -> str:
    """The address of the link whose text starts with `text`."""

    class Links(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.found, self._href = [], None

        def handle_starttag(self, tag, attrs):
            if tag == "a":
                self._href = dict(attrs).get("href")

        def handle_data(self, data):
            if self._href and data.strip().startswith(text):
                self.found.append(self._href)
                self._href = None

    parser = Links()
    parser.feed(html)
    assert parser.found, f"no link {text!r} on the page"
    return parser.found[0]


# --- What the files say -----------------------------------------------------------------------


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def csv_rows(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def snapshot():
    return (
        sorted(ReviewRound.objects.values_list("id", "status", "reported_at")),
        sorted(Response.objects.values_list("id", "state", "position", "summary", "answers")),
        sorted(Consultee.objects.values_list("id", "status")),
        Notification.objects.count(),
    )


# --- A round with answers ---------------------------------------------------------------------


def kumla(world):
    return world["round"].consultees.get(organisation=world["kumla"])


def expert_party(world):
    return world["round"].consultees.get(person=world["people"]["expert"])


@pytest.fixture
def answered(open_world, client):
    """Kumla answers the round's question in Samverka; the expert's letter is entered by the
    coordinator through the page, with the letter attached; then the round is closed."""
    w, people = open_world, open_world["people"]
    question = w["round"].questions.get()
    w["question"] = question
    responses.save_draft(
        kumla(w),
        by_user=people["drafter"],
        position="reservations",
        summary="Kumla stöder med reservation.",
        answers={str(question.pk): "Det saknas ett avsnitt om pappor."},
    )
    responses.approve_and_submit(kumla(w), by_user=people["approver"])
    client.force_login(people["coordinator"])
    url = reverse("consultations:enter_response", args=[w["round"].pk, expert_party(w).pk])
    form = post_forms(client.get(url).content.decode())[-1]
    reply = submit(
        client,
        url,
        form,
        files={"attachment": SimpleUploadedFile("brev.pdf", LETTER, "application/pdf")},
        position="supports",
        summary="Experten tillstyrker.",
        via="letter",
        **{f"q{question.pk}": "Inget saknas, men lägg till källor."},
    )
    assert reply.status_code == 302
    round_services.close_round(w["round"], by_user=people["chair"])
    w["round"].refresh_from_db()
    client.logout()
    return w


# --- Publishing -------------------------------------------------------------------------------


def test_the_chair_publishes_the_report_from_the_round_page(client, answered):
    review_round, chair = answered["round"], answered["people"]["chair"]
    client.force_login(chair)
    page = client.get(review_round.get_absolute_url()).content.decode()
    step_url = link(page, "Publicera sammanställningen")
    step_page = client.get(step_url)
    assert step_page.status_code == 200
    (form,) = post_forms(step_page.content.decode())
    reply = submit(client, step_url, form)
    assert reply.status_code == 302
    assert reply["Location"] == reverse("consultations:report", args=[review_round.pk])
    review_round.refresh_from_db()
    assert review_round.status == ReviewRound.Status.REPORTED
    assert review_round.reported_at is not None


def test_the_chair_publishes_the_report_from_the_preliminary_report(client, answered):
    review_round = answered["round"]
    client.force_login(answered["people"]["chair"])
    url = reverse("consultations:report", args=[review_round.pk])
    (form,) = post_forms(client.get(url).content.decode())
    reply = submit(client, url, form)
    assert reply.status_code == 302
    review_round.refresh_from_db()
    assert review_round.status == ReviewRound.Status.REPORTED
    assert not post_forms(client.get(url).content.decode())  # published: nothing to publish


def test_only_those_who_run_the_round_see_and_use_the_publish_button(client, answered):
    review_round = answered["round"]
    url = reverse("consultations:report", args=[review_round.pk])
    before = snapshot()
    for who, refused in (("writer", 403), ("member", 403), ("expert", 403), ("outsider", 404)):
        client.force_login(answered["people"][who])
        if who != "outsider":
            assert not post_forms(client.get(url).content.decode())
        reply = client.post(reverse("consultations:publish", args=[review_round.pk]))
        assert reply.status_code == refused
    assert snapshot() == before


def test_the_report_says_preliminary_until_it_is_published(client, answered):
    review_round = answered["round"]
    client.force_login(answered["people"]["writer"])
    page = reverse("consultations:report", args=[review_round.pk])
    word = reverse("consultations:report_file", args=[review_round.pk, "docx"])
    assert "preliminär" in client.get(page).content.decode().lower()
    assert "preliminär" in docx_text(client.get(word).content).lower()
    round_services.publish_report(review_round, by_user=answered["people"]["chair"])
    assert "preliminär" not in client.get(page).content.decode().lower()
    assert "preliminär" not in docx_text(client.get(word).content).lower()


# --- The round's questions and the parties' answers -------------------------------------------


def test_the_report_shows_the_questions_and_each_partys_answers(client, answered):
    review_round, question = answered["round"], answered["question"]
    client.force_login(answered["people"]["member"])
    html = client.get(reverse("consultations:report", args=[review_round.pk])).content.decode()
    assert question.text in html
    assert "Det saknas ett avsnitt om pappor." in html
    assert "Inget saknas, men lägg till källor." in html

    word = docx_text(
        client.get(reverse("consultations:report_file", args=[review_round.pk, "docx"])).content
    )
    assert f"1. {question.text}" in word
    assert "Kumla kommun | Det saknas ett avsnitt om pappor." in word
    expert = answered["people"]["expert"].get_full_name()
    assert f"{expert} | Inget saknas, men lägg till källor." in word

    rows = csv_rows(
        client.get(reverse("consultations:report_file", args=[review_round.pk, "csv"])).content
    )
    assert ["Fråga", "Remissinstans", "Svar"] in rows
    assert [question.text, "Kumla kommun", "Det saknas ett avsnitt om pappor."] in rows
    assert [question.text, expert, "Inget saknas, men lägg till källor."] in rows


def test_the_report_shows_the_version_a_comment_was_applied_in(client, answered):
    people, review_round = answered["people"], answered["round"]
    made = Comment.objects.create(
        round=review_round,
        version=answered["version"],
        body="Skriv om målen.",
        author=people["member"],
    )
    dispositions.record_disposition(
        made,
        by_user=people["writer"],
        outcome=Disposition.Outcome.ACCEPTED,
        rationale="Omskrivet.",
        applied_in=answered["version"],
    )
    client.force_login(people["member"])
    html = client.get(reverse("consultations:report", args=[review_round.pk])).content.decode()
    assert "i version 1" in html
    word = docx_text(
        client.get(reverse("consultations:report_file", args=[review_round.pk, "docx"])).content
    )
    assert "Genomförd i version 1" in word
    rows = csv_rows(
        client.get(reverse("consultations:report_file", args=[review_round.pk, "csv"])).content
    )
    header = rows[0]
    (row,) = [r for r in rows if "Skriv om målen." in r]
    assert row[header.index("Genomförd i version")] == "1"


# --- The writing group reads a party's response -----------------------------------------------


def test_the_writing_group_reads_a_partys_response_with_its_answers(client, answered):
    url = reverse("consultations:respond", args=[answered["round"].pk, kumla(answered).pk])
    client.force_login(answered["people"]["writer"])
    reply = client.get(url)
    assert reply.status_code == 200
    html = reply.content.decode()
    assert "Kumla stöder med reservation." in html
    assert answered["question"].text in html
    assert "Det saknas ett avsnitt om pappor." in html
    assert not post_forms(html)  # read only


def test_the_writing_group_cannot_change_a_partys_response(client, open_world):
    party = kumla(open_world)
    url = reverse("consultations:respond", args=[open_world["round"].pk, party.pk])
    responses.save_draft(
        party, by_user=open_world["people"]["drafter"], position="supports", summary="Utkast."
    )
    client.force_login(open_world["people"]["writer"])
    page = client.get(url).content.decode()
    assert "Utkast." not in page  # a party's draft is its own until it is submitted
    before = snapshot()
    for step in ("save", "ask", "submit"):
        reply = client.post(url, {"position": "opposes", "summary": "Ändrat", "step": step})
        assert reply.status_code == 403
    assert snapshot() == before


def test_a_partys_people_still_read_their_response_after_the_round(client, answered):
    url = reverse("consultations:respond", args=[answered["round"].pk, kumla(answered).pk])
    client.force_login(answered["people"]["drafter"])
    reply = client.get(url)
    assert reply.status_code == 200
    assert "Det saknas ett avsnitt om pappor." in reply.content.decode()


def test_others_in_the_round_do_not_read_a_partys_response_page(client, answered):
    url = reverse("consultations:respond", args=[answered["round"].pk, kumla(answered).pk])
    for who, status in (("member", 403), ("expert", 403), ("manager", 403), ("outsider", 404)):
        client.force_login(answered["people"][who])
        reply = client.get(url)
        assert reply.status_code == status
        assert "Det saknas ett avsnitt om pappor." not in reply.content.decode()


@pytest.mark.parametrize("status", ["open", "closed", "reported"])
def test_whose_responses_a_list_shows_agrees_with_the_rule_for_one(open_world, status):
    people, review_round = open_world["people"], open_world["round"]
    if status != "open":
        round_services.close_round(review_round, by_user=people["chair"])
    if status == "reported":
        round_services.publish_report(review_round, by_user=people["chair"])
    review_round.refresh_from_db()
    consultees = list(review_round.consultees.all())
    for person in people.values():
        round_policy.on_parties(person, review_round, consultees)
        for consultee in consultees:
            consultee.round = review_round
            listed = consultee.may.view_response
            assert listed == registry.can(person, ConsulteeAction.VIEW_RESPONSE, consultee)


# --- The original of an entered response ------------------------------------------------------


def original_url(world):
    return reverse("consultations:attachment", args=[world["round"].pk, expert_party(world).pk])


@pytest.mark.parametrize("who", ["chair", "coordinator", "writer", "expert"])
def test_the_original_is_linked_for_those_who_may_see_it(client, answered, who):
    review_round = answered["round"]
    client.force_login(answered["people"][who])
    url = original_url(answered)
    response_page = client.get(
        reverse("consultations:respond", args=[review_round.pk, expert_party(answered).pk])
    ).content.decode()
    round_page = client.get(review_round.get_absolute_url()).content.decode()
    report_page = client.get(
        reverse("consultations:report", args=[review_round.pk])
    ).content.decode()
    for html in (response_page, round_page, report_page):
        assert f'href="{url}"' in html
    rows = csv_rows(
        client.get(reverse("consultations:report_file", args=[review_round.pk, "csv"])).content
    )
    assert any(row and row[-1] == f"http://testserver{url}" for row in rows)
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download) == LETTER
    assert "brev.pdf" in download["Content-Disposition"]


@pytest.mark.parametrize(("who", "status"), [("member", 403), ("drafter", 403), ("manager", 403)])
def test_the_original_is_not_linked_for_others(client, answered, who, status):
    review_round = answered["round"]
    client.force_login(answered["people"][who])
    url = original_url(answered)
    round_page = client.get(review_round.get_absolute_url()).content.decode()
    report_page = client.get(
        reverse("consultations:report", args=[review_round.pk])
    ).content.decode()
    for html in (round_page, report_page):
        assert url not in html
    assert "brev.pdf" not in report_page
    word = client.get(reverse("consultations:report_file", args=[review_round.pk, "docx"]))
    assert url not in docx_text(word.content)
    assert client.get(url).status_code == status


def test_someone_who_does_not_see_the_round_gets_not_found_for_the_original(client, answered):
    client.force_login(answered["people"]["outsider"])
    reply = client.get(original_url(answered))
    assert reply.status_code == 404
    assert LETTER not in reply.content


def test_the_party_list_is_right_for_each_viewer_of_the_round_page(client, answered):
    """Each viewer, one after the other, sees the party list as it is for them."""
    url, original = answered["round"].get_absolute_url(), original_url(answered)
    for who, sees in (("writer", True), ("member", False), ("chair", True), ("expert", True)):
        client.force_login(answered["people"][who])
        assert (original in client.get(url).content.decode()) is sees, who
    client.force_login(answered["people"]["member"])
    assert original not in client.get(url).content.decode()


# --- CSV formula injection --------------------------------------------------------------------

DANGEROUS = ["=1+1", "+46 19 12 34 56", "-2+3", "@SUMMA(A1:A2)"]


def test_the_csv_neutralises_cells_that_would_be_read_as_formulas(client, open_world):
    people, review_round = open_world["people"], open_world["round"]
    for text in DANGEROUS:
        comments.add_comment(review_round, by_user=people["member"], body=text)
    comments.add_comment(review_round, by_user=people["member"], body="- punkt ett\n- punkt två")
    # Tab and carriage return survive in names (text fields strip them).
    for name in ("\tTabba Tabbsdotter", "\rRune Retur"):
        person = UserFactory(full_name=name)
        review_round.consultees.create(person=person)
        comments.add_comment(review_round, by_user=person, body="Helt vanlig text.")
    responses.enter_on_behalf(
        kumla(open_world),
        by_user=people["coordinator"],
        position="supports",
        summary='=HYPERLINK("http://example.org")',
        via="email",
        received_at=timezone.now() - timedelta(days=1),
        answers={str(review_round.questions.get().pk): "@fråga"},
    )
    client.force_login(people["coordinator"])
    rows = csv_rows(
        client.get(reverse("consultations:report_file", args=[review_round.pk, "csv"])).content
    )
    cells = [cell for row in rows for cell in row]
    for text in DANGEROUS:
        assert "'" + text in cells
        assert text not in cells
    assert "'- punkt ett\n- punkt två" in cells  # readable: only the quote in front
    assert "'\tTabba Tabbsdotter" in cells
    assert "'\rRune Retur" in cells
    assert '\'=HYPERLINK("http://example.org")' in cells
    assert "'@fråga" in cells
    assert "Helt vanlig text." in cells  # ordinary text as typed
    dangerous_start = ("=", "+", "-", "@", "\t", "\r")
    assert not [cell for cell in cells if cell.startswith(dangerous_start)]


# --- What the pages cost ----------------------------------------------------------------------


def _enter_letters(world, count):
    """Organisations consulted and answered by letter, with the letter attached."""
    people, review_round = world["people"], world["round"]
    for _n in range(count):
        party = review_round.consultees.create(organisation=OrganisationFactory())
        party.round = review_round
        responses.enter_on_behalf(
            party,
            by_user=people["coordinator"],
            position="supports",
            summary="Per brev.",
            via="letter",
            received_at=timezone.now(),
            answers={str(review_round.questions.get().pk): "Ja."},
            attachment=("brev.pdf", "application/pdf", LETTER),
        )


@pytest.mark.parametrize("name", ["report", "round", "respond"])
def test_the_pages_that_link_originals_do_not_grow_with_the_parties(client, open_world, name):
    review_round = open_world["round"]
    client.force_login(open_world["people"]["writer"])
    urls = {
        "report": reverse("consultations:report", args=[review_round.pk]),
        "round": review_round.get_absolute_url(),
        "respond": reverse("consultations:respond", args=[review_round.pk, kumla(open_world).pk]),
    }

    def count():
        client.get(urls[name])
        with CaptureQueriesContext(connection) as queries:
            reply = client.get(urls[name])
        assert reply.status_code == 200
        return len(queries)

    _enter_letters(open_world, 2)
    few = count()
    _enter_letters(open_world, 20)
    assert count() == few


def test_the_original_lives_in_the_file_storage_and_is_streamed(client, answered, settings):
    response = Response.objects.get(consultee=expert_party(answered))
    # the database keeps the file's name in the storage, not its bytes
    assert response.attachment.name.startswith("responses/")
    stored = settings.MEDIA_ROOT / response.attachment.name
    assert stored.read_bytes() == LETTER
    client.force_login(answered["people"]["chair"])
    download = client.get(original_url(answered))
    assert download.streaming  # read from the storage in chunks, not built in memory
    assert b"".join(download.streaming_content) == LETTER


def test_an_original_missing_from_the_storage_is_not_found_not_an_error(client, answered, settings):
    response = Response.objects.get(consultee=expert_party(answered))
    (settings.MEDIA_ROOT / response.attachment.name).unlink()
    client.force_login(answered["people"]["chair"])
    assert client.get(original_url(answered)).status_code == 404
