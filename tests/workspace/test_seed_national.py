"""The national-scale data set (`seed_national`), seeded at a small scale: the counts are in
proportion, the models' rules hold, people can log in and read the seeded pages, and every
record has its history."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Max
from django.urls import reverse
from django.utils import timezone

from consultations.models import (
    Comment,
    Consultee,
    Decision,
    Disposition,
    ReviewRound,
    RoundEvent,
    Signature,
    SignOff,
)
from documents.models import Document, Section, Version, content_hash
from networks.models import Membership, Network, Organisation, User
from notifications.models import Notification
from workspace.management.commands.seed_national import (
    PASSWORD,
    is_seeded,
    samples,
    seed_record,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

SCALE = 0.002  # 40 people, 8 documents, 20 rounds, 2,000 comments, 400 notifications


def test_nothing_is_written_without_yes_nor_into_a_database_with_data():
    with pytest.raises(CommandError, match="--yes"):
        call_command("seed_national", "--scale", str(SCALE))
    assert not Organisation.objects.exists()
    Organisation.objects.create(name="Kumla kommun", kind=Organisation.Kind.MUNICIPALITY)
    with pytest.raises(CommandError, match="already has"):
        call_command("seed_national", "--scale", str(SCALE), "--yes")
    assert Organisation.objects.count() == 1
    assert not User.objects.exists()


def test_with_force_it_adds_to_the_data_there_and_gives_only_its_own_rows_history():
    Organisation.objects.create(name="Kumla kommun", kind=Organisation.Kind.MUNICIPALITY)
    call_command("seed_national", "--scale", str(SCALE), "--yes", "--force", "--no-analyze")
    assert Organisation.objects.count() == 1 + 21 * (2 + 14 + 1)
    assert Organisation.history.count() == Organisation.objects.count()
    with pytest.raises(CommandError, match="already in"):
        call_command("seed_national", "--scale", str(SCALE), "--yes", "--force")


def test_the_national_data_set_at_a_small_scale(client, capsys):
    call_command("seed_national", "--scale", str(SCALE), "--yes")
    out = capsys.readouterr().out
    assert "Total:" in out
    assert "on disk:" in out
    assert "consultations_comment" in out
    assert seed_record().startswith("seed_national: ")  # how long it took, for the benchmark
    assert f"at scale {SCALE:g} (seed 15)" in seed_record()

    # counts in proportion to the national size
    assert User.objects.count() == 40
    assert Organisation.objects.count() == 21 * (2 + 14 + 1)
    assert Network.objects.count() == 5
    assert Document.objects.count() == 8
    assert ReviewRound.objects.count() == 20
    assert Comment.objects.count() == 2_000
    assert Notification.objects.count() == 400
    assert Comment.objects.filter(parent__isnull=False).count() > 500  # replies
    assert Disposition.objects.exists()
    assert Consultee.objects.exists()
    assert Membership.objects.count() >= User.objects.count()

    # the models' rules: dates in order, one open round per document, events numbered 1..n,
    # versions carry the hash of their text, signatures the hash of what they signed
    now = timezone.now()
    for review_round in ReviewRound.objects.all():
        assert review_round.closes_at > review_round.opens_at
        if review_round.status == "open":
            assert review_round.closes_at > now > review_round.opens_at
        if review_round.status == "planned":
            assert review_round.opens_at > now
            assert not review_round.comments.exists()
        events = RoundEvent.objects.filter(round=review_round).order_by("sequence")
        assert list(events.values_list("sequence", flat=True)) == list(
            range(1, review_round.sequence + 1)
        )
        assert events.count() == (
            review_round.comments.count()
            + Disposition.objects.filter(comment__round=review_round).count()
        )
    open_rounds = ReviewRound.objects.filter(status="open").values("document")
    assert not open_rounds.annotate(n=Count("id")).filter(n__gt=1).exists()
    for version in Version.objects.select_related("document"):
        assert version.content_hash == content_hash(version.title, version.sections.all())
    for signature in Signature.objects.select_related("sign_off__version"):
        assert signature.content_hash == signature.sign_off.version.content_hash
    assert not Comment.objects.exclude(parent=None).exclude(round=F("parent__round")).exists()
    assert not Comment.objects.exclude(version=F("round__version")).exists()
    assert not Comment.objects.filter(created_at__lt=F("round__opens_at")).exists()
    assert SignOff.objects.exists() == Decision.objects.exists()

    # the sequences carry on after the copied ids: the application can add rows
    organisation = Organisation.objects.create(name="Ny kommun", kind="municipality")
    assert (
        organisation.pk
        > Organisation.objects.exclude(pk=organisation.pk).aggregate(m=Max("pk"))["m"]
    )

    # every record has its history
    for model in (Document, Section, Version, ReviewRound, Comment, Disposition, Consultee):
        assert model.history.count() >= model.objects.count() > 0  # type: ignore[attr-defined]

    # a seeded person logs in with the password and reads a round and its document
    review_round = ReviewRound.objects.filter(status="open").first() or ReviewRound.objects.first()
    chair = review_round.chair
    assert chair.check_password(PASSWORD)
    login = client.post(reverse("login"), {"username": chair.email, "password": PASSWORD})
    assert login.status_code == 302
    page = client.get(review_round.get_absolute_url())
    assert page.status_code == 200
    assert review_round.title.encode() in page.content
    page = client.get(review_round.document.get_absolute_url())
    assert page.status_code == 200

    # so does a plain member of the document's network (the samples a benchmark uses)
    assert is_seeded()
    found = samples()
    assert ReviewRound.objects.get(pk=found["round"]).status == "open"
    client.logout()
    assert found["member"]
    login = client.post(reverse("login"), {"username": found["member"], "password": PASSWORD})
    assert login.status_code == 302
    assert client.get(reverse("consultations:round", args=[found["round"]])).status_code == 200
    document = reverse("documents:detail", args=[found["document of the round"]])
    assert client.get(document).status_code == 200
