"""factory-boy factories for ad-hoc tenancy rows (written directly, not through services)."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from dathub.tenancy.models import (
    Body,
    BodyMember,
    Membership,
    Organisation,
    Partnership,
    Person,
    RoleName,
    User,
)
from dathub.tenancy.roles import Role

PASSWORD = "a-long-test-password-7"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Faker("name", locale="en_GB")
    password = PASSWORD

    @classmethod
    def _create(cls, model_class: type[User], *args: object, **kwargs: object) -> User:
        return model_class.objects.create_user(*args, **kwargs)  # type: ignore[arg-type]


class PartnershipFactory(DjangoModelFactory):
    class Meta:
        model = Partnership
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Testshire DAAT {n}")
    code = factory.Sequence(lambda n: f"T{n:03d}")
    area = "Testshire"


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.VOLUNTARY_PROVIDER


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    partnership = factory.SubFactory(PartnershipFactory)
    full_name = factory.Faker("name", locale="en_GB")
    job_title = "Officer"
    organisation = factory.SubFactory(
        OrganisationFactory, partnership=factory.SelfAttribute("..partnership")
    )
    email = factory.Sequence(lambda n: f"person{n}@example.test")


class MembershipFactory(DjangoModelFactory):
    """A person's roles. Pass `roles=[Role.X, ...]`; provider users get their organisation."""

    class Meta:
        model = Membership

    person = factory.SubFactory(PersonFactory)
    partnership = factory.SelfAttribute("person.partnership")
    roles = factory.LazyFunction(lambda: [Role.COORDINATOR.value])
    organisation = factory.LazyAttribute(
        lambda o: o.person.organisation if Role.PROVIDER_USER in o.roles else None
    )


def member_user(
    partnership: Partnership,
    *roles: str,
    organisation: Organisation | None = None,
    email: str | None = None,
) -> User:
    """A user who signs in and holds `roles` in `partnership`."""
    user = UserFactory(**({"email": email} if email else {}))
    person_kwargs = {"partnership": partnership, "user": user, "email": user.email}
    if organisation is not None:
        person_kwargs["organisation"] = organisation
    person = PersonFactory(**person_kwargs)
    MembershipFactory(person=person, roles=list(roles) or [Role.COORDINATOR.value])
    return user


class RoleNameFactory(DjangoModelFactory):
    class Meta:
        model = RoleName

    partnership = factory.SubFactory(PartnershipFactory)
    abbreviation = factory.Sequence(lambda n: f"RN{n}")
    name = factory.Sequence(lambda n: f"Role name {n}")


class BodyFactory(DjangoModelFactory):
    class Meta:
        model = Body

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Group {n}")
    kind = Body.Kind.OTHER
    meeting_cycle = Body.Cycle.QUARTERLY


class BodyMemberFactory(DjangoModelFactory):
    class Meta:
        model = BodyMember

    body = factory.SubFactory(BodyFactory)
    partnership = factory.SelfAttribute("body.partnership")
    person = factory.SubFactory(PersonFactory, partnership=factory.SelfAttribute("..partnership"))
    position = BodyMember.Position.MEMBER
