"""Factories of the competitions app, built on the accounts factories."""

import datetime
import hashlib
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from competitions.models import (
    ChecklistItem,
    Clarification,
    CommissionMember,
    Competition,
    CompetitionDocument,
    Criterion,
    Follow,
    Programme,
    ServiceArea,
    TargetGroup,
)
from tests.factories import StateBodyFactory, UserFactory, region

# A tiny but genuine PDF: the upload check reads the first bytes.
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def service_area(slug="elderly") -> ServiceArea:
    """An area seeded by migration 0002 (tests/conftest.py restores the seeded rows)."""
    return ServiceArea.objects.get(slug=slug)


def target_group(slug="elderly") -> TargetGroup:
    return TargetGroup.objects.get(slug=slug)


def in_days(days: float) -> datetime.datetime:
    """An aware moment ``days`` from now, on a whole minute (as the form enters it)."""
    moment = timezone.now() + datetime.timedelta(days=days)
    return moment.replace(second=0, microsecond=0)


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    state_body = factory.SubFactory(StateBodyFactory)
    title_ky = factory.Sequence(lambda n: f"Социалдык заказ программасы {n}")
    title_ru = factory.Sequence(lambda n: f"Программа социального заказа {n}")
    description_ky = "Программанын максаттары."
    description_ru = "Цели программы."
    year_start = 2026
    year_end = 2028
    budget = Decimal("50000000")


class CompetitionFactory(factory.django.DjangoModelFactory):
    """A complete draft, ready to publish once it has a criterion.

    ``published=True``, ``evaluation=True`` or ``cancelled=True`` give the other states;
    ``regions=[...]`` replaces the default region (Bishkek).
    """

    class Meta:
        model = Competition
        skip_postgeneration_save = True

    class Params:
        published = factory.Trait(
            status=Competition.Status.PUBLISHED,
            published_at=factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1)),
            announced_on=factory.LazyFunction(timezone.localdate),
        )
        evaluation = factory.Trait(
            status=Competition.Status.EVALUATION,
            published_at=factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=60)),
            deadline=factory.LazyFunction(lambda: in_days(-2)),
        )
        cancelled = factory.Trait(
            status=Competition.Status.CANCELLED,
            published_at=factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=5)),
            cancel_reason="Бюджет кыскарды.",
        )

    reference = factory.Sequence(lambda n: f"SSO-2000-{n:04d}")
    state_body = factory.SubFactory(StateBodyFactory)
    title_ky = factory.Sequence(lambda n: f"Карыларга үйдө кам көрүү {n}")
    title_ru = factory.Sequence(lambda n: f"Уход на дому за пожилыми людьми {n}")
    title_en = factory.Sequence(lambda n: f"Home care for older people {n}")
    announcement_ky = "Коомдук бирикмелер үчүн гранттык сынак."
    announcement_ru = "Грантовый конкурс для некоммерческих организаций."
    eligibility_ky = "Катталган коммерциялык эмес уюмдар."
    eligibility_ru = "Зарегистрированные некоммерческие организации."
    service_area = factory.LazyFunction(service_area)
    total_budget = Decimal("1000000.00")
    min_grant = Decimal("50000.00")
    max_grant = Decimal("200000.00")
    own_contribution_percent = Decimal("10.00")
    deadline = factory.LazyFunction(lambda: in_days(40))
    duration_min_months = 3
    duration_max_months = 12
    contact_name = "Асанова Гүлнара"
    contact_email = "grants@mlsp.example.kg"
    contact_phone = "+996 312 000000"

    @factory.post_generation
    def regions(self, create, extracted, **kwargs):
        if create:
            self.regions.set(extracted if extracted is not None else [region("KG-GB")])


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    competition = factory.SubFactory(CompetitionFactory)
    name_ky = factory.Sequence(lambda n: f"Долбоордун актуалдуулугу {n}")
    name_ru = factory.Sequence(lambda n: f"Актуальность проекта {n}")
    name_en = factory.Sequence(lambda n: f"Relevance {n}")
    max_points = 10
    weight = Decimal("1.50")
    order = factory.Sequence(lambda n: n)


class ChecklistItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChecklistItem

    competition = factory.SubFactory(CompetitionFactory)
    name_ky = "Долбоордун бюджети"
    name_ru = "Бюджет проекта"
    required = True


class DocumentFactory(factory.django.DjangoModelFactory):
    """A PDF stored in private storage (point PRIVATE_MEDIA_ROOT at a temporary folder)."""

    class Meta:
        model = CompetitionDocument

    competition = factory.SubFactory(CompetitionFactory)
    kind = CompetitionDocument.Kind.TERMS
    title_ky = "Техникалык тапшырма"
    title_ru = "Техническое задание"
    file = factory.LazyFunction(lambda: ContentFile(PDF_BYTES, name="terms.pdf"))
    file_type = "pdf"
    size = len(PDF_BYTES)
    sha256 = hashlib.sha256(PDF_BYTES).hexdigest()


class ClarificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clarification

    competition = factory.SubFactory(CompetitionFactory, published=True)
    question = factory.Sequence(lambda n: f"Өз салымы акчалай болушу керекпи? {n}")
    asked_by = factory.SubFactory(UserFactory)


class CommissionMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommissionMember

    competition = factory.SubFactory(CompetitionFactory)
    user = factory.SubFactory(UserFactory)
    email = factory.LazyAttribute(lambda o: o.user.email if o.user else "invited@example.org")
    full_name = "Токтогулов Марат"
    role = CommissionMember.Role.MEMBER


class FollowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Follow

    competition = factory.SubFactory(CompetitionFactory, published=True)
    user = factory.SubFactory(UserFactory)
