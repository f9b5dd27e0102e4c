"""The lighter round page (issue 15): it opens with each section's count and the threads a person
is likely to read (the most recent few, and those they took part in); "Visa alla" shows a
section's every thread, as a plain link without JavaScript (`?avsnitt=`) and as a fragment with
htmx; the page's one comment form stands in the section a "Kommentera avsnittet" link asks for
(`?kommentera=`), and comments are sent from there."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations import selectors
from consultations.models import Comment, ReviewRound
from consultations.services import comments as comment_services
from consultations.services import rounds as round_services
from tests.forms import browser_client, follow_link, page_text, parse, submit_form, submits

pytestmark = pytest.mark.django_db

MANY = 41


def threads_on(response) -> list[int]:
    return [
        int(n.attrs["id"].removeprefix("thread-"))
        for n in parse(response.content.decode()).walk()
        if n.attrs.get("id", "").startswith("thread-")
    ]


def on_section(w, **fields) -> Comment:
    """A comment (or with `parent`, a reply) on the round's first section."""
    return Comment.objects.create(
        round=w["round"], version=w["version"], section_key=w["section"].key, **fields
    )


@pytest.fixture
def busy(open_world):
    """41 threads on the first section: the member's own (the oldest), then 40 by others, an
    hour apart, the newest last."""
    w = open_world
    start = timezone.now() - timedelta(days=5)
    people = [w["people"]["manager"], w["people"]["expert"], w["people"]["writer"]]
    own = on_section(
        w,
        body="Min egen synpunkt",
        author=w["people"]["member"],
        created_at=start,
    )
    others = [
        on_section(
            w,
            body=f"Synpunkt nummer {n}",
            author=people[n % 3],
            created_at=start + timedelta(hours=n + 1),
        )
        for n in range(MANY - 1)
    ]
    return {**w, "own": own, "others": others}


def test_the_page_opens_with_the_recent_threads_and_the_persons_own_and_says_how_many(busy):
    client = browser_client(busy["people"]["member"])
    page = client.get(busy["round"].get_absolute_url())

    shown = threads_on(page)
    recent = [c.pk for c in busy["others"][-selectors.RECENT_SHOWN :]]
    assert sorted(shown) == sorted([busy["own"].pk, *recent])
    text = page_text(page)
    assert f"{MANY} synpunkter" in text
    assert f"Visar {len(shown)} av {MANY} synpunkter – Visa alla {MANY} synpunkter i avsnittet" in (
        text
    )
    assert "Synpunkt nummer 0" not in text  # an old thread of someone else: on request


def test_someone_who_took_no_part_sees_only_the_recent_ones(busy):
    client = browser_client(busy["people"]["expert"])
    page = client.get(busy["round"].get_absolute_url())
    recent = {c.pk for c in busy["others"][-selectors.RECENT_SHOWN :]}
    own = {c.pk for c in busy["others"] if c.author == busy["people"]["expert"]}
    shown = set(threads_on(page))
    assert recent <= shown <= recent | own
    assert busy["own"].pk not in shown


def test_without_javascript_show_all_is_a_link_to_the_section_in_full(busy):
    client = browser_client(busy["people"]["member"])
    page = client.get(busy["round"].get_absolute_url())
    heading = busy["section"].heading

    full = follow_link(client, page, f"Visa alla {MANY} synpunkter i avsnittet {heading}")

    assert full.status_code == 200
    assert len(threads_on(full)) == MANY
    assert "Synpunkt nummer 0" in page_text(full)
    assert "Visa alla" not in page_text(full)


def test_with_htmx_show_all_loads_the_sections_threads_alone(busy):
    client = browser_client(busy["people"]["member"])
    page = client.get(busy["round"].get_absolute_url())
    link = next(n for n in parse(page.content.decode()).walk() if "data-show-all" in n.attrs)
    url = reverse("consultations:section_threads", args=[busy["round"].pk, busy["section"].key])
    assert link.attrs["hx-get"] == url
    assert link.attrs["hx-target"] == f"#threads-{busy['section'].key}"

    fragment = client.get(url, HTTP_HX_REQUEST="true")

    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert "<html" not in html
    assert f'id="threads-{busy["section"].key}"' in html
    assert len(threads_on(fragment)) == MANY
    assert "Visa alla" not in page_text(fragment)


def test_a_section_that_is_not_in_the_round_has_no_fragment(busy):
    client = browser_client(busy["people"]["member"])
    url = reverse("consultations:section_threads", args=[busy["round"].pk, "abc123"])
    assert client.get(url).status_code == 404


def test_the_page_has_one_comment_form_and_a_link_to_comment_on_each_section(busy):
    client = browser_client(busy["people"]["member"])
    page = client.get(busy["round"].get_absolute_url())
    root = parse(page.content.decode())
    forms = [
        n
        for n in root.walk()
        if n.tag == "form" and n.attrs.get("action", "").endswith("/comments/")
    ]
    assert len(forms) == 1
    here = [n for n in root.walk() if "data-comment-here" in n.attrs]
    assert len(here) == 1 + busy["version"].sections.count()  # the whole document, each section


@submits("consultations:comment_add")
def test_without_javascript_the_comment_form_comes_to_the_section_and_sends_from_there(busy):
    client = browser_client(busy["people"]["member"])
    page = client.get(busy["round"].get_absolute_url())
    key, heading = busy["section"].key, busy["section"].heading

    here = follow_link(client, page, f"Kommentera avsnittet {heading}")

    assert here.status_code == 200
    body = next(
        n for n in parse(here.content.decode()).walk() if n.attrs.get("id") == "body-comment"
    )
    assert "autofocus" in body.attrs  # "Din synpunkt", in the section
    assert any(a.attrs.get("id") == f"section-{key}" for a in body.ancestors())
    response = submit_form(
        client,
        here,
        button="Skicka synpunkt",
        inside=f"section-{key}",
        fields={"Din synpunkt": "Avsnittet behöver ett exempel."},
    )
    assert "Din synpunkt är sparad." in page_text(response)
    comment = Comment.objects.get(body="Avsnittet behöver ett exempel.")
    assert comment.section_key == key
    assert comment.pk in threads_on(response)  # the newest: on the page as it opens


def test_a_comment_with_errors_comes_back_with_what_was_typed(busy):
    client = browser_client(busy["people"]["member"])
    here = client.get(f"{busy['round'].get_absolute_url()}?kommentera={busy['section'].key}")
    response = submit_form(
        client,
        here,
        button="Skicka synpunkt",
        inside=f"section-{busy['section'].key}",
        fields={"Din synpunkt": "   ", "Typ": "Fråga"},
        follow=False,
    )
    assert response.status_code == 400
    text = page_text(response)
    assert "Synpunkten skickades inte" in text
    comeback = next(
        n
        for n in parse(response.content.decode()).walk()
        if n.attrs.get("id") == "comment-sent-back"
    )
    kind = next(n for n in comeback.walk() if n.tag == "option" and "selected" in n.attrs)
    assert kind.attrs["value"] == "question"  # what was chosen, kept
    assert not Comment.objects.filter(body__startswith=" ").exists()


def test_a_thread_not_on_the_page_is_linked_through_its_section_in_full(busy):
    """The way to the next comment that waits, for those who answer: the round closed, and the
    first comment that waits is an old one of the section."""
    round_services.close_round(busy["round"], by_user=busy["people"]["chair"])
    client = browser_client(busy["people"]["chair"])
    page = client.get(busy["round"].get_absolute_url())
    link = next(n for n in parse(page.content.decode()).walk() if "data-answer-next" in n.attrs)
    assert link.attrs["href"] == f"?avsnitt={busy['section'].key}#thread-{busy['own'].pk}"


def test_live_updates_say_each_changed_sections_count(busy):
    client = browser_client(busy["people"]["member"])
    after = ReviewRound.objects.get(pk=busy["round"].pk).sequence
    comment_services.add_comment(
        busy["round"],
        by_user=busy["people"]["manager"],
        body="Ny",
        section_key=busy["section"].key,
    )
    url = reverse("consultations:events", args=[busy["round"].pk])
    data = client.get(f"{url}?after={after}").json()
    assert data["sections"] == [
        {
            "key": busy["section"].key,
            "count": f"{MANY + 1} synpunkter",
            "showing": f"Visar {{shown}} av {MANY + 1} synpunkter",
            "more": f"Visa alla {MANY + 1} synpunkter i avsnittet",
        }
    ]


def test_a_link_to_a_comment_from_elsewhere_shows_it_in_its_section(busy):
    """ "Mina synpunkter", the thread's page and the e-mails lead to a comment the page may not
    open with: its section comes in full."""
    old = busy["others"][0]
    client = browser_client(busy["people"]["member"])
    assert old.pk not in threads_on(client.get(busy["round"].get_absolute_url()))

    url = old.get_absolute_url()

    assert url.endswith(f"?avsnitt={busy['section'].key}#comment-{old.pk}")
    assert old.pk in threads_on(client.get(url))


def test_what_people_wrote_is_shown_as_text_on_the_page_and_in_the_fragment(open_world):
    """The sections, threads and comments are built in Python (round_page's tags): a comment,
    a reply, a proposal and an organisation's name that look like HTML are shown as typed,
    never run or read as markup."""
    w = open_world
    w["kumla"].name = "<b>Kumla</b> kommun"
    w["kumla"].save(update_fields=["name"])
    trap = '<script>alert("synpunkt")</script>'
    parent = on_section(
        w,
        body=trap,
        kind=Comment.Kind.PROPOSAL,
        quote_exact="",
        proposed_text='<img src=x onerror="alert(1)">',
        author=w["people"]["member"],
        on_behalf_of=w["kumla"],
    )
    on_section(
        w,
        body='<a href="javascript:alert(2)">svar</a>',
        author=w["people"]["expert"],
        parent=parent,
    )
    client = browser_client(w["people"]["chair"])
    fragment_url = reverse("consultations:section_threads", args=[w["round"].pk, w["section"].key])
    for response in (
        client.get(w["round"].get_absolute_url()),
        client.get(fragment_url, headers={"HX-Request": "true"}),
    ):
        html = response.content.decode()
        assert response.status_code == 200
        assert "<script>alert" not in html
        assert "<b>Kumla</b>" not in html
        assert "<img src=x" not in html
        assert 'href="javascript' not in html.lower()
        text = page_text(response)
        assert trap in text
        assert "<b>Kumla</b> kommun" in text


def test_a_long_thread_shows_its_latest_replies_and_links_to_the_earlier_ones(open_world):
    w = open_world
    people = [w["people"]["manager"], w["people"]["expert"]]
    start = timezone.now() - timedelta(days=2)
    first = on_section(
        w,
        body="En lång tråd",
        author=w["people"]["member"],
        created_at=start,
    )
    for n in range(selectors.REPLIES_SHOWN + 2):
        on_section(
            w,
            parent=first,
            body=f"Svar nummer {n}",
            author=people[n % 2],
            created_at=start + timedelta(minutes=n + 1),
        )
    client = browser_client(w["people"]["member"])
    text = page_text(client.get(w["round"].get_absolute_url()))
    assert "Svar nummer 1" not in text
    assert "Svar nummer 2" in text
    assert "Svar nummer 6" in text
    page = client.get(w["round"].get_absolute_url())
    thread = follow_link(client, page, "Visa 2 tidigare svar")
    assert "Svar nummer 0" in page_text(thread)
    assert "Svar nummer 1" in page_text(thread)


def test_the_page_reads_the_version_in_as_many_queries_the_first_time_as_later(open_world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from documents import selectors as document_selectors

    client = browser_client(open_world["people"]["member"])
    url = open_world["round"].get_absolute_url()
    client.get(url)  # the person's session and caches of the request, as on any later view
    document_selectors._near_versions.clear()  # this process has not shown the version yet
    with CaptureQueriesContext(connection) as first:
        cold = client.get(url)
    with CaptureQueriesContext(connection) as later:
        warm = client.get(url)
    assert len(first) == len(later)
    heading = open_world["section"].heading
    assert heading in page_text(cold)
    assert heading in page_text(warm)
    assert page_text(cold).count(heading) == page_text(warm).count(heading)
