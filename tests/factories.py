import factory
from django.contrib.auth import get_user_model

from networks.models import Invitation, Membership, Network, Organisation, Role

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.django.Password(PASSWORD)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Kommun {n}")
    kind = Organisation.Kind.MUNICIPALITY


class NetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Network

    name = factory.Sequence(lambda n: f"Arbetsgrupp {n}")
    kind = Network.Kind.WORKING_GROUP


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    network = factory.SubFactory(NetworkFactory)
    role = Role.MEMBER
    organisation = factory.SubFactory(OrganisationFactory)


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    email = factory.Sequence(lambda n: f"invited{n}@example.org")
    network = factory.SubFactory(NetworkFactory)
    role = Role.MEMBER


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "documents.Document"

    network = factory.SubFactory(NetworkFactory)
    title = factory.Sequence(lambda n: f"Regional strategi {n}")
    kind = "strategy"


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "documents.Section"

    document = factory.SubFactory(DocumentFactory)
    heading = factory.Sequence(lambda n: f"Avsnitt {n}")
    body = "Alla föräldrar ska erbjudas stöd under barnets hela uppväxt."
    position = factory.Sequence(lambda n: n + 1)
