"""The services of grants: every state change and each of its guards."""

import datetime
import hashlib
import json
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from accounts.models import OutboundEmail
from grants import services, tasks
from grants.forms import ActivityFormSet, ApplicationForm, BudgetFormSet, ResultFormSet
from grants.models import Application, ApplicationEvent, ApplicationVersion, Attachment
from tests.competitions.factories import ChecklistItemFactory, CompetitionFactory
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

from .factories import (
    ActivityFactory,
    ApplicationFactory,
    ApplicationVersionFactory,
    AttachmentFactory,
    BudgetLineFactory,
    open_competition,
)
from .helpers import (
    DEADLINE_PASSED,
    application_data,
    budget_row,
    close,
    pdf_bytes,
    png_bytes,
    upload,
)

FAKE_PDF = b"%PDF-1.4 receipt"


def english(error) -> list[str]:
    return list(error.messages)


# start_application


@pytest.mark.parametrize("member", ["applicant", "editor"])
def test_a_member_starts_a_draft_with_the_competitions_regions(
    request, member, organization, competition
):
    user = request.getfixturevalue(member)
    application = services.start_application(
        user=user, organization=organization, competition=competition
    )
    assert application.status == Application.Status.DRAFT
    assert application.created_by == user
    assert application.reference is None
    assert set(application.regions.all()) == set(competition.regions.all())


@pytest.mark.parametrize("user", ["outsider", "other_member", "officer"])
def test_only_members_of_the_organisation_may_start(request, user, organization, competition):
    with pytest.raises(PermissionDenied):
        services.start_application(
            user=request.getfixturevalue(user), organization=organization, competition=competition
        )
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    "make",
    [
        lambda body: close(open_competition(state_body=body)),
        lambda body: CompetitionFactory(state_body=body),
        lambda body: CompetitionFactory(state_body=body, cancelled=True),
        lambda body: CompetitionFactory(state_body=body, evaluation=True),
    ],
    ids=["deadline-passed", "unpublished", "cancelled", "evaluation"],
)
def test_a_competition_that_is_not_open_takes_no_applications(
    make, state_body, applicant, organization
):
    with translation.override("en"), pytest.raises(services.ServiceError) as error:
        services.start_application(
            user=applicant, organization=organization, competition=make(state_body)
        )
    assert english(error.value) == ["This competition does not accept applications now."]
    assert not Application.objects.exists()


def test_an_incomplete_organisation_profile_cannot_start(competition):
    incomplete = OrganizationFactory(people=False)
    user = MembershipFactory(organization=incomplete).user
    with translation.override("en"), pytest.raises(services.ServiceError) as error:
        services.start_application(user=user, organization=incomplete, competition=competition)
    assert "Complete the organisation profile first" in english(error.value)[0]
    assert not Application.objects.exists()


def test_an_organisation_applies_once_to_a_competition(
    applicant, editor, organization, competition
):
    first = services.start_application(
        user=applicant, organization=organization, competition=competition
    )
    with translation.override("en"), pytest.raises(services.ServiceError) as error:
        services.start_application(user=editor, organization=organization, competition=competition)
    assert english(error.value) == [
        "Your organisation already has an application to this competition."
    ]
    assert list(Application.objects.all()) == [first]


def test_the_database_keeps_one_application_per_organisation_and_competition(application):
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(
            competition=application.competition, organization=application.organization
        )


def test_the_same_organisation_may_apply_to_another_competition(applicant, application):
    other = open_competition(state_body=application.competition.state_body)
    services.start_application(
        user=applicant, organization=application.organization, competition=other
    )
    assert Application.objects.count() == 2


# save_draft


def _forms(application, data):
    form = ApplicationForm(data, instance=application)
    formsets = [
        ActivityFormSet(data, instance=application, prefix="activities"),
        ResultFormSet(data, instance=application, prefix="results"),
        BudgetFormSet(data, instance=application, prefix="budget"),
    ]
    assert form.is_valid(), form.errors
    assert all(f.is_valid() for f in formsets), [f.errors for f in formsets]
    return form, formsets


def test_save_draft_saves_every_section_and_recomputes_the_totals(
    applicant, competition, organization
):
    application = ApplicationFactory(competition=competition, organization=organization)
    data = application_data(
        application,
        budget=[
            budget_row(),
            budget_row(
                quantity="1",
                unit_cost="3000",
                requested="0",
                own_contribution="1000",
                cofinancing="2000",
            ),
        ],
    )
    form, formsets = _forms(application, data)
    services.save_draft(user=applicant, form=form, formsets=formsets)
    application.refresh_from_db()
    assert application.title == data["title"]
    assert application.activities.count() == 1
    assert application.results.count() == 1
    assert application.budget_lines.count() == 2
    assert application.requested_total == Decimal("80000")
    assert application.own_total == Decimal("21000")
    assert application.cofinancing_total == Decimal("2000")
    assert application.project_total == Decimal("103000")


@pytest.mark.parametrize("user", ["outsider", "other_member", "officer"])
def test_save_draft_is_for_the_organisations_members_only(request, user, application):
    form, formsets = _forms(application, application_data(application, title="Бузулган"))
    with pytest.raises(PermissionDenied):
        services.save_draft(user=request.getfixturevalue(user), form=form, formsets=formsets)
    application.refresh_from_db()
    assert application.title != "Бузулган"
    assert application.budget_lines.count() == 1


def test_save_draft_is_refused_after_the_deadline(applicant, application):
    form, formsets = _forms(application, application_data(application, title="Кеч"))
    close(application.competition)
    with translation.override("en"), pytest.raises(services.ServiceError) as error:
        services.save_draft(user=applicant, form=form, formsets=formsets)
    assert english(error.value) == [DEADLINE_PASSED]
    application.refresh_from_db()
    assert application.title != "Кеч"
    assert application.budget_lines.count() == 1


# submission_problems


def problems_of(application) -> dict:
    application.refresh_from_db()
    with translation.override("en"):
        return services.submission_problems(application)


def test_a_complete_application_has_no_problems(application):
    assert problems_of(application) == {}


@pytest.mark.parametrize("field", services.REQUIRED_FIELDS)
def test_every_section_is_required_to_submit(application, field):
    value = None if field in {"beneficiaries", "start_date", "end_date"} else ""
    Application.objects.filter(pk=application.pk).update(**{field: value})
    problems = problems_of(application)
    assert problems[field] == ["This field is required to submit."]


def test_at_least_one_region_is_required(application):
    application.regions.clear()
    assert problems_of(application) == {"regions": ["Choose at least one region."]}


def test_the_project_cannot_end_before_it_starts(application):
    Application.objects.filter(pk=application.pk).update(end_date=datetime.date(2026, 2, 1))
    problems = problems_of(application)
    assert "The project cannot end before it starts." in problems["end_date"]


@pytest.mark.parametrize(
    ("end", "months"),
    [(datetime.date(2026, 3, 31), 1), (datetime.date(2028, 2, 29), 24)],
    ids=["too-short", "too-long"],
)
def test_the_duration_must_be_within_the_competitions_range(application, end, months):
    Application.objects.filter(pk=application.pk).update(end_date=end)
    application.activities.update(end=datetime.date(2026, 3, 31))
    assert problems_of(application) == {
        "end_date": [f"The project lasts {months} months; this competition allows 3 to 12."]
    }


@pytest.mark.parametrize(
    ("end", "months"), [(datetime.date(2026, 5, 31), 3), (datetime.date(2027, 2, 28), 12)]
)
def test_the_shortest_and_longest_durations_are_allowed(application, end, months):
    assert services.duration_months(application.start_date, end) == months
    Application.objects.filter(pk=application.pk).update(end_date=end)
    assert problems_of(application) == {}


def test_at_least_one_activity_is_required(application):
    application.activities.all().delete()
    assert problems_of(application) == {"activities": ["Add at least one activity."]}


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (datetime.date(2026, 2, 1), datetime.date(2026, 4, 1)),
        (datetime.date(2026, 8, 1), datetime.date(2026, 9, 30)),
    ],
    ids=["before-start", "after-end"],
)
def test_activities_must_be_within_the_project(application, start, end):
    ActivityFactory(application=application, start=start, end=end)
    assert problems_of(application) == {
        "activities": ["Every activity must take place between the project's start and end."]
    }


def test_at_least_one_result_is_required(application):
    application.results.all().delete()
    assert problems_of(application) == {
        "results": ["Add at least one expected result with its indicator."]
    }


def test_at_least_one_budget_line_is_required(application):
    application.budget_lines.all().delete()
    services.recompute_totals(application)
    assert problems_of(application) == {"budget": ["Add at least one budget line."]}


def test_the_parts_of_a_line_must_add_up_to_quantity_times_unit_cost(application):
    BudgetLineFactory(
        application=application,
        description="Жол кире",
        quantity=Decimal("2"),
        unit_cost=Decimal("1000"),
        requested=Decimal("1000"),
        own_contribution=Decimal("500"),
    )
    services.recompute_totals(application)
    assert problems_of(application)["budget"] == [
        "Line “Жол кире”: the grant, own contribution and co-financing must add up "
        "to quantity × unit cost (2000.00 som)."
    ]


@pytest.mark.parametrize(
    ("requested", "own"),
    [(Decimal("40000"), Decimal("10000")), (Decimal("250000"), Decimal("50000"))],
    ids=["below-minimum", "above-maximum"],
)
def test_the_grant_requested_must_be_within_the_competitions_range(application, requested, own):
    application.budget_lines.update(
        quantity=1, unit_cost=requested + own, requested=requested, own_contribution=own
    )
    services.recompute_totals(application)
    assert problems_of(application) == {
        "budget": [
            f"The grant requested ({requested:.2f} som) must be between 50000.00 and 200000.00 som."
        ]
    }


def test_the_own_contribution_must_reach_the_required_share(application):
    application.budget_lines.update(requested=Decimal("95000"), own_contribution=Decimal("5000"))
    services.recompute_totals(application)
    assert problems_of(application) == {
        "budget": ["The own contribution is 5.00% of the project; at least 10.00% is required."]
    }


def test_every_required_document_must_be_attached(application):
    optional = ChecklistItemFactory(competition=application.competition, required=False)
    assert optional.pk  # an optional document may be missing
    application.attachments.all().delete()
    assert problems_of(application) == {
        "documents": ["Attach the required document “Долбоордун бюджети”."]
    }


def test_the_documents_together_must_fit_the_applications_limit(application, settings):
    settings.APPLICATION_MAX_BYTES = len(pdf_bytes()) + 10
    AttachmentFactory(application=application)
    assert problems_of(application) == {
        "documents": ["The documents together are larger than the limit of the application."]
    }


# submit_application


def test_submitting_gives_the_reference_version_1_and_records_the_change(applicant, application):
    version = services.submit_application(user=applicant, application=application)
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.reference == f"{application.competition.reference}-A001"
    assert application.submitted_at == version.submitted_at
    assert (version.number, version.submitted_by) == (1, applicant)
    event = ApplicationEvent.objects.get(application=application)
    assert (event.from_status, event.to_status, event.by) == ("draft", "submitted", applicant)


def test_the_next_organisation_gets_the_next_reference(applicant, submitted, other_member):
    other = ApplicationFactory(
        competition=submitted.competition,
        organization=other_member.organization_memberships.get().organization,
        complete=True,
    )
    services.submit_application(user=other_member, application=other)
    other.refresh_from_db()
    assert submitted.reference.endswith("-A001")
    assert other.reference == f"{submitted.competition.reference}-A002"


def test_a_change_resubmitted_becomes_version_2_under_the_same_reference(applicant, submitted):
    reference = submitted.reference
    Application.objects.filter(pk=submitted.pk).update(title="Өзгөртүлгөн аталыш")
    version = services.submit_application(user=applicant, application=submitted)
    submitted.refresh_from_db()
    assert version.number == 2
    assert submitted.reference == reference
    assert version.snapshot["project"]["title"] == "Өзгөртүлгөн аталыш"
    assert submitted.current_version == version
    assert list(submitted.events.values_list("from_status", "to_status")) == [
        ("draft", "submitted"),
        ("submitted", "submitted"),
    ]


def test_the_same_content_submitted_again_adds_no_version(applicant, submitted):
    first = submitted.current_version
    again = services.submit_application(user=applicant, application=submitted)
    assert again == first
    assert submitted.versions.count() == 1
    assert submitted.events.count() == 1


def test_the_snapshot_holds_the_attachments_sha256_and_its_own_hash(submitted):
    version = ApplicationVersion.objects.get(application=submitted)
    attachment = submitted.attachments.get()
    assert attachment.sha256 == hashlib.sha256(pdf_bytes()).hexdigest()
    assert version.snapshot["attachments"] == [
        {
            "id": attachment.pk,
            "checklist_item": attachment.checklist_item_id,
            "document": "Долбоордун бюджети",
            "file_name": attachment.original_name,
            "size": attachment.size,
            "sha256": attachment.sha256,
        }
    ]
    canonical = json.dumps(
        version.snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    assert version.sha256 == hashlib.sha256(canonical.encode()).hexdigest()
    assert version.snapshot["totals"] == {
        "requested": "85000.00",
        "own_contribution": "15000.00",
        "cofinancing": "0.00",
    }


def test_the_snapshot_stays_as_submitted_when_the_draft_changes(submitted):
    title = submitted.title
    Application.objects.filter(pk=submitted.pk).update(title="Кийин өзгөргөн")
    submitted.budget_lines.update(description="Кийин")
    version = ApplicationVersion.objects.get(application=submitted)
    assert version.snapshot["project"]["title"] == title
    assert services.snapshot_sha256(version.snapshot) == version.sha256


def test_the_receipt_is_queued_once_the_submission_commits(
    applicant, application, django_capture_on_commit_callbacks
):
    with mock.patch.object(tasks.send_receipt_task, "delay") as delay:
        with django_capture_on_commit_callbacks() as callbacks:
            version = services.submit_application(user=applicant, application=application)
        delay.assert_not_called()
        assert len(callbacks) == 1
        callbacks[0]()
    delay.assert_called_once_with(version.pk)


@pytest.mark.parametrize("user", ["outsider", "other_member", "officer"])
def test_only_the_organisation_submits(request, user, application):
    with pytest.raises(PermissionDenied):
        services.submit_application(user=request.getfixturevalue(user), application=application)
    assert not ApplicationVersion.objects.exists()


def test_an_application_with_problems_is_not_submitted_and_stays_a_draft(applicant, application):
    application.budget_lines.all().delete()
    services.recompute_totals(application)
    with translation.override("en"), pytest.raises(services.ServiceError) as error:
        services.submit_application(user=applicant, application=application)
    assert error.value.message_dict == {"budget": ["Add at least one budget line."]}
    application.refresh_from_db()
    assert (application.status, application.reference) == ("draft", None)
    assert not ApplicationVersion.objects.exists()


def test_nothing_is_submitted_after_the_deadline(applicant, application):
    close(application.competition)
    with translation.override("en"), pytest.raises(services.ServiceError) as error:
        services.submit_application(user=applicant, application=application)
    assert english(error.value) == [DEADLINE_PASSED]
    application.refresh_from_db()
    assert (application.status, application.reference) == ("draft", None)
    assert not ApplicationVersion.objects.exists()
    assert not ApplicationEvent.objects.exists()


@pytest.mark.parametrize("status", ["admitted", "rejected"])
def test_a_decided_application_cannot_be_submitted_again(applicant, submitted, status):
    Application.objects.filter(pk=submitted.pk).update(status=status)
    with translation.override("en"), pytest.raises(services.ServiceError) as error:
        services.submit_application(user=applicant, application=submitted)
    assert english(error.value) == ["This application can no longer be submitted."]
    assert submitted.versions.count() == 1


# withdraw_application


def test_a_submitted_application_is_withdrawn_and_may_be_submitted_again(applicant, submitted):
    services.withdraw_application(user=applicant, application=submitted)
    submitted.refresh_from_db()
    assert submitted.status == Application.Status.WITHDRAWN
    assert submitted.events.last().to_status == "withdrawn"
    version = services.submit_application(user=applicant, application=submitted)
    submitted.refresh_from_db()
    assert submitted.status == Application.Status.SUBMITTED
    assert version.number == 2


def test_a_draft_cannot_be_withdrawn(applicant, application):
    with translation.override("en"), pytest.raises(services.ServiceError) as error:
        services.withdraw_application(user=applicant, application=application)
    assert english(error.value) == ["An application that is draft cannot become withdrawn."]
    application.refresh_from_db()
    assert application.status == "draft"


@pytest.mark.parametrize("user", ["outsider", "other_member", "officer"])
def test_only_the_organisation_withdraws(request, user, submitted):
    with pytest.raises(PermissionDenied):
        services.withdraw_application(user=request.getfixturevalue(user), application=submitted)
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_nothing_is_withdrawn_after_the_deadline(applicant, submitted):
    close(submitted.competition)
    with translation.override("en"), pytest.raises(services.ServiceError) as error:
        services.withdraw_application(user=applicant, application=submitted)
    assert english(error.value) == [DEADLINE_PASSED]
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


# add_attachment and remove_attachment


def _add(user, application, item, uploaded=None, file_type="pdf"):
    uploaded = uploaded or upload("Устав.pdf", pdf_bytes())
    return services.add_attachment(
        user=user,
        application=application,
        checklist_item=item,
        uploaded=uploaded,
        file_type=file_type,
        sha256=hashlib.sha256(uploaded.read()).hexdigest(),
    )


def test_an_attachment_is_kept_in_private_storage_with_its_hash(
    applicant, competition, organization, private_media
):
    application = ApplicationFactory(competition=competition, organization=organization)
    item = competition.checklist.get()
    attachment = _add(applicant, application, item)
    assert (attachment.original_name, attachment.file_type) == ("Устав.pdf", "pdf")
    assert attachment.size == len(pdf_bytes())
    assert attachment.sha256 == hashlib.sha256(pdf_bytes()).hexdigest()
    assert Path(attachment.file.path).is_relative_to(private_media)
    assert Path(attachment.file.path).read_bytes() == pdf_bytes()


def test_a_new_file_replaces_the_one_of_the_same_checklist_item(
    applicant, application, django_capture_on_commit_callbacks
):
    item = application.competition.checklist.get()
    old = application.attachments.get()
    old_path = Path(old.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        new = _add(applicant, application, item, upload("budget.png", png_bytes()), "png")
    assert list(application.attachments.all()) == [new]
    assert not old_path.exists()
    assert new.file_type == "png"
    assert new.original_name == "budget.png"
    assert not Path(new.file.name).name.startswith("budget")  # stored under a generated name


def test_a_submitted_document_is_kept_when_replaced(
    applicant, submitted, django_capture_on_commit_callbacks
):
    item = submitted.competition.checklist.get()
    old = submitted.attachments.get()
    with django_capture_on_commit_callbacks(execute=True):
        new = _add(applicant, submitted, item, upload("budget.png", png_bytes()), "png")
    old.refresh_from_db()
    assert old.superseded_at is not None
    assert Path(old.file.path).exists()
    assert list(submitted.attachments.live()) == [new]


def test_extra_documents_accumulate(applicant, application):
    _add(applicant, application, None)
    _add(applicant, application, None)
    assert application.attachments.filter(checklist_item=None).count() == 2


def test_a_checklist_item_of_another_competition_is_refused(applicant, application):
    foreign = ChecklistItemFactory(competition=open_competition())
    with pytest.raises(PermissionDenied):
        _add(applicant, application, foreign)
    assert application.attachments.count() == 1


def test_the_application_size_limit_counts_every_document(applicant, application, settings):
    settings.APPLICATION_MAX_BYTES = 2 * len(pdf_bytes())
    _add(applicant, application, None)
    with translation.override("en"), pytest.raises(services.ServiceError) as error:
        _add(applicant, application, None)
    assert english(error.value) == [
        "The documents together would be larger than the limit of the application."
    ]
    assert application.attachments.count() == 2


def test_replacing_a_document_frees_its_size(applicant, application, settings):
    settings.APPLICATION_MAX_BYTES = len(pdf_bytes())
    _add(applicant, application, application.competition.checklist.get())
    assert application.attachments.count() == 1


@pytest.mark.parametrize("user", ["outsider", "other_member", "officer"])
def test_only_the_organisation_attaches_and_removes(request, user, application):
    intruder = request.getfixturevalue(user)
    with pytest.raises(PermissionDenied):
        _add(intruder, application, None)
    with pytest.raises(PermissionDenied):
        services.remove_attachment(user=intruder, attachment=application.attachments.get())
    assert application.attachments.count() == 1


def test_documents_do_not_change_after_the_deadline(applicant, application):
    close(application.competition)
    attachment = application.attachments.get()
    for change in (
        lambda: _add(applicant, application, None),
        lambda: services.remove_attachment(user=applicant, attachment=attachment),
    ):
        with translation.override("en"), pytest.raises(services.ServiceError) as error:
            change()
        assert english(error.value) == [DEADLINE_PASSED]
    assert list(application.attachments.all()) == [attachment]
    assert Path(attachment.file.path).exists()


def test_removing_a_document_deletes_its_file_once_committed(
    applicant, application, django_capture_on_commit_callbacks
):
    attachment = application.attachments.get()
    path = Path(attachment.file.path)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.remove_attachment(user=applicant, attachment=attachment)
    assert not Attachment.objects.exists()
    assert path.exists()  # not before the commit: a rollback keeps it
    for callback in callbacks:
        callback()
    assert not path.exists()


def test_removing_a_submitted_document_keeps_it_for_the_version(applicant, submitted):
    attachment = submitted.attachments.get()
    services.remove_attachment(user=applicant, attachment=attachment)
    attachment.refresh_from_db()
    assert attachment.superseded_at is not None
    assert Path(attachment.file.path).exists()
    assert not submitted.attachments.live().exists()


# decide_admission


@pytest.fixture
def closed(submitted):
    close(submitted.competition)
    return submitted


def test_an_officer_admits_after_the_deadline_and_every_member_is_told_in_their_language(
    officer, closed, applicant
):
    russian = MembershipFactory(
        organization=closed.organization, role="editor", user=UserFactory(language="ru")
    ).user
    services.decide_admission(user=officer, application=closed, admit=True, reason="")
    closed.refresh_from_db()
    assert closed.status == Application.Status.ADMITTED
    assert closed.admission_decided_by == officer
    assert closed.admission_decided_at is not None
    event = closed.events.last()
    assert (event.from_status, event.to_status, event.by) == ("submitted", "admitted", officer)
    emails = {email.to: email for email in OutboundEmail.objects.all()}
    assert set(emails) == {applicant.email, russian.email}
    for user in (applicant, russian):
        email = emails[user.email]
        assert email.language == user.language
        with translation.override(user.language):
            expected = translation.gettext(
                "Application %(reference)s is admitted to evaluation"
            ) % {"reference": closed.reference}
        assert email.subject == expected
        assert f"/{user.language}/applications/{closed.pk}/" in email.body_text


def test_rejecting_needs_a_reason_which_is_kept_and_sent(officer, closed):
    with translation.override("en"), pytest.raises(services.ServiceError) as error:
        services.decide_admission(user=officer, application=closed, admit=False, reason="   ")
    assert english(error.value) == ["Give the reason for not admitting the application."]
    closed.refresh_from_db()
    assert closed.status == "submitted"
    assert not OutboundEmail.objects.exists()

    services.decide_admission(
        user=officer, application=closed, admit=False, reason=" Устав тиркелген эмес. "
    )
    closed.refresh_from_db()
    assert (closed.status, closed.admission_reason) == ("rejected", "Устав тиркелген эмес.")
    assert closed.events.last().note == "Устав тиркелген эмес."
    assert "Устав тиркелген эмес." in OutboundEmail.objects.get().body_text


def test_the_same_decision_twice_is_refused_but_it_may_change(officer, closed):
    services.decide_admission(user=officer, application=closed, admit=True, reason="")
    with translation.override("en"), pytest.raises(services.ServiceError) as error:
        services.decide_admission(user=officer, application=closed, admit=True, reason="")
    assert english(error.value) == ["The application already has this decision."]
    services.decide_admission(user=officer, application=closed, admit=False, reason="Кеч.")
    closed.refresh_from_db()
    assert closed.status == "rejected"


@pytest.mark.parametrize(
    "user", ["other_officer", "commission_member", "applicant", "outsider", "admin_user"]
)
def test_only_officers_of_the_customer_decide(request, user, closed):
    with pytest.raises(PermissionDenied):
        services.decide_admission(
            user=request.getfixturevalue(user), application=closed, admit=True, reason=""
        )
    closed.refresh_from_db()
    assert closed.status == "submitted"


def test_no_decision_before_the_deadline(officer, submitted):
    with pytest.raises(PermissionDenied):
        services.decide_admission(user=officer, application=submitted, admit=True, reason="")
    submitted.refresh_from_db()
    assert submitted.status == "submitted"
    assert not OutboundEmail.objects.exists()


@pytest.mark.parametrize("status", ["draft", "withdrawn"])
def test_drafts_and_withdrawn_applications_are_not_decided(officer, closed, status):
    Application.objects.filter(pk=closed.pk).update(status=status)
    with pytest.raises(PermissionDenied):
        services.decide_admission(user=officer, application=closed, admit=True, reason="")


# Receipts


@pytest.fixture
def fake_pdf():
    with mock.patch("grants.services.render_pdf", return_value=FAKE_PDF) as render:
        yield render


def test_the_receipt_is_rendered_once_and_sent_to_the_submitter(fake_pdf, applicant, submitted):
    version = submitted.current_version
    assert services.send_receipt(version.pk) is True
    version.refresh_from_db()
    assert version.receipt.read() == FAKE_PDF
    assert version.receipt_sha256 == hashlib.sha256(FAKE_PDF).hexdigest()
    email = OutboundEmail.objects.get()
    assert (email.to, email.language) == (applicant.email, "ky")
    assert email.attachment.read() == FAKE_PDF
    assert email.attachment_type == "application/pdf"
    assert fake_pdf.call_args.kwargs["language"] == "ky"

    assert services.send_receipt(version.pk) is False
    assert fake_pdf.call_count == 1
    assert OutboundEmail.objects.count() == 1


def test_versions_without_receipt_lists_those_the_broker_missed(fake_pdf, submitted):
    fresh = submitted.current_version
    old = ApplicationVersionFactory(
        number=1, submitted_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    done = ApplicationVersionFactory(
        number=1, submitted_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    services.send_receipt(done.pk)
    assert services.versions_without_receipt() == [old.pk]
    assert fresh.pk not in services.versions_without_receipt()


def test_the_sweep_renders_the_missing_receipts(db, fake_pdf):
    old = ApplicationVersionFactory(submitted_at=timezone.now() - datetime.timedelta(minutes=10))
    assert tasks.send_missing_receipts_task() == 1
    old.refresh_from_db()
    assert old.receipt
    assert tasks.send_missing_receipts_task() == 0
