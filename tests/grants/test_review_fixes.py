"""Behaviour pinned after the security review of the applications."""

import datetime
import io
import zipfile
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from grants import services
from grants.forms import ApplicationForm
from grants.models import Application, ApplicationVersion
from grants.tasks import send_missing_receipts_task
from socialorder.uploads import detect_type

from .factories import ApplicationFactory, ApplicationVersionFactory
from .helpers import application_data, budget_row, close, says, url


def test_a_draft_save_does_not_undo_a_submission_made_meanwhile(applicant, application):
    stale = Application.objects.get(pk=application.pk)
    form = ApplicationForm({**application_data(stale), "title": "Эски өтмөк"}, instance=stale)
    assert form.is_valid(), form.errors
    services.submit_application(user=applicant, application=application)
    services.save_draft(user=applicant, form=form, formsets=[])
    application.refresh_from_db()
    assert application.status == "submitted"
    assert application.reference
    assert application.current_version is not None


def test_reviewers_read_the_version_that_counts_not_later_edits(
    client, applicant, officer, submitted
):
    submitted_title = submitted.title
    Application.objects.filter(pk=submitted.pk).update(title="Тапшырылбаган аталыш")
    close(submitted.competition)
    client.force_login(officer)
    detail = client.get(url("detail", pk=submitted.pk)).content.decode()
    assert submitted_title in detail
    assert "Тапшырылбаган аталыш" not in detail
    listing = client.get(
        url("competition-applications", reference=submitted.competition.reference)
    ).content.decode()
    assert submitted_title in listing
    assert "Тапшырылбаган аталыш" not in listing
    public = client.get(f"/ky/competitions/{submitted.competition.reference}/").content.decode()
    assert submitted_title in public
    assert "Тапшырылбаган аталыш" not in public


def test_the_applicant_is_told_of_changes_not_yet_submitted(client, applicant, submitted):
    Application.objects.filter(pk=submitted.pk).update(title="Жаңы аталыш")
    client.force_login(applicant)
    response = client.get(url("detail", pk=submitted.pk))
    assert says(
        response,
        "You changed the application since you last submitted it. Only the submitted "
        "version counts: submit again before the deadline.",
    )


def test_the_admission_check_looks_at_the_submitted_documents(
    client, applicant, officer, submitted
):
    attachment = submitted.attachments.get()
    services.remove_attachment(user=applicant, attachment=attachment)
    close(submitted.competition)
    client.force_login(officer)
    response = client.get(url("admission", pk=submitted.pk))
    assert response.status_code == 200
    assert response.context["missing"] == []
    download = client.get(url("attachment-download", pk=submitted.pk, attachment_pk=attachment.pk))
    assert download.status_code == 200


def test_a_budget_beyond_what_the_portal_stores_is_refused(client, applicant, application):
    client.force_login(applicant)
    huge = "999999999999.99"
    data = application_data(
        application,
        budget=[
            budget_row(unit_cost=huge, quantity="1", requested=huge, own_contribution="0"),
            budget_row(unit_cost=huge, quantity="1", requested=huge, own_contribution="0"),
        ],
    )
    response = client.post(url("edit", pk=application.pk), data)
    assert response.status_code == 400
    assert says(response, "The budget is larger than the portal accepts.")
    assert client.get(url("detail", pk=application.pk)).status_code == 200


def test_a_crafted_archive_is_not_inflated():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", b"0" * 5_000_000)
    upload = SimpleUploadedFile("bomb.odt", buffer.getvalue())
    assert detect_type(upload) is None


def test_a_cancelled_competition_takes_no_more_changes(client, applicant, application, officer):
    from competitions.services import cancel_competition

    cancel_competition(competition=application.competition, user=officer, reason="Бюджет жок.")
    with pytest.raises(services.ServiceError):
        services.submit_application(user=applicant, application=application)
    client.force_login(applicant)
    response = client.post(url("edit", pk=application.pk), application_data(application))
    application.refresh_from_db()
    assert application.status == "draft"
    assert response.status_code in {302, 400}


def test_reference_numbers_never_reuse_a_gap(applicant, application, competition):
    Application.objects.filter(competition=competition).update(reference=None)
    ApplicationFactory(competition=competition, reference=f"{competition.reference}-A005")
    version = services.submit_application(user=applicant, application=application)
    assert version.application.reference == f"{competition.reference}-A006"


def test_the_submission_time_is_the_time_checked_against_the_deadline(applicant, application):
    moment = application.competition.deadline - datetime.timedelta(seconds=1)
    version = services.submit_application(user=applicant, application=application, now=moment)
    assert version.submitted_at == moment
    application.refresh_from_db()
    assert application.submitted_at == moment


def test_one_failing_receipt_does_not_stop_the_sweep(db):
    first = ApplicationVersionFactory()
    second = ApplicationVersionFactory()
    ApplicationVersion.objects.update(submitted_at=timezone.now() - datetime.timedelta(hours=1))
    calls = []

    def render(version_id):
        calls.append(version_id)
        if version_id == first.pk:
            raise RuntimeError("fonts missing")
        return True

    with mock.patch.object(services, "send_receipt", side_effect=render):
        assert send_missing_receipts_task.apply().get() == 1
    assert sorted(calls) == sorted([first.pk, second.pk])


def test_a_submission_survives_a_broker_outage_and_the_sweep_sends_the_receipt(
    client, applicant, application, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from grants.tasks import send_receipt_task

    client.force_login(applicant)
    broker_down = mock.patch.object(
        send_receipt_task, "delay", side_effect=OperationalError("connection refused")
    )
    with broker_down, django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("submit", pk=application.pk))
    assert response.status_code == 302
    version = ApplicationVersion.objects.get(application=application)
    assert not version.receipt
    ApplicationVersion.objects.filter(pk=version.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert send_missing_receipts_task.apply().get() == 1
    version.refresh_from_db()
    assert version.receipt
