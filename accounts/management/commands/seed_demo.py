"""Demo data for the embedded default: state bodies, NCOs, one user per role.

Idempotent: run it as often as you like; it updates what is there.
"""

import datetime

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import (
    Organization,
    OrganizationMembership,
    OrganizationPerson,
    Region,
    StateBody,
    StateBodyMembership,
    User,
)

DEMO_PASSWORD = "demo-portal-2026"

STATE_BODIES = [
    # slug, kind, parent slug, region code, ky, ru, en
    (
        "mlsd",
        StateBody.Kind.MINISTRY,
        None,
        "KG-GB",
        "Кыргыз Республикасынын Эмгек жана социалдык өнүгүү министрлиги",
        "Министерство труда и социального развития Кыргызской Республики",
        "Ministry of Labour and Social Development of the Kyrgyz Republic",
    ),
    (
        "mlsd-chuy",
        StateBody.Kind.TERRITORIAL_DIVISION,
        "mlsd",
        "KG-C",
        "Эмгек жана социалдык өнүгүү министрлигинин Чүй облусу боюнча башкармалыгы",
        "Управление Министерства труда и социального развития по Чуйской области",
        "Chüy Oblast Department of the Ministry of Labour and Social Development",
    ),
    (
        "bishkek-city-hall",
        StateBody.Kind.LOCAL_SELF_GOVERNMENT,
        None,
        "KG-GB",
        "Бишкек шаарынын мэриясы",
        "Мэрия города Бишкек",
        "Bishkek City Hall",
    ),
    (
        "alamudun-ao",
        StateBody.Kind.LOCAL_SELF_GOVERNMENT,
        None,
        "KG-C",
        "Аламүдүн айыл өкмөтү",
        "Аламудунский айыл окмоту",
        "Alamüdün aiyl okmotu",
    ),
]

ORGANIZATIONS = [
    # inn, name, legal form, region, registration number, date, founder, leader
    (
        "02301201510011",
        "«Бирге» коомдук фонду",
        Organization.LegalForm.PUBLIC_FUND,
        "KG-GB",
        "123456-3301-ОФ",
        datetime.date(2015, 1, 23),
        "Асанова Айгүл Бакытовна",
        "Токтогулов Нурлан Эркинович",
    ),
    (
        "01505201810022",
        "«Ак-Жүрөк» коомдук бирикмеси",
        Organization.LegalForm.PUBLIC_ASSOCIATION,
        "KG-GO",
        "234567-3306-ОО",
        datetime.date(2018, 5, 15),
        "Мамытова Гүлнара Садыковна",
        "Мамытова Гүлнара Садыковна",
    ),
    (
        "02209201910033",
        "«Таза Суу» коомдук уюмдар ассоциациясы",
        Organization.LegalForm.ASSOCIATION,
        "KG-N",
        "345678-3304-А",
        datetime.date(2019, 9, 22),
        "Жумабеков Талант Орозович",
        "Сыдыкова Жылдыз Маратовна",
    ),
]

USERS = [
    # e-mail, first name, last name, language, staff, what the role is
    ("admin@example.org", "Админ", "Порталдын", "ky", True, "administrator"),
    ("officer@example.org", "Бакыт", "Осмонов", "ky", False, "officer: mlsd"),
    ("local.officer@example.org", "Айжан", "Келдибекова", "ru", False, "officer: alamudun-ao"),
    ("nco.owner@example.org", "Нурлан", "Токтогулов", "ky", False, "owner: 02301201510011"),
    ("nco.editor@example.org", "Элина", "Сейитова", "ru", False, "editor: 02301201510011"),
    ("nco2.owner@example.org", "Гүлнара", "Мамытова", "ky", False, "owner: 01505201810022"),
    ("nco3.owner@example.org", "Жылдыз", "Сыдыкова", "ru", False, "owner: 02209201910033"),
    ("commission@example.org", "Жыпар", "Исаева", "ky", False, "commission member"),
]


class Command(BaseCommand):
    help = "Load demo state bodies, organisations and one user per role (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (the demo passwords are public).",
        )

    @transaction.atomic
    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates users with public passwords; use --force.")
        regions = {region.code: region for region in Region.objects.all()}
        if len(regions) < 9:
            raise CommandError("Regions are missing: run migrate first.")

        bodies = {}
        for slug, kind, parent, region, ky, ru, en in STATE_BODIES:
            bodies[slug], _ = StateBody.objects.update_or_create(
                slug=slug,
                defaults={
                    "kind": kind,
                    "parent": bodies.get(parent),
                    "region": regions[region],
                    "name": ky,
                    "name_ky": ky,
                    "name_ru": ru,
                    "name_en": en,
                },
            )

        organizations = {}
        for inn, name, legal_form, region, number, date, founder, leader in ORGANIZATIONS:
            organization, _ = Organization.objects.update_or_create(
                inn=inn,
                defaults={
                    "name": name,
                    "legal_form": legal_form,
                    "region": regions[region],
                    "registration_number": number,
                    "registration_date": date,
                    "address": regions[region].name_ky,
                    "phone": "+996 312 000000",
                    "email": f"info-{inn[-3:]}@example.org",
                },
            )
            for role, full_name in (
                (OrganizationPerson.Role.FOUNDER, founder),
                (OrganizationPerson.Role.LEADER, leader),
            ):
                OrganizationPerson.objects.get_or_create(
                    organization=organization, role=role, full_name=full_name
                )
            organizations[inn] = organization

        rows = []
        for email, first, last, language, staff, role in USERS:
            user, _ = User.objects.update_or_create(
                email=email,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "language": language,
                    "is_staff": staff,
                    "is_superuser": staff,
                },
            )
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            kind, _, target = role.partition(": ")
            if kind == "officer":
                StateBodyMembership.objects.get_or_create(user=user, state_body=bodies[target])
            elif kind in {"owner", "editor"}:
                OrganizationMembership.objects.get_or_create(
                    user=user, organization=organizations[target], defaults={"role": kind}
                )
            rows.append((email, role))

        self.stdout.write(self.style.SUCCESS("Demo data is loaded. Sign in with:"))
        for email, role in rows:
            self.stdout.write(f"  {email:<28} {DEMO_PASSWORD}   ({role})")
