import datetime
import importlib

import factory
from allauth.account.models import EmailAddress
from django.apps import apps

from accounts.models import (
    Organization,
    OrganizationMembership,
    OrganizationPerson,
    Region,
    StateBody,
    StateBodyMembership,
    User,
)

DEFAULT_PASSWORD = "correct-horse-battery-staple"


# The data migrations that seed rows (module, function): regions, competitions'
# directories, budget categories.
SEEDING_MIGRATIONS = [
    ("accounts.migrations.0002_seed_regions", "seed_regions"),
    ("competitions.migrations.0002_seed_directories", "seed"),
    ("grants.migrations.0002_seed_budget_categories", "seed"),
]


def seed_migrated_rows() -> None:
    """Run the seeding data migrations again (they update or create).

    A transactional test (``transaction=True``, ``live_server``) empties every table
    when it ends, seeded rows included. ``serialized_rollback`` cannot restore them
    in the browser tests: Playwright's sync API keeps an event loop running in the
    main thread, so Django's connection handler (an asgiref ``Local``) gives those
    tests connections without the serialized copy.
    """
    for module, function in SEEDING_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)


def region(code="KG-GB") -> Region:
    """A region seeded by migration 0002 (tests/conftest.py restores the seeded rows)."""
    return Region.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = "Айбек"
    last_name = factory.Sequence(lambda n: f"Уулу{n}")
    language = "ky"
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        """A confirmed e-mail address, unless ``verified=False``."""
        self.save()
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class StateBodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StateBody

    slug = factory.Sequence(lambda n: f"body-{n}")
    kind = StateBody.Kind.MINISTRY
    name_ky = factory.Sequence(lambda n: f"Министрлик {n}")
    name_ru = factory.Sequence(lambda n: f"Министерство {n}")
    name_en = factory.Sequence(lambda n: f"Ministry {n}")
    region = factory.LazyFunction(region)


class OfficerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StateBodyMembership

    user = factory.SubFactory(UserFactory)
    state_body = factory.SubFactory(StateBodyFactory)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"«Үмүт {n}» коомдук фонду")
    legal_form = Organization.LegalForm.PUBLIC_FUND
    registration_number = factory.Sequence(lambda n: f"{n:06d}-3301-ОФ")
    inn = factory.Sequence(lambda n: f"0{n:013d}"[:14] if n else "01000000000001")
    registration_date = datetime.date(2016, 3, 1)
    region = factory.LazyFunction(region)
    address = "Бишкек ш., Чүй пр., 1"
    phone = "+996 312 123456"
    email = factory.Sequence(lambda n: f"info{n}@ngo.example.org")

    @factory.post_generation
    def people(self, create, extracted, **kwargs):
        """A founder and a leader, so the profile is complete, unless ``people=False``."""
        if create and extracted is not False:
            OrganizationPerson.objects.create(
                organization=self, role=OrganizationPerson.Role.FOUNDER, full_name="Асанов Бакыт"
            )
            OrganizationPerson.objects.create(
                organization=self, role=OrganizationPerson.Role.LEADER, full_name="Асанова Айгүл"
            )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganizationMembership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = OrganizationMembership.Role.OWNER
