import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import OutboundEmail, StateBody
from competitions import services
from competitions.forms import CompetitionForm
from competitions.models import (
    Amendment,
    Clarification,
    CommissionMember,
    Competition,
    Follow,
    StatusChange,
)
from tests.factories import OfficerFactory, UserFactory, region

from .factories import (
    ClarificationFactory,
    CommissionMemberFactory,
    CompetitionFactory,
    CriterionFactory,
    FollowFactory,
    in_days,
)
from .helpers import competition_data, pattern, tr

THIS_YEAR = timezone.localdate().year


def messages_of(excinfo) -> list[str]:
    return [str(message) for message in excinfo.value.messages]


# Reference numbers


def test_first_reference_of_a_year_is_0001(db):
    assert services.next_reference(2031) == "SSO-2031-0001"


def test_references_increment_within_the_year_only(db):
    CompetitionFactory(reference="SSO-2031-0007")
    CompetitionFactory(reference="SSO-2031-0012")
    CompetitionFactory(reference="SSO-2032-0099")
    CompetitionFactory(reference="SSO-2031-DRAFT")
    assert services.next_reference(2031) == "SSO-2031-0013"
    assert services.next_reference(2032) == "SSO-2032-0100"


def test_references_are_unique_in_the_database(db):
    CompetitionFactory(reference="SSO-2031-0001")
    with pytest.raises(IntegrityError), transaction.atomic():
        CompetitionFactory(reference="SSO-2031-0001")


def _create(user, state_body, **overrides):
    form = CompetitionForm(
        competition_data(state_body=state_body, regions=[region("KG-GB")], **overrides),
        state_bodies=StateBody.objects.all(),
    )
    assert form.is_valid(), form.errors
    return services.create_competition(user=user, form=form)


def test_created_drafts_get_readable_increasing_references(officer, state_body):
    first = _create(officer, state_body)
    second = _create(officer, state_body)
    assert re.fullmatch(rf"SSO-{THIS_YEAR}-\d{{4}}", first.reference)
    assert first.reference != second.reference
    assert int(second.reference[-4:]) == int(first.reference[-4:]) + 1
    assert (first.status, first.created_by) == (Competition.Status.DRAFT, officer)
    assert list(first.regions.all()) == [region("KG-GB")]


def test_creating_retries_the_next_number_when_another_officer_took_it(
    officer, state_body, monkeypatch
):
    taken = CompetitionFactory(reference=f"SSO-{THIS_YEAR}-0001")
    numbers = iter([taken.reference, f"SSO-{THIS_YEAR}-0002"])
    monkeypatch.setattr(services, "next_reference", lambda year: next(numbers))
    competition = _create(officer, state_body)
    assert competition.reference == f"SSO-{THIS_YEAR}-0002"


def test_officer_of_another_body_cannot_create_for_it(other_officer, state_body):
    with pytest.raises(PermissionDenied):
        _create(other_officer, state_body)
    assert not Competition.objects.exists()


# Publishing


def test_publishing_freezes_the_draft_and_records_the_officer(draft, officer):
    services.publish_competition(competition=draft, user=officer)
    draft.refresh_from_db()
    assert draft.status == Competition.Status.PUBLISHED
    assert draft.published_at is not None
    assert draft.announced_on == timezone.localdate()
    assert draft.is_frozen
    [change] = StatusChange.objects.filter(competition=draft)
    assert (change.from_status, change.to_status, change.changed_by) == (
        "draft",
        "published",
        officer,
    )


@pytest.mark.parametrize("user", ["other_officer", "nco_member", "outsider"])
def test_only_officers_of_the_body_publish(draft, user, request):
    with pytest.raises(PermissionDenied):
        services.publish_competition(competition=draft, user=request.getfixturevalue(user))
    draft.refresh_from_db()
    assert draft.status == Competition.Status.DRAFT


def test_only_a_draft_is_published(published, officer):
    with pytest.raises(services.ServiceError) as excinfo:
        services.publish_competition(competition=published, user=officer)
    assert messages_of(excinfo) == [tr("Only a draft can be published.")]


def _refused(competition, officer):
    with pytest.raises(services.ServiceError) as excinfo:
        services.publish_competition(competition=competition, user=officer)
    competition.refresh_from_db()
    assert competition.status == Competition.Status.DRAFT
    assert competition.published_at is None
    assert not StatusChange.objects.filter(competition=competition).exists()
    return messages_of(excinfo)


def test_publishing_is_refused_with_a_past_deadline(draft, officer):
    Competition.objects.filter(pk=draft.pk).update(deadline=in_days(-1))
    assert _refused(draft, officer) == [tr("The deadline is in the past.")]


def test_publishing_is_refused_with_a_deadline_too_soon(draft, officer, settings):
    settings.MIN_APPLICATION_DAYS = 20
    Competition.objects.filter(pk=draft.pk).update(deadline=in_days(19))
    [problem] = _refused(draft, officer)
    msgid = "The deadline must be at least %(days)d days after publication, not before %(date)s."
    assert pattern(msgid).fullmatch(problem)
    assert " 20 " in problem


def test_minimum_application_window_comes_from_settings(draft, officer, settings):
    settings.MIN_APPLICATION_DAYS = 5
    Competition.objects.filter(pk=draft.pk).update(deadline=in_days(6))
    services.publish_competition(competition=draft, user=officer)
    draft.refresh_from_db()
    assert draft.status == Competition.Status.PUBLISHED


def test_publishing_is_refused_without_criteria(draft, officer):
    draft.criteria.all().delete()
    assert _refused(draft, officer) == [tr("Add at least one evaluation criterion.")]


def test_publishing_is_refused_without_regions(draft, officer):
    draft.regions.clear()
    assert _refused(draft, officer) == [tr("Choose at least one region the competition covers.")]


def test_publishing_is_refused_without_the_russian_title(draft, officer):
    Competition.objects.filter(pk=draft.pk).update(title_ru="")
    [problem] = _refused(draft, officer)
    assert problem.startswith(tr("The %(field)s in %(language)s is missing.").split("%")[0])


def test_publishing_lists_every_problem_at_once(officer, state_body):
    competition = CompetitionFactory(state_body=state_body, deadline=in_days(-1), regions=[])
    problems = _refused(competition, officer)
    assert tr("The deadline is in the past.") in problems
    assert tr("Add at least one evaluation criterion.") in problems
    assert tr("Choose at least one region the competition covers.") in problems


def test_problems_cover_terms_the_database_would_refuse(draft):
    # The constraints stop such rows; the check still names them for an unsaved draft.
    draft.max_grant = Decimal(10)
    draft.own_contribution_percent = Decimal(101)
    problems = services.publication_problems(draft)
    assert tr("The maximum grant is below the minimum grant.") in problems
    assert tr("The own contribution must be between 0 and 100 percent.") in problems
    draft.max_grant = draft.total_budget + 1
    assert tr("The maximum grant is above the total budget.") in services.publication_problems(
        draft
    )


# Extending the deadline


def test_extending_moves_the_deadline_and_publishes_an_amendment(
    published, officer, django_capture_on_commit_callbacks
):
    old = published.deadline
    new = old + datetime.timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        amendment = services.extend_deadline(
            competition=published, user=officer, new_deadline=new, note="  Сурамжылоо боюнча.  "
        )
    published.refresh_from_db()
    assert published.deadline == new
    assert (amendment.kind, amendment.note) == ("deadline", "Сурамжылоо боюнча.")
    assert (amendment.old_deadline, amendment.new_deadline, amendment.created_by) == (
        old,
        new,
        officer,
    )
    assert amendment.notified_at is None
    assert len(callbacks) == 1


def test_a_published_deadline_cannot_be_shortened(published, officer):
    old = published.deadline
    for new in (old, old - datetime.timedelta(days=1)):
        with pytest.raises(services.ServiceError) as excinfo:
            services.extend_deadline(
                competition=published, user=officer, new_deadline=new, note="Эрте."
            )
        assert messages_of(excinfo) == [
            tr("A published deadline can only be extended, not shortened.")
        ]
    published.refresh_from_db()
    assert published.deadline == old
    assert not Amendment.objects.exists()


def test_an_extension_must_end_in_the_future(state_body, officer):
    competition = CompetitionFactory(state_body=state_body, published=True, deadline=in_days(-3))
    with pytest.raises(services.ServiceError):
        services.extend_deadline(
            competition=competition, user=officer, new_deadline=in_days(-1), note="Кеч."
        )
    assert not Amendment.objects.exists()


def test_an_extension_needs_a_note(published, officer):
    with pytest.raises(services.ServiceError) as excinfo:
        services.extend_deadline(
            competition=published,
            user=officer,
            new_deadline=published.deadline + datetime.timedelta(days=1),
            note="   ",
        )
    assert messages_of(excinfo) == [tr("Explain the extension in a public note.")]
    assert not Amendment.objects.exists()


@pytest.mark.parametrize("state", ["draft", "evaluation", "cancelled"])
def test_only_an_open_competition_is_extended(state, state_body, officer):
    competition = CompetitionFactory(
        state_body=state_body, **({state: True} if state != "draft" else {})
    )
    with pytest.raises(services.ServiceError):
        services.extend_deadline(
            competition=competition,
            user=officer,
            new_deadline=competition.deadline + datetime.timedelta(days=30),
            note="Узартылды.",
        )
    assert not Amendment.objects.exists()


def test_officer_of_another_body_cannot_extend(published, other_officer):
    with pytest.raises(PermissionDenied):
        services.extend_deadline(
            competition=published,
            user=other_officer,
            new_deadline=published.deadline + datetime.timedelta(days=1),
            note="Узартылды.",
        )


# Cancelling


def test_cancelling_a_published_competition_is_announced(
    published, officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        amendment = services.cancel_competition(
            competition=published, user=officer, reason=" Бюджет кыскарды. "
        )
    published.refresh_from_db()
    assert (published.status, published.cancel_reason) == ("cancelled", "Бюджет кыскарды.")
    assert (amendment.kind, amendment.note) == ("cancelled", "Бюджет кыскарды.")
    change = StatusChange.objects.get(competition=published)
    assert (change.from_status, change.to_status, change.changed_by, change.note) == (
        "published",
        "cancelled",
        officer,
        "Бюджет кыскарды.",
    )
    assert len(callbacks) == 1


def test_cancelling_a_draft_emails_nobody(draft, officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.cancel_competition(competition=draft, user=officer, reason="Кайра жазабыз.")
    draft.refresh_from_db()
    assert draft.status == Competition.Status.CANCELLED
    assert callbacks == []


def test_cancelling_needs_a_reason(published, officer):
    with pytest.raises(services.ServiceError) as excinfo:
        services.cancel_competition(competition=published, user=officer, reason=" ")
    assert messages_of(excinfo) == [tr("Give the public reason for the cancellation.")]
    published.refresh_from_db()
    assert published.status == Competition.Status.PUBLISHED
    assert not Amendment.objects.exists()


def test_a_competition_in_evaluation_cannot_be_cancelled(state_body, officer):
    competition = CompetitionFactory(state_body=state_body, evaluation=True)
    with pytest.raises(services.ServiceError):
        services.cancel_competition(competition=competition, user=officer, reason="Жок.")
    competition.refresh_from_db()
    assert competition.status == Competition.Status.EVALUATION
    assert not Amendment.objects.exists()


def test_officer_of_another_body_cannot_cancel(published, other_officer):
    with pytest.raises(PermissionDenied):
        services.cancel_competition(competition=published, user=other_officer, reason="Жок.")
    published.refresh_from_db()
    assert published.status == Competition.Status.PUBLISHED


# Notices of amendments


def _amendment(competition, officer):
    return services.extend_deadline(
        competition=competition,
        user=officer,
        new_deadline=competition.deadline + datetime.timedelta(days=5),
        note="Узартылды.",
    )


def test_amendment_notice_goes_to_active_followers_once(published, officer):
    FollowFactory(competition=published, user=UserFactory(language="ru"))
    FollowFactory(competition=published, user=UserFactory(language="ky"))
    FollowFactory(competition=published, user=UserFactory(is_active=False))
    FollowFactory(user=UserFactory())  # follows another competition
    amendment = _amendment(published, officer)

    assert services.notify_amendment(amendment.pk) == 2
    amendment.refresh_from_db()
    assert amendment.notified_at is not None
    assert services.notify_amendment(amendment.pk) == 0
    assert OutboundEmail.objects.filter(template="emails/competitions/amendment").count() == 2
    assert sorted(OutboundEmail.objects.values_list("language", flat=True)) == ["ky", "ru"]


def test_unnotified_amendments_wait_for_the_sweep(published, officer):
    amendment = _amendment(published, officer)
    assert services.unnotified_amendment_ids() == []
    Amendment.objects.filter(pk=amendment.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    assert services.unnotified_amendment_ids() == [amendment.pk]
    services.notify_amendment(amendment.pk)
    assert services.unnotified_amendment_ids() == []


# Deadlines passing


def test_passed_deadlines_move_only_published_competitions(state_body):
    due = CompetitionFactory(state_body=state_body, published=True, deadline=in_days(-1))
    open_ = CompetitionFactory(state_body=state_body, published=True)
    draft = CompetitionFactory(state_body=state_body, deadline=in_days(-1))
    cancelled = CompetitionFactory(state_body=state_body, cancelled=True, deadline=in_days(-1))

    assert services.close_passed_deadlines() == 1
    statuses = dict(Competition.objects.values_list("pk", "status"))
    assert statuses == {
        due.pk: "evaluation",
        open_.pk: "published",
        draft.pk: "draft",
        cancelled.pk: "cancelled",
    }
    change = StatusChange.objects.get()
    assert (change.competition, change.from_status, change.to_status, change.changed_by) == (
        due,
        "published",
        "evaluation",
        None,
    )
    assert services.close_passed_deadlines() == 0


def test_closing_uses_the_given_moment(published):
    assert services.close_passed_deadlines(now=published.deadline - datetime.timedelta(1)) == 0
    assert services.close_passed_deadlines(now=published.deadline) == 1


def test_transitions_not_in_the_table_are_refused(published):
    with pytest.raises(services.ServiceError):
        services.change_status(published, Competition.Status.CLOSED)
    assert not StatusChange.objects.exists()


# Clarifications


def test_nco_member_asks_while_the_competition_is_open(published, nco_member, organization):
    clarification = services.ask_clarification(
        competition=published, user=nco_member, question="  Өз салымы канча?  "
    )
    assert (clarification.question, clarification.asked_by, clarification.organization) == (
        "Өз салымы канча?",
        nco_member,
        organization,
    )
    assert clarification.answer == ""


@pytest.mark.parametrize("user", ["outsider", "officer"])
def test_only_nco_members_ask(published, user, request):
    with pytest.raises(PermissionDenied):
        services.ask_clarification(
            competition=published, user=request.getfixturevalue(user), question="Суроо?"
        )
    assert not Clarification.objects.exists()


def test_questions_after_the_deadline_are_refused(state_body, nco_member):
    # Published but the deadline passed: refused even before the beat task runs.
    competition = CompetitionFactory(state_body=state_body, published=True, deadline=in_days(-1))
    with pytest.raises(services.ServiceError) as excinfo:
        services.ask_clarification(competition=competition, user=nco_member, question="Кеч?")
    assert messages_of(excinfo) == [tr("Questions are taken only until the deadline.")]
    assert not Clarification.objects.exists()


def test_an_empty_question_is_refused(published, nco_member):
    with pytest.raises(services.ServiceError) as excinfo:
        services.ask_clarification(competition=published, user=nco_member, question="  ")
    assert messages_of(excinfo) == [tr("Write your question.")]


def test_answering_publishes_and_tells_the_asker_once(published, officer):
    asker = UserFactory(language="ru")
    clarification = ClarificationFactory(competition=published, asked_by=asker)
    services.answer_clarification(clarification=clarification, user=officer, answer=" Ооба. ")
    clarification.refresh_from_db()
    assert (clarification.answer, clarification.answered_by) == ("Ооба.", officer)
    assert clarification.answered_at is not None
    [email] = OutboundEmail.objects.all()
    assert (email.to, email.language) == (asker.email, "ru")
    assert published.reference in email.subject

    services.answer_clarification(clarification=clarification, user=officer, answer="Ооба, 10%.")
    assert OutboundEmail.objects.count() == 1


def test_answer_to_a_deleted_asker_emails_nobody(published, officer):
    clarification = ClarificationFactory(competition=published, asked_by=None)
    services.answer_clarification(clarification=clarification, user=officer, answer="Ооба.")
    assert not OutboundEmail.objects.exists()


def test_an_empty_answer_is_refused(published, officer):
    clarification = ClarificationFactory(competition=published)
    with pytest.raises(services.ServiceError) as excinfo:
        services.answer_clarification(clarification=clarification, user=officer, answer=" ")
    assert messages_of(excinfo) == [tr("Write the answer.")]


def test_officer_of_another_body_cannot_answer(published, other_officer):
    clarification = ClarificationFactory(competition=published)
    with pytest.raises(PermissionDenied):
        services.answer_clarification(
            clarification=clarification, user=other_officer, answer="Ооба."
        )
    clarification.refresh_from_db()
    assert clarification.answer == ""


# Commission


def _appoint(competition, officer, email, role=CommissionMember.Role.MEMBER, voting=True):
    return services.appoint_commission_member(
        competition=competition,
        user=officer,
        email=email,
        full_name="",
        role=role,
        voting=voting,
    )


def test_an_existing_user_is_linked_at_once_and_emailed(published, officer):
    expert = UserFactory(email="expert@example.org", language="ru", first_name="Гүл")
    member = _appoint(published, officer, " Expert@Example.org ")
    assert (member.user, member.email, member.voting) == (expert, "Expert@Example.org", True)
    assert member.full_name == expert.display_name
    [email] = OutboundEmail.objects.all()
    assert (email.to, email.language) == ("Expert@Example.org", "ru")
    assert "/ru/commissions/" in email.body_text


def test_an_unknown_address_is_invited_to_sign_up(published, officer):
    member = _appoint(published, officer, "new.expert@example.org")
    assert member.user is None
    assert member.full_name == "new.expert@example.org"
    [email] = OutboundEmail.objects.all()
    assert "/accounts/signup/" in email.body_text


def test_the_same_address_is_appointed_once(published, officer):
    _appoint(published, officer, "expert@example.org")
    with pytest.raises(services.ServiceError) as excinfo:
        _appoint(published, officer, "EXPERT@example.org")
    assert messages_of(excinfo) == [tr("This person is already on the commission.")]
    assert CommissionMember.objects.count() == 1


def test_an_observer_never_votes(published, officer):
    member = _appoint(published, officer, "observer@example.org", role="observer", voting=True)
    assert member.voting is False


def test_commission_of_a_cancelled_competition_is_fixed(state_body, officer):
    competition = CompetitionFactory(state_body=state_body, cancelled=True)
    member = CommissionMemberFactory(competition=competition)
    with pytest.raises(services.ServiceError):
        _appoint(competition, officer, "late@example.org")
    with pytest.raises(services.ServiceError):
        services.remove_commission_member(member=member, user=officer)
    assert CommissionMember.objects.filter(pk=member.pk).exists()


def test_officer_of_another_body_cannot_change_the_commission(published, other_officer):
    member = CommissionMemberFactory(competition=published)
    with pytest.raises(PermissionDenied):
        _appoint(published, other_officer, "x@example.org")
    with pytest.raises(PermissionDenied):
        services.remove_commission_member(member=member, user=other_officer)
    assert list(CommissionMember.objects.all()) == [member]


def test_officer_removes_a_member(published, officer):
    member = CommissionMemberFactory(competition=published)
    services.remove_commission_member(member=member, user=officer)
    assert not CommissionMember.objects.exists()


def test_seats_are_claimed_with_a_confirmed_address_only(published, officer):
    _appoint(published, officer, "Later@Example.org")
    unconfirmed = UserFactory(email="later@example.org", verified=False)
    assert services.claim_commission_seats(user=unconfirmed) == 0
    assert CommissionMember.objects.get().user is None

    unconfirmed.emailaddress_set.create(email="later@example.org", verified=True, primary=True)
    assert services.claim_commission_seats(user=unconfirmed) == 1
    assert CommissionMember.objects.get().user == unconfirmed


# Following


def test_nco_member_follows_once_and_unfollows(published, nco_member):
    services.follow(competition=published, user=nco_member)
    services.follow(competition=published, user=nco_member)
    assert Follow.objects.filter(competition=published, user=nco_member).count() == 1
    services.unfollow(competition=published, user=nco_member)
    assert not Follow.objects.exists()


def test_a_user_outside_any_nco_cannot_follow(published, outsider, officer):
    for user in (outsider, officer):
        with pytest.raises(PermissionDenied):
            services.follow(competition=published, user=user)
    assert not Follow.objects.exists()


def test_a_draft_cannot_be_followed(draft, nco_member):
    with pytest.raises(PermissionDenied):
        services.follow(competition=draft, user=nco_member)


def test_criteria_with_a_non_positive_weight_are_refused_by_the_database(draft):
    with pytest.raises(IntegrityError), transaction.atomic():
        CriterionFactory(competition=draft, weight=Decimal(0))


def test_second_officer_of_the_body_may_act(draft, state_body):
    colleague = OfficerFactory(state_body=state_body).user
    services.publish_competition(competition=draft, user=colleague)
    assert StatusChange.objects.get().changed_by == colleague
