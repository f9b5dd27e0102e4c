"""The pages a guest uses: the link's page, the code, who they are; then their round, and only
their round. Bad input (a wrong code, a code used up or used before, an unknown, revoked or
expired link, another round's or another party's link) gets a clear page and changes nothing."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter
from django.utils import timezone

from consultations import guests
from consultations.middleware import GUEST_URLS
from consultations.models import (
    Comment,
    Consultee,
    Guest,
    GuestCode,
    GuestLink,
    GuestPass,
    Response,
    ReviewRound,
)
from consultations.services import comments as comment_services
from consultations.services import rounds as round_services
from documents import services as document_services
from notifications.models import Notification
from tests.consultations.guesting import ADDRESS, consult_by_link, guest_user, last_code
from tests.consultations.page_forms import fill, form_posting_to, form_with
from tests.consultations.test_report_chain import csv_rows, docx_text
from tests.factories import (
    DocumentFactory,
    MembershipFactory,
    OrganisationFactory,
    SectionFactory,
    UserFactory,
)
from tests.forms import browser_client, page_text, parse, submit_form

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def reached(world, smtp_inbox, django_capture_on_commit_callbacks):
    """Lekebergs kommun, nobody in Samverka speaks for it, consulted through its registry
    address; the round is open and the link is in the inbox."""
    return consult_by_link(
        world["round"], world["people"]["chair"], smtp_inbox, django_capture_on_commit_callbacks
    )


@pytest.fixture
def eva(reached, smtp_inbox):
    return guest_user(reached, smtp_inbox)


@pytest.fixture
def as_eva(eva):
    return browser_client(eva)


def record():
    """Everything a refused step must leave as it was (the codes' failed attempts apart)."""
    return (
        sorted(User.objects.values_list("pk", "full_name")),
        sorted(Guest.objects.values_list("pk", "title", "verified_at")),
        sorted(GuestPass.objects.values_list("pk", "opened_at", "revoked_at")),
        sorted(GuestLink.objects.values_list("pk", "opened_at")),
        sorted(GuestCode.objects.values_list("pk", "used_at")),
        sorted(Comment.objects.values_list("pk", "body", "deleted_at")),
        sorted(Response.objects.values_list("pk", "state", "position", "summary")),
        sorted(Consultee.objects.values_list("pk", "status")),
        Notification.objects.count(),
    )


def crafted(user) -> Client:
    """A request made by hand (no form, no CSRF token checked): what a page would not send."""
    client = Client()
    client.force_login(user)
    return client


def attempts():
    return sorted(GuestCode.objects.values_list("pk", "failed_attempts"))


# ------------------------------------------------------------------------------ the way in


def test_the_links_page_says_what_the_round_is_and_where_the_code_goes(world, reached):
    page = browser_client().get(reached.url)
    assert page.status_code == 200
    text = page_text(page)
    assert "Remiss augusti" in text
    assert "Regional strategi" in text
    assert "Lekebergs kommun" in text
    assert guests.masked(ADDRESS) in text
    assert "k•••••••@lekeberg.se" in text
    assert world["people"]["chair"].get_full_name() in text
    assert "skicka in det formella remissvaret från Lekebergs kommun" in text
    assert "Skicka kod" in text
    # nothing in the addresses names the organisation: only the token
    for url in (reached.url, reached.code_url, reached.verify_url):
        assert "lekeberg" not in url.lower()
        assert url.split("/")[2] == reached.token


def test_a_guest_comes_in_with_the_code_and_lands_on_the_round(world, reached, smtp_inbox):
    client = browser_client()
    page = client.get(reached.url)
    sent = submit_form(client, page, button="Skicka kod")
    assert sent.redirect_chain[-1][0] == reached.verify_url
    assert "En kod har skickats till k•••••••@lekeberg.se" in page_text(sent)
    code = last_code(smtp_inbox)

    entered = submit_form(
        client,
        sent,
        button="Fortsätt",
        fields={
            "Koden från e-postmeddelandet": code,
            "Ditt namn": "Eva Ek",
            "Titel/roll (frivilligt)": "Registrator",
        },
    )

    assert entered.redirect_chain[-1][0] == world["round"].get_absolute_url()
    text = page_text(entered)
    assert "Välkommen, Eva Ek" in text
    assert "Gäst för Lekebergs kommun · Eva Ek" in text
    guest = Guest.objects.get()
    assert guest.user.full_name == "Eva Ek"
    assert guest.title == "Registrator"
    assert int(client.session[SESSION_KEY]) == guest.user.pk
    # the session ends with the pass at the latest
    assert client.session.get_expiry_date() <= guests.valid_until(guest.guest_pass)


def test_a_guest_already_in_goes_straight_to_the_round(world, reached, as_eva):
    page = as_eva.get(reached.url)
    assert page.status_code == 302
    assert page["Location"] == world["round"].get_absolute_url()


def test_someone_logged_in_with_an_account_is_told_and_logged_out_to_go_on(world, reached):
    member = world["people"]["member"]
    client = browser_client(member)
    page = client.get(reached.url)
    assert page.status_code == 200
    assert f"Du är inloggad som {member.get_full_name()}" in page_text(page)
    sent = submit_form(client, page, button="Skicka kod")
    assert sent.status_code == 200
    assert SESSION_KEY not in client.session


def test_the_round_page_is_the_guests_and_offers_nothing_that_would_be_404(world, reached, as_eva):
    page = as_eva.get(world["round"].get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    text = page_text(page)
    assert "Gäst för Lekebergs kommun · Eva Ek" in text
    assert "Logga ut" in text
    for offered in (
        reverse("home"),
        reverse("networks:list"),
        reverse("networks:organisations"),
        reverse("consultations:my_comments"),
        reverse("notifications:list"),
        reverse("consultations:document_rounds", args=[world["document"].pk]),
        reverse("networks:detail", args=[world["group"].pk]),
        "/ws/notifications/",
    ):
        assert f'href="{offered}"' not in html
        assert f'"{offered}"' not in html
    assert "Regional strategi" in text  # the document's name, as text


def test_the_response_page_breadcrumbs_do_not_link_to_the_document(world, reached, as_eva):
    url = reverse("consultations:respond", args=[world["round"].pk, reached.party.pk])
    page = as_eva.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("consultations:document_rounds", args=[world["document"].pk]) not in html
    assert f'href="{reverse("home")}"' not in html


# ------------------------------------------------------------------------------ answering


def test_a_guest_comments_on_the_round_page(world, reached, as_eva):
    review_round = world["round"]
    page = as_eva.get(review_round.get_absolute_url()).content.decode()
    form = form_posting_to(page, reverse("consultations:comment_add", args=[review_round.pk]))
    posted = as_eva.post(
        reverse("consultations:comment_add", args=[review_round.pk]),
        fill(form, {"body": "Lekeberg saknar ett avsnitt om landsbygden."}),
    )
    assert posted.status_code == 302
    comment = Comment.objects.get(body="Lekeberg saknar ett avsnitt om landsbygden.")
    assert comment.author.full_name == "Eva Ek"
    assert comment.author.is_guest
    # A guest writes for the body: its organisation is chosen in the form already.
    assert comment.on_behalf_of == reached.party.organisation


def test_a_guests_comment_is_signed_as_a_guests_on_the_round_page(world, reached, as_eva):
    """The byline says who wrote it as the report does ("Eva Ek, Registrator (gäst)"), for
    everyone who reads the round."""
    review_round = world["round"]
    url = reverse("consultations:comment_add", args=[review_round.pk])
    form = form_posting_to(as_eva.get(review_round.get_absolute_url()).content.decode(), url)
    as_eva.post(url, fill(form, {"body": "Lekeberg saknar landsbygden."}))
    chair = browser_client(world["people"]["chair"])
    for reader in (as_eva, chair):
        html = reader.get(review_round.get_absolute_url()).content.decode()
        bylines = [
            " ".join(n.text().split())
            for n in parse(html).walk()
            if "comment__by" in n.attrs.get("class", "").split()
        ]
        assert "Eva Ek, Registrator (gäst) för Lekebergs kommun" in bylines
    comment = Comment.objects.get(body="Lekeberg saknar landsbygden.")
    thread = chair.get(reverse("consultations:thread", args=[review_round.pk, comment.pk]))
    assert "Eva Ek, Registrator (gäst)" in page_text(thread)


def test_a_member_who_speaks_for_an_organisation_still_starts_from_themselves(world, reached):
    review_round, drafter = world["round"], world["people"]["drafter"]
    client = browser_client(drafter)
    page = client.get(review_round.get_absolute_url()).content.decode()
    url = reverse("consultations:comment_add", args=[review_round.pk])
    form = form_posting_to(page, url)
    assert "Kumla kommun</option>" in page  # offered, not chosen
    posted = client.post(url, fill(form, {"body": "Kumla undrar."}))
    assert posted.status_code == 302
    assert Comment.objects.get(body="Kumla undrar.").on_behalf_of is None


def test_a_guest_submits_the_partys_response_and_the_record_names_them(world, reached, as_eva, eva):
    review_round, party = world["round"], reached.party
    url = reverse("consultations:respond", args=[review_round.pk, party.pk])
    page = as_eva.get(url).content.decode()
    assert 'value="submit"' in page  # the guest approves for the party
    data = fill(
        form_with(page, "summary"),
        {"position": "reservations", "summary": "Lekeberg stöder med reservation."},
        press=("step", "submit"),
    )
    check = as_eva.post(url, data)  # "check your answers" first: nothing sent yet
    assert "Kontrollera innan du skickar in" in check.content.decode()
    assert not Response.objects.filter(consultee=party, state=Response.State.SUBMITTED).exists()
    confirm = form_with(check.content.decode(), "summary")
    submitted = as_eva.post(url, fill(confirm, press=("step", "confirm")))
    assert submitted.status_code == 302

    response = Response.objects.get(consultee=party)
    assert response.state == Response.State.SUBMITTED
    assert response.approved_by == eva
    party.refresh_from_db()
    assert party.has_answered
    shown = page_text(as_eva.get(url))
    assert "Eva Ek, Registrator (gäst)" in shown
    report = page_text(as_eva.get(reverse("consultations:report", args=[review_round.pk])))
    assert "Eva Ek, Registrator (gäst)" in report
    rows = csv_rows(
        as_eva.get(reverse("consultations:report_file", args=[review_round.pk, "csv"])).content
    )
    header = next(r for r in rows if "Inskickat av" in r)
    (row,) = [r for r in rows if r and r[0] == "Lekebergs kommun"]
    assert row[header.index("Inskickat av")] == "Eva Ek, Registrator (gäst)"
    word = docx_text(
        as_eva.get(reverse("consultations:report_file", args=[review_round.pk, "docx"])).content
    )
    assert "Inskickat av: Eva Ek, Registrator (gäst)" in word
    # the chair reads the same in the report
    chair = browser_client(world["people"]["chair"])
    assert "Eva Ek, Registrator (gäst)" in page_text(
        chair.get(reverse("consultations:report", args=[review_round.pk]))
    )


# ------------------------------------------------------------------------------ bad input


def _verify_page(client, reached, smtp_inbox):
    page = client.get(reached.url)
    return submit_form(client, page, button="Skicka kod")


def test_a_wrong_code_counts_and_changes_nothing_else(reached, smtp_inbox):
    client = browser_client()
    page = _verify_page(client, reached, smtp_inbox)
    code = last_code(smtp_inbox)
    wrong = "000000" if code != "000000" else "111111"
    before, counted = record(), attempts()

    refused = submit_form(
        client,
        page,
        button="Fortsätt",
        fields={
            "Koden från e-postmeddelandet": wrong,
            "Ditt namn": "Eva Ek",
            "Titel/roll (frivilligt)": "Registrator",
        },
    )

    assert refused.status_code == 400
    assert record() == before
    assert [n for _pk, n in attempts()] == [n + 1 for _pk, n in counted]
    text = page_text(refused)
    assert "Koden stämmer inte" in text
    html = refused.content.decode()
    assert 'href="#id_code"' in html  # the error summary leads to the field
    assert 'aria-describedby="id_code_helptext id_code_error"' in html  # read out with it
    again = form_with(html, "code")
    assert ("name", "Eva Ek") in again.fields
    assert ("title", "Registrator") in again.fields
    assert ("code", "") in again.fields  # the code is typed again
    assert SESSION_KEY not in client.session


def test_the_code_is_used_up_after_too_many_wrong_tries(reached, smtp_inbox, settings):
    client = browser_client()
    page = _verify_page(client, reached, smtp_inbox)
    code = last_code(smtp_inbox)
    wrong = "000000" if code != "000000" else "111111"
    for _try in range(settings.GUEST_CODE_ATTEMPTS):
        page = submit_form(
            client, page, button="Fortsätt", fields={"code": wrong, "name": "Eva Ek"}
        )
        assert page.status_code == 400
    before = record()
    refused = submit_form(client, page, button="Fortsätt", fields={"code": code, "name": "Eva Ek"})
    assert refused.status_code == 400
    assert "Koden fungerar inte längre" in page_text(refused)
    assert record() == before
    assert not Guest.objects.exists()
    # the way on: a new code, now the page's main button
    assert 'class="button button--primary">Skicka en ny kod</button>' in refused.content.decode()


def test_a_code_works_once(reached, smtp_inbox):
    client = browser_client()
    page = _verify_page(client, reached, smtp_inbox)
    code = last_code(smtp_inbox)
    submit_form(client, page, button="Fortsätt", fields={"code": code, "name": "Eva Ek"})
    assert Guest.objects.count() == 1

    other = browser_client()
    page = other.get(reached.verify_url)
    before = record()
    reused = submit_form(other, page, button="Fortsätt", fields={"code": code, "name": "Eva Ek"})
    assert reused.status_code == 400
    assert "Koden fungerar inte längre" in page_text(reused)
    assert record() == before
    assert SESSION_KEY not in other.session


def test_a_name_is_needed_and_the_code_is_not_counted_for_it(reached, smtp_inbox):
    client = browser_client()
    page = _verify_page(client, reached, smtp_inbox)
    code = last_code(smtp_inbox)
    before, counted = record(), attempts()
    refused = submit_form(client, page, button="Fortsätt", fields={"code": code, "name": "   "})
    assert refused.status_code == 400
    assert "Skriv ditt namn" in page_text(refused)
    assert record() == before
    assert attempts() == counted
    entered = submit_form(client, refused, button="Fortsätt", fields={"code": code, "name": "Eva"})
    assert entered.status_code == 200
    assert Guest.objects.get().user.full_name == "Eva"


def test_too_many_codes_in_an_hour_say_so_on_the_same_page(reached, smtp_inbox, settings):
    settings.GUEST_CODES_PER_HOUR = 1
    client = browser_client()
    page = client.get(reached.url)
    submit_form(client, page, button="Skicka kod")
    before = record()
    refused = submit_form(client, client.get(reached.url), button="Skicka kod")
    assert refused.status_code == 429
    assert "Flera koder har redan skickats" in page_text(refused)
    assert record() == before


def test_a_mail_server_that_does_not_answer_gets_a_clear_message(reached, settings):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        settings.EMAIL_PORT = probe.getsockname()[1]
    client = browser_client()
    page = client.get(reached.url)
    refused = submit_form(client, page, button="Skicka kod")
    assert refused.status_code == 503
    assert "Koden kunde inte skickas just nu" in page_text(refused)
    assert not GuestCode.objects.exists()


def test_an_unknown_link_gets_a_page_that_says_what_to_do():
    page = browser_client().get(reverse("consultations:guest", args=["x" * 43]))
    assert page.status_code == 404
    text = page_text(page)
    assert "Länken är inte känd" in text
    assert "Vad du kan göra" in text
    for name in ("consultations:guest_verify",):
        assert browser_client().get(reverse(name, args=["x" * 43])).status_code == 404


def test_a_revoked_link_names_the_chair_to_ask(world, reached, smtp_inbox):
    chair = world["people"]["chair"]
    guests.revoke(reached.party.guest_pass, by_user=chair)
    client = browser_client()
    for url in (reached.url, reached.verify_url):
        page = client.get(url)
        assert page.status_code == 410
        text = page_text(page)
        assert "Remissrundans ordförande har dragit tillbaka länken" in text
        assert chair.get_full_name() in text
        assert chair.email in text
    posted = Client().post(reached.code_url)  # a page kept open from before
    assert posted.status_code == 410
    assert not GuestCode.objects.exists()


def test_a_forwarded_link_after_the_reading_time_gets_a_clear_page(world, reached, settings):
    review_round = world["round"]
    round_services.close_round(review_round, by_user=world["people"]["chair"])
    ReviewRound.objects.filter(pk=review_round.pk).update(
        closed_at=timezone.now() - timedelta(days=settings.GUEST_GRACE_DAYS + 1)
    )
    page = browser_client().get(reached.url)
    assert page.status_code == 410
    text = page_text(page)
    assert "Länken gäller inte längre" in text
    assert world["people"]["chair"].email in text


def test_a_closed_round_is_still_read_through_the_link(world, reached):
    round_services.close_round(world["round"], by_user=world["people"]["chair"])
    page = browser_client().get(reached.url)
    assert page.status_code == 200
    assert "Remissrundan har stängt" in page_text(page)


def test_a_link_to_a_round_not_yet_open_says_so(world, smtp_inbox):
    """(A link goes out when the round opens; one kept from a round set back to planned, or
    made by hand, says the round has not opened.)"""
    from consultations.models import GuestLink as Link

    party = world["round"].consultees.get(organisation=world["kumla"])
    guest_pass = GuestPass.objects.create(consultee=party, email="x@kumla.se")
    Link.objects.create(guest_pass=guest_pass, reason="opening", token_hash=guests.digest("t" * 43))
    page = browser_client().get(reverse("consultations:guest", args=["t" * 43]))
    assert page.status_code == 409
    assert "Remissrundan har inte öppnat än" in page_text(page)


# ------------------------------------------------------------------------------ only their round


@pytest.fixture
def elsewhere(world, smtp_inbox, django_capture_on_commit_callbacks):
    """Another document's round, open, that consults another organisation by its link."""
    chair = world["people"]["chair"]
    document = DocumentFactory(network=world["group"], title="Handlingsplan")
    SectionFactory(document=document, heading="Syfte", position=1, body="Text.")
    version = document_services.publish_version(
        document, by_user=chair, label="Remiss", change_summary=""
    )
    other_round = round_services.create_round(
        document,
        by_user=chair,
        version=version,
        title="Remiss om handlingsplanen",
        closes_at=timezone.now() + timedelta(days=10),
    )
    reached = consult_by_link(
        other_round,
        chair,
        smtp_inbox,
        django_capture_on_commit_callbacks,
        name="Askersunds kommun",
        address="registrator@askersund.se",
    )
    return other_round, reached


def test_another_rounds_guest_gets_404_on_this_round(world, reached, elsewhere, smtp_inbox):
    other_round, other = elsewhere
    outsider = guest_user(other, smtp_inbox, name="Olle Ask")
    client = browser_client(outsider)
    assert client.get(other_round.get_absolute_url()).status_code == 200
    review_round = world["round"]
    for url in (
        review_round.get_absolute_url(),
        reverse("consultations:report", args=[review_round.pk]),
        reverse("consultations:respond", args=[review_round.pk, reached.party.pk]),
        reverse("consultations:events", args=[review_round.pk]),
    ):
        assert client.get(url).status_code == 404, url
    before = record()
    assert (
        crafted(outsider)
        .post(
            reverse("consultations:comment_add", args=[review_round.pk]),
            {"body": "Intrång", "kind": "remark", "section_key": ""},
        )
        .status_code
        == 404
    )
    assert record() == before


def test_a_guest_cannot_answer_for_another_party(world, reached, eva):
    kumla = world["round"].consultees.get(organisation=world["kumla"])
    url = reverse("consultations:respond", args=[world["round"].pk, kumla.pk])
    client = crafted(eva)
    assert client.get(url).status_code in (403, 404)
    before = record()
    posted = client.post(
        url, {"position": "supports", "summary": "I Kumlas namn", "step": "submit"}
    )
    assert posted.status_code in (403, 404)
    posted = client.post(
        url, {"position": "supports", "summary": "I Kumlas namn", "step": "confirm"}
    )
    assert posted.status_code in (403, 404)
    assert record() == before


def _named_routes(resolver=None, namespace=""):
    """(URL name, its converters) of every named route but the admin's."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _named_routes(pattern, inner)
        elif pattern.name:
            yield f"{namespace}{pattern.name}", getattr(pattern.pattern, "converters", {})


def _every_url_without_a_guest():
    """Every named URL a guest may not open, with sample arguments (the answer is the same
    whatever they are: the middleware answers before the view)."""
    return sorted(
        {
            (
                name,
                reverse(
                    name,
                    kwargs={
                        k: 1 if isinstance(c, IntConverter) else "x" for k, c in converters.items()
                    },
                ),
            )
            for name, converters in _named_routes()
            if name not in GUEST_URLS
        }
    )


EVERY_OTHER_URL = _every_url_without_a_guest()


@pytest.mark.parametrize(("name", "url"), EVERY_OTHER_URL, ids=[n for n, _u in EVERY_OTHER_URL])
def test_every_other_page_is_404_for_a_guest(as_eva, name, url):
    assert as_eva.get(url).status_code == 404


def test_the_main_pages_with_their_real_addresses_are_404_for_a_guest(world, as_eva, eva):
    someone = UserFactory()
    MembershipFactory(network=world["group"], user=someone)
    urls = [
        reverse("home"),
        reverse("networks:list"),
        reverse("networks:detail", args=[world["group"].pk]),
        reverse("networks:members", args=[world["group"].pk]),
        reverse("networks:organisations"),
        reverse("networks:organisation", args=[world["kumla"].pk]),
        reverse("documents:detail", args=[world["document"].pk]),
        reverse("documents:network_documents", args=[world["group"].pk]),
        reverse("consultations:document_rounds", args=[world["document"].pk]),
        reverse("consultations:decisions", args=[world["document"].pk]),
        reverse("consultations:timeline", args=[world["document"].pk]),
        reverse("consultations:my_comments"),
        reverse("notifications:list"),
        reverse("notifications:preferences"),
        reverse("consultations:step", args=[world["round"].pk, "close"]),
        reverse("consultations:enter_response", args=[world["round"].pk, 1]),
        "/admin/",
        "/no-such-page/",
    ]
    for url in urls:
        page = as_eva.get(url)
        assert page.status_code == 404, url
    # the 404 page leads back to the round, not to a start page that is 404 too
    assert f'href="{world["round"].get_absolute_url()}"' in page.content.decode()


def test_the_guests_row_of_the_round_pages_matrix(world, reached, as_eva):
    """The row tests/consultations/test_views_matrix.py would have for a guest: what they may
    open answers 200; a page of their round that is not theirs (another's comment, another
    party's response) 403, as for anyone who sees the round; the rest 404, as for an outsider."""
    review_round, member = world["round"], world["people"]["member"]
    comment = comment_services.add_comment(review_round, by_user=member, body="Bra.")
    kumla = review_round.consultees.get(organisation=world["kumla"])
    document = world["document"]
    row = {
        review_round.get_absolute_url(): 200,
        reverse("consultations:thread", args=[review_round.pk, comment.pk]): 200,
        reverse("consultations:comment_edit", args=[review_round.pk, comment.pk]): 403,
        reverse("consultations:respond", args=[review_round.pk, reached.party.pk]): 200,
        reverse("consultations:respond", args=[review_round.pk, kumla.pk]): 403,
        reverse("consultations:enter_response", args=[review_round.pk, kumla.pk]): 404,
        reverse("consultations:attachment", args=[review_round.pk, reached.party.pk]): 404,
        reverse("consultations:report", args=[review_round.pk]): 200,
        reverse("consultations:report_file", args=[review_round.pk, "docx"]): 200,
        reverse("consultations:report_file", args=[review_round.pk, "csv"]): 200,
        reverse("consultations:report_file", args=[review_round.pk, "pdf"]): 404,
        reverse("consultations:step", args=[review_round.pk, "close"]): 404,
        reverse("consultations:step", args=[review_round.pk, "extend"]): 404,
        reverse("consultations:document_rounds", args=[document.pk]): 404,
        reverse("consultations:round_new", args=[document.pk]): 404,
    }
    got = {url: as_eva.get(url).status_code for url in row}
    assert got == row


@pytest.mark.parametrize(
    ("visitor", "landing", "verify"),
    [
        ("anonymous", 200, 200),
        ("member", 200, 200),  # told they are logged out if they go on
        ("guest of this party", 302, 200),  # already in: to the round
        ("guest of another round", 200, 200),
    ],
)
def test_the_link_pages_for_each_visitor(
    world, reached, elsewhere, smtp_inbox, visitor, landing, verify
):
    _round, other = elsewhere
    user = {
        "anonymous": None,
        "member": world["people"]["member"],
        "guest of this party": guest_user(reached, smtp_inbox),
        "guest of another round": guest_user(other, smtp_inbox, name="Olle Ask"),
    }[visitor]
    client = browser_client(user)
    assert client.get(reached.url).status_code == landing
    assert client.get(reached.verify_url).status_code == verify


def test_the_pages_a_guest_needs_are_open_to_them(world, reached, as_eva):
    review_round = world["round"]
    comment = comment_services.add_comment(
        review_round, by_user=world["people"]["member"], body="Bra."
    )
    for url in (
        review_round.get_absolute_url(),
        reverse("consultations:thread", args=[review_round.pk, comment.pk]),
        reverse("consultations:events", args=[review_round.pk]),
        reverse("consultations:respond", args=[review_round.pk, reached.party.pk]),
        reverse("consultations:report", args=[review_round.pk]),
        reverse("consultations:report_file", args=[review_round.pk, "csv"]),
        reverse("consultations:report_file", args=[review_round.pk, "docx"]),
        reverse("healthz"),
    ):
        assert as_eva.get(url).status_code == 200, url


def test_a_revoked_guest_is_let_out_at_the_next_step(world, reached, as_eva):
    url = world["round"].get_absolute_url()
    assert as_eva.get(url).status_code == 200
    guests.revoke(reached.party.guest_pass, by_user=world["people"]["chair"])
    before = record()
    ended = as_eva.get(url)
    assert ended.status_code == 410
    assert "Din åtkomst har upphört" in page_text(ended)
    assert world["people"]["chair"].email in page_text(ended)
    assert SESSION_KEY not in as_eva.session
    assert as_eva.get(url).status_code == 302  # now anonymous: the login page
    assert record() == before


def test_a_guest_is_let_out_when_the_reading_time_ends(world, reached, as_eva, settings):
    review_round = world["round"]
    round_services.close_round(review_round, by_user=world["people"]["chair"])
    assert as_eva.get(reverse("consultations:report", args=[review_round.pk])).status_code == 200
    ReviewRound.objects.filter(pk=review_round.pk).update(
        closed_at=timezone.now() - timedelta(days=settings.GUEST_GRACE_DAYS + 1)
    )
    assert as_eva.get(reverse("consultations:report", args=[review_round.pk])).status_code == 410
    assert SESSION_KEY not in as_eva.session


def test_after_the_close_a_guest_reads_but_no_longer_comments(world, reached, as_eva, eva):
    review_round = world["round"]
    round_services.close_round(review_round, by_user=world["people"]["chair"])
    page = as_eva.get(review_round.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("consultations:comment_add", args=[review_round.pk]) not in html
    before = record()
    refused = crafted(eva).post(
        reverse("consultations:comment_add", args=[review_round.pk]),
        {"body": "För sent", "kind": "remark", "section_key": ""},
    )
    assert refused.status_code in (400, 403, 409)
    assert record() == before


def test_a_form_sent_after_the_close_keeps_what_was_written_and_no_codes(world, reached, as_eva):
    review_round = world["round"]
    page = as_eva.get(review_round.get_absolute_url()).content.decode()
    url = reverse("consultations:comment_add", args=[review_round.pk])
    form = form_posting_to(page, url)  # the page was loaded while the round was open
    round_services.close_round(review_round, by_user=world["people"]["chair"])
    before = record()
    refused = as_eva.post(url, fill(form, {"body": "Skrivet innan stängningen."}))
    assert refused.status_code == 400
    assert "Remissrundan är stängd" in page_text(refused)
    # What she wrote, to copy; not the form's codes (the kind "remark", an organisation's id).
    kept = re.findall(r"<textarea[^>]*>(.*?)</textarea>", refused.content.decode(), re.S)
    assert kept == ["Skrivet innan stängningen."]
    assert record() == before


# ------------------------------------------------------------------------------ queries


def _count(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url)
    assert page.status_code == 200, url
    return len(queries)


def _more(world, n):
    """More of everything the pages could read: comments, parties, guests of other parties."""
    review_round = world["round"]
    for _i in range(max(1, n // 20)):
        Consultee.objects.create(round=review_round, organisation=OrganisationFactory())
    for i in range(n):
        Comment.objects.create(
            round=review_round,
            version=world["version"],
            body=f"Synpunkt {i}",
            author=world["people"]["member"],
        )


# What each page costs (measured; the round page reads its text and threads on every request).
# The report reads the comments, their dispositions, the document's versions and the authors in a
# query each (consultations.report).
LIMITS = {"landing": 3, "verify": 2, "round": 13, "respond": 11, "report": 14}


@pytest.mark.parametrize("page", ["landing", "verify", "round", "respond", "report"])
def test_the_guest_pages_do_not_grow_with_the_data(world, reached, smtp_inbox, page):
    eva = guest_user(reached, smtp_inbox)
    client = browser_client() if page in ("landing", "verify") else browser_client(eva)
    review_round = world["round"]
    url = {
        "landing": reached.url,
        "verify": reached.verify_url,
        "round": review_round.get_absolute_url(),
        "respond": reverse("consultations:respond", args=[review_round.pk, reached.party.pk]),
        "report": reverse("consultations:report", args=[review_round.pk]),
    }[page]
    _more(world, 3)
    few = _count(client, url)
    _more(world, 60)
    for _other in range(3):  # more guests of the party
        guest_user(reached, smtp_inbox, name=f"Gäst {_other}")
    many = _count(client, url)
    assert many == few
    assert many <= LIMITS[page]
