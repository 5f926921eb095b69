"""Deadline edges with a frozen server clock.

The competition closes at ``deadline``: one second before, changes are accepted; at the
deadline and after, every change is refused with the same clear message and nothing
changes, even when the form was opened before the deadline.
"""

import datetime

import pytest
from django.utils import timezone, translation

from grants import permissions, services
from grants.models import Application, ApplicationEvent, ApplicationVersion, Attachment
from tests.factories import OrganizationFactory

from .factories import open_competition
from .helpers import (
    DEADLINE_PASSED,
    application_data,
    frozen,
    messages_of,
    pdf_bytes,
    shows,
    tr,
    upload,
    url,
)

SECOND = datetime.timedelta(seconds=1)


@pytest.fixture
def deadline():
    """An hour from now, on a whole second (sessions made now stay valid)."""
    return (timezone.now() + datetime.timedelta(hours=1)).replace(microsecond=0)


@pytest.fixture
def competition(state_body, deadline):
    return open_competition(state_body=state_body, deadline=deadline)


def snapshot(application) -> dict:
    """What must not change when a request is refused."""
    application.refresh_from_db()
    return {
        "status": application.status,
        "reference": application.reference,
        "title": application.title,
        "versions": list(application.versions.values_list("number", "sha256")),
        "events": ApplicationEvent.objects.filter(application=application).count(),
        "attachments": list(application.attachments.values_list("pk", "sha256")),
        "lines": list(application.budget_lines.values_list("pk", "description")),
    }


AFTER = [SECOND * 0, SECOND, datetime.timedelta(days=3)]
AFTER_IDS = ["at-the-deadline", "a-second-after", "days-after"]


# The clock itself


def test_the_deadline_passes_exactly_at_the_deadline(competition, deadline):
    assert not permissions.deadline_passed(competition, deadline - SECOND)
    assert permissions.deadline_passed(competition, deadline)
    with frozen(deadline - SECOND):
        assert competition.is_open
        assert not permissions.deadline_passed(competition)
    with frozen(deadline):
        assert not competition.is_open
        assert permissions.deadline_passed(competition)


# Services


def test_a_submission_one_second_before_the_deadline_is_accepted(applicant, application, deadline):
    with frozen(deadline - SECOND):
        version = services.submit_application(user=applicant, application=application)
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert version.submitted_at == deadline - SECOND
    assert application.submitted_at == deadline - SECOND


@pytest.mark.parametrize("late", AFTER, ids=AFTER_IDS)
def test_a_submission_at_or_after_the_deadline_is_refused(applicant, application, deadline, late):
    before = snapshot(application)
    with (
        frozen(deadline + late),
        translation.override("en"),
        pytest.raises(services.ServiceError) as error,
    ):
        services.submit_application(user=applicant, application=application)
    assert error.value.messages == [DEADLINE_PASSED]
    assert snapshot(application) == before


@pytest.mark.parametrize("late", AFTER, ids=AFTER_IDS)
def test_a_resubmission_and_a_withdrawal_at_or_after_the_deadline_are_refused(
    applicant, submitted, deadline, late
):
    Application.objects.filter(pk=submitted.pk).update(title="Кечиккен өзгөртүү")
    before = snapshot(submitted)
    with frozen(deadline + late), translation.override("en"):
        for change in (services.submit_application, services.withdraw_application):
            with pytest.raises(services.ServiceError) as error:
                change(user=applicant, application=submitted)
            assert error.value.messages == [DEADLINE_PASSED]
    assert snapshot(submitted) == before


def test_the_deadline_passed_to_submit_is_the_one_checked(applicant, application, deadline):
    with pytest.raises(services.ServiceError):
        services.submit_application(user=applicant, application=application, now=deadline)
    assert not ApplicationVersion.objects.exists()


@pytest.mark.parametrize("late", AFTER, ids=AFTER_IDS)
def test_documents_do_not_change_at_or_after_the_deadline(applicant, application, deadline, late):
    before = snapshot(application)
    with frozen(deadline + late), translation.override("en"):
        with pytest.raises(services.ServiceError) as error:
            services.add_attachment(
                user=applicant,
                application=application,
                checklist_item=None,
                uploaded=upload("late.pdf", pdf_bytes()),
                file_type="pdf",
                sha256="0" * 64,
            )
        assert error.value.messages == [DEADLINE_PASSED]
        with pytest.raises(services.ServiceError):
            services.remove_attachment(user=applicant, attachment=application.attachments.get())
    assert snapshot(application) == before


def test_a_draft_may_still_be_started_a_second_before_but_not_at_the_deadline(
    applicant, organization, competition, deadline
):
    other = OrganizationFactory()
    with frozen(deadline - SECOND):
        services.start_application(
            user=applicant, organization=organization, competition=competition
        )
    other.memberships.create(user=applicant, role="owner")
    with frozen(deadline), pytest.raises(services.ServiceError):
        services.start_application(user=applicant, organization=other, competition=competition)
    assert Application.objects.count() == 1


# Views: the form opened before the deadline, posted after


@pytest.fixture
def applicant_client(client, applicant):
    client.force_login(applicant)
    return client


def test_the_submit_page_accepts_a_post_one_second_before(applicant_client, application, deadline):
    with frozen(deadline - SECOND):
        response = applicant_client.post(url("submit", pk=application.pk))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "submitted"
    assert application.reference


@pytest.mark.parametrize("late", AFTER, ids=AFTER_IDS)
def test_an_edit_form_opened_before_and_saved_after_the_deadline_is_refused(
    applicant_client, application, deadline, late
):
    with frozen(deadline - datetime.timedelta(minutes=5)):
        assert applicant_client.get(url("edit", pk=application.pk)).status_code == 200
    before = snapshot(application)
    with frozen(deadline + late):
        response = applicant_client.post(
            url("edit", pk=application.pk), application_data(application, title="Кеч")
        )
    assert response.status_code == 302
    assert response["Location"] == url("detail", pk=application.pk)
    assert tr(DEADLINE_PASSED) in messages_of(response)
    assert snapshot(application) == before


@pytest.mark.parametrize("late", AFTER, ids=AFTER_IDS)
def test_a_submit_form_opened_before_and_posted_after_the_deadline_is_refused(
    applicant_client, application, deadline, late
):
    with frozen(deadline - datetime.timedelta(minutes=5)):
        page = applicant_client.get(url("submit", pk=application.pk))
    assert page.status_code == 200
    assert not page.context["problems"]
    before = snapshot(application)
    with frozen(deadline + late):
        response = applicant_client.post(url("submit", pk=application.pk))
    assert response.status_code == 400
    assert shows(response, DEADLINE_PASSED)
    assert snapshot(application) == before


@pytest.mark.parametrize("late", AFTER, ids=AFTER_IDS)
def test_a_withdrawal_posted_after_the_deadline_is_refused(
    applicant_client, submitted, deadline, late
):
    with frozen(deadline - datetime.timedelta(minutes=5)):
        assert applicant_client.get(url("detail", pk=submitted.pk)).status_code == 200
    before = snapshot(submitted)
    with frozen(deadline + late):
        response = applicant_client.post(url("withdraw", pk=submitted.pk))
    assert response.status_code == 400
    assert shows(response, DEADLINE_PASSED)
    assert snapshot(submitted) == before


@pytest.mark.parametrize("late", AFTER, ids=AFTER_IDS)
def test_an_upload_posted_after_the_deadline_is_refused(
    applicant_client, application, deadline, late
):
    with frozen(deadline - datetime.timedelta(minutes=5)):
        assert applicant_client.get(url("documents", pk=application.pk)).status_code == 200
    before = snapshot(application)
    item = application.competition.checklist.get()
    with frozen(deadline + late):
        response = applicant_client.post(
            url("documents", pk=application.pk),
            {"checklist_item": item.pk, "file": upload("new.pdf", pdf_bytes())},
        )
    assert response.status_code == 302
    assert tr(DEADLINE_PASSED) in messages_of(response)
    assert snapshot(application) == before
    assert Attachment.objects.count() == 1


def test_a_removal_posted_after_the_deadline_is_refused(applicant_client, application, deadline):
    attachment = application.attachments.get()
    before = snapshot(application)
    with frozen(deadline + SECOND):
        response = applicant_client.post(
            url("document-remove", pk=application.pk, attachment_pk=attachment.pk)
        )
    assert response.status_code == 302
    assert tr(DEADLINE_PASSED) in messages_of(response)
    assert snapshot(application) == before


def test_after_the_deadline_the_pages_say_the_application_can_no_longer_change(
    applicant_client, application, deadline
):
    with frozen(deadline + SECOND):
        edit = applicant_client.get(url("edit", pk=application.pk))
        submit = applicant_client.get(url("submit", pk=application.pk))
    assert edit.status_code == 302
    assert tr("This application can no longer be edited.") in messages_of(edit)
    assert shows(submit, DEADLINE_PASSED)
    assert submit.context["deadline_passed"] is True
