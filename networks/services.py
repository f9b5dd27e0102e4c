"""Every write about networks, memberships and invitations.

Each service: lock → authorize → validate → write → record → side effects on commit.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from networks import registry
from networks.errors import (
    AccountExists,
    AlreadyMember,
    AlreadyRepresents,
    DuplicateOrganisation,
    EndDateInPast,
    InvalidOrganisationEmail,
    InvalidOrganisationNumber,
    InvitationExpired,
    InvitationForSomeoneElse,
    InvitationInvalid,
    InvitationUsed,
    InvitationWithdrawn,
    LastChair,
    MembershipEnded,
    NameMissing,
    OrganisationOutsideNetwork,
    OwnAffiliation,
)
from networks.models import (
    Affiliation,
    Invitation,
    Membership,
    Network,
    Organisation,
    Role,
    normalise_email,
)
from networks.organisation_numbers import normalise_organisation_number
from networks.permissions import Action, SetUpAction, representable_organisations
from notifications.kinds import Kind
from notifications.services import notify

User = get_user_model()


def _lock_network(network: Network) -> Network:
    return Network.objects.select_for_update().get(pk=network.pk)


def _active_chairs(network: Network) -> int:
    return Membership.objects.active().filter(network=network, role=Role.CHAIR).count()


def _refuse_losing_last_chair(membership: Membership) -> None:
    is_chair = membership.role == Role.CHAIR and membership.is_active()
    if is_chair and _active_chairs(membership.network) <= 1:
        raise LastChair()


def _represents_in(network: Network, organisation: Organisation) -> bool:
    return representable_organisations(network).filter(pk=organisation.pk).exists()


@transaction.atomic
def invite_member(
    network: Network,
    *,
    by_user,
    email: str,
    role: str,
    organisation: Organisation | None = None,
) -> Invitation:
    """Send a single-use link that lets the person join with the role. A newer one replaces an
    older pending invitation to the same address. The person may represent only an organisation
    that takes part in the network's tree (networks.permissions.representable_organisations)."""
    network = _lock_network(network)
    registry.require(by_user, Action.MANAGE_MEMBERS, network)
    if organisation is not None and not _represents_in(network, organisation):
        raise OrganisationOutsideNetwork()
    email = normalise_email(email)
    if Membership.objects.active().filter(network=network, user__email=email).exists():
        raise AlreadyMember()
    now = timezone.now()
    for old in Invitation.objects.filter(
        network=network, email=email, accepted_at__isnull=True, revoked_at__isnull=True
    ):
        old.revoked_at = now
        old._history_user = by_user
        old.save(update_fields=["revoked_at"])
    invitation = Invitation(
        network=network, email=email, role=Role(role), organisation=organisation, invited_by=by_user
    )
    invitation._history_user = by_user
    invitation.save()
    notify(
        kind=Kind.INVITED,
        recipients=[User.objects.filter(email=email).first() or email],
        actor=by_user,
        target=invitation,
        context={"network": network.name, "role": Role(role).label},
        url=invitation.get_absolute_url(),
    )
    return invitation


@transaction.atomic
def revoke_invitation(invitation: Invitation, *, by_user) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    registry.require(by_user, Action.MANAGE_MEMBERS, invitation.network)
    _check_usable(invitation)
    invitation.revoked_at = timezone.now()
    invitation._history_user = by_user
    invitation.save(update_fields=["revoked_at"])
    return invitation


def _check_usable(invitation: Invitation) -> None:
    if invitation.revoked_at is not None:
        raise InvitationWithdrawn()
    if invitation.accepted_at is not None:
        raise InvitationUsed()
    if invitation.expires_at <= timezone.now():
        raise InvitationExpired()


def check_invitation(token: str) -> Invitation:
    """The invitation behind a link, or the reason it cannot be used."""
    invitation = (
        Invitation.objects.select_related("network", "organisation", "invited_by")
        .filter(token=token)
        .first()
    )
    if invitation is None:
        raise InvitationInvalid()
    _check_usable(invitation)
    return invitation


@transaction.atomic
def accept_invitation(token: str, *, user) -> Membership:
    """Join the network with the invited role. The link works once, for its own address."""
    invitation = Invitation.objects.select_for_update().filter(token=token).first()
    if invitation is None:
        raise InvitationInvalid()
    _check_usable(invitation)
    if normalise_email(user.email) != normalise_email(invitation.email):
        raise InvitationForSomeoneElse()
    _lock_network(invitation.network)
    membership = Membership.objects.active().filter(network=invitation.network, user=user).first()
    if membership is None:
        organisation = invitation.organisation
        if organisation is not None and not _represents_in(invitation.network, organisation):
            # Sent before the rule, or the organisation has since left the tree: join, but
            # without speaking for it.
            organisation = None
        membership = Membership(
            user=user,
            network=invitation.network,
            role=invitation.role,
            organisation=organisation,
        )
        membership._history_user = user
        membership.save()
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation._history_user = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def register_from_invitation(token: str, *, full_name: str, password: str):
    """Create the account of an invited person who has none, and join the network."""
    invitation = check_invitation(token)
    email = normalise_email(invitation.email)
    if User.objects.filter(email=email).exists():
        raise AccountExists()
    user = User(email=email, full_name=full_name.strip())
    validate_password(password, user)
    user.set_password(password)
    user._history_user = None
    user.save()
    membership = accept_invitation(token, user=user)
    return user, membership


@transaction.atomic
def change_role(membership: Membership, *, by_user, role: str) -> Membership:
    _lock_network(membership.network)
    membership = Membership.objects.select_related("network").get(pk=membership.pk)
    registry.require(by_user, Action.MANAGE_MEMBERS, membership.network)
    role = Role(role)
    if not membership.is_active():
        raise MembershipEnded()
    if membership.role == role:
        return membership
    if role != Role.CHAIR:
        _refuse_losing_last_chair(membership)
    membership.role = role
    membership._history_user = by_user
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def change_representation(
    membership: Membership, *, by_user, organisation: Organisation | None
) -> Membership:
    """Change the organisation a member represents (or make it none), and keep the old one in
    the record: the membership ends today and a new one, with the same role and the same
    planned end, starts today for the new organisation. Returns the new membership.

    A membership that started today is changed in place (its history keeps the old value): a
    representation that lasted no day is a correction, not a part of the record. The person may
    represent only an organisation of the network's tree, as when invited."""
    _lock_network(membership.network)
    membership = Membership.objects.select_related("network").get(pk=membership.pk)
    registry.require(by_user, Action.MANAGE_MEMBERS, membership.network)
    if not membership.is_active():
        raise MembershipEnded()
    if membership.organisation_id == (organisation.pk if organisation else None):
        raise AlreadyRepresents(_already_represents(membership))
    if organisation is not None and not _represents_in(membership.network, organisation):
        raise OrganisationOutsideNetwork()
    today = timezone.localdate()
    if membership.start_date >= today:
        membership.organisation = organisation
        membership._history_user = by_user
        membership.save(update_fields=["organisation"])
        return membership
    planned_end = membership.end_date
    membership.end_date = today
    membership._history_user = by_user
    membership.save(update_fields=["end_date"])  # first: one open membership per person
    successor = Membership(
        user_id=membership.user_id,
        network=membership.network,
        role=membership.role,
        organisation=organisation,
        start_date=today,
        end_date=planned_end,
    )
    successor._history_user = by_user
    successor.save()
    return successor


def _already_represents(membership: Membership) -> str:
    if membership.organisation_id is None:
        return _(
            "%(name)s represents no organisation now: there is nothing to change. "
            "Choose one in the list."
        ) % {"name": membership.user}
    return _("%(name)s already represents %(organisation)s. Choose another one, or none.") % {
        "name": membership.user,
        "organisation": membership.organisation,
    }


@transaction.atomic
def end_membership(membership: Membership, *, by_user, on: date | None = None) -> Membership:
    """End today, or plan the end for a later day (`on`): until then the person is a member as
    before. After it they keep their place in the record, as a former member, and lose access."""
    _lock_network(membership.network)
    membership = Membership.objects.select_related("network").get(pk=membership.pk)
    registry.require(by_user, Action.MANAGE_MEMBERS, membership.network)
    if not membership.is_active():
        return membership
    today = timezone.localdate()
    on = on or today
    if on < today:
        raise EndDateInPast()
    _refuse_losing_last_chair(membership)  # a planned end too: the day would come
    membership.end_date = max(on, membership.start_date)
    membership._history_user = by_user
    membership.save(update_fields=["end_date"])
    return membership


@transaction.atomic
def create_network(
    *,
    by_user,
    name: str,
    kind: str,
    description: str = "",
    parent: Network | None = None,
) -> Network:
    """Set up a network, or a group under `parent` (the writing group under the working group).
    The person who sets it up is its first coordinator, and invites the others."""
    if parent is not None:
        parent = _lock_network(parent)
        registry.require(by_user, Action.CREATE_SUBGROUP, parent)
    else:
        registry.require_may(by_user, SetUpAction.CREATE_NETWORK, Network)
    name = (name or "").strip()
    if not name:
        raise NameMissing()
    network = Network(
        name=name[:200],
        kind=Network.Kind(kind),
        description=(description or "").strip(),
        parent=parent,
    )
    network._history_user = by_user
    network.save()
    membership = Membership(user=by_user, network=network, role=Role.COORDINATOR)
    membership._history_user = by_user
    membership.save()
    return network


@transaction.atomic
def archive_network(network: Network, *, by_user) -> Network:
    """Archive: the network and everything in it is kept and can be read by its members, and
    nothing more is done in it until it is restored. Its groups stay as they are."""
    network = _lock_network(network)
    registry.require(by_user, Action.ARCHIVE_NETWORK, network)
    network.archived = True
    network._history_user = by_user
    network.save(update_fields=["archived"])
    return network


@transaction.atomic
def restore_network(network: Network, *, by_user) -> Network:
    network = _lock_network(network)
    registry.require(by_user, Action.RESTORE_NETWORK, network)
    network.archived = False
    network._history_user = by_user
    network.save(update_fields=["archived"])
    return network


@transaction.atomic
def set_affiliation(
    organisation: Organisation, *, by_user, user, can_approve: bool, title: str = ""
) -> Affiliation:
    """Link a person to an organisation, and say whether they approve its formal responses.
    Recorded in the history with who changed it."""
    registry.require(by_user, Action.MANAGE_AFFILIATIONS, organisation)
    if user.pk == by_user.pk:
        raise OwnAffiliation()  # nobody names themselves the one who approves
    affiliation, _created = Affiliation.objects.select_for_update().get_or_create(
        organisation=organisation, user=user
    )
    affiliation.can_approve = can_approve
    affiliation.title = (title or "").strip()[:200]
    affiliation._history_user = by_user
    affiliation.save()
    return affiliation


@transaction.atomic
def remove_affiliation(affiliation: Affiliation, *, by_user) -> None:
    registry.require(by_user, Action.MANAGE_AFFILIATIONS, affiliation.organisation)
    if affiliation.user_id == by_user.pk:
        raise OwnAffiliation()
    affiliation._history_user = by_user
    affiliation.delete()


# ------------------------------------------------------------------------------ organisations

# What a person sets on an organisation (its registry address, number and contact).
ORGANISATION_FIELDS = (
    "name",
    "kind",
    "organisation_number",
    "registry_email",
    "contact_name",
    "contact_email",
    "contact_phone",
)


def _clean_organisation(facts: dict) -> dict:
    """The facts as stored: trimmed, the number normalised, the addresses checked."""
    cleaned = {field: str(facts.get(field) or "").strip() for field in ORGANISATION_FIELDS}
    cleaned["kind"] = Organisation.Kind(cleaned["kind"])
    try:
        cleaned["organisation_number"] = normalise_organisation_number(
            cleaned["organisation_number"]
        )
    except ValidationError:
        raise InvalidOrganisationNumber() from None
    for field in ("registry_email", "contact_email"):
        if cleaned[field]:
            try:
                validate_email(cleaned[field])
            except ValidationError:
                raise InvalidOrganisationEmail(field) from None
            cleaned[field] = cleaned[field].lower()
    return cleaned


def _refuse_duplicate(facts: dict, *, other_than: int | None = None) -> None:
    others = Organisation.objects.all()
    if other_than is not None:
        others = others.exclude(pk=other_than)
    number = facts["organisation_number"]
    existing = number and others.filter(organisation_number=number).first()
    if existing:
        raise DuplicateOrganisation(
            _("%(name)s already has that organisation number.") % {"name": existing.name},
            existing=existing,
            field="organisation_number",
        )
    existing = others.filter(name__iexact=facts["name"]).first()
    if existing:
        raise DuplicateOrganisation(
            _("There is already an organisation called %(name)s.") % {"name": existing.name},
            existing=existing,
            field="name",
        )


@transaction.atomic
def add_organisation(*, by_user, **facts) -> Organisation:
    """Add an organisation (name, kind, number, registry address, contact). Refused when another
    has the same organisation number or the same name in any case; recorded with who added it."""
    registry.require(by_user, Action.ADD_ORGANISATION, Organisation())
    cleaned = _clean_organisation(facts)
    _refuse_duplicate(cleaned)
    organisation = Organisation(**cleaned)
    organisation._history_user = by_user
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError:
        _refuse_duplicate(cleaned)  # added by someone else meanwhile: name it
        raise
    return organisation


@transaction.atomic
def edit_organisation(organisation: Organisation, *, by_user, **facts) -> Organisation:
    """Change an organisation's facts; recorded in its history with who changed them."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    registry.require(by_user, Action.EDIT_ORGANISATION, organisation)
    cleaned = _clean_organisation(
        {**{f: getattr(organisation, f) for f in ORGANISATION_FIELDS}, **facts}
    )
    _refuse_duplicate(cleaned, other_than=organisation.pk)
    changed = [field for field, value in cleaned.items() if getattr(organisation, field) != value]
    if not changed:
        return organisation
    for field in changed:
        setattr(organisation, field, cleaned[field])
    organisation._history_user = by_user
    organisation.save(update_fields=changed)
    return organisation
