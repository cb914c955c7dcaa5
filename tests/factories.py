"""Factories for the foundation's models. Apps add theirs in tests/<app>/factories.py."""

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from partners.models import Membership, Organisation, OrganisationKind
from portal.models import User


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    kind = OrganisationKind.NGO
    country = "GB"
    verified = True
    email_domains = factory.LazyAttribute(lambda o: [f"{o.slug}.test"])


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create:
            self.save()
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


def make_member(organisation: Organisation, role: str, email: str | None = None) -> User:
    domain = organisation.email_domains[0] if organisation.email_domains else "example.test"
    user = UserFactory(email=email or f"{role}-{UserFactory._meta.model.objects.count()}@{domain}")
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


def enrol_totp(user: User) -> TOTP:
    return TOTP.activate(user, generate_totp_secret())


def has_totp(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
