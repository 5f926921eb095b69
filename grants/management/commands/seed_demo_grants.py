"""The grants of the demo decision, under way (idempotent).

Run after ``seed_demo_evaluation``, which leaves ``SSO-DEMO-005`` decided with two
awarded applications; ``make run`` runs it right after. Everything goes through the
services of ``grants.implementation``, as the officer and the organisation would on
the portal:

- the first awarded application (by rank): its agreement drafted, the bank details
  entered, the default schedule kept (half on signature, half on acceptance of the
  interim report; a final report after the end), prepared for signing (its PDFs in
  Kyrgyz and Russian), marked signed with a scan, the first tranche paid; the
  organisation has written and submitted its interim report (results and spending
  per budget line), which waits for the officer;
- the second: its agreement prepared, awaiting signature.

Each grant is brought to its state step by step, a step only when the grant has not
got that far, so a second run changes nothing and a run that stopped halfway (say,
a PDF that failed to render) goes on from there. The agreement's PDFs are rendered
here, in this process, when they are not ready after the commit (tasks inline under
``make run`` have already done it; a worker that is rendering one holds its lock).
"""

from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from accounts.management.commands.seed_demo import DEMO_PASSWORD
from accounts.models import OrganizationMembership, User
from competitions.models import Competition
from grants import implementation
from grants.management.commands.seed_demo_evaluation import REFERENCE
from grants.models import AgreementDocument, Application, GrantAgreement, Report, Tranche

BANK = {
    "bank_name": "«Айыл Банк» ААК",
    "bank_bic": "135001",
    "bank_account": "1350010012345678",
}
SECOND_BANK = {
    "bank_name": "«Бакай Банк» ААК",
    "bank_bic": "109001",
    "bank_account": "1090000198765432",
}
PAYMENT_REFERENCE = "ТП-2026-0415"

# The interim report of the first grant: what the organisation wrote.
ACTIVITIES = (
    "Долбоордун биринчи жарымында 58 үй-бүлө коштоого алынды, ар бирине жеке коштоо "
    "планы түзүлдү. 23 үй-бүлөгө документтерди калыбына келтирүүгө жана 31 үй-бүлөгө "
    "жөлөкпул тариздөөгө жардам берилди; 12 ата-эне жумушка орношту."
)
PROBLEMS = (
    "Жаңы конуштардын айрымдарында үй-бүлөлөрдү издеп табуу кыйын болду; "
    "айыл өкмөтү жана мектептер менен бирге тизме такталды."
)
BENEFICIARIES = 58
# Per indicator, in the agreement's order: what was achieved by the midpoint, a comment.
ACHIEVED = [("46", "Калган үй-бүлөлөрдүн пландары экинчи жарымда аткарылат.")]
# The share of each budget line spent in the first half, in the agreement's order.
SPENT = [Decimal("0.50"), Decimal("0.40"), Decimal("0.50")]
SPENDING_COMMENTS = [
    "Алты айлык эмгек акы.",
    "Маалымат материалдарынын биринчи нускасы басылды.",
    "",
]


def scan_pdf(text: str) -> bytes:
    """A small one-page PDF, as a scanner would give the signed agreement (ASCII text)."""
    text = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 14 Tf 72 770 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


class Command(BaseCommand):
    help = "Load the demo decision's grants: one in implementation, one awaiting signature."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo_grants is for demonstrations; use --force.")
        officer = User.objects.filter(email="officer@example.org").first()
        competition = Competition.objects.filter(reference=REFERENCE).first()
        if officer is None or competition is None or not hasattr(competition, "award_decision"):
            raise CommandError(f"{REFERENCE} is not decided: run seed_demo_evaluation first.")
        awarded = list(
            Application.objects.filter(
                competition=competition, status=Application.Status.AWARDED
            ).order_by("outcome__rank", "reference")
        )
        if not awarded:
            raise CommandError(f"{REFERENCE} has no awarded application.")
        self.changed = []
        try:
            with translation.override(settings.LANGUAGE_CODE):
                self._running(officer, awarded[0])
                if len(awarded) > 1:
                    self._awaiting_signature(officer, awarded[1])
        except ValidationError as error:  # A service refused: say what it said.
            raise CommandError(f"A service refused: {'; '.join(error.messages)}") from error
        if self.changed:
            self.stdout.write(self.style.SUCCESS("Demo grants loaded:"))
            for line in self.changed:
                self.stdout.write(f"  {line}")
        else:
            self.stdout.write(self.style.SUCCESS("Demo grants: already loaded; nothing changed."))
        self._report(officer, awarded[:2])

    # The steps, each only when the grant has not got that far

    def _running(self, officer, application) -> None:
        """Signed, first tranche paid, the interim report submitted."""
        agreement = self._prepared(officer, application, BANK)
        if agreement.status == GrantAgreement.Status.PREPARED:
            if not self._rendered(officer, agreement):
                return
            with transaction.atomic():
                implementation.mark_signed(
                    user=officer,
                    agreement=agreement,
                    signed_on=timezone.localdate(),
                    scan=SimpleUploadedFile(
                        f"{agreement.number}-scan.pdf",
                        scan_pdf(f"{agreement.number}: signed by both parties (demo scan)"),
                        content_type="application/pdf",
                    ),
                )
            agreement.refresh_from_db()
            self.changed.append(f"{agreement.number}: signed, with a scan")
        first = agreement.tranches.order_by("number").first()
        if agreement.status == GrantAgreement.Status.SIGNED and not first.is_paid:
            with transaction.atomic():
                implementation.pay_tranche(
                    user=officer,
                    tranche=first,
                    paid_on=timezone.localdate(),
                    reference=PAYMENT_REFERENCE,
                )
            agreement.refresh_from_db()
            self.changed.append(
                f"{agreement.number}: tranche 1 paid ({implementation.som(first.amount)}); "
                "in implementation"
            )
        report = agreement.reports.order_by("number").first()
        if (
            agreement.status == GrantAgreement.Status.IN_IMPLEMENTATION
            and report.kind == Report.Kind.INTERIM
            and report.status == Report.Status.DUE
        ):
            applicant = self._applicant(application)
            with transaction.atomic():
                implementation.save_report(
                    user=applicant, report=report, **self._report_content(agreement)
                )
                implementation.submit_report(user=applicant, report=report)
            self.changed.append(
                f"{agreement.number}: interim report {report.number} submitted by "
                f"{applicant.email}, waiting for the officer"
            )

    def _awaiting_signature(self, officer, application) -> None:
        agreement = self._prepared(officer, application, SECOND_BANK)
        if agreement.status == GrantAgreement.Status.PREPARED:
            self._rendered(officer, agreement)

    def _prepared(self, officer, application, bank) -> GrantAgreement:
        """The agreement, drafted with the bank details and prepared for signing."""
        agreement = GrantAgreement.objects.filter(application=application).first()
        if agreement is None:
            with transaction.atomic():
                agreement = implementation.draft_agreement(user=officer, application=application)
                # The project starts when the agreement is signed; it keeps its length and
                # the default schedule follows the new dates.
                start = timezone.localdate()
                end = start + (agreement.end_date - agreement.start_date)
                reports, tranches = implementation.default_schedule(start, end, agreement.amount)
                implementation.save_agreement(
                    user=officer,
                    agreement=agreement,
                    terms={"start_date": start, "end_date": end, **bank},
                    reports=reports,
                    tranches=tranches,
                )
            self.changed.append(f"{agreement.number}: drafted for {application.reference}")
        if agreement.status == GrantAgreement.Status.DRAFT:
            with transaction.atomic():
                implementation.prepare_agreement(user=officer, agreement=agreement)
            self.changed.append(f"{agreement.number}: prepared for signing")
        agreement.refresh_from_db()
        return agreement

    def _rendered(self, officer, agreement) -> bool:
        """Render the latest PDFs that are not ready (failed ones again); ``True`` if all are."""
        for document in implementation.latest_documents(agreement):
            if document.status == AgreementDocument.Status.DONE:
                continue
            if document.status == AgreementDocument.Status.FAILED:
                with transaction.atomic():
                    implementation.retry_agreement_document(user=officer, document=document)
            try:
                implementation.render_agreement_document(document.pk)
            except Exception as error:  # The row says failed; tell the user.
                self.stderr.write(
                    self.style.WARNING(
                        f"{agreement.number}: {document.filename} did not render "
                        f"({type(error).__name__}: {error}). Run the command again to retry."
                    )
                )
                return False
            self.changed.append(f"{agreement.number}: {document.filename} rendered")
        return True

    def _applicant(self, application) -> User:
        owner = User.objects.filter(
            organization_memberships__organization=application.organization_id,
            organization_memberships__role=OrganizationMembership.Role.OWNER,
        ).first()
        if owner is None:
            raise CommandError(f"{application.organization} has no owner: run seed_demo first.")
        return owner

    def _report_content(self, agreement) -> dict:
        indicators = list(agreement.indicators.all())
        lines = list(agreement.budget_lines.all())
        return {
            "narrative": {
                "activities": ACTIVITIES,
                "beneficiaries_reached": BENEFICIARIES,
                "problems": PROBLEMS,
            },
            "results": {
                indicator.pk: ACHIEVED[index % len(ACHIEVED)]
                for index, indicator in enumerate(indicators)
            },
            "spending": {
                line.pk: (
                    (line.planned * SPENT[index % len(SPENT)]).quantize(
                        Decimal("0.01"), ROUND_DOWN
                    ),
                    SPENDING_COMMENTS[index % len(SPENDING_COMMENTS)],
                )
                for index, line in enumerate(lines)
            },
        }

    # What there is now

    def _report(self, officer, applications) -> None:
        agreements = GrantAgreement.objects.filter(application__in=applications).order_by(
            "application__outcome__rank", "number"
        )
        with translation.override("en"):
            for agreement in agreements:
                paid = implementation.paid_total(agreement)
                documents = implementation.latest_documents(agreement)
                ready = sum(d.status == AgreementDocument.Status.DONE for d in documents)
                self.stdout.write(
                    f"  {agreement.number} ({agreement.organization.name}): "
                    f"{agreement.get_status_display()}, {implementation.som(agreement.amount)}, "
                    f"{implementation.som(paid)} paid; PDFs {ready} of {len(documents)} ready"
                )
                with translation.override("ky"):
                    path = reverse("grants:agreement", args=[agreement.pk])
                self.stdout.write(f"    {path}")
                for report in agreement.reports.order_by("number"):
                    if report.status == Report.Status.DUE:
                        continue
                    with translation.override("ky"):
                        path = reverse("grants:report", args=[report.pk])
                    self.stdout.write(
                        f"    {report.get_kind_display()} {report.number}: "
                        f"{report.get_status_display()}; {path}"
                    )
                payable = [
                    t.number
                    for t in agreement.tranches.select_related("condition_report")
                    if t.condition == Tranche.Condition.REPORT and not t.is_paid
                ]
                if payable:
                    self.stdout.write(
                        f"    tranche {', '.join(map(str, payable))}: "
                        "paid once its report is accepted"
                    )
        self.stdout.write("The officer and the organisations sign in with:")
        people = [officer, *(self._applicant(a) for a in applications)]
        for user in people:
            self.stdout.write(f"  {user.email:<28} {DEMO_PASSWORD}")
