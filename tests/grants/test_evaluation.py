"""The evaluation services (grants/evaluation.py): conflicts of interest, reviewers,
scorecards, reductions, and the blind-scoring and reading rules of grants/permissions.py."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from accounts.models import OrganizationPerson
from competitions.models import CommissionMember, Competition
from grants import evaluation, permissions
from grants.models import (
    AmountReduction,
    Application,
    ConflictDeclaration,
    EvaluationEvent,
    Review,
    Score,
)
from grants.services import ServiceError
from tests.competitions.factories import CommissionMemberFactory
from tests.factories import MembershipFactory, UserFactory

from . import evaluation as ev
from .factories import open_competition
from .helpers import close


def refusal(service, **kwargs) -> ServiceError:
    """The ServiceError ``service(**kwargs)`` raises, its messages in English."""
    with translation.override("en"), pytest.raises(ServiceError) as error:
        service(**kwargs)
    return error.value


NOT_EVALUATED = "This competition is not being evaluated."
DECIDED = "The decision is approved; the evaluation can no longer change."
ONLY_ADMITTED = "Only admitted applications are evaluated."


@pytest.fixture
def criteria(competition):
    """10 points × weight 2, then 5 points × weight 1."""
    return ev.criteria(competition)


@pytest.fixture
def members(competition):
    """Three voting members with accounts: the chair first."""
    return ev.commission(competition, 3)


@pytest.fixture
def chair(members):
    return members[0]


@pytest.fixture
def member(members):
    return members[1]


@pytest.fixture
def applications(competition, officer, criteria, members):
    """Two admitted applications asking 85 000 som each; the deadline has passed."""
    return ev.admitted_applications(competition, 2, officer=officer)


@pytest.fixture
def admitted(applications):
    return applications[0]


@pytest.fixture
def review(admitted, member, officer):
    """``member`` assigned to ``admitted``; no declaration yet."""
    return evaluation.assign_reviewer(user=officer, application=admitted, member=member)


def events(action):
    return EvaluationEvent.objects.filter(action=action)


# declare_conflict


@pytest.mark.parametrize("who", ["outsider", "officer", "applicant_of"])
def test_only_commission_members_declare(request, who, admitted):
    user = ev.applicant_of(admitted) if who == "applicant_of" else request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        evaluation.declare_conflict(user=user, application=admitted, has_conflict=False)
    assert not ConflictDeclaration.objects.exists()


def test_a_member_of_another_competitions_commission_may_not_declare(admitted, state_body):
    elsewhere = ev.commission(open_competition(state_body=state_body), 1)[0]
    with pytest.raises(PermissionDenied):
        evaluation.declare_conflict(user=elsewhere.user, application=admitted, has_conflict=False)


def test_declaring_no_conflict_is_recorded_without_an_event(admitted, member):
    declaration = evaluation.declare_conflict(
        user=member.user, application=admitted, has_conflict=False
    )
    assert (declaration.member, declaration.has_conflict, declaration.detected) == (
        member,
        False,
        False,
    )
    assert permissions.has_cleared_conflict(member, admitted)
    assert not events(EvaluationEvent.Action.CONFLICT).exists()


def test_declaring_a_conflict_recuses_and_removes_the_review(review, member):
    declaration = evaluation.declare_conflict(
        user=member.user,
        application=review.application,
        has_conflict=True,
        note="  Менин иним бул уюмда иштейт.  ",
    )
    assert declaration.has_conflict is True
    assert declaration.note == "Менин иним бул уюмда иштейт."
    assert evaluation.is_recused(member, review.application)
    assert not Review.objects.filter(pk=review.pk).exists()
    event = events(EvaluationEvent.Action.CONFLICT).get()
    assert (event.member, event.application, event.by) == (
        member,
        review.application,
        member.user,
    )


def test_a_conflict_needs_a_note(admitted, member):
    error = refusal(
        evaluation.declare_conflict,
        user=member.user,
        application=admitted,
        has_conflict=True,
        note="   ",
    )
    assert error.message_dict == {"note": ["Say briefly what the conflict of interest is."]}
    assert not ConflictDeclaration.objects.exists()


def test_a_conflict_is_final(admitted, member):
    evaluation.declare_conflict(
        user=member.user, application=admitted, has_conflict=True, note="Уюмдун негиздөөчүсү."
    )
    for has_conflict in (False, True):
        error = refusal(
            evaluation.declare_conflict,
            user=member.user,
            application=admitted,
            has_conflict=has_conflict,
            note="Башка.",
        )
        assert error.messages == [
            "You are recused from this application; the declaration is final."
        ]
    declaration = ConflictDeclaration.objects.get()
    assert (declaration.has_conflict, declaration.note) == (True, "Уюмдун негиздөөчүсү.")


def test_no_conflict_is_declared_once(admitted, member):
    evaluation.declare_conflict(user=member.user, application=admitted, has_conflict=False)
    error = refusal(
        evaluation.declare_conflict, user=member.user, application=admitted, has_conflict=False
    )
    assert error.messages == ["You have already declared no conflict with this application."]
    assert ConflictDeclaration.objects.count() == 1


def test_a_conflict_discovered_later_replaces_no_conflict_and_voids_the_scorecard(review, member):
    ev.score(review, [8, 4])
    evaluation.declare_conflict(
        user=member.user, application=review.application, has_conflict=True, note="Кийин билдим."
    )
    declaration = ConflictDeclaration.objects.get()
    assert (declaration.has_conflict, declaration.note) == (True, "Кийин билдим.")
    assert not Review.objects.exists()
    assert not Score.objects.exists()


def test_declarations_wait_for_the_deadline(competition, criteria, members):
    (pending,) = ev.submitted_applications(competition, 1)
    error = refusal(
        evaluation.declare_conflict, user=members[1].user, application=pending, has_conflict=False
    )
    assert error.messages == [NOT_EVALUATED]
    assert not ConflictDeclaration.objects.exists()


@pytest.mark.parametrize("admit", [None, False], ids=["awaiting-admission", "rejected"])
def test_only_admitted_applications_take_declarations(
    admit, competition, criteria, members, officer
):
    (application,) = ev.submitted_applications(competition, 1)
    close(competition)
    if admit is not None:
        ev.admit([application], officer=officer, admit=admit)
    application.refresh_from_db()
    error = refusal(
        evaluation.declare_conflict,
        user=members[1].user,
        application=application,
        has_conflict=False,
    )
    assert error.messages == [ONLY_ADMITTED]
    assert not ConflictDeclaration.objects.exists()


def test_a_cancelled_competition_takes_no_declarations(admitted, member):
    Competition.objects.filter(pk=admitted.competition_id).update(
        status=Competition.Status.CANCELLED
    )
    admitted = Application.objects.get(pk=admitted.pk)
    error = refusal(
        evaluation.declare_conflict, user=member.user, application=admitted, has_conflict=False
    )
    assert error.messages == [NOT_EVALUATED]


def test_no_declarations_after_the_decision(db):
    flow = ev.decided_competition()
    spare = CommissionMemberFactory(competition=flow.competition, user=UserFactory())
    error = refusal(
        evaluation.declare_conflict,
        user=spare.user,
        application=flow.applications[0],
        has_conflict=False,
    )
    assert error.messages == [DECIDED]
    assert not ConflictDeclaration.objects.filter(member=spare).exists()


# Conflicts the portal detects


def _belongs_to_the_account(member, application):
    MembershipFactory(user=member.user, organization=application.organization, role="editor")


def _named_as_founder(member, application):
    # "Асанов Бакыт" is the founder: case and spaces do not hide it.
    member.full_name = "  асанов   БАКЫТ "
    member.save()


def _named_as_leader_in_the_account(member, application):
    # The leader "Асанова Айгүл" under the name of the member's account.
    member.user.first_name, member.user.last_name = "АСАНОВА ", " айгүл"
    member.user.save()


def _named_with_yo(member, application):
    OrganizationPerson.objects.create(
        organization=application.organization,
        role=OrganizationPerson.Role.LEADER,
        full_name="Королёв Сергей",
    )
    member.full_name = "королев  сергей"
    member.save()


def _organisations_email(member, application):
    member.email = application.organization.email.upper()
    member.save()


def _organisations_email_on_the_account(member, application):
    member.user.email = application.organization.email
    member.user.save()


DETECTIONS = [
    (_belongs_to_the_account, "account"),
    (_named_as_founder, "person"),
    (_named_as_leader_in_the_account, "person"),
    (_named_with_yo, "person"),
    (_organisations_email, "email"),
    (_organisations_email_on_the_account, "email"),
]


@pytest.mark.parametrize(("make", "code"), DETECTIONS, ids=lambda v: getattr(v, "__name__", v))
def test_declaring_no_conflict_where_the_portal_sees_one_records_the_conflict(
    make, code, review, member, officer
):
    application = review.application
    make(member, application)
    member = CommissionMember.objects.select_related("user").get(pk=member.pk)
    declaration = evaluation.declare_conflict(
        user=member.user, application=application, has_conflict=False
    )
    declaration.refresh_from_db()
    assert (declaration.has_conflict, declaration.detected, declaration.note) == (True, True, code)
    assert not Review.objects.filter(pk=review.pk).exists()
    assert evaluation.is_recused(member, application)
    assert not permissions.has_cleared_conflict(member, application)
    event = events(EvaluationEvent.Action.CONFLICT).get()
    assert event.note == str(evaluation.DETECTED_REASONS[code])
    # Recused: the member cannot read it as a member nor be assigned again.
    assert not permissions.can_read_as_member(member.user, application)
    with translation.override("en"), pytest.raises(ServiceError):
        evaluation.assign_reviewer(user=officer, application=application, member=member)


def test_a_name_typed_with_a_combining_accent_is_the_same_name(admitted, member):
    OrganizationPerson.objects.create(
        organization=admitted.organization,
        role=OrganizationPerson.Role.FOUNDER,
        full_name="Ömer Özdemir",  # precomposed letters
    )
    member.full_name = "O\u0308mer O\u0308zdemir"  # O + combining diaeresis
    member.save()
    assert evaluation.detect_conflict(member, admitted) == "person"


def test_accents_of_latin_letters_do_not_hide_a_name(admitted, member):
    """``evaluation._normal`` promises names compared without accents of Latin letters."""
    OrganizationPerson.objects.create(
        organization=admitted.organization,
        role=OrganizationPerson.Role.LEADER,
        full_name="José García",
    )
    member.full_name = "Jose Garcia"
    member.save()
    assert evaluation.detect_conflict(member, admitted) == "person"


def test_a_similar_name_is_not_a_conflict(admitted, member):
    member.full_name = "Асанов Бакытбек"
    member.save()
    assert evaluation.detect_conflict(member, admitted) == ""
    declaration = evaluation.declare_conflict(
        user=member.user, application=admitted, has_conflict=False
    )
    assert declaration.has_conflict is False


def test_membership_of_another_organisation_is_not_a_conflict(applications, member):
    _belongs_to_the_account(member, applications[1])
    assert evaluation.detect_conflict(member, applications[0]) == ""
    assert evaluation.detect_conflict(member, applications[1]) == "account"


# assign_reviewer


@pytest.mark.parametrize("who", ["officer", "chair"])
def test_the_officer_and_the_chair_assign_reviewers(request, who, admitted, member):
    user = request.getfixturevalue(who)
    user = getattr(user, "user", user)
    review = evaluation.assign_reviewer(user=user, application=admitted, member=member)
    assert (review.application, review.member, review.status) == (
        admitted,
        member,
        Review.Status.DRAFT,
    )
    assert (review.assigned_by, review.automatic, review.total) == (user, False, None)
    event = events(EvaluationEvent.Action.ASSIGNED).get()
    assert (event.member, event.application, event.by) == (member, admitted, user)


@pytest.mark.parametrize("who", ["member", "outsider", "other_officer", "applicant"])
def test_others_may_not_assign_reviewers(request, who, admitted, members):
    if who == "applicant":
        user = ev.applicant_of(admitted)
    else:
        user = request.getfixturevalue(who)
        user = getattr(user, "user", user)
    with pytest.raises(PermissionDenied):
        evaluation.assign_reviewer(user=user, application=admitted, member=members[2])
    assert not Review.objects.exists()


def _observer(competition):
    return ev.observer(competition)


def _unlinked(competition):
    return CommissionMemberFactory(
        competition=competition, user=None, email="invited@example.org", full_name="Чакырылган"
    )


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_observer, "Only voting members of the commission review applications."),
        (_unlinked, "This member has not signed up on the portal yet."),
        (
            lambda competition: ev.commission(open_competition(), 1)[0],
            "This person is not on the commission of this competition.",
        ),
    ],
    ids=["non-voting", "unlinked", "other-commission"],
)
def test_only_voting_signed_up_members_of_this_commission_review(make, message, admitted, officer):
    seat = make(admitted.competition)
    error = refusal(evaluation.assign_reviewer, user=officer, application=admitted, member=seat)
    assert error.messages == [message]
    assert not Review.objects.exists()


def test_a_recused_member_is_not_assigned(admitted, member, officer):
    evaluation.declare_conflict(
        user=member.user, application=admitted, has_conflict=True, note="Туугандык."
    )
    error = refusal(evaluation.assign_reviewer, user=officer, application=admitted, member=member)
    assert error.messages == ["This member is recused from this application."]
    assert not Review.objects.exists()


def test_a_member_with_a_detected_conflict_is_not_assigned(admitted, member, officer):
    _belongs_to_the_account(member, admitted)
    error = refusal(evaluation.assign_reviewer, user=officer, application=admitted, member=member)
    with translation.override("en"):
        reason = str(evaluation.DETECTED_REASONS["account"])
    assert error.messages == ["The portal found a conflict of interest: " + reason]
    assert not Review.objects.exists()


def test_a_member_reviews_an_application_once(review, officer):
    error = refusal(
        evaluation.assign_reviewer,
        user=officer,
        application=review.application,
        member=review.member,
    )
    assert error.messages == ["This member already reviews this application."]
    assert Review.objects.count() == 1


def test_reviewers_are_assigned_to_admitted_applications_only(
    competition, criteria, members, officer
):
    applications = ev.submitted_applications(competition, 2)
    close(competition)
    ev.admit(applications[1:], officer=officer, admit=False)
    for application in applications:
        application.refresh_from_db()
        error = refusal(
            evaluation.assign_reviewer, user=officer, application=application, member=members[1]
        )
        assert error.messages == [ONLY_ADMITTED]
    assert not Review.objects.exists()


def test_reviewers_are_assigned_after_the_deadline_only(competition, criteria, members, officer):
    (pending,) = ev.submitted_applications(competition, 1)
    error = refusal(
        evaluation.assign_reviewer, user=officer, application=pending, member=members[1]
    )
    assert error.messages == [NOT_EVALUATED]


# unassign_reviewer


@pytest.mark.parametrize("who", ["officer", "chair"])
def test_a_draft_review_is_removed(request, who, review):
    user = request.getfixturevalue(who)
    user = getattr(user, "user", user)
    evaluation.unassign_reviewer(user=user, review=review)
    assert not Review.objects.exists()
    event = events(EvaluationEvent.Action.UNASSIGNED).get()
    assert (event.member, event.by) == (review.member, user)


def test_a_member_may_not_remove_a_review(review, members):
    with pytest.raises(PermissionDenied):
        evaluation.unassign_reviewer(user=members[2].user, review=review)
    assert Review.objects.exists()


def test_a_submitted_review_is_not_removed(review, officer):
    ev.score(review, [8, 4])
    review = Review.objects.get(pk=review.pk)
    error = refusal(evaluation.unassign_reviewer, user=officer, review=review)
    assert error.messages == ["A submitted scorecard cannot be removed; the chair can reopen it."]
    assert Review.objects.get().status == Review.Status.SUBMITTED


def test_a_review_submitted_after_the_officer_loaded_it_is_not_removed(review, officer):
    """The officer's page loaded the draft; the reviewer submits before the officer removes it."""
    loaded = Review.objects.get(pk=review.pk)
    ev.score(review, [8, 4])
    error = refusal(evaluation.unassign_reviewer, user=officer, review=loaded)
    assert error.messages == ["A submitted scorecard cannot be removed; the chair can reopen it."]
    assert Review.objects.get().status == Review.Status.SUBMITTED


# auto_assign


def _loads(members):
    """Reviews per member."""
    return [Review.objects.filter(member=m).count() for m in members]


def test_auto_assign_gives_every_admitted_application_its_reviewers_evenly(
    competition, criteria, members, officer
):
    ev.observer(competition)
    _unlinked(competition)
    applications = ev.admitted_applications(competition, 5, officer=officer)
    made, short = evaluation.auto_assign(user=officer, competition=competition)
    assert (made, short) == (10, [])
    for application in applications:
        reviews = application.reviews.all()
        assert reviews.count() == competition.reviews_per_application == 2
        assert all(r.automatic and r.assigned_by == officer for r in reviews)
        assert {r.member.voting for r in reviews} == {True}
        assert None not in {r.member.user_id for r in reviews}
    loads = _loads(members)
    assert sum(loads) == 10
    assert max(loads) - min(loads) <= 1
    assert events(EvaluationEvent.Action.AUTO_ASSIGNED).get().by == officer


def test_auto_assign_twice_assigns_nothing_new(competition, criteria, members, officer):
    ev.admitted_applications(competition, 3, officer=officer)
    evaluation.auto_assign(user=officer, competition=competition)
    before = set(Review.objects.values_list("pk", "application", "member"))
    assert evaluation.auto_assign(user=officer, competition=competition) == (0, [])
    assert set(Review.objects.values_list("pk", "application", "member")) == before


def test_auto_assign_completes_a_manual_assignment_and_counts_its_load(
    competition, criteria, members, officer
):
    applications = ev.admitted_applications(competition, 3, officer=officer)
    ev.assign(applications[0], [members[0]], by=officer)
    made, short = evaluation.auto_assign(user=officer, competition=competition)
    assert (made, short) == (5, [])
    assert applications[0].reviews.count() == 2
    loads = _loads(members)
    assert max(loads) - min(loads) <= 1


def test_auto_assign_never_assigns_a_conflicted_member(competition, criteria, members, officer):
    first, second = ev.admitted_applications(competition, 2, officer=officer)
    detected, declared = members[0], members[1]
    _belongs_to_the_account(detected, first)
    evaluation.declare_conflict(
        user=declared.user, application=second, has_conflict=True, note="Мурдагы кызматкер."
    )
    assert evaluation.auto_assign(user=officer, competition=competition) == (4, [])
    assert set(first.reviews.values_list("member", flat=True)) == {declared.pk, members[2].pk}
    assert set(second.reviews.values_list("member", flat=True)) == {detected.pk, members[2].pk}
    # The conflict the portal found is now on record as a recusal.
    recorded = ConflictDeclaration.objects.get(member=detected, application=first)
    assert (recorded.has_conflict, recorded.detected, recorded.note) == (True, True, "account")
    assert events(EvaluationEvent.Action.CONFLICT).filter(member=detected).get().note == str(
        evaluation.DETECTED_REASONS["account"]
    )


def test_auto_assign_reports_applications_short_of_reviewers(competition, criteria, officer):
    members = ev.commission(competition, 2)
    first, second = ev.admitted_applications(competition, 2, officer=officer)
    evaluation.declare_conflict(
        user=members[1].user, application=second, has_conflict=True, note="Туугандык."
    )
    made, short = evaluation.auto_assign(user=officer, competition=competition)
    assert made == 3
    assert short == [second]
    assert second.reviews.get().member == members[0]
    assert first.reviews.count() == 2


@pytest.mark.parametrize("who", ["member", "outsider", "other_officer"])
def test_others_may_not_auto_assign(request, who, applications, competition):
    user = request.getfixturevalue(who)
    user = getattr(user, "user", user)
    with pytest.raises(PermissionDenied):
        evaluation.auto_assign(user=user, competition=competition)
    assert not Review.objects.exists()


def test_the_chair_may_auto_assign(applications, competition, chair):
    assert evaluation.auto_assign(user=chair.user, competition=competition)[0] == 4


def test_auto_assign_waits_for_the_deadline(competition, criteria, members, officer):
    ev.submitted_applications(competition, 1)
    error = refusal(evaluation.auto_assign, user=officer, competition=competition)
    assert error.messages == [NOT_EVALUATED]


# save_scores


def test_only_the_reviewer_saves_the_scorecard(review, members, officer, criteria):
    ev.clear(review.member, review.application)
    for user in (members[2].user, members[0].user, officer):
        with pytest.raises(PermissionDenied):
            evaluation.save_scores(
                user=user,
                review=review,
                entries=ev.entries(review.application.competition, [1, 1]),
                submit=False,
            )
    assert not Score.objects.exists()


def test_the_reviewer_declares_before_scoring(review, member):
    error = refusal(
        evaluation.save_scores,
        user=member.user,
        review=review,
        entries=ev.entries(review.application.competition, [8, 4]),
        submit=True,
    )
    assert error.messages == ["Declare first whether you have a conflict of interest."]
    assert not Score.objects.exists()


@pytest.mark.parametrize("points", [-1, 11, "11", "abc", "7.5", " "])
@pytest.mark.parametrize("submit", [False, True])
def test_points_outside_the_scale_are_refused_by_criterion(points, submit, review, criteria):
    ev.clear(review.member, review.application)
    first, second = criteria
    error = refusal(
        evaluation.save_scores,
        user=review.member.user,
        review=review,
        entries={first.pk: (points, "Негиз."), second.pk: (3, "Негиз.")},
        submit=submit,
    )
    assert list(error.message_dict) == [f"points_{first.pk}"]
    assert not Score.objects.exists()
    review.refresh_from_db()
    assert (review.status, review.total) == (Review.Status.DRAFT, None)


def test_points_above_the_maximum_of_the_second_criterion_are_refused(review, criteria):
    ev.clear(review.member, review.application)
    first, second = criteria
    error = refusal(
        evaluation.save_scores,
        user=review.member.user,
        review=review,
        entries={first.pk: (10, "Негиз."), second.pk: (6, "Негиз.")},
        submit=False,
    )
    assert error.message_dict == {
        f"points_{second.pk}": ["Points must be a whole number from 0 to 5."]
    }


def test_the_ends_of_the_scale_are_accepted(review, criteria):
    ev.score(review, [0, 5])
    review.refresh_from_db()
    assert review.total == Decimal("20.00")


def test_submitting_without_justification_changes_nothing(review, criteria):
    first, second = criteria
    ev.score(review, [6, 2], submit=False, justification="Алгачкы баа.")
    error = refusal(
        evaluation.save_scores,
        user=review.member.user,
        review=review,
        entries={first.pk: (9, "Жакшы."), second.pk: (5, "  ")},
        submit=True,
    )
    assert error.message_dict == {
        f"justification_{second.pk}": ["Justify the points in a few words."]
    }
    assert dict(Score.objects.values_list("criterion", "points")) == {first.pk: 6, second.pk: 2}
    assert set(Score.objects.values_list("justification", flat=True)) == {"Алгачкы баа."}
    review.refresh_from_db()
    assert (review.status, review.total, review.submitted_at) == (Review.Status.DRAFT, None, None)


def test_submitting_with_blank_points_is_refused(review, criteria):
    ev.clear(review.member, review.application)
    first, second = criteria
    error = refusal(
        evaluation.save_scores,
        user=review.member.user,
        review=review,
        entries={first.pk: (8, "Негиз.")},
        submit=True,
    )
    assert error.message_dict == {
        f"points_{second.pk}": ["Give the points for this criterion."],
        f"justification_{second.pk}": ["Justify the points in a few words."],
    }
    assert not Score.objects.exists()


def test_a_draft_may_leave_points_and_justifications_blank(review, criteria):
    first, second = criteria
    ev.clear(review.member, review.application)
    evaluation.save_scores(
        user=review.member.user,
        review=review,
        entries={first.pk: (7, ""), second.pk: ("", "")},
        submit=False,
    )
    assert dict(Score.objects.values_list("criterion", "points")) == {first.pk: 7, second.pk: None}
    review.refresh_from_db()
    assert (review.status, review.total) == (Review.Status.DRAFT, None)
    assert not events(EvaluationEvent.Action.REVIEW_SUBMITTED).exists()


def test_submitting_computes_the_weighted_total_of_100_and_locks(review, criteria):
    ev.score(review, [8, 3], submit=False)
    ev.score(review, [8, 3])
    review.refresh_from_db()
    # (8·2 + 3·1) / (10·2 + 5·1) × 100
    assert review.total == Decimal("76.00")
    assert review.status == Review.Status.SUBMITTED
    assert review.submitted_at is not None
    assert Score.objects.count() == 2
    event = events(EvaluationEvent.Action.REVIEW_SUBMITTED).get()
    assert (event.member, event.by) == (review.member, review.member.user)
    error = refusal(
        evaluation.save_scores,
        user=review.member.user,
        review=review,
        entries=ev.entries(review.application.competition, [10, 5]),
        submit=True,
    )
    assert error.messages == [
        "This scorecard is submitted and locked; only the chair can reopen it."
    ]
    review.refresh_from_db()
    assert review.total == Decimal("76.00")
    assert set(Score.objects.values_list("points", flat=True)) == {8, 3}


def test_no_scoring_after_the_decision(db):
    flow = ev.decided_competition()
    review = flow.reviews(flow.applications[0]).first()
    error = refusal(
        evaluation.save_scores,
        user=review.member.user,
        review=review,
        entries=ev.entries(flow.competition, [0, 0]),
        submit=False,
    )
    assert error.messages == [DECIDED]


# reopen_review


@pytest.fixture
def submitted_review(review):
    ev.score(review, [8, 4])
    review.refresh_from_db()
    return review


@pytest.mark.parametrize("who", ["officer", "member", "other_member"])
def test_only_the_chair_reopens_a_scorecard(request, who, submitted_review, members):
    user = members[2].user if who == "other_member" else request.getfixturevalue(who)
    user = getattr(user, "user", user)
    with pytest.raises(PermissionDenied):
        evaluation.reopen_review(user=user, review=submitted_review, reason="Кайра карагыла.")
    submitted_review.refresh_from_db()
    assert submitted_review.status == Review.Status.SUBMITTED


def test_reopening_needs_a_reason(submitted_review, chair):
    error = refusal(evaluation.reopen_review, user=chair.user, review=submitted_review, reason=" ")
    assert error.message_dict == {"reason": ["Give the reason for reopening the scorecard."]}
    submitted_review.refresh_from_db()
    assert submitted_review.status == Review.Status.SUBMITTED


def test_only_a_submitted_scorecard_is_reopened(review, chair):
    error = refusal(evaluation.reopen_review, user=chair.user, review=review, reason="Себеп.")
    assert error.messages == ["Only a submitted scorecard can be reopened."]


def test_the_chair_reopens_a_scorecard_for_the_reviewer_to_change(submitted_review, chair):
    evaluation.reopen_review(
        user=chair.user, review=submitted_review, reason="  Эки баа абдан айырмаланат. "
    )
    submitted_review.refresh_from_db()
    assert (submitted_review.status, submitted_review.total, submitted_review.submitted_at) == (
        Review.Status.DRAFT,
        None,
        None,
    )
    event = events(EvaluationEvent.Action.REOPENED).get()
    assert (event.note, event.by, event.member) == (
        "Эки баа абдан айырмаланат.",
        chair.user,
        submitted_review.member,
    )
    assert not permissions.may_see_other_scores(
        submitted_review.member, submitted_review.application
    )
    ev.score(submitted_review, [10, 5])
    submitted_review.refresh_from_db()
    assert submitted_review.total == Decimal("100.00")


# reduce_amount and undo_reduction


def _reduce(user, application, amount, reason="Бюджетке батыш үчүн."):
    return evaluation.reduce_amount(
        user=user,
        application=application,
        amount=None if amount is None else Decimal(amount),
        reason=reason,
    )


def test_the_officer_reduces_an_amount_with_a_reason(admitted, officer):
    assert admitted.requested_total == Decimal("85000")
    reduction = _reduce(officer, admitted, "60000", "  Бюджетке батыш үчүн. ")
    assert (reduction.amount, reduction.reason, reduction.set_by) == (
        Decimal("60000"),
        "Бюджетке батыш үчүн.",
        officer,
    )
    assert events(EvaluationEvent.Action.AMOUNT_REDUCED).get().note == "60000: Бюджетке батыш үчүн."
    # A second reduction replaces the first.
    _reduce(officer, admitted, "70000")
    assert AmountReduction.objects.get().amount == Decimal("70000")
    (candidate,) = [
        c for c in evaluation.candidates(admitted.competition) if c.application_id == admitted.pk
    ]
    assert (candidate.requested, candidate.reduced_to, candidate.amount) == (
        Decimal("85000"),
        Decimal("70000"),
        Decimal("70000"),
    )


def test_the_minimum_grant_itself_is_allowed(admitted, officer):
    assert admitted.competition.min_grant == Decimal("50000")
    assert _reduce(officer, admitted, "50000").amount == Decimal("50000")


@pytest.mark.parametrize("who", ["chair", "member", "other_officer", "outsider"])
def test_only_the_officer_reduces(request, who, admitted):
    user = request.getfixturevalue(who)
    user = getattr(user, "user", user)
    with pytest.raises(PermissionDenied):
        _reduce(user, admitted, "60000")
    assert not AmountReduction.objects.exists()


def test_a_reduction_needs_a_reason(admitted, officer):
    error = refusal(
        evaluation.reduce_amount,
        user=officer,
        application=admitted,
        amount=Decimal("60000"),
        reason="  ",
    )
    assert error.message_dict == {"reason": ["Give the reason for reducing the amount."]}
    assert not AmountReduction.objects.exists()


@pytest.mark.parametrize("amount", [None, "0", "-1", "85000", "85000.01", "100000"])
def test_the_reduced_amount_is_more_than_0_and_less_than_requested(amount, admitted, officer):
    with translation.override("en"), pytest.raises(ServiceError) as error:
        _reduce(officer, admitted, amount)
    assert list(error.value.message_dict) == ["amount"]
    assert error.value.message_dict["amount"][0].startswith(
        "The reduced amount must be more than 0 and less than the 85000"
    )
    assert not AmountReduction.objects.exists()


def test_the_reduced_amount_is_at_least_the_minimum_grant(admitted, officer):
    with translation.override("en"), pytest.raises(ServiceError) as error:
        _reduce(officer, admitted, "49999.99")
    assert error.value.message_dict == {
        "amount": ["The amount cannot be less than the minimum grant of 50000.00 som."]
    }
    assert not AmountReduction.objects.exists()


def test_only_admitted_applications_are_reduced(competition, criteria, officer):
    (application,) = ev.submitted_applications(competition, 1)
    close(competition)
    ev.admit([application], officer=officer, admit=False)
    application.refresh_from_db()
    error = refusal(
        evaluation.reduce_amount,
        user=officer,
        application=application,
        amount=Decimal("60000"),
        reason="Себеп.",
    )
    assert error.messages == [ONLY_ADMITTED]


def test_undoing_a_reduction(admitted, officer):
    _reduce(officer, admitted, "60000")
    evaluation.undo_reduction(user=officer, application=admitted)
    assert not AmountReduction.objects.exists()
    assert events(EvaluationEvent.Action.REDUCTION_UNDONE).get().by == officer
    error = refusal(evaluation.undo_reduction, user=officer, application=admitted)
    assert error.messages == ["The amount of this application was not reduced."]


@pytest.mark.parametrize("who", ["chair", "member", "other_officer"])
def test_only_the_officer_undoes_a_reduction(request, who, admitted, officer):
    _reduce(officer, admitted, "60000")
    user = request.getfixturevalue(who)
    user = getattr(user, "user", user)
    with pytest.raises(PermissionDenied):
        evaluation.undo_reduction(user=user, application=admitted)
    assert AmountReduction.objects.exists()


# The ranking as the database gives it


def test_candidates_break_a_tie_on_the_heaviest_criterion_whatever_its_order(competition, officer):
    # The heavier criterion comes second in the competition's order.
    ev.criteria(competition, ((5, "1.00"), (10, "2.00")))
    members = ev.commission(competition, 2)
    earlier, later = ev.admitted_applications(competition, 2, officer=officer)
    evaluation.auto_assign(user=officer, competition=competition)
    for review in Review.objects.filter(application=earlier):
        ev.score(review, [4, 8])  # 80, heavy criterion at 0.8
    for review in Review.objects.filter(application=later):
        ev.score(review, [0, 10])  # 80, heavy criterion at 1.0
    placements = evaluation.preview(Competition.objects.get(pk=competition.pk))
    assert [(p.candidate.application_id, p.score, p.rank) for p in placements] == [
        (later.pk, Decimal("80.00"), 1),
        (earlier.pk, Decimal("80.00"), 2),
    ]
    candidate = next(c for c in evaluation.candidates(competition) if c.application_id == later.pk)
    assert candidate.criterion_shares == [Decimal(1), Decimal(0)]
    assert candidate.submitted_at == later.current_version.submitted_at
    assert len(members) == 2


def test_pending_reviews_are_the_unsubmitted_ones_of_admitted_applications(review, applications):
    other = ev.assign(
        applications[1],
        [ev.commission(review.application.competition, 1)[0]],
        by=ev.officer_of(review.application.competition),
    )[0]
    ev.score(other, [1, 1])
    assert list(evaluation.pending_reviews(review.application.competition)) == [review]


# Blind scoring and who reads what


def test_a_reviewer_sees_the_others_scores_only_after_submitting_their_own(
    admitted, members, officer
):
    mine, theirs = ev.assign(admitted, members[1:], by=officer)
    ev.score(theirs, [10, 5])
    assert not permissions.may_see_other_scores(mine.member, admitted)
    ev.score(mine, [5, 5], submit=False)
    assert not permissions.may_see_other_scores(mine.member, admitted)
    ev.score(mine, [5, 5])
    assert permissions.may_see_other_scores(mine.member, admitted)
    # Submitting on one application opens nothing on another.
    assert not permissions.may_see_other_scores(
        mine.member, Application.objects.exclude(pk=admitted.pk).get()
    )


def test_a_member_reads_an_application_only_after_declaring_no_conflict(applications, members):
    first, second = applications
    reader, recused = members[1], members[2]
    assert not permissions.can_view_application(reader.user, first)
    assert not permissions.can_view_application(recused.user, first)
    evaluation.declare_conflict(user=reader.user, application=first, has_conflict=False)
    evaluation.declare_conflict(
        user=recused.user, application=first, has_conflict=True, note="Туугандык."
    )
    assert permissions.can_view_application(reader.user, first)
    assert not permissions.can_view_application(recused.user, first)
    # One declaration opens one application.
    assert not permissions.can_view_application(reader.user, second)


def test_officers_read_submitted_applications_after_the_deadline_only(
    competition, officer, other_officer
):
    (application,) = ev.submitted_applications(competition, 1)
    assert not permissions.can_view_application(officer, application)
    close(competition)
    application = Application.objects.get(pk=application.pk)
    assert permissions.can_view_application(officer, application)
    assert not permissions.can_view_application(other_officer, application)


def test_a_member_of_another_commission_reads_nothing(applications, state_body):
    elsewhere = ev.commission(open_competition(state_body=state_body), 1)[0]
    assert not permissions.can_view_application(elsewhere.user, applications[0])


def test_an_officer_of_the_customer_is_not_a_commission_member(applications, officer):
    assert permissions.commission_seat(officer, applications[0].competition) is None
    assert permissions.can_manage_evaluation(officer, applications[0].competition)
    assert not permissions.is_chair(officer, applications[0].competition)
