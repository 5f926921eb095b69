"""``seed_demo_grants``: the demo decision's grants, one under way, one awaiting signature.

As in the other seed tests, each command's on-commit callbacks run when it ends
(``django_capture_on_commit_callbacks``): inline tasks, as under ``make run``. The
agreement's PDFs must be ready before it is marked signed, and inside the test's
transaction the command cannot see its commit, so it renders them itself: the
tasks queued on commit then find them done.
"""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import OutboundEmail
from grants import implementation
from grants.management.commands.seed_demo_grants import (
    ACTIVITIES,
    BANK,
    BENEFICIARIES,
    PAYMENT_REFERENCE,
    scan_pdf,
)
from grants.models import (
    AgreementDocument,
    Application,
    GrantAgreement,
    ImplementationEvent,
    Report,
    ReportResult,
    ReportSpending,
    Tranche,
)
from socialorder.uploads import PDF, detect_type

CHAIN = (
    "seed_demo",
    "seed_demo_competitions",
    "seed_demo_applications",
    "seed_demo_evaluation",
    "seed_demo_grants",
)


def state():
    """What a second run must leave as it is."""
    models = (
        GrantAgreement,
        Report,
        ReportResult,
        ReportSpending,
        Tranche,
        AgreementDocument,
        ImplementationEvent,
        OutboundEmail,
    )
    return {
        "counts": {model.__name__: model.objects.count() for model in models},
        "agreements": list(
            GrantAgreement.objects.order_by("pk").values_list(
                "status", "updated_at", "signed_scan_sha256", "bank_account"
            )
        ),
        "documents": list(
            AgreementDocument.objects.order_by("pk").values_list("status", "sha256", "attempts")
        ),
        "reports": list(Report.objects.order_by("pk").values_list("status", "updated_at")),
        "tranches": list(Tranche.objects.order_by("pk").values_list("paid_on", "recorded_at")),
    }


def run(command, capture):
    with capture(execute=True):
        call_command(command)


def test_the_demo_grants_are_under_way_and_a_second_run_changes_nothing(
    db, settings, capsys, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    for command in CHAIN[:-1]:
        run(command, django_capture_on_commit_callbacks)
    capsys.readouterr()
    run("seed_demo_grants", django_capture_on_commit_callbacks)
    first = capsys.readouterr()
    before = state()
    run("seed_demo_grants", django_capture_on_commit_callbacks)
    again = capsys.readouterr()

    assert state() == before
    assert "nothing changed" in again.out
    assert not first.err
    assert not again.err
    awarded = list(
        Application.objects.filter(
            competition__reference="SSO-DEMO-005", status=Application.Status.AWARDED
        ).order_by("outcome__rank")
    )
    assert len(awarded) == 2
    running, waiting = (a.agreement for a in awarded)
    today = timezone.localdate()

    # The first: signed with a scan, tranche 1 paid, the interim report submitted.
    assert running.number == "SSO-DEMO-005-G001"
    assert running.status == GrantAgreement.Status.IN_IMPLEMENTATION
    assert running.amount == awarded[0].outcome.amount
    assert (running.bank_name, running.bank_bic, running.bank_account) == tuple(BANK.values())
    assert running.start_date == today
    assert running.signed_on == today
    assert running.signed_scan_sha256
    with running.signed_scan.open("rb") as scan:
        assert detect_type(scan) == PDF
    documents = implementation.latest_documents(running)
    assert [d.language for d in documents] == ["ky", "ru"]
    assert all(d.status == AgreementDocument.Status.DONE and d.sha256 for d in documents)
    assert all(d.file.storage.exists(d.file.name) for d in documents)
    first_tranche, second_tranche = running.tranches.order_by("number")
    assert first_tranche.paid_on == today
    assert first_tranche.payment_reference == PAYMENT_REFERENCE
    assert first_tranche.condition == Tranche.Condition.SIGNATURE
    assert not second_tranche.is_paid
    assert second_tranche.condition == Tranche.Condition.REPORT
    assert implementation.tranche_refusal(second_tranche)  # until the report is accepted
    assert first_tranche.amount + second_tranche.amount == running.amount
    interim, final = running.reports.order_by("number")
    assert second_tranche.condition_report == interim
    assert (interim.kind, interim.status) == (Report.Kind.INTERIM, Report.Status.SUBMITTED)
    assert (final.kind, final.status) == (Report.Kind.FINAL, Report.Status.DUE)
    assert interim.submitted_by.email == "nco.owner@example.org"
    assert interim.activities == ACTIVITIES
    assert interim.beneficiaries_reached == BENEFICIARIES
    assert interim.results.count() == running.indicators.count() > 0
    spending = list(interim.spending.select_related("line"))
    assert len(spending) == running.budget_lines.count() > 0
    assert all(0 < s.amount <= s.line.planned for s in spending)
    assert implementation.report_problems(interim) == []
    assert list(running.events.values_list("action", flat=True)) == [
        "created",
        "edited",
        "prepared",
        "signed",
        "tranche_paid",
        "report_submitted",
    ]

    # The second: prepared, its PDFs ready, awaiting signature.
    assert waiting.number == "SSO-DEMO-005-G002"
    assert waiting.status == GrantAgreement.Status.PREPARED
    assert not waiting.signed_scan
    assert not waiting.tranches.exclude(paid_on=None).exists()
    assert {d.status for d in implementation.latest_documents(waiting)} == {"done"}

    # The officer would be able to accept the report and pay the second tranche.
    implementation.review_report(user=running.created_by, report=interim, accept=True, comment="")
    second_tranche.refresh_from_db()
    assert implementation.tranche_refusal(second_tranche) is None

    assert "SSO-DEMO-005-G001: interim report 1 submitted" in first.out
    assert "SSO-DEMO-005-G002: prepared for signing" in first.out
    assert f"/ky/agreements/{running.pk}/" in first.out
    assert f"/ky/reports/{interim.pk}/" in first.out


def test_a_pdf_that_fails_to_render_stops_the_first_grant_and_a_second_run_goes_on(
    db, settings, capsys, monkeypatch, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    for command in CHAIN[:-1]:
        run(command, django_capture_on_commit_callbacks)
    capsys.readouterr()

    def broken(*args, **kwargs):
        raise OSError("cannot load library 'libpango'")

    monkeypatch.setattr("grants.implementation.render_pdf_pages", broken)
    run("seed_demo_grants", django_capture_on_commit_callbacks)
    first = capsys.readouterr()
    assert "did not render (OSError: cannot load library 'libpango')" in first.err
    running = GrantAgreement.objects.get(number="SSO-DEMO-005-G001")
    assert running.status == GrantAgreement.Status.PREPARED
    assert not running.signed_scan
    assert AgreementDocument.Status.FAILED in {
        d.status for d in implementation.latest_documents(running)
    }

    monkeypatch.undo()
    run("seed_demo_grants", django_capture_on_commit_callbacks)
    again = capsys.readouterr()
    assert not again.err
    running.refresh_from_db()
    assert running.status == GrantAgreement.Status.IN_IMPLEMENTATION
    assert {d.status for d in implementation.latest_documents(running)} == {"done"}
    assert running.reports.get(number=1).status == Report.Status.SUBMITTED
    waiting = GrantAgreement.objects.get(number="SSO-DEMO-005-G002")
    assert waiting.status == GrantAgreement.Status.PREPARED
    assert {d.status for d in implementation.latest_documents(waiting)} == {"done"}
    assert running.documents.count() == waiting.documents.count() == 2  # one edition each


def test_the_scan_is_a_pdf_readers_open():
    data = scan_pdf("SSO-DEMO-005-G001: signed (demo scan)")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    assert "SSO-DEMO-005-G001: signed" in reader.pages[0].extract_text()


def test_it_needs_the_demo_decision(db, settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="seed_demo_evaluation"):
        call_command("seed_demo_grants")


def test_it_refuses_to_run_in_production(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo_grants")
    assert not GrantAgreement.objects.exists()
