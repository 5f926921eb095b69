"""Helpers the evaluation tests share: a commission, admitted applications, scorecards,
and a competition taken through the whole flow to an approved decision.

Everything goes through the services (``grants.services``, ``grants.evaluation``,
``grants.decisions``), so the rows are the ones the portal itself would make.

The default criteria are worth 10 points × weight 2 and 5 points × weight 1, so a
review's total is ``4 × (2 × first + second)``: ``[10, 5]`` is 100, ``[8, 4]`` is 80,
``[5, 0]`` is 40.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.test import TestCase
from django.utils import timezone

from accounts.models import StateBodyMembership, User
from competitions.models import CommissionMember, Competition, Criterion
from grants import decisions, evaluation, services
from grants.models import Application, AwardDecision, BudgetLine, Review
from tests.competitions.factories import CommissionMemberFactory, CriterionFactory
from tests.factories import MembershipFactory, OfficerFactory, UserFactory

from .factories import ApplicationFactory, open_competition
from .helpers import close

# (max points, weight) of each criterion, in the competition's order.
DEFAULT_CRITERIA = ((10, "2.00"), (5, "1.00"))

MEMBER_NAMES = (
    "Жумабаев Нурлан",
    "Осмонова Динара",
    "Сатыбалдиев Эрлан",
    "Абдыкадырова Чолпон",
    "Токтосунов Бакыт",
    "Иманалиева Жылдыз",
)


def criteria(competition: Competition, specs=DEFAULT_CRITERIA) -> list[Criterion]:
    """Criteria of ``competition`` from ``(max points, weight)`` pairs, in that order."""
    return [
        CriterionFactory(
            competition=competition, max_points=maximum, weight=Decimal(weight), order=order
        )
        for order, (maximum, weight) in enumerate(specs, start=1)
    ]


def officer_of(competition: Competition) -> User:
    """An officer of the competition's customer: the first there is, or a new one."""
    membership = StateBodyMembership.objects.filter(
        state_body=competition.state_body, role=StateBodyMembership.Role.OFFICER
    ).first()
    return membership.user if membership else OfficerFactory(state_body=competition.state_body).user


def commission(
    competition: Competition, n: int = 3, *, chair: bool = True, voting: bool = True
) -> list[CommissionMember]:
    """``n`` commission members with portal accounts, the chair first (unless ``chair=False``),
    appointed one second apart in that order."""
    start = timezone.now() - datetime.timedelta(days=1)
    taken = competition.commission.count()
    members = []
    for index in range(n):
        number = taken + index
        name = MEMBER_NAMES[number % len(MEMBER_NAMES)]
        members.append(
            CommissionMemberFactory(
                competition=competition,
                user=UserFactory(),
                full_name=name if number < len(MEMBER_NAMES) else f"{name} {number}",
                role=CommissionMember.Role.CHAIR
                if chair and index == 0
                else CommissionMember.Role.MEMBER,
                voting=voting,
                appointed_at=start + datetime.timedelta(seconds=number),
            )
        )
    return members


def observer(competition: Competition) -> CommissionMember:
    """A non-voting observer with a portal account."""
    return CommissionMemberFactory(
        competition=competition,
        user=UserFactory(),
        full_name="Байкоочу Асель",
        role=CommissionMember.Role.OBSERVER,
        voting=False,
    )


def set_requested(application: Application, amount) -> Application:
    """Make the application's single budget line ask for ``amount`` som (own share 20 %)."""
    amount = Decimal(amount)
    BudgetLine.objects.filter(application=application).update(
        quantity=Decimal(1),
        unit_cost=amount * 5 / 4,
        requested=amount,
        own_contribution=amount / 4,
        cofinancing=Decimal(0),
    )
    services.recompute_totals(application)
    return application


def applicant_of(application: Application) -> User:
    """The first member of the applying organisation (the one who submitted, here)."""
    return User.objects.filter(
        organization_memberships__organization=application.organization_id
    ).earliest("pk")


def submitted_applications(competition: Competition, n: int = 1, *, requested=None) -> list:
    """``n`` complete applications of new organisations, submitted through the service
    while the deadline is open, in that order. ``requested`` is one amount for all, a list
    of ``n`` amounts, or ``None`` (the factory's 85 000 som)."""
    amounts = requested if isinstance(requested, list | tuple) else [requested] * n
    assert len(amounts) == n, "give one requested amount per application"
    applications = []
    for amount in amounts:
        owner = MembershipFactory(role="owner").user
        application = ApplicationFactory(
            competition=competition,
            organization=owner.organization_memberships.get().organization,
            created_by=owner,
            complete=True,
        )
        if amount is not None:
            set_requested(application, amount)
        services.submit_application(user=owner, application=application)
        application.refresh_from_db()
        applications.append(application)
    return applications


def admit(applications, *, officer: User, admit: bool = True, reason: str = "") -> list:
    """The officer's admission decision on each application (after the deadline)."""
    if not admit and not reason:
        reason = "Талаптагы документтер жок."
    return [
        services.decide_admission(user=officer, application=application, admit=admit, reason=reason)
        for application in applications
    ]


def admitted_applications(
    competition: Competition, n: int = 3, *, requested=None, officer: User | None = None
) -> list[Application]:
    """``n`` applications submitted before the deadline, then the deadline closed and
    every one admitted by an officer of the customer (see ``submitted_applications``)."""
    applications = submitted_applications(competition, n, requested=requested)
    close(competition)
    admit(applications, officer=officer or officer_of(competition))
    for application in applications:
        application.refresh_from_db()
    return applications


def clear(member: CommissionMember, application: Application) -> None:
    """The member declares no conflict with the application (once)."""
    from grants.permissions import has_cleared_conflict

    if not has_cleared_conflict(member, application):
        evaluation.declare_conflict(user=member.user, application=application, has_conflict=False)


def entries(competition: Competition, points, justification: str = "Негиздемеси бар.") -> dict:
    """The ``{criterion id: (points, justification)}`` of ``save_scores`` from a list of points
    in the competition's order of criteria, or from ``{criterion or its id: points}``."""
    ordered = list(competition.criteria.all())
    if isinstance(points, dict):
        by_id = {getattr(key, "pk", key): value for key, value in points.items()}
        return {c.pk: (by_id[c.pk], justification) for c in ordered if c.pk in by_id}
    assert len(points) == len(ordered), "give points for every criterion"
    return {c.pk: (value, justification) for c, value in zip(ordered, points, strict=True)}


def score(
    review: Review, points, *, submit: bool = True, justification: str = "Негиздемеси бар."
) -> Review:
    """The reviewer declares no conflict (if not yet) and saves ``points`` (a list in the
    order of criteria, or ``{criterion: points}``), submitting unless ``submit=False``."""
    review = Review.objects.select_related("member__user", "application__competition").get(
        pk=review.pk
    )
    clear(review.member, review.application)
    return evaluation.save_scores(
        user=review.member.user,
        review=review,
        entries=entries(review.application.competition, points, justification),
        submit=submit,
    )


def assign(application: Application, members, *, by: User) -> list[Review]:
    """Assign each member to review the application (the officer or the chair ``by``)."""
    return [
        evaluation.assign_reviewer(user=by, application=application, member=member)
        for member in members
    ]


@dataclass
class Flow:
    """A competition taken through the evaluation: who is who and what was made."""

    competition: Competition
    officer: User
    members: list[CommissionMember]
    applications: list[Application]
    rejected: list[Application] = field(default_factory=list)
    waiting: list[Application] = field(default_factory=list)
    decision: AwardDecision | None = None

    @property
    def chair(self) -> CommissionMember:
        return self.members[0]

    def reviews(self, application: Application | None = None):
        queryset = Review.objects.filter(application__competition=self.competition)
        if application is not None:
            queryset = queryset.filter(application=application)
        return queryset.select_related("member__user").order_by("application__reference", "pk")

    def refresh(self) -> "Flow":
        """Fresh rows from the database (statuses, the decision)."""
        self.competition = Competition.objects.get(pk=self.competition.pk)
        self.applications = [Application.objects.get(pk=a.pk) for a in self.applications]
        self.rejected = [Application.objects.get(pk=a.pk) for a in self.rejected]
        self.waiting = [Application.objects.get(pk=a.pk) for a in self.waiting]
        self.decision = AwardDecision.objects.filter(competition=self.competition).first()
        return self


# The default flow: budget 200 000; 120 000 awarded (100 points), 90 000 on the reserve
# list (80 points, it does not fit in the 80 000 left), 60 000 below the pass mark (40).
DEFAULT_REQUESTED = (120000, 90000, 60000)
DEFAULT_POINTS = ([10, 5], [8, 4], [5, 0])


def scored_competition(
    competition: Competition | None = None,
    *,
    officer: User | None = None,
    requested=DEFAULT_REQUESTED,
    points=DEFAULT_POINTS,
    budget="200000",
    members: int = 3,
    rejected: int = 0,
    waiting: int = 0,
) -> Flow:
    """A competition whose admitted applications are all reviewed and scored.

    A new open competition (with the default criteria) unless one is given; ``members``
    voting members with the chair first; one application per amount in ``requested``;
    ``rejected`` more submitted and not admitted, ``waiting`` more submitted and left
    without an admission decision (in ``flow.waiting``); reviewers assigned automatically
    (``reviews_per_application``, 2 by default); every reviewer submits the points of
    its application in ``points`` (a list per criterion, or a list of such lists, one
    per reviewer in the order they were assigned).
    """
    if competition is None:
        state_body = officer.state_body_memberships.first().state_body if officer else None
        competition = open_competition(**({"state_body": state_body} if state_body else {}))
    if not competition.criteria.exists():
        criteria(competition)
    if budget is not None:
        Competition.objects.filter(pk=competition.pk).update(total_budget=Decimal(budget))
        competition.total_budget = Decimal(budget)
    officer = officer or officer_of(competition)
    seats = commission(competition, members)
    applications = submitted_applications(competition, len(requested), requested=list(requested))
    refused = submitted_applications(competition, rejected) if rejected else []
    pending = submitted_applications(competition, waiting) if waiting else []
    close(competition)
    admit(applications, officer=officer)
    admit(refused, officer=officer, admit=False)
    flow = Flow(competition, officer, seats, applications, refused, pending).refresh()
    evaluation.auto_assign(user=officer, competition=flow.competition)
    for application, given in zip(flow.applications, points, strict=True):
        reviews = list(flow.reviews(application))
        per_review = (
            given if given and isinstance(given[0], list | tuple) else [given] * len(reviews)
        )
        for review, review_points in zip(reviews, per_review, strict=True):
            score(review, review_points)
    return flow.refresh()


def meet(flow: Flow, present=None, *, held_at=None, place: str = "Бишкек, Эркиндик бульвары 58"):
    """The officer records the meeting, every member present unless ``present`` is given."""
    return decisions.record_meeting(
        user=flow.officer,
        competition=flow.competition,
        held_at=held_at or timezone.now() - datetime.timedelta(seconds=1),
        place=place,
        present=flow.members if present is None else present,
        minutes="Добуш берүү бир добуштан.",
    )


def approve(flow: Flow, *, render: bool = False) -> Flow:
    """The officer approves the decision. With ``render=True`` the callbacks queued on
    commit run (outside a transactional test they never would): the PDFs are rendered and
    the letters e-mailed, Celery being eager in tests."""
    with TestCase.captureOnCommitCallbacks(execute=render):
        decisions.approve_decision(user=flow.officer, competition=flow.competition)
    return flow.refresh()


def decided_competition(
    competition: Competition | None = None, *, render: bool = False, **kwargs
) -> Flow:
    """``scored_competition(competition, **kwargs)``, the meeting with every member present,
    and the decision approved by the officer (``flow.decision``); the PDFs rendered only
    with ``render=True`` (see ``approve``)."""
    flow = scored_competition(competition, **kwargs)
    meet(flow)
    return approve(flow, render=render)
