"""Helpers the implementation tests share: an awarded application taken through the
agreement, its signature, payments and reports.

Everything goes through the services (``grants.implementation``), so the rows are the
ones the portal itself would make. The default award is 120 000 som (the first
application of ``decided_competition``); the default schedule pays half on signature
and half on acceptance of the interim report (report 1); report 2 is the final one.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils import timezone

from accounts.models import User
from grants import implementation
from grants.models import GrantAgreement, Report, Tranche

from .evaluation import applicant_of, decided_competition

# The smallest file the content check takes for a PDF.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BANK = {"bank_name": "Айыл Банк", "bank_bic": "135001", "bank_account": "1350010012345678"}


def pdf_upload(name: str = "signed.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@dataclass
class Grant:
    agreement: GrantAgreement
    officer: User
    applicant: User

    def refresh(self) -> "Grant":
        self.agreement = GrantAgreement.objects.get(pk=self.agreement.pk)
        return self

    @property
    def reports(self) -> list[Report]:
        return list(self.agreement.reports.order_by("number"))

    @property
    def tranches(self) -> list[Tranche]:
        return list(self.agreement.tranches.order_by("number"))


def drafted_agreement(**kwargs) -> Grant:
    """A decided competition and the draft agreement of its awarded application, with the
    bank details filled in (``decided_competition(**kwargs)``)."""
    flow = decided_competition(**kwargs)
    application = next(a for a in flow.applications if a.status == "awarded")
    agreement = implementation.draft_agreement(user=flow.officer, application=application)
    GrantAgreement.objects.filter(pk=agreement.pk).update(**BANK)
    return Grant(agreement, flow.officer, applicant_of(application)).refresh()


def prepared_agreement(*, render: bool = True, **kwargs) -> Grant:
    """Prepared for signing; with ``render`` its PDFs are rendered (Celery eager)."""
    grant = drafted_agreement(**kwargs)
    with TestCase.captureOnCommitCallbacks(execute=render):
        implementation.prepare_agreement(user=grant.officer, agreement=grant.agreement)
    return grant.refresh()


def signed_agreement(**kwargs) -> Grant:
    grant = prepared_agreement(**kwargs)
    implementation.mark_signed(
        user=grant.officer,
        agreement=grant.agreement,
        signed_on=timezone.localdate(),
        scan=pdf_upload(),
    )
    return grant.refresh()


def running_agreement(**kwargs) -> Grant:
    """Signed and the first tranche paid: in implementation."""
    grant = signed_agreement(**kwargs)
    implementation.pay_tranche(
        user=grant.officer,
        tranche=grant.tranches[0],
        paid_on=timezone.localdate(),
        reference="ПП-0001",
    )
    return grant.refresh()


def report_content(grant: Grant, *, spent=None, achieved: str = "40") -> dict:
    """The keyword arguments of ``save_report``: every indicator answered; ``spent`` per
    line (a list in line order; by default a quarter of each line)."""
    lines = list(grant.agreement.budget_lines.all())
    amounts = spent if spent is not None else [line.planned / 4 for line in lines]
    return {
        "narrative": {
            "activities": "Тренингдер өткөрүлдү.",
            "beneficiaries_reached": 40,
            "problems": "",
        },
        "results": {i.pk: (achieved, "") for i in grant.agreement.indicators.all()},
        "spending": {
            line.pk: (Decimal(amount).quantize(Decimal("0.01")), "")
            for line, amount in zip(lines, amounts, strict=True)
        },
    }


def submitted_report(grant: Grant, number: int = 1, **content) -> Report:
    report = grant.agreement.reports.get(number=number)
    implementation.save_report(
        user=grant.applicant, report=report, **report_content(grant, **content)
    )
    return implementation.submit_report(user=grant.applicant, report=report)


def accepted_report(grant: Grant, number: int = 1, **content) -> Report:
    report = submitted_report(grant, number, **content)
    return implementation.review_report(user=grant.officer, report=report, accept=True, comment="")


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)
