from django.urls import path

from networks.views import invitations, networks, organisations

app_name = "networks"

urlpatterns = [
    path("networks/", networks.network_list, name="list"),
    path("networks/new/", networks.create_network, name="create"),
    path("networks/<int:pk>/", networks.network_detail, name="detail"),
    path("networks/<int:pk>/groups/new/", networks.create_subgroup, name="create_subgroup"),
    path("networks/<int:pk>/archive/", networks.archive_network, name="archive"),
    path("networks/<int:pk>/restore/", networks.restore_network, name="restore"),
    path("networks/<int:pk>/members/", networks.members, name="members"),
    path(
        "networks/<int:pk>/members/<int:membership_pk>/role/",
        networks.change_role,
        name="change_role",
    ),
    path(
        "networks/<int:pk>/members/<int:membership_pk>/organisation/",
        networks.change_representation,
        name="change_representation",
    ),
    path(
        "networks/<int:pk>/members/<int:membership_pk>/end/",
        networks.end_membership,
        name="end_membership",
    ),
    path(
        "networks/<int:pk>/invitations/<int:invitation_pk>/withdraw/",
        networks.revoke_invitation,
        name="revoke_invitation",
    ),
    path("invitations/<str:token>/", invitations.invitation, name="invitation"),
    path("organisations/", organisations.organisation_list, name="organisations"),
    path("organisations/new/", organisations.add_organisation, name="add_organisation"),
    path("organisations/<int:pk>/", organisations.organisation_detail, name="organisation"),
    path(
        "organisations/<int:pk>/edit/",
        organisations.edit_organisation,
        name="edit_organisation",
    ),
]
