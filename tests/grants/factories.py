"""Factories of the grants app, built on the accounts and competitions factories.

``ApplicationFactory()`` is an empty draft of a fresh organisation to an open
competition; ``ApplicationFactory(complete=True)`` has every section filled,
one activity, one result, one budget line that satisfies the competition's
terms and a PDF for every required checklist item, so that it can be
submitted as it is.
"""

import datetime
import hashlib
from decimal import Decimal

import factory
from django.core.files.base import ContentFile

from grants import services
from grants.models import (
    Activity,
    Application,
    ApplicationVersion,
    Attachment,
    BudgetCategory,
    BudgetLine,
    ResultIndicator,
)
from tests.competitions.factories import PDF_BYTES, ChecklistItemFactory, CompetitionFactory
from tests.factories import OrganizationFactory, region

PROJECT_START = datetime.date(2026, 3, 1)
PROJECT_END = datetime.date(2026, 8, 31)  # six months: within 3 to 12


def budget_category(slug="staff") -> BudgetCategory:
    """A category seeded by migration 0002 (tests/conftest.py restores the seeded rows)."""
    return BudgetCategory.objects.get(slug=slug)


def open_competition(**kwargs):
    """A published competition accepting applications, with one required document."""
    competition = CompetitionFactory(published=True, **kwargs)
    ChecklistItemFactory(competition=competition, order=1)
    return competition


def fill(application: Application) -> None:
    """Rows, documents and totals of a complete application."""
    application.regions.set([region("KG-GB")])
    ActivityFactory(application=application)
    ResultIndicatorFactory(application=application)
    BudgetLineFactory(application=application)
    for item in application.competition.checklist.filter(required=True):
        AttachmentFactory(application=application, checklist_item=item)
    services.recompute_totals(application)


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application
        skip_postgeneration_save = True

    class Params:
        complete = factory.Trait(
            title=factory.Sequence(lambda n: f"Жашыруун долбоор {n}: карыларга жаңы көмөк үйү"),
            summary=factory.Sequence(lambda n: f"Мөөрлөнгөн кыскача мазмун {n}"),
            problem="Айылдарда жалгыз карылар көп.",
            goal="Карыларга үйдө кам көрүү.",
            objectives="Социалдык кызматкерлерди даярдоо.",
            target_group="Жалгыз жашаган карылар.",
            beneficiaries=120,
            sustainability="Жергиликтүү бюджеттен каржылоо улантылат.",
            start_date=PROJECT_START,
            end_date=PROJECT_END,
            sections=factory.PostGeneration(lambda obj, create, extracted, **kw: fill(obj)),
        )

    competition = factory.LazyFunction(open_competition)
    organization = factory.SubFactory(OrganizationFactory)


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    application = factory.SubFactory(ApplicationFactory)
    name = factory.Sequence(lambda n: f"Социалдык кызматкерлерди окутуу {n}")
    start = PROJECT_START
    end = datetime.date(2026, 4, 30)
    responsible = "Асанова Айгүл"


class ResultIndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResultIndicator

    application = factory.SubFactory(ApplicationFactory)
    indicator = factory.Sequence(lambda n: f"Кам көрүлгөн карылар {n}")
    baseline = "0"
    target = "120"


class BudgetLineFactory(factory.django.DjangoModelFactory):
    """10 × 10 000 som: 85 000 from the grant and 15 000 (15 %) of the NCO's own."""

    class Meta:
        model = BudgetLine

    application = factory.SubFactory(ApplicationFactory)
    category = factory.LazyFunction(budget_category)
    description = factory.Sequence(lambda n: f"Социалдык кызматкердин эмгек акысы {n}")
    unit = "ай"
    quantity = Decimal("10")
    unit_cost = Decimal("10000")
    requested = Decimal("85000")
    own_contribution = Decimal("15000")
    cofinancing = Decimal("0")


class AttachmentFactory(factory.django.DjangoModelFactory):
    """A small genuine PDF in private storage (point PRIVATE_MEDIA_ROOT at a temporary folder)."""

    class Meta:
        model = Attachment

    application = factory.SubFactory(ApplicationFactory)
    checklist_item = None
    file = factory.LazyFunction(lambda: ContentFile(PDF_BYTES, name="budget.pdf"))
    original_name = "Бюджет.pdf"
    file_type = "pdf"
    size = len(PDF_BYTES)
    sha256 = hashlib.sha256(PDF_BYTES).hexdigest()


class ApplicationVersionFactory(factory.django.DjangoModelFactory):
    """A bare version row (without a real snapshot): for receipts and sweeps."""

    class Meta:
        model = ApplicationVersion

    application = factory.SubFactory(ApplicationFactory, complete=True)
    number = 1
    snapshot = factory.LazyAttribute(lambda o: services.build_snapshot(o.application))
    sha256 = factory.LazyAttribute(lambda o: services.snapshot_sha256(o.snapshot))


def submitted_application(user, **kwargs) -> Application:
    """A complete application of one of ``user``'s organisations, submitted through the service."""
    application = ApplicationFactory(complete=True, **kwargs)
    services.submit_application(user=user, application=application)
    application.refresh_from_db()
    return application
