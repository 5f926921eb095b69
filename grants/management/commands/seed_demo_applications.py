"""Demo applications: a draft, submitted ones and admission decisions (idempotent).

Run after ``seed_demo`` and ``seed_demo_competitions``.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import Organization, User
from competitions.models import Competition
from grants import services
from grants.models import (
    Activity,
    Application,
    Attachment,
    BudgetCategory,
    BudgetLine,
    ResultIndicator,
)
from socialorder.uploads import sha256_of

# A small genuine PDF for the demo documents.
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

DEMO = [
    # competition, organisation INN, what happens
    ("SSO-DEMO-001", "02301201510011", "draft"),
    ("SSO-DEMO-001", "01505201810022", "submitted"),
    ("SSO-DEMO-004", "02301201510011", "admitted"),
    ("SSO-DEMO-004", "01505201810022", "submitted"),
    ("SSO-DEMO-004", "02209201910033", "rejected"),
]


class Command(BaseCommand):
    help = "Load demo applications on the demo competitions (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo_applications is for demonstrations; use --force.")
        officer = User.objects.filter(email="officer@example.org").first()
        if officer is None or not Competition.objects.filter(reference="SSO-DEMO-004").exists():
            raise CommandError("Run seed_demo and seed_demo_competitions first.")
        created = 0
        for reference, inn, outcome in DEMO:
            competition = Competition.objects.get(reference=reference)
            organization = Organization.objects.get(inn=inn)
            if Application.objects.filter(
                competition=competition, organization=organization
            ).exists():
                continue
            self._create(competition, organization, outcome, officer)
            created += 1
        self.stdout.write(self.style.SUCCESS(f"Demo applications: {created} created."))

    @transaction.atomic
    def _create(self, competition, organization, outcome, officer):
        member = User.objects.filter(organization_memberships__organization=organization).first()
        if member is None:
            raise CommandError(f"{organization} has no member: run seed_demo first.")
        start = max(timezone.localdate(), competition.deadline.date()) + datetime.timedelta(days=30)
        end = start + datetime.timedelta(days=30 * competition.duration_min_months - 1)
        application = Application.objects.create(
            competition=competition,
            organization=organization,
            created_by=member,
            title=f"{organization.name}: {competition.title_ky}",
            summary="Долбоор максаттуу топко үйдө жана борбордо кызмат көрсөтөт.",
            problem="Аймакта бул кызмат жетишсиз.",
            goal="Кызматтын жеткиликтүүлүгүн жогорулатуу.",
            objectives="1. Кызматкерлерди окутуу. 2. Кызмат көрсөтүү.",
            target_group="Жалгыз басты улгайган адамдар",
            beneficiaries=60,
            sustainability="Жергиликтүү бюджеттен каржылоо улантылат.",
            start_date=start,
            end_date=end,
        )
        application.regions.set(competition.regions.all())
        Activity.objects.create(
            application=application,
            name="Окутуу",
            start=start,
            end=end,
            responsible="Долбоор жетекчиси",
        )
        ResultIndicator.objects.create(
            application=application, indicator="Кызмат алган адамдар", baseline="0", target="60"
        )
        grant = min(competition.max_grant, max(competition.min_grant, Decimal("150000")))
        share = competition.own_contribution_percent / 100
        own = (grant * share / (1 - share)).quantize(Decimal("1")) + 1
        BudgetLine.objects.create(
            application=application,
            category=BudgetCategory.objects.get(slug="staff"),
            description="Социалдык кызматкерлердин эмгек акысы",
            unit="ай",
            quantity=Decimal(1),
            unit_cost=grant + own,
            requested=grant,
            own_contribution=own,
        )
        services.recompute_totals(application)
        for item in competition.checklist.all():
            content = ContentFile(PDF, name="document.pdf")
            Attachment.objects.create(
                application=application,
                checklist_item=item,
                file=content,
                original_name=f"{item.name_ky}.pdf",
                file_type="pdf",
                size=len(PDF),
                sha256=sha256_of(ContentFile(PDF)),
                uploaded_by=member,
            )
        if outcome == "draft":
            return
        before = competition.deadline - datetime.timedelta(days=1)
        services.submit_application(
            user=member, application=application, now=min(timezone.now(), before)
        )
        if outcome in {"admitted", "rejected"}:
            services.decide_admission(
                user=officer,
                application=application,
                admit=outcome == "admitted",
                reason="" if outcome == "admitted" else "Уюмдун уставы табыштамага тиркелген эмес.",
            )
