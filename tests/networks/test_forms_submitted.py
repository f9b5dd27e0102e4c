"""Invitations, member management and organisations, submitted from the pages as a browser does."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from networks.models import Affiliation, Invitation, Membership, Network, Organisation, Role
from tests.factories import (
    PASSWORD,
    InvitationFactory,
    MembershipFactory,
    NetworkFactory,
    OrganisationFactory,
    UserFactory,
)
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


@pytest.fixture
def group():
    network = NetworkFactory(name="Arbetsgruppen")
    chair = MembershipFactory(network=network, role=Role.CHAIR, user__full_name="Cecilia Chair")
    member = MembershipFactory(network=network, role=Role.MEMBER, user__full_name="Mats Medlem")
    return {"network": network, "chair": chair.user, "member": member}


# -- invitations ---------------------------------------------------------------------------------


@submits("networks:invitation")
def test_a_new_person_registers_from_the_invitation_and_is_a_member():
    network = NetworkFactory(name="Skrivargruppen")
    invitation = InvitationFactory(network=network, email="nina@example.org", role=Role.WRITER)
    client = browser_client()
    page = client.get(reverse("networks:invitation", args=[invitation.token]))

    response = submit_form(
        client,
        page,
        button="Skapa konto och gå med",
        fields={
            "Ditt namn": "Nina Ny",
            "Välj ett lösenord": "ett långt lösenord",
            "Upprepa lösenordet": "ett långt lösenord",
        },
    )

    assert response.redirect_chain[-1][0] == network.get_absolute_url()
    assert "Välkommen till Skrivargruppen." in page_text(response)
    membership = Membership.objects.get(user__email="nina@example.org")
    assert (membership.network, membership.role) == (network, Role.WRITER)
    assert membership.user.full_name == "Nina Ny"


@submits("networks:invitation")
def test_a_logged_in_person_accepts_the_invitation_with_one_button():
    network = NetworkFactory(name="Chefsnätverket")
    person = UserFactory(email="olle@example.org")
    invitation = InvitationFactory(network=network, email="olle@example.org", role=Role.MEMBER)
    client = browser_client(person)
    page = client.get(reverse("networks:invitation", args=[invitation.token]))

    response = submit_form(client, page, button="Gå med")

    assert "Välkommen till Chefsnätverket." in page_text(response)
    assert Membership.objects.active().filter(user=person, network=network).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


@submits("networks:invitation")
def test_someone_logged_in_with_another_account_logs_out_and_then_logs_in_to_join():
    network = NetworkFactory(name="Chefsnätverket")
    invited = UserFactory(email="olle@example.org")
    invitation = InvitationFactory(network=network, email="olle@example.org")
    client = browser_client(UserFactory(email="kollega@example.org"))
    page = client.get(reverse("networks:invitation", args=[invitation.token]))
    assert "Inbjudan skickades till olle@example.org" in page_text(page)

    page = submit_form(client, page, button="Logga ut och fortsätt")

    assert not page.wsgi_request.user.is_authenticated
    page = follow_link(client, page, "Logga in för att gå med")
    page = submit_form(
        client,
        page,
        button="Logga in",
        fields={"E-postadress": "olle@example.org", "Lösenord": PASSWORD},
    )
    response = submit_form(client, page, button="Gå med")
    assert "Välkommen till Chefsnätverket." in page_text(response)
    assert Membership.objects.active().filter(user=invited, network=network).exists()


# -- member management ---------------------------------------------------------------------------


@submits("networks:members")
def test_a_chair_invites_someone_from_the_members_page(group):
    kumla = OrganisationFactory(name="Kumla kommun")
    # Kumla takes part in the network (the form offers only organisations of its tree).
    MembershipFactory(network=group["network"], organisation=kumla)
    client = browser_client(group["chair"])
    page = client.get(reverse("networks:members", args=[group["network"].pk]))

    response = submit_form(
        client,
        page,
        button="Skicka inbjudan",
        fields={"E-postadress": "ny@example.org", "Roll": "Skribent", "Representerar": kumla.name},
    )

    assert "En inbjudan har skickats till ny@example.org." in page_text(response)
    invitation = Invitation.objects.get(email="ny@example.org")
    assert (invitation.role, invitation.organisation) == (Role.WRITER, kumla)
    assert "ny@example.org" in page_text(response)  # under "waiting for an answer"


@submits("networks:revoke_invitation")
def test_a_chair_withdraws_a_waiting_invitation(group):
    invitation = InvitationFactory(network=group["network"], email="vantar@example.org")
    client = browser_client(group["chair"])
    page = client.get(reverse("networks:members", args=[group["network"].pk]))

    response = submit_form(client, page, button="Dra tillbaka: vantar@example.org")

    assert "Inbjudan till vantar@example.org har dragits tillbaka." in page_text(response)
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


@submits("networks:change_role")
def test_a_chair_changes_a_role_from_the_members_page(group):
    member = group["member"]
    client = browser_client(group["chair"])
    page = client.get(reverse("networks:members", args=[group["network"].pk]))

    response = submit_form(
        client,
        page,
        action="networks:change_role",
        form_kwargs={"membership_pk": member.pk},
        fields={"Roll för Mats Medlem": "Skribent"},
    )

    assert "Mats Medlem är nu skribent." in page_text(response)
    member.refresh_from_db()
    assert member.role == Role.WRITER


@submits("networks:end_membership")
def test_a_chair_ends_a_membership_after_confirming(group):
    member = group["member"]
    client = browser_client(group["chair"])
    members_page = client.get(reverse("networks:members", args=[group["network"].pk]))
    page = follow_link(client, members_page, "Avsluta medlemskap: Mats Medlem")

    response = submit_form(client, page, button="Avsluta medlemskap")

    assert "Mats Medlem är inte längre medlem i Arbetsgruppen." in page_text(response)
    assert not Membership.objects.active().filter(pk=member.pk).exists()


@submits("networks:end_membership")
def test_a_chair_plans_the_end_of_a_membership(group):
    member = group["member"]
    client = browser_client(group["chair"])
    members_page = client.get(reverse("networks:members", args=[group["network"].pk]))
    page = follow_link(client, members_page, "Avsluta medlemskap: Mats Medlem")

    response = submit_form(
        client, page, button="Avsluta medlemskap", fields={"Medlem till": "2999-06-30"}
    )

    assert "Mats Medlem är medlem i Arbetsgruppen till 2999-06-30." in page_text(response)
    [row] = [
        n
        for n in parse(response.content.decode()).walk()
        if n.attrs.get("id") == f"member-{member.pk}"
    ]
    assert "till 2999-06-30" in " ".join(row.text().split())
    member.refresh_from_db()
    assert member.end_date == date(2999, 6, 30)
    assert member.is_active()


@submits("networks:end_membership")
def test_an_end_date_in_the_past_comes_back_with_the_reason(group):
    member = group["member"]
    client = browser_client(group["chair"])
    page = client.get(reverse("networks:end_membership", args=[group["network"].pk, member.pk]))

    refused = submit_form(
        client, page, button="Avsluta medlemskap", fields={"Medlem till": "2001-01-01"}
    )
    assert refused.status_code == 400
    assert "kan inte upphöra bakåt i tiden" in page_text(refused)
    member.refresh_from_db()
    assert member.end_date is None

    submit_form(client, refused, button="Avsluta medlemskap", fields={"Medlem till": ""})
    member.refresh_from_db()
    assert member.end_date == timezone.localdate()


def _row(response, membership) -> str:
    [row] = [
        n
        for n in parse(response.content.decode()).walk()
        if n.attrs.get("id") == f"member-{membership.pk}"
    ]
    return " ".join(row.text().split())


@submits("networks:change_representation")
def test_a_chair_changes_the_organisation_a_member_represents(group):
    kumla = OrganisationFactory(name="Kumla kommun")
    orebro = OrganisationFactory(name="Örebro kommun")
    member = group["member"]
    Membership.objects.filter(pk=member.pk).update(organisation=kumla, start_date=date(2022, 3, 1))
    MembershipFactory(network=group["network"], organisation=orebro)  # Örebro takes part
    client = browser_client(group["chair"])
    members_page = client.get(reverse("networks:members", args=[group["network"].pk]))
    page = follow_link(client, members_page, "Byt organisation: Mats Medlem")
    assert find_form(page, button="Byt organisation")["organisation"] == str(kumla.pk)

    response = submit_form(
        client, page, button="Byt organisation", fields={"Företräder från i dag": "Örebro kommun"}
    )

    assert "Mats Medlem företräder nu Örebro kommun." in page_text(response)
    now = Membership.objects.active().get(network=group["network"], user=member.user)
    assert (now.organisation, now.role) == (orebro, Role.MEMBER)
    year = timezone.localdate().year
    assert f"Örebro kommunFöreträdde tidigare Kumla kommun (2022–{year})" in _row(response, now)
    assert "Tidigare medlemmar" not in page_text(response)  # still a member, not a former one


@submits("networks:change_representation")
def test_the_organisation_they_already_represent_comes_back_with_the_reason(group):
    member = group["member"]
    current = member.organisation
    client = browser_client(group["chair"])
    url = reverse("networks:change_representation", args=[group["network"].pk, member.pk])
    page = client.get(url)

    refused = submit_form(
        client, page, button="Byt organisation", fields={"Företräder från i dag": current.name}
    )

    assert refused.status_code == 400
    assert f"Mats Medlem företräder redan {current.name}." in page_text(refused)
    assert find_form(refused, button="Byt organisation")["organisation"] == str(current.pk)
    assert Membership.objects.filter(user=member.user).count() == 1

    response = submit_form(
        client,
        refused,
        button="Byt organisation",
        fields={"Företräder från i dag": "— ingen organisation —"},
    )
    assert "Mats Medlem företräder nu ingen organisation." in page_text(response)
    now = Membership.objects.active().get(network=group["network"], user=member.user)
    assert now.organisation is None


# -- setting networks up -------------------------------------------------------------------------


@submits("networks:create_subgroup")
def test_a_chair_creates_the_writing_group_under_the_working_group(group):
    client = browser_client(group["chair"])
    network_page = client.get(group["network"].get_absolute_url())
    page = follow_link(client, network_page, "Ny underliggande grupp")

    response = submit_form(
        client,
        page,
        button="Skapa gruppen",
        fields={"Namn": "Skrivargruppen", "Typ": "Skrivargrupp", "Beskrivning": "Skriver."},
    )

    writing = Network.objects.get(name="Skrivargruppen")
    assert response.redirect_chain[-1][0] == writing.get_absolute_url()
    assert "Skrivargruppen har skapats. Du är samordnare" in page_text(response)
    assert (writing.parent, writing.kind) == (group["network"], Network.Kind.WRITING_GROUP)
    assert Membership.objects.get(network=writing).role == Role.COORDINATOR


@submits("networks:create")
def test_a_chair_starts_a_new_network_from_my_networks(group):
    client = browser_client(group["chair"])
    page = follow_link(client, client.get(reverse("networks:list")), "Nytt nätverk")

    refused = submit_form(client, page, button="Skapa nätverket", fields={"Typ": "Samverkansråd"})
    assert refused.status_code == 400
    response = submit_form(
        client, refused, button="Skapa nätverket", fields={"Namn": "Brukarrådet"}
    )

    council = Network.objects.get(name="Brukarrådet")
    assert (council.parent, council.kind) == (None, Network.Kind.COUNCIL)
    assert "Brukarrådet" in page_text(response)


def test_a_member_is_not_offered_to_create_networks_or_groups(group):
    client = browser_client(group["member"].user)
    assert "Nytt nätverk" not in page_text(client.get(reverse("networks:list")))
    page = page_text(client.get(group["network"].get_absolute_url()))
    assert "Ny underliggande grupp" not in page
    assert "Arkivera" not in page


@submits("networks:archive")
@submits("networks:restore")
def test_a_chair_archives_the_network_and_restores_it(group):
    network = group["network"]
    client = browser_client(group["chair"])
    page = follow_link(client, client.get(network.get_absolute_url()), "Arkivera nätverket")

    response = submit_form(client, page, button="Arkivera nätverket")

    assert "Arbetsgruppen är arkiverat." in page_text(response)
    network.refresh_from_db()
    assert network.archived
    assert "Arkiverat" in page_text(client.get(reverse("networks:list")))

    page = follow_link(client, response, "Återställ nätverket")
    response = submit_form(client, page, button="Återställ nätverket")
    assert "Arbetsgruppen är återställt." in page_text(response)
    network.refresh_from_db()
    assert not network.archived


# -- organisations -------------------------------------------------------------------------------


@pytest.fixture
def kumla():
    kumla = OrganisationFactory(name="Kumla kommun")
    coordinator = MembershipFactory(role=Role.COORDINATOR)
    MembershipFactory(network=coordinator.network, organisation=kumla)
    return {"kumla": kumla, "coordinator": coordinator.user, "network": coordinator.network}


@submits("networks:organisation")
def test_a_coordinator_names_who_approves_an_organisations_responses(kumla):
    head = UserFactory(email="socialchef@example.org", full_name="Sara Socialchef")
    # A coordinator links people of the networks they see.
    MembershipFactory(network=kumla["network"], user=head, organisation=kumla["kumla"])
    client = browser_client(kumla["coordinator"])
    page = client.get(reverse("networks:organisation", args=[kumla["kumla"].pk]))

    response = submit_form(
        client,
        page,
        button="Spara",
        fields={
            "E-postadress": "socialchef@example.org",
            "Titel": "Socialchef",
            "Godkänner organisationens remissvar": True,
        },
    )

    assert "Sparat." in page_text(response)
    assert "Sara Socialchef" in page_text(response)
    affiliation = Affiliation.objects.get(user=head, organisation=kumla["kumla"])
    assert affiliation.can_approve
    assert affiliation.title == "Socialchef"


@submits("networks:organisation")
def test_a_coordinator_removes_a_link_to_an_organisation(kumla):
    head = UserFactory(full_name="Sara Socialchef")
    Affiliation.objects.create(user=head, organisation=kumla["kumla"], can_approve=True)
    client = browser_client(kumla["coordinator"])
    page = client.get(reverse("networks:organisation", args=[kumla["kumla"].pk]))

    response = submit_form(client, page, button="Ta bort Sara Socialchef")

    assert "Kopplingen har tagits bort." in page_text(response)
    assert not Affiliation.objects.filter(user=head).exists()


@submits("networks:add_organisation")
def test_a_coordinator_adds_an_organisation_from_the_list(kumla):
    client = browser_client(kumla["coordinator"])
    listing = client.get(reverse("networks:organisations"))
    page = follow_link(client, listing, "Lägg till organisation")

    response = submit_form(
        client,
        page,
        button="Lägg till organisationen",
        fields={
            "Namn": "Bygdegårdarna i Örebro län",
            "Typ": "Civilsamhälle",
            "Organisationsnummer": "8024567896",
            "Registratorns e-post": "orebro@bygdegardarna.se",
            "Kontaktperson": "Eva Ek",
        },
    )

    assert "Bygdegårdarna i Örebro län har lagts till." in page_text(response)
    assert "802456-7896" in page_text(response)
    added = Organisation.objects.get(name="Bygdegårdarna i Örebro län")
    assert (added.registry_email, added.contact_name) == ("orebro@bygdegardarna.se", "Eva Ek")


@submits("networks:add_organisation")
def test_an_organisation_already_there_is_refused_and_the_form_can_be_corrected(kumla):
    Organisation.objects.filter(pk=kumla["kumla"].pk).update(organisation_number="212000-1355")
    client = browser_client(kumla["coordinator"])
    page = client.get(reverse("networks:add_organisation"))
    fields = {"Namn": "Kumla", "Typ": "Kommun", "Organisationsnummer": "212000-1355"}

    refused = submit_form(client, page, button="Lägg till organisationen", fields=fields)

    assert refused.status_code == 400
    assert "Kumla kommun har redan det organisationsnumret." in page_text(refused)
    assert follow_link(client, refused, "Kumla kommun").status_code == 200
    response = submit_form(
        client,
        refused,
        button="Lägg till organisationen",
        fields={"Organisationsnummer": "", "Namn": "Kumla föreningsråd"},
    )
    assert "Kumla föreningsråd har lagts till." in page_text(response)


@submits("networks:edit_organisation")
def test_a_coordinator_changes_an_organisations_registry_address(kumla):
    client = browser_client(kumla["coordinator"])
    page = follow_link(
        client,
        client.get(reverse("networks:organisation", args=[kumla["kumla"].pk])),
        "Ändra Kumla kommun",
    )

    response = submit_form(
        client,
        page,
        button="Spara",
        fields={
            "Registratorns e-post": "kommun@kumla.se",
            "Kontaktpersonens telefon": "019-58 80 00",
        },
    )

    assert "Sparat." in page_text(response)
    assert "kommun@kumla.se" in page_text(response)
    kumla["kumla"].refresh_from_db()
    assert kumla["kumla"].registry_email == "kommun@kumla.se"
    assert kumla["kumla"].history.first().history_user == kumla["coordinator"]


# -- a refused form comes back as typed: correct it and send it again ----------------------------


@submits("networks:invitation")
def test_two_different_passwords_are_refused_and_the_name_is_kept():
    network = NetworkFactory(name="Skrivargruppen")
    invitation = InvitationFactory(network=network, email="nina@example.org")
    client = browser_client()
    page = client.get(reverse("networks:invitation", args=[invitation.token]))
    fields = {"Ditt namn": "Nina Ny", "Välj ett lösenord": "ett långt lösenord"}

    refused = submit_form(
        client,
        page,
        button="Skapa konto och gå med",
        fields={**fields, "Upprepa lösenordet": "ett annat lösenord"},
    )
    assert refused.status_code == 400
    assert "De två lösenorden är inte samma." in page_text(refused)
    assert not Membership.objects.filter(user__email="nina@example.org").exists()

    response = submit_form(
        client,
        refused,  # the name is kept; passwords are typed again, as on every site
        button="Skapa konto och gå med",
        fields={
            "Välj ett lösenord": "ett långt lösenord",
            "Upprepa lösenordet": "ett långt lösenord",
        },
    )

    assert "Välkommen till Skrivargruppen." in page_text(response)
    assert Membership.objects.get(user__email="nina@example.org").user.full_name == "Nina Ny"


@submits("networks:members")
def test_a_mistyped_address_comes_back_as_typed_and_is_invited_once_corrected(group):
    client = browser_client(group["chair"])
    page = client.get(reverse("networks:members", args=[group["network"].pk]))

    refused = submit_form(
        client,
        page,
        button="Skicka inbjudan",
        fields={"E-postadress": "ny.example.org", "Roll": "Ordförande"},
    )
    assert refused.status_code == 400
    assert "Fyll i en giltig e-postadress." in page_text(refused)
    assert not Invitation.objects.exists()

    response = submit_form(
        client, refused, button="Skicka inbjudan", fields={"E-postadress": "ny@example.org"}
    )

    assert "En inbjudan har skickats till ny@example.org." in page_text(response)
    assert Invitation.objects.get().role == Role.CHAIR


@submits("networks:organisation")
def test_an_address_without_an_account_comes_back_as_typed(kumla):
    head = UserFactory(email="socialchef@example.org")
    MembershipFactory(network=kumla["network"], user=head, organisation=kumla["kumla"])
    client = browser_client(kumla["coordinator"])
    page = client.get(reverse("networks:organisation", args=[kumla["kumla"].pk]))

    refused = submit_form(
        client,
        page,
        button="Spara",
        fields={
            "E-postadress": "socialchef@exampel.org",
            "Titel": "Socialchef",
            "Godkänner organisationens remissvar": True,
        },
    )
    assert refused.status_code == 400
    assert "Ingen med den e-postadressen deltar i dina nätverk." in page_text(refused)
    assert not Affiliation.objects.exists()

    response = submit_form(
        client, refused, button="Spara", fields={"E-postadress": "socialchef@example.org"}
    )

    assert "Sparat." in page_text(response)
    affiliation = Affiliation.objects.get(user=head)
    assert affiliation.can_approve
    assert affiliation.title == "Socialchef"


@submits("networks:change_role")
def test_with_javascript_the_role_changes_in_place(group):
    member = group["member"]
    client = browser_client(group["chair"])
    page = client.get(reverse("networks:members", args=[group["network"].pk]))

    row = submit_form(
        client,
        page,
        action="networks:change_role",
        form_kwargs={"membership_pk": member.pk},
        fields={"Roll för Mats Medlem": "Skribent"},
        htmx=True,
    )

    assert row.status_code == 200
    assert row.content.decode().lstrip().startswith(f'<tr id="member-{member.pk}"')
    assert "Sparat." in page_text(row)
    member.refresh_from_db()
    assert member.role == Role.WRITER
