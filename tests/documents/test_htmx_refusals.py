"""In-place editing when the core says no: htmx gets a fragment with the message where the
section is, never a whole page inside the section; without JavaScript the same refusal is a page
of its own. The requests carry the header htmx sends ("HX-Request: true")."""

import lxml.html
import pytest
from django.urls import reverse

from documents import services
from documents.models import Document, Section
from networks.models import Membership, Role
from tests.factories import DocumentFactory, MembershipFactory, SectionFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
LOCKED_SV = "Dokumentet är fastställt och kan inte längre ändras."


@pytest.fixture
def setup(client):
    document = DocumentFactory(title="Regional strategi")
    writer = MembershipFactory(network=document.network, role=Role.WRITER).user
    section = SectionFactory(document=document, heading="Målgrupp", body="Alla föräldrar.")
    client.force_login(writer)
    return document, writer, section


def snapshot():
    return (
        sorted(Section.objects.values_list("id", "heading", "body", "revision")),
        Section.history.count(),
    )


def is_fragment(html: str) -> bool:
    """No second page inside the page: no document, header, menu or footer of its own."""
    return not any(
        part in html for part in ("<html", "<body", "site-header", "site-nav", "site-footer")
    )


def edit_link(client, document, section) -> str:
    """The address htmx asks when the Edit button of the section is pressed."""
    page = lxml.html.fromstring(client.get(document.get_absolute_url()).content)
    [link] = page.xpath(f"//section[@id='section-{section.key}']//a[@hx-get]")
    return link.get("hx-get")


def form_of(html: str) -> tuple[str, dict]:
    """The editing form as the browser would send it: its address and its fields."""
    [form] = lxml.html.fromstring(html).xpath("//form[@hx-post]")
    fields = {i.get("name"): i.get("value") or "" for i in form.xpath(".//input[@name]")}
    fields.update({t.get("name"): t.text_content() for t in form.xpath(".//textarea[@name]")})
    return form.get("hx-post"), fields


def adopt(document):
    Document.objects.filter(pk=document.pk).update(status=Document.Status.ADOPTED)


def test_opening_the_editor_after_adoption_shows_the_message_in_the_section(client, setup):
    document, _writer, section = setup
    url = edit_link(client, document, section)
    adopt(document)  # by the signatories, while the page was open

    response = client.get(url, headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 409  # htmx swaps 409 in (base.html)
    assert is_fragment(html)
    fragment = lxml.html.fromstring(html)
    assert fragment.get("id") == f"section-{section.key}"  # the section, in its place
    [alert] = fragment.xpath("//*[@role='alert']")
    assert LOCKED_SV in alert.text_content()
    assert "Alla föräldrar." in html  # the text stays readable
    assert not fragment.xpath("//a[@hx-get]")  # and the Edit button has gone


def test_saving_in_place_after_adoption_keeps_the_text_says_why_and_changes_nothing(client, setup):
    document, _writer, section = setup
    action, fields = form_of(client.get(edit_link(client, document, section), headers=HTMX).text)
    fields["body"] = "Alla föräldrar i länet, med min nya mening."
    adopt(document)
    before = snapshot()

    response = client.post(action, fields, headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 409
    assert is_fragment(html)
    assert f'id="section-{section.key}"' in html
    assert LOCKED_SV in html
    assert 'role="alert"' in html
    assert "Alla föräldrar i länet, med min nya mening." in html  # what was typed is kept
    assert "<form" not in html  # no Save button that can only be refused again
    assert snapshot() == before


def test_without_javascript_the_refusals_are_pages_with_the_message(client, setup):
    document, _writer, section = setup
    url = reverse("documents:section_edit", args=[document.pk, section.key])
    page = lxml.html.fromstring(client.get(url).content)
    [form] = page.xpath("//form[@method='post'][.//textarea[@name='body']]")
    fields = {i.get("name"): i.get("value") or "" for i in form.xpath(".//input[@name]")}
    fields.update({t.get("name"): t.text_content() for t in form.xpath(".//textarea[@name]")})
    fields["body"] = "Min text som inte får försvinna."
    adopt(document)
    before = snapshot()

    saved = client.post(form.get("action"), fields)
    opened = client.get(url)

    for response in (saved, opened):
        html = response.content.decode()
        assert response.status_code == 409
        assert html.count("<header") == 1
        assert html.count("<html") == 1  # one whole page
        assert LOCKED_SV in html
    assert "Min text som inte får försvinna." in saved.content.decode()
    assert snapshot() == before


def test_a_writer_whose_role_was_taken_away_is_shown_the_page_again_with_the_reason(client, setup):
    document, writer, section = setup
    url = edit_link(client, document, section)
    Membership.objects.filter(user=writer).update(role=Role.MEMBER)
    before = snapshot()

    response = client.get(url, headers=HTMX)

    # htmx does not swap a 403 in; it reloads the page, which then says why.
    assert response.status_code == 403
    assert response["HX-Refresh"] == "true"
    assert is_fragment(response.content.decode())
    page = client.get(document.get_absolute_url()).content.decode()
    assert "behörighet" in page  # "Du har inte behörighet att göra det."
    assert "hx-get" not in page  # no Edit buttons any more
    assert snapshot() == before


def test_editing_a_section_someone_else_removed_says_so_in_its_place(client, setup):
    document, writer, section = setup
    url = edit_link(client, document, section)
    services.delete_section(section, by_user=writer)

    response = client.get(url, headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 409
    assert is_fragment(html)
    assert "Någon annan tog bort det här avsnittet nyss." in html
    assert 'role="alert"' in html
    assert client.get(url).status_code == 404  # without JavaScript: the not-found page


def test_an_expired_session_sends_htmx_to_the_login_page_and_back_to_the_document(client, setup):
    document, _writer, section = setup
    url = edit_link(client, document, section)
    client.logout()

    response = client.get(
        url, headers={**HTMX, "HX-Current-URL": f"http://testserver{document.get_absolute_url()}"}
    )

    assert response["HX-Redirect"] == f"/login/?next={document.get_absolute_url()}"
    assert is_fragment(response.content.decode())
    assert client.get(url).status_code == 302  # without JavaScript: the usual redirect


def test_an_expired_session_while_an_import_is_read_sends_htmx_to_the_login_page(client, setup):
    document, writer, _section = setup
    job = services.start_docx_import(
        document.network, by_user=writer, filename="a.docx", data=b"PK", title="", kind="strategy"
    )
    client.logout()

    response = client.get(job.get_absolute_url(), headers=HTMX)

    assert response["HX-Redirect"] == f"/login/?next={job.get_absolute_url()}"
    assert is_fragment(response.content.decode())
