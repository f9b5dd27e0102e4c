"""The accessibility statement (DIGG's model): linked from every page's footer, open to
everyone (logged out, logged in, guests), in Swedish and English."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.consultations.conftest import world  # noqa: F401 - the round a guest is let into
from tests.consultations.guesting import consult_by_link, guest_user
from tests.factories import UserFactory
from tests.forms import browser_client, follow_link, page_text, parse

pytestmark = pytest.mark.django_db

SECTIONS = [
    "Hur tillgänglig är webbplatsen?",
    "Vad kan du göra om du inte kan använda delar av webbplatsen?",
    "Rapportera brister i webbplatsens tillgänglighet",
    "Tillsyn",
    "Teknisk information om webbplatsens tillgänglighet",
    "Innehåll som inte är tillgängligt",
    "Hur vi testat webbplatsen",
]


def _headings(response) -> list[str]:
    """The statement's section headings (not those of the page around it)."""
    root = parse(response.content.decode())
    article = next(n for n in root.walk() if n.tag == "article")
    return [" ".join(n.text().split()) for n in article.walk() if n.tag == "h2"]


def test_the_statement_reads_logged_out_with_the_sections_of_digg_s_model():
    response = browser_client().get(reverse("accessibility"))
    assert response.status_code == 200
    assert _headings(response) == SECTIONS
    text = page_text(response)
    assert text.startswith("Tillgänglighetsredogörelse – Samverka")
    assert "https://www.digg.se/tdosanmalan" in text  # Digg's form, the address readable
    assert "delvis förenlig med lagen om tillgänglighet till digital offentlig service" in text
    assert "320 och 390 pixlars bredd" in text
    assert "axe-core" in text
    assert "Redogörelsen granskades senast den 4 december 2026." in text


def test_the_statement_is_in_english_for_those_who_chose_it():
    client = browser_client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("accessibility"))
    assert _headings(response)[0] == "How accessible is the website?"
    assert "Supervision" in _headings(response)


@pytest.mark.parametrize("url_name", ["login", "password_reset", "accessibility"])
def test_the_footer_links_to_it_on_pages_for_the_logged_out(url_name):
    client = browser_client()
    page = client.get(reverse(url_name))
    statement = follow_link(client, page, "Tillgänglighetsredogörelse")
    assert statement.status_code == 200
    assert statement.request["PATH_INFO"] == "/tillganglighet/"


def test_the_footer_links_to_it_on_pages_for_the_logged_in():
    client = browser_client(UserFactory())
    for url in [reverse("home"), reverse("networks:list"), "/no-such-page/"]:
        page = client.get(url)
        assert follow_link(client, page, "Tillgänglighetsredogörelse").status_code == 200


def test_a_guest_reads_it_too(world, smtp_inbox, django_capture_on_commit_callbacks):  # noqa: F811
    reached = consult_by_link(
        world["round"], world["people"]["chair"], smtp_inbox, django_capture_on_commit_callbacks
    )
    client = browser_client(guest_user(reached, smtp_inbox))
    page = client.get(world["round"].get_absolute_url())
    statement = follow_link(client, page, "Tillgänglighetsredogörelse")
    assert statement.status_code == 200
    assert _headings(statement) == SECTIONS
