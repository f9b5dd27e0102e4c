"""A comment is stored once, however often its form is sent (issue 15): each comment and reply form
carries a hidden key made when it is rendered, and a post with a key its author has posted before
answers with the comment stored the first time, storing, telling and pushing nothing again (the
browser or client sent it again because the answer was lost)."""

import asyncio
import contextlib
import uuid

import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers, get_channel_layer
from django.urls import reverse

from consultations import live
from consultations.models import Comment, ReviewRound, RoundEvent
from consultations.services import comments as comment_services
from notifications.kinds import Kind
from notifications.models import Notification
from tests.forms import browser_client, find_form, forms_on, page_text, submit_form
from tests.racing import Running, holding, race

pytestmark = pytest.mark.django_db


class Listener:
    """A live page's ear: a channel in the round's group (the in-memory channel layer); `heard()`
    is every event pushed to it so far."""

    def __init__(self, review_round):
        self.layer = get_channel_layer()
        self.channel = async_to_sync(self.layer.new_channel)()
        async_to_sync(self.layer.group_add)(live.group_name(review_round.pk), self.channel)

    def heard(self) -> list[dict]:
        async def drain():
            messages = []
            with contextlib.suppress(TimeoutError):
                while True:
                    messages.append(await asyncio.wait_for(self.layer.receive(self.channel), 0.2))
            return messages

        return async_to_sync(drain)()


@pytest.fixture
def listening(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield Listener
    channel_layers.backends.clear()


def keys_on(page, action: str) -> list[str]:
    return [
        value
        for form in forms_on(page)
        if action in form.action_url()
        for name, value in form.entries()
        if name == "idempotency_key"
    ]


def post_comment_twice(client, page, section, body: str):
    """The same form sent twice, as a browser sends it again when the first answer was lost."""
    form = {
        "action": "consultations:comment_add",
        "inside": f"section-{section.key}",
        "fields": {"Din synpunkt": body},
        "follow": False,
    }
    return submit_form(client, page, **form), submit_form(client, page, **form)


def test_a_comment_form_sent_twice_stores_one_comment(
    open_world, listening, django_capture_on_commit_callbacks
):
    review_round, section = open_world["round"], open_world["section"]
    client = browser_client(open_world["people"]["manager"])
    page = client.get(f"{review_round.get_absolute_url()}?kommentera={section.key}")
    live_page = listening(review_round)

    with django_capture_on_commit_callbacks(execute=True):
        first, again = post_comment_twice(client, page, section, "Målen behöver följas upp.")

    comment = Comment.objects.get()
    assert comment.body == "Målen behöver följas upp."
    # The same answer both times: to the one comment.
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert first["Location"].endswith(f"#comment-{comment.pk}")
    assert [(m["kind"], m["comment"]) for m in live_page.heard()] == [("comment", comment.pk)]
    assert RoundEvent.objects.filter(round=review_round, kind="comment").count() == 1
    assert "Målen behöver följas upp." in page_text(client.get(first["Location"]))


def test_a_reply_form_sent_twice_stores_one_reply_and_tells_its_parent_once(
    open_world, listening, django_capture_on_commit_callbacks
):
    people, review_round = open_world["people"], open_world["round"]
    parent = comment_services.add_comment(
        review_round, by_user=people["manager"], body="Målen behöver följas upp."
    )
    client = browser_client(people["expert"])
    page = client.get(review_round.get_absolute_url())
    live_page = listening(review_round)
    reply = {
        "action": "consultations:reply_add",
        "form_kwargs": {"comment_pk": parent.pk},
        "fields": {"Ditt svar": "Håller med."},
        "follow": False,
    }

    with django_capture_on_commit_callbacks(execute=True):
        first = submit_form(client, page, **reply)
        again = submit_form(client, page, **reply)

    stored = Comment.objects.get(parent=parent)
    assert first["Location"] == again["Location"]
    assert first["Location"].endswith(f"#comment-{stored.pk}")
    assert [(m["kind"], m["comment"]) for m in live_page.heard()] == [("reply", stored.pk)]
    told = Notification.objects.filter(kind=Kind.COMMENT_REPLY)
    assert [n.recipient for n in told] == [people["manager"]]


def test_two_loads_of_the_round_page_are_two_comments(open_world):
    """Every rendering of the page has a new key: two comments written on two loads of the page
    are two comments."""
    review_round, section = open_world["round"], open_world["section"]
    client = browser_client(open_world["people"]["manager"])
    url = f"{review_round.get_absolute_url()}?kommentera={section.key}"
    first_load, second_load = client.get(url), client.get(url)

    first_keys = keys_on(first_load, "/comments/")
    second_keys = keys_on(second_load, "/comments/")
    assert len(first_keys) == len(second_keys) == 1  # the page's one comment form
    assert first_keys != second_keys
    assert all(uuid.UUID(key) for key in first_keys + second_keys)

    for page, body in [(first_load, "Första."), (second_load, "Andra.")]:
        submit_form(
            client,
            page,
            action="consultations:comment_add",
            inside=f"section-{section.key}",
            fields={"Din synpunkt": body},
        )

    assert sorted(Comment.objects.values_list("body", flat=True)) == ["Andra.", "Första."]


def test_a_form_without_a_key_still_posts_as_before(open_world):
    """A page from before the keys (or a client that sends none): each post is a comment."""
    review_round, section = open_world["round"], open_world["section"]
    client = browser_client(open_world["people"]["manager"])
    page = client.get(f"{review_round.get_absolute_url()}?kommentera={section.key}")
    form = find_form(page, action="consultations:comment_add", inside=f"section-{section.key}")
    data = {n: v for n, v in form.entries() if n != "idempotency_key"}
    data["body"] = "Utan nyckel."

    for _ in range(2):
        answer = client.post(reverse("consultations:comment_add", args=[review_round.pk]), data)
        assert answer.status_code == 302

    assert Comment.objects.filter(body="Utan nyckel.").count() == 2


def test_a_key_sent_again_with_another_text_answers_with_the_first_comment(open_world):
    people, review_round = open_world["people"], open_world["round"]
    key = uuid.uuid4()

    first = comment_services.add_comment(
        review_round, by_user=people["manager"], body="Först.", idempotency_key=key
    )
    again = comment_services.add_comment(
        review_round, by_user=people["manager"], body="Sedan.", idempotency_key=key
    )
    other = comment_services.add_comment(
        review_round, by_user=people["expert"], body="Samma nyckel.", idempotency_key=key
    )

    assert again == first
    assert other != first  # a key is the author's own: someone else's post is theirs
    assert sorted(Comment.objects.values_list("body", flat=True)) == ["Först.", "Samma nyckel."]


def test_a_comment_sent_back_with_its_error_keeps_its_key(open_world):
    """A change proposal without its proposed text comes back with the error and what was
    typed: the form it comes back in carries the same key, so that sending it (now right)
    twice still stores one comment."""
    review_round, section = open_world["round"], open_world["section"]
    client = browser_client(open_world["people"]["manager"])
    page = client.get(f"{review_round.get_absolute_url()}?kommentera={section.key}")
    form = find_form(page, action="consultations:comment_add", inside=f"section-{section.key}")
    key = dict(form.entries())["idempotency_key"]

    sent_back = submit_form(
        client,
        page,
        action="consultations:comment_add",
        inside=f"section-{section.key}",
        fields={"Typ": "Ändringsförslag", "Din synpunkt": "Skriv om målen."},
    )

    assert sent_back.status_code == 400
    assert not Comment.objects.exists()
    assert keys_on_sent_back(sent_back) == [key]
    resend = {
        "action": "consultations:comment_add",
        "inside": "comment-sent-back",
        "fields": {"Föreslagen text": "Fyra målområden."},
    }
    submit_form(client, sent_back, **resend)
    submit_form(client, sent_back, **resend)
    comment = Comment.objects.get()
    assert (comment.body, comment.proposed_text) == ("Skriv om målen.", "Fyra målområden.")
    assert str(comment.idempotency_key) == key


def keys_on_sent_back(page) -> list[str]:
    form = find_form(page, action="consultations:comment_add", inside="comment-sent-back")
    return [v for n, v in form.entries() if n == "idempotency_key"]


def test_a_reply_sent_back_with_its_error_keeps_its_key(open_world):
    people, review_round = open_world["people"], open_world["round"]
    parent = comment_services.add_comment(
        review_round, by_user=people["manager"], body="Målen behöver följas upp."
    )
    client = browser_client(people["expert"])
    page = client.get(review_round.get_absolute_url())
    reply = {"action": "consultations:reply_add", "form_kwargs": {"comment_pk": parent.pk}}
    key = dict(find_form(page, action=reply["action"], comment_pk=parent.pk).entries())[
        "idempotency_key"
    ]

    sent_back = submit_form(client, page, **reply, fields={"Ditt svar": "   "})

    assert sent_back.status_code == 400
    form = find_form(sent_back, action=reply["action"], comment_pk=parent.pk)
    assert dict(form.entries())["idempotency_key"] == key
    submit_form(client, sent_back, **reply, fields={"Ditt svar": "Håller med."})
    submit_form(client, sent_back, **reply, fields={"Ditt svar": "Håller med."})
    assert [str(c.idempotency_key) for c in Comment.objects.filter(parent=parent)] == [key]


def test_a_form_from_before_the_keys_comes_back_with_a_key(open_world):
    review_round, section = open_world["round"], open_world["section"]
    client = browser_client(open_world["people"]["manager"])
    page = client.get(f"{review_round.get_absolute_url()}?kommentera={section.key}")
    form = find_form(page, action="consultations:comment_add", inside=f"section-{section.key}")
    data = {n: v for n, v in form.entries() if n != "idempotency_key"}
    data.update({"body": "Skriv om målen.", "kind": "proposal"})

    sent_back = client.post(reverse("consultations:comment_add", args=[review_round.pk]), data)

    assert sent_back.status_code == 400
    (key,) = keys_on_sent_back(sent_back)
    assert uuid.UUID(key)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_post_sent_twice_at_once_is_stored_once(open_world):
    """Two connections post the same key at the same moment (the retry overtaking the first
    post): one comment, both calls answered with it."""
    people, review_round = open_world["people"], open_world["round"]
    key = uuid.uuid4()
    answers = []

    def post():
        answers.append(
            comment_services.add_comment(
                review_round, by_user=people["manager"], body="En gång.", idempotency_key=key
            ).pk
        )

    assert race(post, post, refused=()) == ["done", "done"]

    comment = Comment.objects.get()
    assert answers == [comment.pk, comment.pk]
    assert RoundEvent.objects.filter(round=review_round, kind="comment").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_post_that_meets_the_same_key_being_stored_answers_with_that_comment(open_world):
    """Where the round's lock does not keep them in line (the same key being stored in another
    round, whose lock the post does not wait for), the unique key does: the post waits for the
    other insert, then answers with that comment instead of storing a second one, and pushes
    nothing."""
    people, review_round = open_world["people"], open_world["round"]
    other_round = ReviewRound.objects.get(pk=review_round.pk)
    other_round.pk, other_round.status = None, ReviewRound.Status.PLANNED
    other_round.save()
    key = uuid.uuid4()
    blocker = holding(
        lambda: Comment.objects.create(
            round=other_round,
            version=review_round.version,
            author=people["manager"],
            body="Först.",
            idempotency_key=key,
        )
    )
    answers = []
    post = Running(
        lambda: answers.append(
            comment_services.add_comment(
                review_round, by_user=people["manager"], body="Sedan.", idempotency_key=key
            ).pk
        )
    )
    assert post.waits_for_a_lock()  # on the unique key, holding the round's lock

    blocker.release()

    assert blocker.result() == "done"
    assert post.result() == "done"
    comment = Comment.objects.get()
    assert (comment.body, answers) == ("Först.", [comment.pk])
    assert not RoundEvent.objects.filter(kind="comment").exists()


def test_a_post_sent_again_after_the_round_closed_answers_with_the_comment(open_world):
    """The answer was lost, and the round closed before the retry: the retry is still the same
    post, answered with the comment stored, not refused."""
    from consultations.services import rounds as round_services

    people, review_round = open_world["people"], open_world["round"]
    key = uuid.uuid4()
    first = comment_services.add_comment(
        review_round, by_user=people["manager"], body="I sista stund.", idempotency_key=key
    )
    round_services.close_round(review_round, by_user=people["chair"])

    again = comment_services.add_comment(
        review_round, by_user=people["manager"], body="I sista stund.", idempotency_key=key
    )

    assert again == first
    assert Comment.objects.count() == 1
