"""The round page keeps its sections and threads rendered until the round changes
(consultations/page_cache.py). What one person's view put in the cache never shows another
person's links, organisations or token, and every change shows on the next view."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from consultations import page_cache
from consultations.models import Comment
from consultations.services import comments as comment_services
from consultations.services import dispositions as disposition_services
from consultations.services import rounds as round_services

pytestmark = pytest.mark.django_db


def view(client, user, review_round) -> str:
    client.force_login(user)
    response = client.get(review_round.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def edit_link(review_round, comment) -> str:
    return reverse("consultations:comment_edit", args=[review_round.pk, comment.pk])


def test_every_change_shows_on_the_next_view(client, open_world):
    people, review_round = open_world["people"], open_world["round"]
    section = open_world["section"].key
    view(client, people["member"], review_round)  # the page is now in the cache

    comment = comment_services.add_comment(
        review_round, by_user=people["manager"], body="Lägg till målgruppen", section_key=section
    )
    assert "Lägg till målgruppen" in view(client, people["member"], review_round)

    comment_services.add_comment(
        review_round, by_user=people["drafter"], body="Håller med", parent=comment
    )
    assert "Håller med" in view(client, people["member"], review_round)

    comment_services.edit_comment(comment, by_user=people["manager"], body="Lägg till papporna")
    page = view(client, people["member"], review_round)
    assert "Lägg till papporna" in page
    assert "Lägg till målgruppen" not in page

    comment_services.delete_comment(comment, by_user=people["manager"])
    page = view(client, people["member"], review_round)
    assert "Lägg till papporna" not in page
    assert "Synpunkten har tagits bort av den som skrev den." in page  # it has a reply


def test_closing_the_round_and_answering_show_at_once(client, open_world):
    people, review_round = open_world["people"], open_world["round"]
    comment = comment_services.add_comment(
        review_round, by_user=people["member"], body="Otydligt mål"
    )
    assert edit_link(review_round, comment) in view(client, people["member"], review_round)

    round_services.close_round(review_round, by_user=people["chair"])
    review_round.refresh_from_db()
    # Closed: nobody changes their comments any more.
    assert edit_link(review_round, comment) not in view(client, people["member"], review_round)

    page = view(client, people["writer"], review_round)
    assert "Bemöt synpunkten" in page
    disposition_services.record_disposition(
        comment, by_user=people["writer"], outcome="accepted", rationale="Målet skrivs om"
    )
    assert "Målet skrivs om" in view(client, people["writer"], review_round)
    assert "Målet skrivs om" in view(client, people["member"], review_round)


def test_a_new_version_is_offered_to_those_who_answer(client, open_world):
    from documents import services as document_services

    people, review_round = open_world["people"], open_world["round"]
    round_services.close_round(review_round, by_user=people["chair"])
    review_round.refresh_from_db()
    Comment.objects.create(  # a thread to answer
        round=review_round, version=open_world["version"], body="Tidigt", author=people["member"]
    )
    page = view(client, people["writer"], review_round)
    assert "Version två" not in page

    section = open_world["section"]
    section.refresh_from_db()
    document_services.save_section(
        open_world["document"],
        key=section.key,
        by_user=people["writer"],
        heading=section.heading,
        body="Alla föräldrar ska erbjudas stöd.",
        base_revision=section.revision,
    )
    document_services.publish_version(
        open_world["document"], by_user=people["chair"], label="Version två", change_summary=""
    )
    assert "Version två" in view(client, people["writer"], review_round)


def test_each_person_sees_the_change_link_on_their_own_comments_only(client, open_world):
    people, review_round = open_world["people"], open_world["round"]
    mine = comment_services.add_comment(review_round, by_user=people["member"], body="Min")
    theirs = comment_services.add_comment(review_round, by_user=people["manager"], body="Deras")

    for viewer, own, other in [
        (people["member"], mine, theirs),
        (people["manager"], theirs, mine),
        (people["member"], mine, theirs),
    ]:
        page = view(client, viewer, review_round)
        assert edit_link(review_round, own) in page
        assert edit_link(review_round, other) not in page


def test_someone_with_several_comments_gets_the_link_to_each_of_them(client, open_world):
    people, review_round = open_world["people"], open_world["round"]
    mine = [
        comment_services.add_comment(review_round, by_user=people["member"], body=f"Nr {n}")
        for n in range(3)
    ]
    page = view(client, people["member"], review_round)
    for comment in mine:
        assert page.count(edit_link(review_round, comment)) == 1
    assert str(page_cache._STAND_IN_ID) not in page


def test_only_those_who_speak_for_an_organisation_get_to_choose_it(client, open_world):
    people, review_round = open_world["people"], open_world["round"]
    for viewer, expected in [
        (people["drafter"], True),
        (people["expert"], False),  # an outside expert, on their own behalf
        (people["drafter"], True),
    ]:
        page = view(client, viewer, review_round)
        assert ('name="on_behalf_of"' in page) is expected
        assert ("Kumla kommun</option>" in page) is expected


def test_the_forms_carry_the_viewers_own_token(open_world):
    people, review_round = open_world["people"], open_world["round"]
    comment = comment_services.add_comment(review_round, by_user=people["member"], body="Fråga")
    for n, person in enumerate(["member", "manager"]):
        client = Client(enforce_csrf_checks=True)
        page = view(client, people[person], review_round)
        reply_url = reverse("consultations:reply_add", args=[review_round.pk, comment.pk])
        reply_form = page[page.index(f'action="{reply_url}"') :]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', reply_form).group(1)
        response = client.post(reply_url, {"body": f"Svar {n}", "csrfmiddlewaretoken": token})
        assert response.status_code == 302
        assert Comment.objects.filter(parent=comment, body=f"Svar {n}").exists()


def test_the_page_is_kept_per_language(client, open_world):
    people, review_round = open_world["people"], open_world["round"]
    assert "Om hela dokumentet" in view(client, people["member"], review_round)
    client.cookies["samverka_language"] = "en"
    page = view(client, people["member"], review_round)
    assert "About the whole document" in page
    assert "Om hela dokumentet" not in page


def test_without_a_cache_the_page_is_rendered_for_each_request(
    client, open_world, settings, caplog
):
    people, review_round = open_world["people"], open_world["round"]
    comment_services.add_comment(review_round, by_user=people["manager"], body="Utan cache")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    assert "Utan cache" in view(client, people["member"], review_round)
    assert "The cache is not answering; rendering the round page" in caplog.text


def test_text_that_looks_like_a_hole_stays_text():
    holes = page_cache.Holes()
    other = page_cache.Holes()
    html = f'<p>{other.mark("csrf")}</p><input value="{holes.mark("csrf")}">'
    parts = holes.split(html)
    assert parts == [f'<p>{other.mark("csrf")}</p><input value="', "csrf", '">']


# --- after a change: a worker renders the new state, views meanwhile show the one before -----


def lock_of(review_round, **viewer):
    from django.utils import translation

    with translation.override("sv"):
        return page_cache.Viewer(versions=(), **viewer).key(review_round) + ":rendering"


def sequence_shown(page: str) -> int:
    return int(re.search(r'data-sequence="(\d+)"', page).group(1))


def test_while_a_worker_renders_views_show_the_state_before_and_catch_up(client, open_world):
    import time

    from django.core.cache import cache

    people, review_round = open_world["people"], open_world["round"]
    before = sequence_shown(view(client, people["member"], review_round))
    cache.add(lock_of(review_round, can_comment=True, can_dispose=False), time.time())

    comment_services.add_comment(review_round, by_user=people["manager"], body="Ny synpunkt")
    page = view(client, people["member"], review_round)
    assert "Ny synpunkt" not in page
    assert sequence_shown(page) == before  # so the page's live connection asks what came after
    events = client.get(
        reverse("consultations:events", args=[review_round.pk]), {"after": before}
    ).json()
    assert "Ny synpunkt" in events["threads"][0]["html"]


def test_the_person_who_made_the_change_sees_it_at_once(client, open_world):
    import time

    from django.core.cache import cache

    people, review_round = open_world["people"], open_world["round"]
    view(client, people["member"], review_round)
    cache.add(lock_of(review_round, can_comment=True, can_dispose=False), time.time())
    client.force_login(people["member"])
    response = client.post(
        reverse("consultations:comment_add", args=[review_round.pk]),
        {"body": "Min egen synpunkt", "kind": "remark", "section_key": ""},
        follow=True,
    )
    assert "Min egen synpunkt" in response.content.decode()


def test_a_worker_that_takes_too_long_is_not_waited_for(client, open_world):
    import time

    from django.core.cache import cache

    people, review_round = open_world["people"], open_world["round"]
    view(client, people["member"], review_round)
    stuck_since = time.time() - page_cache.RENDER_WAIT_SECONDS - 1
    cache.add(lock_of(review_round, can_comment=True, can_dispose=False), stuck_since)
    comment_services.add_comment(review_round, by_user=people["manager"], body="Ny synpunkt")
    assert "Ny synpunkt" in view(client, people["member"], review_round)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_new_state_is_rendered_by_the_worker(celery_worker_on_redis, world):
    import time

    from django.core.cache import cache
    from django.utils import translation

    people, review_round = world["people"], world["round"]
    round_services.open_round(review_round, by_user=people["chair"])
    review_round.refresh_from_db()
    client = Client()
    view(client, people["member"], review_round)
    comment_services.add_comment(review_round, by_user=people["manager"], body="Ny synpunkt")
    review_round.refresh_from_db()

    view(client, people["member"], review_round)  # finds the part stale: sends the task
    with translation.override("sv"):
        key = page_cache.Viewer(True, False, ()).key(review_round)
    deadline = time.monotonic() + 20
    while (cache.get(key).sequence < review_round.sequence) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert cache.get(key).sequence == review_round.sequence  # rendered, and not by a view
    assert cache.get(key + ":rendering") is None
    assert "Ny synpunkt" in view(client, people["member"], review_round)
