"""Demo programmes and competitions (run after ``seed_demo``; idempotent)."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import Region, StateBody, User
from competitions.models import (
    ChecklistItem,
    Competition,
    Criterion,
    Programme,
    ServiceArea,
    StatusChange,
)

CRITERIA = [
    ("Долбоордун актуалдуулугу", "Актуальность проекта", "Relevance of the project", 10, "2"),
    (
        "Максаттуу топко таасири",
        "Влияние на целевую группу",
        "Effect on the target group",
        10,
        "1.5",
    ),
    ("Бюджеттин негиздүүлүгү", "Обоснованность бюджета", "Soundness of the budget", 10, "1"),
    ("Уюмдун тажрыйбасы", "Опыт организации", "Experience of the organisation", 10, "1"),
]

CHECKLIST = [
    ("Уюмдун уставы", "Устав организации", "Charter of the organisation", True),
    (
        "Мамлекеттик каттоо күбөлүгү",
        "Свидетельство о государственной регистрации",
        "Registration certificate",
        True,
    ),
    ("Өнөктөштөрдүн колдоо каттары", "Письма поддержки партнёров", "Letters of support", False),
]

COMPETITIONS = [
    # key, body, area, title ky, ru, en, status, days to deadline
    (
        "elderly-care",
        "mlsd",
        "elderly",
        "Жалгыз басты улгайган адамдарга үйдө социалдык кызмат көрсөтүү",
        "Социальное обслуживание на дому одиноких пожилых людей",
        "Home care for older people living alone",
        Competition.Status.PUBLISHED,
        30,
    ),
    (
        "youth-alamudun",
        "alamudun-ao",
        "youth",
        "Аламүдүн айыл аймагында жаштардын бош убактысын уюштуруу",
        "Организация досуга молодёжи в Аламудунском айыльном аймаке",
        "Youth leisure in Alamüdün aiyl aimak",
        Competition.Status.PUBLISHED,
        25,
    ),
    (
        "disability-draft",
        "mlsd",
        "disability",
        "Мүмкүнчүлүгү чектелген балдар үчүн күндүзгү борборлор",
        "Дневные центры для детей с ограниченными возможностями",
        "Day centres for children with disabilities",
        Competition.Status.DRAFT,
        40,
    ),
    (
        "migrants-evaluation",
        "mlsd",
        "migration",
        "Мигранттардын үй-бүлөлөрүнө социалдык-укуктук кеңеш берүү",
        "Социально-правовое консультирование семей мигрантов",
        "Social and legal advice for migrants' families",
        Competition.Status.EVALUATION,
        -5,
    ),
]


def add_demo_terms(competition) -> None:
    """The demo criteria and required documents, in three languages."""
    for order, (ky, ru, en, points, weight) in enumerate(CRITERIA):
        Criterion.objects.create(
            competition=competition,
            name_ky=ky,
            name_ru=ru,
            name_en=en,
            max_points=points,
            weight=Decimal(weight),
            order=order,
        )
    for order, (ky, ru, en, required) in enumerate(CHECKLIST):
        ChecklistItem.objects.create(
            competition=competition,
            name_ky=ky,
            name_ru=ru,
            name_en=en,
            required=required,
            order=order,
        )


class Command(BaseCommand):
    help = "Load demo SSO programmes and competitions (idempotent; needs seed_demo first)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    @transaction.atomic
    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo_competitions is for demonstrations; use --force.")
        try:
            officer = User.objects.get(email="officer@example.org")
        except User.DoesNotExist:
            raise CommandError("Run seed_demo first.") from None
        bodies = {body.slug: body for body in StateBody.objects.all()}
        regions = {region.code: region for region in Region.objects.all()}
        programme, _ = Programme.objects.update_or_create(
            state_body=bodies["mlsd"],
            year_start=2026,
            defaults={
                "title_ky": "2026–2027-жылдарга МСЗ программасы",
                "title_ru": "Программа ГСЗ на 2026–2027 годы",
                "title_en": "SSO programme for 2026–2027",
                "description_ky": "Социалдык кызматтардын сапатын жогорулатуу.",
                "description_ru": "Повышение качества социальных услуг.",
                "year_end": 2027,
                "budget": Decimal("38000000"),
                "created_by": officer,
            },
        )
        now = timezone.now()
        for index, (_key, body, area, ky, ru, en, status, days) in enumerate(COMPETITIONS, 1):
            reference = f"SSO-DEMO-{index:03d}"
            deadline = timezone.make_aware(
                datetime.datetime.combine(
                    timezone.localdate() + datetime.timedelta(days=days), datetime.time(18, 0)
                )
            )
            if Competition.objects.filter(reference=reference).exists():
                continue  # Keep what demo users did with it (published, cancelled...).
            competition, created = Competition.objects.get_or_create(
                reference=reference,
                defaults={
                    "state_body": bodies[body],
                    "programme": programme if body == "mlsd" else None,
                    "title_ky": ky,
                    "title_ru": ru,
                    "title_en": en,
                    "announcement_ky": f"{ky}. Долбоорлор ачык конкурс аркылуу тандалат.",
                    "announcement_ru": f"{ru}. Проекты отбираются на открытом конкурсе.",
                    "eligibility_ky": "Кыргыз Республикасында катталган коммерциялык эмес уюмдар.",
                    "eligibility_ru": "Некоммерческие организации, зарегистрированные в КР.",
                    "service_area": ServiceArea.objects.get(slug=area),
                    "total_budget": Decimal("4000000") if body == "mlsd" else Decimal("400000"),
                    "min_grant": Decimal("100000"),
                    "max_grant": Decimal("800000") if body == "mlsd" else Decimal("200000"),
                    "own_contribution_percent": Decimal("10"),
                    "deadline": deadline,
                    "duration_min_months": 6,
                    "duration_max_months": 12,
                    "contact_name": "Осмонов Бакыт",
                    "contact_email": "officer@example.org",
                    "contact_phone": "+996 312 000000",
                    "status": status,
                    "published_at": None if status == Competition.Status.DRAFT else now,
                    "announced_on": None
                    if status == Competition.Status.DRAFT
                    else timezone.localdate() - datetime.timedelta(days=max(0, 30 - days)),
                    "created_by": officer,
                },
            )
            competition.regions.set(
                [regions["KG-C"]] if body == "alamudun-ao" else [regions["KG-C"], regions["KG-GB"]]
            )
            if created:
                add_demo_terms(competition)
                if status != Competition.Status.DRAFT:
                    StatusChange.objects.create(
                        competition=competition,
                        from_status=Competition.Status.DRAFT,
                        to_status=Competition.Status.PUBLISHED,
                        changed_by=officer,
                    )
                if status == Competition.Status.EVALUATION:
                    StatusChange.objects.create(
                        competition=competition,
                        from_status=Competition.Status.PUBLISHED,
                        to_status=status,
                        note="deadline passed",
                    )
        self.stdout.write(
            self.style.SUCCESS(f"Demo competitions loaded: {Competition.objects.count()} in all.")
        )
