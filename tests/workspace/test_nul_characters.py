"""A NUL character anywhere a person can type it: a clear message or a 404, never a 500.

PostgreSQL refuses NUL in text (SQLite stores it), so these matter on PostgreSQL: run them with
DATABASE_URL set. The organisation's e-mail form, section keys in addresses, invitation tokens,
queries and uploads."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from documents.models import Section
from networks.models import Affiliation, Invitation, Role
from tests.factories import MembershipFactory, OrganisationFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db

NUL_MESSAGE_SV = "nolltecken"
NUL_MESSAGE_EN = "null character"


class _Form(HTMLParser):
    """The fields and values of the first form on a page that has a field named `field`."""

    def __init__(self, field):
        super().__init__()
        self.field, self.current, self.found = field, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.found is None:
            self.current = {}
        elif self.current is not None and tag in ("input", "textarea", "select"):
            name = attrs.get("name")
            if not name or attrs.get("type") in ("submit", "button"):
                return
            if attrs.get("type") == "checkbox" and "checked" not in attrs:
                return
            self.current[name] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form" and self.current is not None:
            if self.field in self.current and self.found is None:
                self.found = self.current
            self.current = None


def form_on(page, field):
    parser = _Form(field)
    parser.feed(page.content.decode())
    assert parser.found is not None, f"no form with {field!r}"
    return parser.found


@pytest.fixture
def kumla_coordinator():
    kumla = OrganisationFactory(name="Kumla kommun")
    coordinator = MembershipFactory(role=Role.COORDINATOR)
    MembershipFactory(network=coordinator.network, organisation=kumla)
    UserFactory(email="socialchef@example.org")
    return kumla, coordinator.user


def test_a_nul_in_the_organisation_e_mail_form_gets_a_clear_message(client, kumla_coordinator):
    kumla, coordinator = kumla_coordinator
    client.force_login(coordinator)
    url = reverse("networks:organisation", args=[kumla.pk])
    fields = form_on(client.get(url), "email")
    fields.update(email="socialchef@example.org\x00", title="Chef")

    response = client.post(url, fields)

    assert response.status_code == 400
    assert NUL_MESSAGE_SV in response.content.decode()
    assert not Affiliation.objects.exists()


def test_the_message_is_in_the_persons_language(client, kumla_coordinator):
    kumla, coordinator = kumla_coordinator
    client.force_login(coordinator)
    client.cookies["samverka_language"] = "en"
    url = reverse("networks:organisation", args=[kumla.pk])
    response = client.post(url, {"email": "\x00"})
    assert response.status_code == 400
    assert NUL_MESSAGE_EN in response.content.decode()
    assert NUL_MESSAGE_SV not in response.content.decode()


def test_an_htmx_form_keeps_what_was_typed_and_shows_the_message_above_it(
    client, kumla_coordinator
):
    kumla, coordinator = kumla_coordinator
    client.force_login(coordinator)
    url = reverse("networks:organisation", args=[kumla.pk])
    response = client.post(url, {"email": "a\x00"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    # htmx puts the message in the page's status area instead of replacing the form.
    assert response["HX-Retarget"] == "#main > [role=status]"
    assert response["HX-Reswap"] == "innerHTML"
    assert NUL_MESSAGE_SV in response.content.decode()


@pytest.fixture
def writer_document():
    writer = MembershipFactory(role=Role.WRITER)
    section = SectionFactory(document__network=writer.network)
    return writer.user, section.document


@pytest.mark.parametrize("suffix", ["edit/", "history/", "move/", "remove/"])
def test_a_nul_in_a_section_key_is_not_found(client, writer_document, suffix):
    user, document = writer_document
    keys = list(Section.objects.values_list("key", flat=True))
    client.force_login(user)
    response = client.get(f"/documents/{document.pk}/sections/ab%00cd/{suffix}")
    assert response.status_code == 404
    response = client.post(f"/documents/{document.pk}/sections/ab%00cd/{suffix}", {})
    assert response.status_code == 404
    assert list(Section.objects.values_list("key", flat=True)) == keys


def test_a_nul_in_an_invitation_token_is_not_found(client):
    response = client.get("/invitations/abc%00def/")
    assert response.status_code == 404
    assert client.post("/invitations/abc%00def/", {"action": "accept"}).status_code == 404
    assert not Invitation.objects.exists()


def test_a_nul_in_a_query_gets_a_clear_message(client, writer_document):
    user, document = writer_document
    client.force_login(user)
    response = client.get(f"/documents/{document.pk}/compare/", {"from": "1\x00"})
    assert response.status_code == 400
    assert NUL_MESSAGE_SV in response.content.decode()


def test_a_nul_in_an_uploaded_files_type_gets_a_clear_message(client, writer_document):
    from django.core.files.uploadedfile import SimpleUploadedFile

    user, document = writer_document
    client.force_login(user)
    upload = SimpleUploadedFile("plan.docx", b"PK", content_type="application/x\x00docx")
    response = client.post(f"/networks/{document.network.pk}/documents/import/", {"file": upload})
    assert response.status_code == 400
    assert NUL_MESSAGE_SV in response.content.decode()


def test_other_bad_requests_get_the_readable_400_page(client):
    response = client.get("/login/", HTTP_HOST="not-ours.example")
    assert response.status_code == 400
    assert "Begäran kunde inte tolkas" in response.content.decode()
