"""Factories of the councils app, built on the accounts factories.

``CouncilFactory()`` is an active public council of a new state body;
``CoordinationCouncilFactory()`` the Coordination Council (no state body).
``MeetingFactory()`` is planned a week ahead; ``MeetingFactory(held=True)`` took place
a week ago and its minutes are published. ``RecommendationFactory()`` was adopted today
and is due in 30 days (the default of ``RECOMMENDATION_RESPONSE_DAYS``).
"""

import datetime

import factory
from django.utils import timezone

from councils.models import (
    AnnualReport,
    Council,
    CouncilMember,
    CouncilSecretary,
    Meeting,
    Recommendation,
    WorkPlan,
)
from tests.factories import StateBodyFactory, UserFactory

ESTABLISHED_ON = datetime.date(2019, 3, 1)


def days_ago(days: int) -> datetime.date:
    """A day in Bishkek time, ``days`` before today (negative: after)."""
    return timezone.localdate() - datetime.timedelta(days=days)


def moment_in(days: float) -> datetime.datetime:
    """An aware moment ``days`` from now (negative: ago), on a whole minute."""
    moment = timezone.now() + datetime.timedelta(days=days)
    return moment.replace(second=0, microsecond=0)


class CouncilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Council

    slug = factory.Sequence(lambda n: f"council-{n}")
    state_body = factory.SubFactory(StateBodyFactory)
    name_ky = factory.Sequence(lambda n: f"Коомдук байкоочу кеңеш {n}")
    name_ru = factory.Sequence(lambda n: f"Общественный наблюдательный совет {n}")
    description_ky = "Министрликтин ишине коомдук көзөмөл."
    description_ru = "Общественный контроль за деятельностью министерства."
    kind = Council.Kind.PUBLIC
    status = Council.Status.ACTIVE
    established_on = ESTABLISHED_ON
    legal_basis = "Министрдин буйругу."
    email = factory.Sequence(lambda n: f"council{n}@example.kg")


class CoordinationCouncilFactory(CouncilFactory):
    slug = factory.Sequence(lambda n: f"coordination-{n}")
    state_body = None
    name_ky = "Коомдук кеңештердин ишин координациялоо боюнча кеңеш"
    name_ru = "Координационный совет по деятельности общественных советов"
    kind = Council.Kind.COORDINATION


class CouncilSecretaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CouncilSecretary

    council = factory.SubFactory(CouncilFactory)
    user = factory.SubFactory(UserFactory)


class CouncilMemberFactory(factory.django.DjangoModelFactory):
    """An open term that started on 1 March 2023, unless ``term_end`` is given."""

    class Meta:
        model = CouncilMember

    council = factory.SubFactory(CouncilFactory)
    full_name = factory.Sequence(lambda n: f"Абдыраимова Жылдыз {n}")
    position = CouncilMember.Position.MEMBER
    biography = "Социалдык кызматкер, 15 жылдык тажрыйба."
    organization = "«Үмүт» коомдук фонду"
    term_start = datetime.date(2023, 3, 1)
    term_end = None
    end_reason = ""


class MeetingFactory(factory.django.DjangoModelFactory):
    """Planned a week ahead; ``held=True``: a week ago, minutes published."""

    class Meta:
        model = Meeting

    class Params:
        held = factory.Trait(
            starts_at=factory.LazyFunction(lambda: moment_in(-7)),
            status=Meeting.Status.HELD,
            minutes="Күн тартибиндеги маселелер каралды.",
            minutes_published_at=factory.LazyFunction(lambda: moment_in(-6)),
        )

    council = factory.SubFactory(CouncilFactory)
    starts_at = factory.LazyFunction(lambda: moment_in(7))
    place = "Бишкек ш., Тыныстанов к., 215"
    status = Meeting.Status.PLANNED


class RecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recommendation

    council = factory.SubFactory(CouncilFactory)
    addressed_to = factory.LazyAttribute(lambda o: o.council.state_body or StateBodyFactory())
    title = factory.Sequence(lambda n: f"Социалдык кызматтардын стандарттары жөнүндө {n}")
    text = "Министрликке социалдык кызматтардын стандарттарын кайра кароону сунуштайбыз."
    adopted_on = factory.LazyFunction(timezone.localdate)
    response_due = factory.LazyAttribute(lambda o: o.adopted_on + datetime.timedelta(days=30))
    status = Recommendation.Status.SENT


class WorkPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkPlan

    council = factory.SubFactory(CouncilFactory)
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    text = "1-чейрек: социалдык кызматтардын сапатын талкуулоо."


class AnnualReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnnualReport

    council = factory.SubFactory(CouncilFactory)
    year = factory.LazyFunction(lambda: timezone.localdate().year - 1)
    text = "Кеңеш жыл ичинде 6 жыйын өткөрдү, 12 сунуш кабыл алды."
