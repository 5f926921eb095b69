"""The grant agreement's PDFs: rendered once per language and edition, checked with pypdf.

``prepare_agreement`` queues one ``AgreementDocument`` per language (Kyrgyz and Russian)
after commit; ``render_agreement_task`` renders it (``grants.implementation``): the row is
marked running, rendered under its lock into a fixed file name and marked done with its
SHA-256 and page count. Tasks run inline here (``tests/conftest.py``); the real worker is
in ``test_agreement_worker.py``.

Until the catalogues are translated the labels are English in every language: the
language checks look at data the portal stores per language (the customer's name, the
competition's title) and at dates, which Django formats per language.
"""

import datetime
import hashlib
import io
import re
from unittest import mock

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.test import TestCase
from django.utils import formats, translation
from pypdf import PdfReader

from accounts.templatetags.portal import som
from grants import implementation, rendering
from grants.models import AgreementDocument, GrantAgreement
from grants.services import ServiceError
from grants.tasks import render_agreement_task, render_pending_agreements_task

from .helpers import pdf_text
from .implementation import BANK, Grant, prepared_agreement

Status = AgreementDocument.Status

pytestmark = pytest.mark.django_db


class Killed(BaseException):
    """What a worker killed halfway through a render looks like to the code after it: no
    ``except Exception`` runs (SIGKILL runs none at all)."""


@pytest.fixture
def queued() -> Grant:
    """Prepared for signing, its two PDFs queued and not rendered (callbacks not run)."""
    return prepared_agreement(render=False)


@pytest.fixture
def rendered() -> Grant:
    """Prepared for signing, its PDFs rendered by the task (Celery eager) after commit."""
    return prepared_agreement()


def document_of(grant: Grant, language: str) -> AgreementDocument:
    return grant.agreement.documents.get(language=language)


def stored(document: AgreementDocument) -> bytes:
    with document.file.open("rb") as file:
        return file.read()


def flat(value: str) -> str:
    """Whitespace as pypdf extracts it from wrapped lines and grouped thousands: one space."""
    return re.sub(r"\s+", " ", value.replace("\xa0", " ").replace("\u202f", " ")).strip()


def text_of(document: AgreementDocument) -> str:
    return flat(pdf_text(stored(document)))


def in_language(language: str, function, *args):
    with translation.override(language):
        return flat(str(function(*args)))


def date_in(language: str, day: datetime.date) -> str:
    return in_language(language, formats.date_format, day, "DATE_FORMAT")


def amount_in(language: str, amount) -> str:
    return in_language(language, som, amount)


# Rendering


def test_preparing_renders_the_agreement_in_kyrgyz_and_russian(rendered, private_media):
    documents = implementation.latest_documents(rendered.agreement)
    assert [(d.language, d.edition) for d in documents] == [("ky", 1), ("ru", 1)]
    number = rendered.agreement.number
    for document in documents:
        assert document.status == Status.DONE, document.error
        assert document.attempts == 1
        assert document.error == ""
        assert document.finished_at is not None
        assert document.file.name == f"agreements/{number}/{number}-1-{document.language}.pdf"
        content = (private_media / document.file.name).read_bytes()
        assert content.startswith(b"%PDF-")
        # The page count stored is the PDF's; the SHA-256 stored is the file's.
        assert document.pages == len(PdfReader(io.BytesIO(content)).pages)
        assert document.pages >= 2  # a real agreement, not the stub of one page
        assert document.sha256 == hashlib.sha256(content).hexdigest()
        # Done is done: rendering it again changes nothing.
        before = (document.sha256, document.finished_at, document.attempts)
        assert implementation.render_agreement_document(document.pk) is False
        document.refresh_from_db()
        assert (document.sha256, document.finished_at, document.attempts) == before
        assert stored(document) == content


def test_the_pdfs_hold_the_terms_of_the_agreement(rendered):
    """Each language: the parties, the subject, the amount and term, the budget, the
    results, the reports and the tranches, the bank details."""
    agreement = rendered.agreement
    application = agreement.application
    organization = application.organization
    for language in ("ky", "ru"):
        text = text_of(document_of(rendered, language))

        assert agreement.number in text
        assert flat(organization.name) in text
        assert organization.inn in text
        assert flat(organization.registration_number) in text
        assert flat(organization.address) in text
        assert application.reference in text
        assert application.competition.award_decision.number in text
        assert flat(application.current_version.snapshot["project"]["title"]) in text
        assert amount_in(language, agreement.amount) in text
        assert date_in(language, agreement.start_date) in text
        assert date_in(language, agreement.end_date) in text
        for value in BANK.values():
            assert flat(value) in text
        for line in agreement.budget_lines.all():
            assert flat(line.description) in text
            assert amount_in(language, line.planned) in text
        for indicator in agreement.indicators.all():
            assert flat(indicator.indicator) in text
        reports = list(agreement.reports.order_by("number"))
        assert len(reports) == 2
        for report in reports:
            assert date_in(language, report.period_end) in text
            assert date_in(language, report.due_date) in text
        tranches = list(agreement.tranches.order_by("number"))
        assert len(tranches) == 2
        for tranche in tranches:
            # Each tranche is a row: its number, amount and due date side by side.
            row = f"{tranche.number} {amount_in(language, tranche.amount)} "
            assert row + date_in(language, tranche.due_date) in text
        # The variance rule names the percentage of the settings.
        assert re.search(rf"\b{settings.REPORT_LINE_VARIANCE_PERCENT} ?%", text)
        first, second = tranches
        assert (first.condition, first.condition_report) == ("signature", None)
        assert (second.condition, second.condition_report.number) == ("report", 1)
        on_signature = in_language(language, translation.gettext, "on signature of the agreement")
        on_report = in_language(
            language, translation.gettext, "on acceptance of report No. %(number)s"
        ) % {"number": 1}
        assert on_signature in text
        assert on_report in text


def test_each_pdf_is_in_its_language(rendered):
    """Until the catalogues are translated: the data stored per language, and the dates."""
    agreement = rendered.agreement
    competition = agreement.application.competition
    body = competition.state_body
    ky, ru = text_of(document_of(rendered, "ky")), text_of(document_of(rendered, "ru"))

    # Kyrgyz letters survive the font and the extraction (DejaVu Sans, ToUnicode map).
    assert {"ң", "ө", "ү"} <= set(ky)
    assert flat(competition.title_ky) in ky
    assert flat(competition.title_ru) not in ky
    assert flat(body.name_ky) in ky
    assert flat(body.name_ru) not in ky

    assert flat(competition.title_ru) in ru
    assert flat(competition.title_ky) not in ru
    assert flat(body.name_ru) in ru
    assert flat(body.name_ky) not in ru
    # The organisation's own name is the same in both: Cyrillic with Kyrgyz letters.
    assert flat(agreement.application.organization.name) in ru

    for report in agreement.reports.all():
        assert date_in("ky", report.due_date) in ky
        assert date_in("ru", report.due_date) not in ky
        assert date_in("ru", report.due_date) in ru
        assert date_in("ky", report.due_date) not in ru


def test_preparing_again_after_corrections_renders_a_new_edition(rendered, private_media):
    first = implementation.latest_documents(rendered.agreement)
    implementation.reopen_agreement(
        user=rendered.officer, agreement=rendered.agreement, note="Банктын эсеби ката."
    )
    GrantAgreement.objects.filter(pk=rendered.agreement.pk).update(bank_account="1350010099999999")
    with TestCase.captureOnCommitCallbacks(execute=True):
        implementation.prepare_agreement(user=rendered.officer, agreement=rendered.agreement)

    latest = implementation.latest_documents(rendered.agreement)
    assert [(d.language, d.edition, d.status) for d in latest] == [
        ("ky", 2, Status.DONE),
        ("ru", 2, Status.DONE),
    ]
    for old, new in zip(first, latest, strict=True):
        assert new.file.name.endswith(f"-2-{new.language}.pdf")
        # The first edition is kept as it was printed; the second has the corrected account.
        assert hashlib.sha256((private_media / old.file.name).read_bytes()).hexdigest() == (
            old.sha256
        )
        assert "1350010012345678" in text_of(old)
        assert "1350010099999999" in text_of(new)
        assert "1350010012345678" not in text_of(new)


# Once only


def test_a_render_delivered_twice_renders_once(queued):
    document = document_of(queued, "ky")
    assert document.status == Status.QUEUED

    first = render_agreement_task.delay(document.pk)
    document.refresh_from_db()
    content, finished_at = stored(document), document.finished_at
    second = render_agreement_task.delay(document.pk)

    assert (first.get(), second.get()) == (True, False)
    document.refresh_from_db()
    assert document.status == Status.DONE
    assert document.attempts == 1
    assert document.finished_at == finished_at
    assert stored(document) == content
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    # The other language was not asked for.
    assert document_of(queued, "ru").status == Status.QUEUED


# Failure and retry


def test_a_failed_render_is_marked_failed_and_the_officer_retries_it(queued):
    document = document_of(queued, "ky")
    with (
        mock.patch.object(implementation, "render_pdf_pages", side_effect=RuntimeError("no fonts")),
        pytest.raises(RuntimeError),
    ):
        implementation.render_agreement_document(document.pk)
    document.refresh_from_db()
    assert document.status == Status.FAILED
    assert document.error == "RuntimeError: no fonts"
    assert document.attempts == 1
    assert document.finished_at is not None
    assert not document.file
    assert not document.sha256

    # Only a failed document is retried, and only by the customer's officer.
    with pytest.raises(ServiceError):
        implementation.retry_agreement_document(
            user=queued.officer, document=document_of(queued, "ru")
        )
    with pytest.raises(PermissionDenied):
        implementation.retry_agreement_document(user=queued.applicant, document=document)

    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        implementation.retry_agreement_document(user=queued.officer, document=document)
    document.refresh_from_db()
    assert document.status == Status.QUEUED
    assert document.error == ""
    assert len(callbacks) == 1  # the render is queued after commit

    for callback in callbacks:
        callback()  # Celery eager: the task renders it now
    document.refresh_from_db()
    assert document.status == Status.DONE, document.error
    assert document.attempts == 2
    assert document.sha256 == hashlib.sha256(stored(document)).hexdigest()


def test_a_failure_in_the_task_does_not_fail_the_preparation(monkeypatch):
    """Inline (embedded mode) a render that fails leaves the agreement prepared and the
    document failed; the officer sees it and retries."""
    monkeypatch.setattr(
        implementation, "render_pdf_pages", mock.Mock(side_effect=ValueError("bad"))
    )
    grant = prepared_agreement()
    assert grant.agreement.status == "prepared"
    for document in implementation.latest_documents(grant.agreement):
        assert document.status == Status.FAILED
        assert document.error == "ValueError: bad"


# The sweep


def backdate(documents, minutes: int = 6, field: str = "queued_at") -> None:
    documents.update(**{field: F(field) - datetime.timedelta(minutes=minutes)})


def test_the_sweep_picks_stale_queued_documents_and_skips_done_ones(queued):
    documents = queued.agreement.documents.all()
    ky, ru = document_of(queued, "ky"), document_of(queued, "ru")
    # Just queued: its task may still be on the way.
    assert implementation.agreement_documents_to_render() == []
    backdate(documents)
    assert sorted(implementation.agreement_documents_to_render()) == sorted([ky.pk, ru.pk])
    # A later cut-off leaves them out.
    assert implementation.agreement_documents_to_render(older_than_minutes=10) == []

    assert implementation.render_agreement_document(ky.pk) is True
    assert implementation.agreement_documents_to_render() == [ru.pk]

    # The beat task renders what is left, and only that.
    assert render_pending_agreements_task.delay().get() == 1
    assert set(documents.values_list("status", flat=True)) == {Status.DONE}
    assert implementation.agreement_documents_to_render() == []
    assert render_pending_agreements_task.delay().get() == 0


def test_the_sweep_skips_failed_documents_and_picks_renders_that_died(queued):
    ky, ru = document_of(queued, "ky"), document_of(queued, "ru")
    AgreementDocument.objects.filter(pk=ky.pk).update(status=Status.FAILED, error="x")
    backdate(queued.agreement.documents.all())
    assert implementation.agreement_documents_to_render() == [ru.pk]

    # A render of the Russian one dies: the row stays running, an attempt counted.
    with (
        mock.patch.object(implementation, "render_pdf_pages", side_effect=Killed),
        pytest.raises(Killed),
    ):
        implementation.render_agreement_document(ru.pk)
    ru.refresh_from_db()
    assert (ru.status, ru.attempts, ru.file.name) == (Status.RUNNING, 1, "")
    # Running for less than the cut-off: perhaps still rendering.
    assert implementation.agreement_documents_to_render() == []
    backdate(queued.agreement.documents.filter(pk=ru.pk), field="started_at")
    assert implementation.agreement_documents_to_render() == [ru.pk]

    assert render_pending_agreements_task.delay().get() == 1
    ru.refresh_from_db()
    assert (ru.status, ru.attempts) == (Status.DONE, 2)
    assert ru.sha256 == hashlib.sha256(stored(ru)).hexdigest()


def test_max_attempts_stops_a_render_that_keeps_dying(queued):
    document = document_of(queued, "ky")
    backdate(queued.agreement.documents.all())
    with mock.patch.object(implementation, "render_pdf_pages", side_effect=Killed):
        for attempt in range(1, rendering.MAX_ATTEMPTS + 1):
            assert document.pk in implementation.agreement_documents_to_render()
            with pytest.raises(Killed):
                implementation.render_agreement_document(document.pk, skip_locked=True)
            backdate(queued.agreement.documents.filter(pk=document.pk), field="started_at")
            document.refresh_from_db()
            assert (document.status, document.attempts) == (Status.RUNNING, attempt)

    # The sweep after the last death gives up on it instead of rendering it again.
    assert document.pk not in implementation.agreement_documents_to_render()
    document.refresh_from_db()
    assert document.status == Status.FAILED
    assert document.attempts == rendering.MAX_ATTEMPTS
    assert document.error == f"Stopped after {rendering.MAX_ATTEMPTS} renders that did not finish."
    assert render_pending_agreements_task.delay().get() == 1  # the Russian one only
    document.refresh_from_db()
    assert document.status == Status.FAILED

    # The officer's retry renders it.
    with TestCase.captureOnCommitCallbacks(execute=True):
        implementation.retry_agreement_document(user=queued.officer, document=document)
    document.refresh_from_db()
    assert document.status == Status.DONE, document.error
    assert document.attempts == rendering.MAX_ATTEMPTS + 1
