"""The writing group answers a closed round's comments: nothing chosen for them, the answer
saved in place (htmx) or back on the page (without JavaScript), errors next to the field with
what was typed kept, the next comment that waits, and the answering page's filter."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultations.models import Comment, Disposition
from consultations.services import comments as comment_services
from consultations.services import dispositions as disposition_services
from consultations.services import rounds as round_services
from tests.forms import (
    browser_client,
    find_form,
    follow_link,
    page_text,
    parse,
    submit_form,
    submits,
)

pytestmark = pytest.mark.django_db

RATIONALE = "Uppföljningen läggs till i avsnittet."


def comment_on(world, who, body, *, section=True, on_behalf_of=None):
    return comment_services.add_comment(
        world["round"],
        by_user=world["people"][who],
        body=body,
        kind="remark",
        section_key=world["section"].key if section else "",
        on_behalf_of=on_behalf_of,
    )


@pytest.fixture
def answering(open_world):
    """Three comments, in the order the document reads: one on the whole document, then two on
    its first section (written in the order below); then the round closes."""
    on_section = comment_on(open_world, "manager", "Målen behöver följas upp.")
    on_whole = comment_on(open_world, "expert", "Strategin är för lång.", section=False)
    second = comment_on(
        open_world, "drafter", "Nämn barnkonventionen.", on_behalf_of=open_world["kumla"]
    )
    round_services.close_round(open_world["round"], by_user=open_world["people"]["chair"])
    open_world["round"].refresh_from_db()
    open_world["comments"] = [on_whole, on_section, second]  # document order
    return open_world


def writer_on_round(world):
    client = browser_client(world["people"]["writer"])
    return client, client.get(world["round"].get_absolute_url())


def answer_form(page, comment):
    return find_form(page, action="consultations:disposition", comment_pk=comment.pk)


def element(response, element_id):
    root = parse(response.content.decode())
    found = [n for n in root.walk() if n.attrs.get("id") == element_id]
    assert len(found) == 1, f"{len(found)} elements #{element_id}"
    return found[0]


def title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


def test_no_outcome_is_chosen_for_the_writer(answering):
    _client, page = writer_on_round(answering)
    comment = answering["comments"][0]
    select = element(page, f"outcome-{comment.pk}")
    options = [n for n in select.walk() if n.tag == "option"]
    assert options[0].text().strip() == "— Välj —"
    assert options[0].attrs["value"] == ""
    assert not any(o.has("selected") for o in options)


@submits("consultations:disposition")
def test_without_javascript_the_answer_is_saved_and_the_page_leads_to_the_next(answering):
    client, page = writer_on_round(answering)
    first, second, _third = answering["comments"]

    response = submit_form(
        client,
        page,
        action="consultations:disposition",
        form_kwargs={"comment_pk": first.pk},
        fields={"Utfall": "Godtas delvis", "Motivering": RATIONALE},
    )

    assert response.redirect_chain[-1][0].endswith(f"#thread-{first.pk}")
    saved = element(response, f"saved-{first.pk}")
    assert "Svaret är sparat." in saved.text()
    link = next(n for n in saved.walk() if n.tag == "a")
    assert link.attrs["href"] == f"#thread-{second.pk}"
    assert link.text().strip() == "Nästa obesvarade synpunkt"
    assert "1 av 3 synpunkter bemötta" in page_text(response)
    disposition = Disposition.objects.get(comment=first)
    assert (disposition.outcome, disposition.rationale) == ("partly", RATIONALE)
    # Once: the next view of the page says nothing of it.
    again = client.get(answering["round"].get_absolute_url())
    assert "Svaret är sparat." not in page_text(again)


def test_without_javascript_a_missing_outcome_comes_back_on_the_round_page_as_typed(answering):
    client, page = writer_on_round(answering)
    comment = answering["comments"][1]

    response = submit_form(
        client,
        page,
        action="consultations:disposition",
        form_kwargs={"comment_pk": comment.pk},
        fields={"Motivering": RATIONALE},
    )

    assert response.status_code == 400
    assert title(response).startswith("Fel: ")
    assert "Fel:" not in title(response)[4:]  # once
    assert "Det gick inte att spara" not in page_text(response)
    summary = element(response, "form-errors")
    assert "Välj hur synpunkten tas om hand" in summary.text()
    assert any(n.attrs.get("href") == f"#outcome-{comment.pk}" for n in summary.walk())
    select = element(response, f"outcome-{comment.pk}")
    assert select.attrs["aria-invalid"] == "true"
    error = element(response, select.attrs["aria-describedby"])
    assert "Välj hur synpunkten tas om hand" in error.text()
    assert element(response, f"rationale-{comment.pk}").text() == RATIONALE
    # The other comments' forms are as they were, and the rest of the page is there.
    other = answering["comments"][0]
    assert element(response, f"rationale-{other.pk}").text() == ""
    assert "Remissinstanser" in page_text(response)
    assert not Disposition.objects.exists()

    # Corrected on the same page, it is saved.
    submit_form(
        client,
        response,
        action="consultations:disposition",
        form_kwargs={"comment_pk": comment.pk},
        fields={"Utfall": "Godtas"},
    )
    assert Disposition.objects.get(comment=comment).rationale == RATIONALE


@submits("consultations:disposition")
def test_with_htmx_the_answer_is_saved_in_place_and_the_count_follows(answering):
    client, page = writer_on_round(answering)
    first, second, third = answering["comments"]
    answer_form(page, first)  # one form per comment: this one is the whole document's

    response = submit_form(
        client,
        page,
        action="consultations:disposition",
        form_kwargs={"comment_pk": second.pk},
        fields={"Utfall": "Avslås", "Motivering": RATIONALE},
        htmx=True,
    )

    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    thread = element(response, f"thread-{second.pk}")
    saved = element(response, f"saved-{second.pk}")
    assert saved.has("autofocus")
    assert saved.attrs["role"] == "status"
    assert "Svaret är sparat." in saved.text()
    assert "1 av 3 synpunkter bemötta" in saved.text()
    assert RATIONALE in thread.text()
    # The next that waits is after it in the document; then the first (before it).
    next_link = next(n for n in saved.walk() if n.tag == "a")
    assert next_link.attrs["href"] == f"#thread-{third.pk}"
    progress = element(response, "answer-progress")
    assert progress.attrs["hx-swap-oob"] == "true"
    assert "1 av 3 synpunkter bemötta" in progress.text()
    bar = next(n for n in progress.walk() if n.tag == "progress")
    assert (bar.attrs["value"], bar.attrs["max"]) == ("1", "3")
    nav = element(response, "answer-nav")
    assert nav.attrs["hx-swap-oob"] == "true"
    assert any(n.attrs.get("href") == f"#thread-{first.pk}" for n in nav.walk() if n.tag == "a")
    assert Disposition.objects.get(comment=second).outcome == "rejected"

    # The page, reloaded, shows the same.
    reloaded = client.get(answering["round"].get_absolute_url())
    assert "1 av 3 synpunkter bemötta" in page_text(reloaded)


def test_with_htmx_a_missing_outcome_comes_back_in_place_as_typed(answering):
    client, page = writer_on_round(answering)
    comment = answering["comments"][0]

    response = submit_form(
        client,
        page,
        action="consultations:disposition",
        form_kwargs={"comment_pk": comment.pk},
        fields={"Motivering": RATIONALE},
        htmx=True,
    )

    assert response.status_code == 400
    assert "<html" not in response.content.decode()
    select = element(response, f"outcome-{comment.pk}")
    assert select.attrs["aria-invalid"] == "true"
    assert select.has("autofocus")
    error = element(response, select.attrs["aria-describedby"])
    assert "Välj hur synpunkten tas om hand" in error.text()
    assert element(response, f"rationale-{comment.pk}").text() == RATIONALE
    assert not Disposition.objects.exists()

    # Corrected in place, it is saved.
    submit_form(
        client,
        response,
        action="consultations:disposition",
        form_kwargs={"comment_pk": comment.pk},
        fields={"Utfall": "Noteras"},
        htmx=True,
    )
    assert Disposition.objects.get(comment=comment).outcome == "noted"


def test_a_missing_rationale_is_said_at_the_rationale(answering):
    client, page = writer_on_round(answering)
    comment = answering["comments"][0]
    response = submit_form(
        client,
        page,
        action="consultations:disposition",
        form_kwargs={"comment_pk": comment.pk},
        fields={"Utfall": "Godtas"},
        htmx=True,
    )
    assert response.status_code == 400
    rationale = element(response, f"rationale-{comment.pk}")
    assert rationale.attrs["aria-invalid"] == "true"
    assert rationale.has("autofocus")
    assert "Skriv en motivering" in element(response, rationale.attrs["aria-describedby"]).text()
    select = element(response, f"outcome-{comment.pk}")
    chosen = [n for n in select.walk() if n.tag == "option" and n.has("selected")]
    assert [o.attrs["value"] for o in chosen] == ["accepted"]
    assert not Disposition.objects.exists()


@pytest.mark.parametrize("who", ["member", "expert", "observer"])
def test_those_outside_the_writing_group_are_refused_and_nothing_changes(answering, who):
    comment = answering["comments"][0]
    client = browser_client(answering["people"][who])
    page = client.get(answering["round"].get_absolute_url())
    assert f'id="outcome-{comment.pk}"' not in page.content.decode()  # no form to fill
    url = reverse("consultations:disposition", args=[answering["round"].pk, comment.pk])
    sequence = answering["round"].sequence
    data = {"outcome": "accepted", "rationale": RATIONALE, "csrfmiddlewaretoken": _token(client)}
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = client.post(url, data, **headers)
        assert response.status_code == 400
        assert "Bara skrivargruppen kan registrera hur en synpunkt har bemötts." in page_text(
            response
        )
    assert not Disposition.objects.exists()
    answering["round"].refresh_from_db()
    assert answering["round"].sequence == sequence
    # Nor do they get the answering page.
    page = client.get(reverse("consultations:answers", args=[answering["round"].pk]))
    assert page.status_code == 403


def _token(client):
    return client.cookies["csrftoken"].value


def test_the_outsider_finds_no_answering_page(answering):
    client = browser_client(answering["people"]["outsider"])
    assert (
        client.get(reverse("consultations:answers", args=[answering["round"].pk])).status_code
        == 404
    )


def test_an_answer_sent_after_the_report_is_refused_in_place_and_nothing_changes(answering):
    client, page = writer_on_round(answering)
    comment = answering["comments"][0]
    round_services.publish_report(answering["round"], by_user=answering["people"]["chair"])
    response = submit_form(
        client,
        page,
        action="consultations:disposition",
        form_kwargs={"comment_pk": comment.pk},
        fields={"Utfall": "Godtas", "Motivering": RATIONALE},
        htmx=True,
    )
    assert response.status_code == 400
    refusal = element(response, f"answer-{comment.pk}-refusal")
    assert "Sammanställningen är publicerad" in refusal.text()
    assert refusal.has("autofocus")
    assert not Disposition.objects.exists()


# -- the answering page ---------------------------------------------------------------------------


def answers_url(world, **query):
    from urllib.parse import urlencode

    url = reverse("consultations:answers", args=[world["round"].pk])
    return f"{url}?{urlencode(query)}" if query else url


def shown(response):
    root = parse(response.content.decode())
    return [
        int(n.attrs["id"].removeprefix("thread-"))
        for n in root.walk()
        if n.attrs.get("class") == "thread"
    ]


def test_the_round_page_leads_the_writer_to_the_answering_page_and_its_filter(answering):
    client, page = writer_on_round(answering)
    first, second, third = answering["comments"]
    nav = element(page, "answer-nav")
    assert any(n.attrs.get("href") == f"#thread-{first.pk}" for n in nav.walk())
    answers = follow_link(client, page, "Bemöt synpunkter per avsnitt, utfall eller avsändare")
    assert answers.status_code == 200
    assert shown(answers) == [first.pk, second.pk, third.pk]

    by_section = submit_form(client, answers, button="Visa", fields={"Avsnitt": "Inledning"})
    assert shown(by_section) == [second.pk, third.pk]
    by_party = submit_form(client, answers, button="Visa", fields={"Från": "Kumla kommun"})
    assert shown(by_party) == [third.pk]
    disposition_services.record_disposition(
        second, by_user=answering["people"]["writer"], outcome="accepted", rationale="Ja."
    )
    accepted = client.get(answers_url(answering, outcome="accepted"))
    assert shown(accepted) == [second.pk]
    waiting = client.get(answers_url(answering, outcome="unanswered"))
    assert shown(waiting) == [first.pk, third.pk]
    assert "2 av 3 synpunkter visas" in page_text(waiting)


@submits("consultations:disposition")
def test_on_the_answering_page_the_answer_stays_in_the_filter(answering):
    client = browser_client(answering["people"]["writer"])
    _first, second, third = answering["comments"]
    page = client.get(
        answers_url(answering, outcome="unanswered", section=answering["section"].key)
    )
    assert shown(page) == [second.pk, third.pk]

    # Without JavaScript: back to the same filter, at the next that waits in it.
    response = submit_form(
        client,
        page,
        action="consultations:disposition",
        form_kwargs={"comment_pk": second.pk},
        fields={"Utfall": "Godtas", "Motivering": RATIONALE},
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == (
        answers_url(answering, section=answering["section"].key, outcome="unanswered")
        + f"#thread-{second.pk}"
    )
    assert shown(response) == [third.pk]
    assert "Svaret är sparat." in page_text(response)

    # A form error comes back on the answering page, with the filter.
    response = submit_form(
        client,
        response,
        action="consultations:disposition",
        form_kwargs={"comment_pk": third.pk},
        fields={"Motivering": RATIONALE},
    )
    assert response.status_code == 400
    assert title(response).startswith("Fel: ")
    assert "Fel:" not in title(response)[4:]  # once
    assert shown(response) == [third.pk]
    assert element(response, f"rationale-{third.pk}").text() == RATIONALE

    # With htmx: the next that waits in this section is none; the whole document's is.
    response = submit_form(
        client,
        response,
        action="consultations:disposition",
        form_kwargs={"comment_pk": third.pk},
        fields={"Utfall": "Noteras"},
        htmx=True,
    )
    saved = element(response, f"saved-{third.pk}")
    assert "Alla synpunkter är bemötta." in saved.text()
    assert Disposition.objects.count() == 2


def test_the_answering_page_says_why_nothing_is_answered_while_the_round_is_open(open_world):
    comment_on(open_world, "manager", "Målen behöver följas upp.")
    client = browser_client(open_world["people"]["writer"])
    page = client.get(answers_url(open_world))
    assert page.status_code == 200
    assert "Synpunkterna bemöts när remissrundan har stängts." in page_text(page)
    assert not [f for f in page.content.decode().split("<form")[1:] if "/answer/" in f]


def grow(world, count):
    people = world["people"]
    authors = [people["member"], people["manager"], people["expert"], people["drafter"]]
    for n in range(count):
        comment = Comment.objects.create(
            round=world["round"],
            version=world["version"],
            section_key=world["section"].key if n % 2 else "",
            body=f"Synpunkt {n}",
            author=authors[n % len(authors)],
            on_behalf_of=world["kumla"] if n % 3 == 0 else None,
        )
        Comment.objects.create(
            round=world["round"],
            version=world["version"],
            section_key=comment.section_key,
            body=f"Svar {n}",
            author=authors[(n + 1) % len(authors)],
            parent=comment,
        )
        if n % 2:
            Disposition.objects.create(
                comment=comment, outcome="accepted", rationale="Ja", decided_by=people["writer"]
            )


def count_queries(client, url):
    client.get(url)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("query", [{}, {"outcome": "unanswered"}, {"party": "person-0"}])
def test_the_answering_page_does_not_grow_with_the_comments(answering, client, query):
    client.force_login(answering["people"]["writer"])
    url = answers_url(answering, **query)
    grow(answering, 3)
    few = count_queries(client, url)
    grow(answering, 120)
    assert count_queries(client, url) == few
    assert few <= 20


def test_answering_in_place_does_not_grow_with_the_comments(answering, client):
    client.force_login(answering["people"]["writer"])

    def post(comment):
        url = reverse("consultations:disposition", args=[answering["round"].pk, comment.pk])
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                url, {"outcome": "noted", "rationale": "Noterat."}, HTTP_HX_REQUEST="true"
            )
        assert response.status_code == 200
        return len(queries)

    grow(answering, 3)
    few = post(answering["comments"][0])
    grow(answering, 120)
    assert post(answering["comments"][1]) == few


# -- replies: the same pattern, while the round is open --------------------------------------------


def test_an_empty_reply_comes_back_at_its_thread_on_the_round_page(open_world):
    comment = comment_on(open_world, "manager", "Målen behöver följas upp.")
    client = browser_client(open_world["people"]["expert"])
    page = client.get(open_world["round"].get_absolute_url())

    response = submit_form(
        client,
        page,
        action="consultations:reply_add",
        form_kwargs={"comment_pk": comment.pk},
        fields={"Ditt svar": "   "},
    )

    assert response.status_code == 400
    assert title(response).startswith("Fel: ")
    assert "Fel:" not in title(response)[4:]  # once
    assert "Det gick inte att spara" not in page_text(response)
    summary = element(response, "form-errors")
    assert any(n.attrs.get("href") == f"#reply-{comment.pk}" for n in summary.walk())
    body = element(response, f"reply-{comment.pk}")
    assert body.attrs["aria-invalid"] == "true"
    assert "Skriv ditt svar" in element(response, body.attrs["aria-describedby"]).text()
    assert not Comment.objects.filter(parent=comment).exists()

    # Corrected on the same page, it is sent.
    submit_form(
        client,
        response,
        action="consultations:reply_add",
        form_kwargs={"comment_pk": comment.pk},
        fields={"Ditt svar": "Håller med."},
    )
    assert Comment.objects.get(parent=comment).body == "Håller med."


def test_a_reply_typed_before_the_round_closed_comes_back_to_copy(open_world):
    comment = comment_on(open_world, "manager", "Målen behöver följas upp.")
    client = browser_client(open_world["people"]["expert"])
    page = client.get(open_world["round"].get_absolute_url())
    round_services.close_round(open_world["round"], by_user=open_world["people"]["chair"])

    response = submit_form(
        client,
        page,
        action="consultations:reply_add",
        form_kwargs={"comment_pk": comment.pk},
        fields={"Ditt svar": "Håller med, och uppföljningen bör vara årlig."},
    )

    assert response.status_code == 400
    assert title(response).startswith("Fel: ")
    assert "Fel:" not in title(response)[4:]  # once
    refusal = element(response, f"reply-{comment.pk}-refusal")
    assert "Remissrundan är stängd" in refusal.text()
    kept = element(response, f"kept-reply-{comment.pk}")
    assert kept.has("readonly")
    assert kept.text() == "Håller med, och uppföljningen bör vara årlig."
    assert "Remissinstanser" in page_text(response)
    assert not Comment.objects.filter(parent=comment).exists()


@submits("consultations:disposition")
def test_with_htmx_a_proposal_is_applied_in_place(open_world):
    comment = comment_services.add_comment(
        open_world["round"],
        by_user=open_world["people"]["manager"],
        body="Skriv om.",
        kind="proposal",
        section_key=open_world["section"].key,
        proposed_text="Alla föräldrar får stöd.",
    )
    round_services.close_round(open_world["round"], by_user=open_world["people"]["chair"])
    client, page = writer_on_round(open_world)

    response = submit_form(
        client,
        page,
        action="consultations:disposition",
        form_kwargs={"comment_pk": comment.pk},
        button="För in förslaget i utkastet",
        htmx=True,
    )

    saved = element(response, f"saved-{comment.pk}")
    assert "Förslaget är infört i arbetsutkastet, och synpunkten är bemött." in saved.text()
    assert "Alla synpunkter är bemötta." in saved.text()
    assert Disposition.objects.get(comment=comment).outcome == "accepted"
    open_world["section"].refresh_from_db()
    assert open_world["section"].body == "Alla föräldrar får stöd."
