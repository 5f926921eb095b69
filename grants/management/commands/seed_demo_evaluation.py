"""A demo competition taken through evaluation to an approved award decision (idempotent).

Run after ``seed_demo`` (it needs the demo ministry, its officer and the demo
organisations); ``make run`` runs it after ``seed_demo_applications``.

Everything goes through the services a user would trigger on the portal: the
applications are submitted before the deadline (``submit_application`` is told
the moment of submission, as ``seed_demo_applications`` does), the officer
decides admission, the commission declares conflicts and scores, the officer
reduces an amount to fit the budget, records the meeting and approves. The
decision PDFs and letters render after the commit: inline when tasks run
inline (``make run``), on the worker otherwise.
"""

import datetime
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from accounts.management.commands.seed_demo import DEMO_PASSWORD
from accounts.models import (
    Organization,
    OrganizationMembership,
    OrganizationPerson,
    Region,
    StateBody,
    User,
)
from competitions import services as competition_services
from competitions.management.commands.seed_demo_competitions import add_demo_terms
from competitions.models import (
    CommissionMember,
    Competition,
    Programme,
    ServiceArea,
    StatusChange,
    TargetGroup,
)
from grants import decisions, evaluation, ranking, services
from grants.management.commands.seed_demo_applications import PDF
from grants.models import (
    Activity,
    Application,
    Attachment,
    AwardDecision,
    BudgetCategory,
    BudgetLine,
    DecisionDocument,
    Review,
)
from grants.permissions import has_cleared_conflict
from socialorder.uploads import sha256_of

REFERENCE = "SSO-DEMO-005"
DEADLINE_DAYS_AGO = 12

COMPETITION = {
    "title_ky": "Оор турмуштук кырдаалдагы үй-бүлөлөрдү социалдык коштоо",
    "title_ru": "Социальное сопровождение семей в трудной жизненной ситуации",
    "title_en": "Social support for families in difficult circumstances",
    "announcement_ky": (
        "Министрлик оор турмуштук кырдаалдагы үй-бүлөлөрдү социалдык коштоо кызматына "
        "мамлекеттик социалдык заказды жайгаштырат. Долбоорлор ачык конкурс аркылуу тандалат."
    ),
    "announcement_ru": (
        "Министерство размещает государственный социальный заказ на социальное "
        "сопровождение семей в трудной жизненной ситуации. Проекты отбираются на открытом "
        "конкурсе."
    ),
    "announcement_en": (
        "The ministry places a state social order for social support of families in "
        "difficult circumstances. Projects are chosen in an open competition."
    ),
    "eligibility_ky": "Кыргыз Республикасында катталган коммерциялык эмес уюмдар.",
    "eligibility_ru": "Некоммерческие организации, зарегистрированные в КР.",
    "eligibility_en": "Non-commercial organisations registered in the Kyrgyz Republic.",
}

# One more organisation, so that four apply; the other three come from seed_demo.
NEW_ORGANIZATION = {
    "inn": "01203202110044",
    "name": "«Үмүт Нуру» коомдук фонду",
    "legal_form": Organization.LegalForm.PUBLIC_FUND,
    "region": "KG-C",
    "registration_number": "456789-3302-ОФ",
    "registration_date": datetime.date(2021, 3, 12),
    "founder": "Абдрахманова Чынара Кубанычбековна",
    "leader": "Эсенгулов Азамат Токтобекович",
}

USERS = [
    # e-mail, first name, last name, language, what the role is
    ("nco4.owner@example.org", "Азамат", "Эсенгулов", "ru", "owner: 01203202110044"),
    ("chair@example.org", "Назгүл", "Алиева", "ky", "commission chair: SSO-DEMO-005"),
    ("member1@example.org", "Тимур", "Бекмуратов", "ru", "commission member: SSO-DEMO-005"),
    ("member2@example.org", "Айпери", "Жусупова", "ky", "commission member: SSO-DEMO-005"),
]

COMMISSION = [
    # e-mail, full name, role, voting
    ("chair@example.org", "Алиева Назгүл Таштановна", CommissionMember.Role.CHAIR, True),
    (
        "member1@example.org",
        "Бекмуратов Тимур Асанович",
        CommissionMember.Role.INDEPENDENT_EXPERT,
        True,
    ),
    (
        "member2@example.org",
        "Жусупова Айпери Маратовна",
        CommissionMember.Role.COUNCIL_REPRESENTATIVE,
        True,
    ),
    # The demo "commission member" of seed_demo, as the non-voting secretary.
    ("commission@example.org", "Исаева Жыпар", CommissionMember.Role.SECRETARY, False),
]

# The recusal: this member declares a conflict with this organisation's application.
CONFLICT = (
    "member2@example.org",
    "01505201810022",
    "2024-жылы бул уюмдун долбоорунда акы төлөнүүчү эксперт болуп иштегем.",
)

APPLICATIONS = [
    # In the order they are submitted (so A001, A002...). Money in som: the grant asks
    # for 12 months of staff plus materials; the organisation pays the premises itself.
    {
        "inn": "02301201510011",
        "region": "KG-GB",
        "hours_before_deadline": 96,
        "title": "Бишкектеги оор кырдаалдагы үй-бүлөлөргө социалдык коштоо кызматы",
        "summary": (
            "Социалдык кызматкерлер 120 үй-бүлөнү бир жыл бою коштоп, документтерди "
            "калыбына келтирүүгө, жөлөкпул алууга жана жумуш табууга жардам беришет."
        ),
        "problem": (
            "Шаардын жаңы конуштарында жашаган көп балалуу жана жалгыз ата-энелүү "
            "үй-бүлөлөрдүн көбү мамлекеттик жардамды кантип алууну билишпейт."
        ),
        "goal": "Үй-бүлөлөрдүн турмуштук кырдаалын туруктуу жакшыртуу.",
        "objectives": (
            "1. Ар бир үй-бүлөгө жеке коштоо планын түзүү. 2. Документтерди жана "
            "жөлөкпулдарды тариздөөгө жардам берүү. 3. Ата-энелерди жумушка орноштуруу."
        ),
        "target_group": (
            "Бишкектин жаңы конуштарындагы көп балалуу жана жалгыз ата-энелүү үй-бүлөлөр"
        ),
        "beneficiaries": 120,
        "sustainability": (
            "Мэрия коштоо кызматын 2028-жылдан тартып өз бюджетинен каржылоого макул."
        ),
        "activity": "Үй-бүлөлөрдү коштоо жана кеңеш берүү",
        "indicator": ("Коштоо планы аткарылган үй-бүлөлөр", "0", "100"),
        "staff_month": 30000,
        "materials": 120000,
        "premises_month": 5000,
    },
    {
        "inn": "01505201810022",
        "region": "KG-O",
        "hours_before_deadline": 72,
        "title": "Ош облусунда үй-бүлөлөрдү мобилдик топ аркылуу коштоо",
        "summary": (
            "Мобилдик топ алыскы айылдардагы 90 үй-бүлөгө айына эки жолу барып, "
            "социалдык жана укуктук кеңеш берет."
        ),
        "problem": "Алыскы айылдардагы үй-бүлөлөр социалдык кызматтарга жете алышпайт.",
        "goal": "Алыскы айылдардагы үй-бүлөлөргө социалдык кызматты жеткиликтүү кылуу.",
        "objectives": (
            "1. Мобилдик топту түзүү жана окутуу. 2. Айылдарга үзгүлтүксүз баруу. "
            "3. Айыл өкмөттөрү менен бирге иштөө."
        ),
        "target_group": "Ош облусунун алыскы айылдарындагы аз камсыз болгон үй-бүлөлөр",
        "beneficiaries": 90,
        "sustainability": "Айыл өкмөттөрү топтун жол чыгымдарын бөлүштүрүп төлөөгө макул.",
        "activity": "Мобилдик топтун айылдарга баруусу",
        "indicator": ("Кызмат алган үй-бүлөлөр", "0", "90"),
        "staff_month": 28000,
        "materials": 114000,
        "premises_month": 5000,
    },
    {
        "inn": "02209201910033",
        "region": "KG-N",
        "hours_before_deadline": 50,
        "title": "Нарын шаарында балдары бар үй-бүлөлөр үчүн күндүзгү кеңеш берүү борбору",
        "summary": "Борбор 60 үй-бүлөгө психологиялык жана социалдык кеңеш берет.",
        "problem": "Нарында үй-бүлөлөргө психологиялык кеңеш берген кызмат жок.",
        "goal": "Үй-бүлөлөргө психологиялык колдоо көрсөтүү.",
        "objectives": "1. Борборду ачуу. 2. Жумасына беш күн кеңеш берүү.",
        "target_group": "Нарын шаарындагы балдары бар оор кырдаалдагы үй-бүлөлөр",
        "beneficiaries": 60,
        "sustainability": "Борбор кийин акы төлөнүүчү кызматтар аркылуу өзүн каржылайт.",
        "activity": "Кеңеш берүү борборунун иши",
        "indicator": ("Кеңеш алган үй-бүлөлөр", "0", "60"),
        "staff_month": 20000,
        "materials": 60000,
        "premises_month": 3000,
    },
    {
        "inn": "01203202110044",
        "region": "KG-C",
        "hours_before_deadline": 26,
        "title": "Аламүдүн районунда үй-бүлөлөргө социалдык жардам",
        "summary": "Ыктыярчылар 50 үй-бүлөгө азык-түлүк жана кийим-кече таратышат.",
        "problem": "Аламүдүн районунда аз камсыз болгон үй-бүлөлөр көп.",
        "goal": "Үй-бүлөлөргө заттай жардам берүү.",
        "objectives": "1. Жардам топтоо. 2. Жардамды таратуу.",
        "target_group": "Аламүдүн районундагы аз камсыз болгон үй-бүлөлөр",
        "beneficiaries": 50,
        "sustainability": "Жардамды демөөрчүлөр улантат.",
        "activity": "Жардамды таратуу",
        "indicator": ("Жардам алган үй-бүлөлөр", "0", "50"),
        "staff_month": 15000,
        "materials": 40000,
        "premises_month": 2500,
    },
]

# The officer's admission check: the last one is not admitted.
REJECTED = (
    "01203202110044",
    "Уюмдун уставында социалдык кызмат көрсөтүү максаты каралган эмес; "
    "долбоор социалдык коштоо эмес, бир жолку заттай жардам.",
)

# Per admitted application, the points and justifications of its first and second
# reviewer (in the order the reviewers were assigned), per criterion in the
# competition's order: relevance (×2), effect on the target group (×1.5), budget,
# experience (×1 each), 10 points each.
SCORECARDS = {
    "02301201510011": [
        (
            [9, 9, 8, 9],
            [
                "Жаңы конуштардагы үй-бүлөлөрдүн муктаждыгы статистика менен так көрсөтүлгөн.",
                "Ар бир үй-бүлөгө жеке план түзүлөт; натыйжасы өлчөнөт.",
                "Чыгымдар негиздүү, бирок материалдарга бир аз көп каралган.",
                "Уюм 2015-жылдан бери үй-бүлөлөр менен иштейт, мэрия менен тажрыйбасы бар.",
            ],
        ),
        (
            [8, 9, 9, 8],
            [
                "Көйгөй актуалдуу, бирок башка уюмдардын иши айтылган эмес.",
                "Максаттуу топ так аныкталган, 120 үй-бүлө реалдуу сан.",
                "Бюджет иш-чараларга толук шайкеш келет.",
                "Команданын тажрыйбасы жетиштүү.",
            ],
        ),
    ],
    "01505201810022": [
        (
            [8, 7, 7, 8],
            [
                "Алыскы айылдарга кызмат жеткирүү өтө маанилүү.",
                "Айына эки жолу баруу жетишсиз болушу мүмкүн.",
                "Жол чыгымдары жогору, бирок түшүндүрүлгөн.",
                "Уюмдун Ош облусунда иштөө тажрыйбасы бар.",
            ],
        ),
        (
            [7, 8, 6, 7],
            [
                "Актуалдуу, бирок көйгөйдүн масштабы сандар менен көрсөтүлгөн эмес.",
                "Мобилдик топ көп үй-бүлөнү камтыйт.",
                "Материалдардын бир бөлүгү долбоорго түздөн-түз тиешеси жок.",
                "Тажрыйба бар, бирок мобилдик кызмат боюнча жок.",
            ],
        ),
    ],
    "02209201910033": [
        (
            [7, 6, 6, 7],
            [
                "Нарында мындай кызмат чындап жок.",
                "60 үй-бүлө аз; таасири чектелүү.",
                "Эмгек акы рынок баасынан жогору.",
                "Уюм негизинен суу маселеси менен иштеген; тажрыйбасы азыраак.",
            ],
        ),
        (
            [6, 7, 6, 6],
            [
                "Актуалдуулугу жалпы сөз менен гана негизделген.",
                "Кеңеш берүү үй-бүлөлөргө түздөн-түз жардам берет.",
                "Бюджет жалпысынан туура, бирок ижара төмөн бааланган.",
                "Психологдор менен иштөө тажрыйбасы жок.",
            ],
        ),
    ],
}

REDUCTION_REASON = (
    "Конкурстун бюджетинин калдыгына батыруу үчүн сумма кыскартылды; уюм материалдык "
    "чыгымдарды азайтып, мобилдик топтун сапарларын сактоого макул болду."
)

MEETING_PLACE = "Бишкек ш., Эмгек жана социалдык өнүгүү министрлиги, 3-кабат, жыйындар залы"
MEETING_MINUTES = (
    "Комиссия баалоонун жыйынтыгын карап чыгып, рейтингди бир добуштан жактырды. "
    "А. М. Жусупова бир табыштама боюнча кызыкчылыктардын кагылышуусун билдирип, "
    "аны баалоого катышкан жок. Экинчи орундагы табыштаманын суммасы бюджеттин "
    "калдыгына чейин кыскартылды."
)


class Command(BaseCommand):
    help = "Load a demo competition evaluated and decided, with its PDFs (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo_evaluation is for demonstrations; use --force.")
        officer = User.objects.filter(email="officer@example.org").first()
        if officer is None or not StateBody.objects.filter(slug="mlsd").exists():
            raise CommandError("Run seed_demo first.")
        existing = Competition.objects.filter(reference=REFERENCE).first()
        if existing is not None and not hasattr(existing, "award_decision"):
            raise CommandError(
                f"{REFERENCE} exists but has no decision (made by hand?): "
                "remove it or start from a fresh database."
            )
        if existing is None:
            try:
                with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
                    self._seed(officer)
            except ValidationError as error:  # A service refused: say what it said.
                raise CommandError(f"A service refused: {'; '.join(error.messages)}") from error
            # The commit has run the on-commit callbacks: inline tasks rendered the PDFs.
            decision = AwardDecision.objects.get(competition__reference=REFERENCE)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo evaluation loaded: {REFERENCE} evaluated and decided "
                    f"({decision.outcomes.count()} outcomes)."
                )
            )
        else:
            decision = existing.award_decision
            retried = self._retry_failed(officer, decision)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo evaluation: {REFERENCE} is already decided; nothing changed."
                    if not retried
                    else f"Demo evaluation: {REFERENCE} is already decided; "
                    f"{retried} failed documents queued again."
                )
            )
        self._report(decision)

    # Building the demo

    def _seed(self, officer):
        organizations = self._organizations()
        users = self._users(organizations)
        competition = self._competition(officer)
        applications = self._apply(competition, organizations)
        self._admit(officer, applications)
        self._commission(officer, competition)
        self._evaluate(officer, competition, applications, users)
        present = list(competition.commission.all())
        decisions.record_meeting(
            user=officer,
            competition=competition,
            held_at=timezone.now().replace(second=0, microsecond=0),
            place=MEETING_PLACE,
            present=present,
            minutes=MEETING_MINUTES,
        )
        decisions.approve_decision(user=officer, competition=competition)

    def _organizations(self) -> dict[str, Organization]:
        inns = [entry["inn"] for entry in APPLICATIONS if entry["inn"] != NEW_ORGANIZATION["inn"]]
        organizations = {o.inn: o for o in Organization.objects.filter(inn__in=inns)}
        if len(organizations) != len(inns):
            raise CommandError("The demo organisations are missing: run seed_demo first.")
        new = NEW_ORGANIZATION
        region = Region.objects.get(code=new["region"])
        organization, created = Organization.objects.get_or_create(
            inn=new["inn"],
            defaults={
                "name": new["name"],
                "legal_form": new["legal_form"],
                "region": region,
                "registration_number": new["registration_number"],
                "registration_date": new["registration_date"],
                "address": region.name_ky,
                "phone": "+996 312 000000",
                "email": f"info-{new['inn'][-3:]}@example.org",
            },
        )
        if created:
            for role, full_name in (
                (OrganizationPerson.Role.FOUNDER, new["founder"]),
                (OrganizationPerson.Role.LEADER, new["leader"]),
            ):
                OrganizationPerson.objects.create(
                    organization=organization, role=role, full_name=full_name
                )
        organizations[organization.inn] = organization
        return organizations

    def _users(self, organizations) -> dict[str, User]:
        """The new demo users (left as they are if they exist: nothing is reset)."""
        users = {}
        for email, first, last, language, role in USERS:
            user, created = User.objects.get_or_create(
                email=email,
                defaults={"first_name": first, "last_name": last, "language": language},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            EmailAddress.objects.get_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            kind, _, target = role.partition(": ")
            if kind == "owner":
                OrganizationMembership.objects.get_or_create(
                    user=user,
                    organization=organizations[target],
                    defaults={"role": OrganizationMembership.Role.OWNER},
                )
            users[email] = user
        commission = User.objects.filter(email="commission@example.org").first()
        if commission is None:
            raise CommandError("The demo commission member is missing: run seed_demo first.")
        users[commission.email] = commission
        return users

    def _competition(self, officer) -> Competition:
        """Published a month before a deadline that has passed, as the beat would leave it."""
        deadline = timezone.make_aware(
            datetime.datetime.combine(
                timezone.localdate() - datetime.timedelta(days=DEADLINE_DAYS_AGO),
                datetime.time(18, 0),
            )
        )
        announced = deadline.date() - datetime.timedelta(days=30)
        state_body = StateBody.objects.get(slug="mlsd")
        competition = Competition.objects.create(
            reference=REFERENCE,
            state_body=state_body,
            programme=Programme.objects.filter(state_body=state_body, year_start=2026).first(),
            **COMPETITION,
            service_area=ServiceArea.objects.get(slug="children-families"),
            total_budget=Decimal("900000"),
            min_grant=Decimal("100000"),
            max_grant=Decimal("500000"),
            own_contribution_percent=Decimal("10"),
            deadline=deadline,
            duration_min_months=6,
            duration_max_months=12,
            pass_mark=Decimal("60"),
            reviews_per_application=2,
            quorum=3,
            contact_name="Осмонов Бакыт",
            contact_email="officer@example.org",
            contact_phone="+996 312 000000",
            status=Competition.Status.PUBLISHED,
            announced_on=announced,
            published_at=timezone.make_aware(
                datetime.datetime.combine(announced, datetime.time(10, 0))
            ),
            created_by=officer,
        )
        competition.regions.set(Region.objects.filter(code__in=["KG-GB", "KG-C", "KG-O", "KG-N"]))
        competition.target_groups.set(
            TargetGroup.objects.filter(slug__in=["children", "low-income"])
        )
        add_demo_terms(competition)
        StatusChange.objects.create(
            competition=competition,
            from_status=Competition.Status.DRAFT,
            to_status=Competition.Status.PUBLISHED,
            changed_by=officer,
        )
        return competition

    def _apply(self, competition, organizations) -> dict[str, Application]:
        """Complete applications, submitted through the service before the deadline."""
        start = (timezone.localdate() + datetime.timedelta(days=45)).replace(day=1)
        end = start.replace(year=start.year + 1) - datetime.timedelta(days=1)
        applications = {}
        for entry in APPLICATIONS:
            organization = organizations[entry["inn"]]
            owner = User.objects.filter(
                organization_memberships__organization=organization,
                organization_memberships__role=OrganizationMembership.Role.OWNER,
            ).first()
            if owner is None:
                raise CommandError(f"{organization} has no owner: run seed_demo first.")
            application = Application.objects.create(
                competition=competition,
                organization=organization,
                created_by=owner,
                title=entry["title"],
                summary=entry["summary"],
                problem=entry["problem"],
                goal=entry["goal"],
                objectives=entry["objectives"],
                target_group=entry["target_group"],
                beneficiaries=entry["beneficiaries"],
                sustainability=entry["sustainability"],
                start_date=start,
                end_date=end,
            )
            application.regions.set(competition.regions.filter(code=entry["region"]))
            Activity.objects.create(
                application=application,
                name=entry["activity"],
                start=start,
                end=end,
                responsible=organization.people.filter(role=OrganizationPerson.Role.LEADER)
                .values_list("full_name", flat=True)
                .first()
                or "Долбоор жетекчиси",
            )
            indicator, baseline, target = entry["indicator"]
            application.results.create(indicator=indicator, baseline=baseline, target=target)
            self._budget(application, entry)
            for item in competition.checklist.all():
                Attachment.objects.create(
                    application=application,
                    checklist_item=item,
                    file=ContentFile(PDF, name="document.pdf"),
                    original_name=f"{item.name_ky}.pdf",
                    file_type="pdf",
                    size=len(PDF),
                    sha256=sha256_of(ContentFile(PDF)),
                    uploaded_by=owner,
                )
            submitted_at = competition.deadline - datetime.timedelta(
                hours=entry["hours_before_deadline"]
            )
            services.submit_application(user=owner, application=application, now=submitted_at)
            application.refresh_from_db()
            applications[organization.inn] = application
        return applications

    def _budget(self, application, entry) -> None:
        lines = [
            # category, description, unit, quantity, unit cost, from the grant
            (
                "staff",
                "Социалдык кызматкерлердин эмгек акысы",
                "ай",
                12,
                entry["staff_month"],
                True,
            ),
            ("materials", "Окуу жана маалымат материалдары", "топтом", 1, entry["materials"], True),
            ("other", "Кеңсе ижарасы (уюмдун өз салымы)", "ай", 12, entry["premises_month"], False),
        ]
        categories = {c.slug: c for c in BudgetCategory.objects.all()}
        for order, (slug, description, unit, quantity, cost, granted) in enumerate(lines):
            total = Decimal(quantity) * Decimal(cost)
            BudgetLine.objects.create(
                application=application,
                category=categories[slug],
                description=description,
                unit=unit,
                quantity=Decimal(quantity),
                unit_cost=Decimal(cost),
                requested=total if granted else Decimal(0),
                own_contribution=Decimal(0) if granted else total,
                order=order,
            )
        services.recompute_totals(application)

    def _admit(self, officer, applications) -> None:
        rejected_inn, reason = REJECTED
        for inn, application in applications.items():
            applications[inn] = services.decide_admission(
                user=officer,
                application=application,
                admit=inn != rejected_inn,
                reason=reason if inn == rejected_inn else "",
            )

    def _commission(self, officer, competition) -> None:
        for email, full_name, role, voting in COMMISSION:
            competition_services.appoint_commission_member(
                competition=competition,
                user=officer,
                email=email,
                full_name=full_name,
                role=role,
                voting=voting,
            )

    def _evaluate(self, officer, competition, applications, users) -> None:
        email, inn, note = CONFLICT
        evaluation.declare_conflict(
            user=users[email], application=applications[inn], has_conflict=True, note=note
        )
        evaluation.auto_assign(user=officer, competition=competition)
        criteria = list(competition.criteria.all())
        for inn, cards in SCORECARDS.items():
            application = applications[inn]
            reviews = Review.objects.filter(application=application).select_related("member__user")
            for review, (points, words) in zip(reviews.order_by("pk"), cards, strict=True):
                member = review.member
                if not has_cleared_conflict(member, application):
                    evaluation.declare_conflict(
                        user=member.user, application=application, has_conflict=False
                    )
                evaluation.save_scores(
                    user=member.user,
                    review=review,
                    entries={
                        c.pk: (value, text)
                        for c, value, text in zip(criteria, points, words, strict=True)
                    },
                    submit=True,
                )
        # The first application that does not fit the budget: the officer reduces it to
        # what is left (if that is at least the minimum grant); the rest stay in reserve.
        placements = evaluation.preview(competition)
        awarded = sum((p.amount for p in placements if p.result == ranking.AWARDED), Decimal(0))
        left = competition.total_budget - awarded
        first_reserve = next((p for p in placements if p.result == ranking.RESERVE), None)
        if first_reserve is not None and left >= competition.min_grant:
            evaluation.reduce_amount(
                user=officer,
                application=Application.objects.get(pk=first_reserve.candidate.application_id),
                amount=left,
                reason=REDUCTION_REASON,
            )

    # Reporting

    def _retry_failed(self, officer, decision) -> int:
        """Render again what failed (say, before WeasyPrint's libraries were installed)."""
        failed = list(decision.documents.filter(status=DecisionDocument.Status.FAILED))
        if not failed:
            return 0
        with transaction.atomic():
            for document in failed:
                decisions.retry_document(user=officer, document=document)
        return len(failed)

    def _report(self, decision) -> None:
        self.stdout.write(f"The commission of {REFERENCE} signs in with:")
        for email, _full_name, role, voting in COMMISSION:
            with translation.override("en"):
                label = str(CommissionMember.Role(role).label)
            self.stdout.write(
                f"  {email:<28} {DEMO_PASSWORD}   ({label}{'' if voting else ', not voting'})"
            )
        self.stdout.write(f"  {USERS[0][0]:<28} {DEMO_PASSWORD}   ({USERS[0][4]})")
        documents = decision.documents.all()
        statuses = {}
        for document in documents:
            statuses.setdefault(document.status, []).append(document)
        with translation.override("ky"):
            path = reverse("grants:verify", args=[decision.verification_code])
        done = statuses.get(DecisionDocument.Status.DONE, [])
        pdfs = sum(d.kind == DecisionDocument.Kind.DECISION for d in done)
        letters = sum(d.kind == DecisionDocument.Kind.LETTER for d in done)
        if len(done) == len(documents):
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo decision {decision.number}: {pdfs} PDFs and {letters} letters "
                    f"rendered; verify at {path}"
                )
            )
            return
        waiting = len(statuses.get(DecisionDocument.Status.QUEUED, [])) + len(
            statuses.get(DecisionDocument.Status.RUNNING, [])
        )
        failed = statuses.get(DecisionDocument.Status.FAILED, [])
        message = (
            f"Demo decision {decision.number}: {len(done)} of {len(documents)} documents "
            f"rendered, {waiting} waiting for the worker, {len(failed)} failed; "
            f"verify at {path}"
        )
        if failed:
            message += f"\n  First error: {failed[0].error}\n  Run the command again to retry."
        self.stderr.write(self.style.WARNING(message))
