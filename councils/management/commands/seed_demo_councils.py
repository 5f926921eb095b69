"""Demo public councils (run after ``seed_demo``; idempotent).

Three councils: the public council of the demo ministry (``mlsd``) with two
compositions, meetings with agendas and minutes in Kyrgyz and recommendations in
every state, one of them overdue; the Coordination Council of public councils,
which coordinates it; and the dissolved public council of the ministry's Chüy
Oblast department. A demo secretary keeps the ministry's council.

The ministry's council goes through the services a secretary and an officer use
on the portal (``councils.services``), so the demo passes the same guards. Three
things are set directly afterwards, because the services stamp "today" and the
demo is history: the day the minutes of a past meeting were published, and the
day the ministry answered a past recommendation (both saved, so their history
shows the correction). The Coordination Council has no demo secretary (its page
is kept by administrators in admin) and the services refuse to touch a
dissolved council, so the rows of those two are created directly, as an
administrator would; the answers of the addressed bodies still go through
``answer_recommendation`` by their demo officers.

A council that exists is left as it is (what demo users did with it is kept);
only the secretary's account and grant are made sure of on every run. Dates
before 2026 are fixed; the recent and planned meetings are counted from the
day of the first run.
"""

import datetime

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone, translation

from accounts.management.commands.seed_demo import DEMO_PASSWORD
from accounts.models import StateBody, User
from councils import services
from councils.models import (
    AnnualReport,
    Council,
    CouncilMember,
    CouncilSecretary,
    Meeting,
    Recommendation,
    WorkPlan,
)

D = datetime.date
CHAIR = CouncilMember.Position.CHAIR
DEPUTY = CouncilMember.Position.DEPUTY
SECRETARY = CouncilMember.Position.SECRETARY
MEMBER = CouncilMember.Position.MEMBER
Status = Recommendation.Status

SECRETARY_USER = {
    "email": "council.secretary@example.org",
    "first_name": "Мээрим",
    "last_name": "Асылбекова",
    "language": "ky",
}

MINISTRY_COUNCIL = {
    "slug": "mlsd-public-council",
    "state_body": "mlsd",
    "name_ky": "Кыргыз Республикасынын Эмгек жана социалдык өнүгүү министрлигинин алдындагы "
    "коомдук кеңеш",
    "name_ru": "Общественный совет при Министерстве труда и социального развития "
    "Кыргызской Республики",
    "name_en": "Public Council of the Ministry of Labour and Social Development "
    "of the Kyrgyz Republic",
    "description_ky": (
        "Кеңеш министрликтин ишине жарандык байкоо жүргүзөт: коомдук демилгелерди "
        "талкуулайт, коомдук мааниге ээ чечимдердин долбоорлорун карайт, мамлекеттик "
        "социалдык заказга бөлүнгөн каражаттардын ачык жана натыйжалуу колдонулушуна "
        "көз салат жана социалдык кызматтардын сапатын жакшыртуу боюнча сунуштарды берет."
    ),
    "description_ru": (
        "Совет ведёт гражданский контроль за работой министерства: обсуждает общественные "
        "инициативы, рассматривает проекты решений, имеющих общественное значение, следит "
        "за открытым и эффективным использованием средств государственного социального "
        "заказа и даёт рекомендации по улучшению качества социальных услуг."
    ),
    "description_en": (
        "The council provides civic oversight of the ministry: it discusses public "
        "initiatives, reviews draft decisions of public importance, follows how the state "
        "social order funds are spent and makes recommendations to improve social services."
    ),
    "established_on": D(2015, 2, 10),
    "legal_basis": (
        "Кеңеш «Мамлекеттик органдардын алдындагы коомдук кеңештер жөнүндө» Кыргыз "
        "Республикасынын 2014-жылдын 24-майындагы № 74 Мыйзамынын негизинде түзүлгөн. "
        "Мыйзам 2023-жылы күчүн жоготкон; кеңеш министрлик бекиткен коомдук кеңеш "
        "жөнүндө жобонун негизинде иштейт."
    ),
    "email": "public.council@example.org",
    "phone": "+996 312 000000",
    "address": "Бишкек ш., Эмгек жана социалдык өнүгүү министрлигинин имараты, 2-кабат",
}

FIRST_TERM = (D(2019, 4, 15), D(2022, 4, 14))
SECOND_TERM = (D(2023, 3, 1), D(2027, 2, 28))

MINISTRY_MEMBERS = [
    # full name, position, comes from, biography, term start, term end, end reason, e-mail
    # The first composition.
    (
        "Абдыкадыров Эрлан Маратович",
        CHAIR,
        "«Социалдык демилгелер борбору» коомдук фонду",
        "Социалдык саясат боюнча эксперт; 15 жылдан ашык коммерциялык эмес секторто иштейт.",
        *FIRST_TERM,
        "",
        "",
    ),
    (
        "Садыкова Бурул Асановна",
        DEPUTY,
        "«Үй-бүлө жана коом» коомдук бирикмеси",
        "Юрист, үй-бүлөлөрдүн жана балдардын укуктарын коргоо боюнча адис.",
        *FIRST_TERM,
        "",
        "",
    ),
    (
        "Токтосунова Аида Кубатовна",
        SECRETARY,
        "«Коом» маалымат агенттиги",
        "Журналист, социалдык темалар боюнча жазат.",
        *FIRST_TERM,
        "",
        "",
    ),
    (
        "Орозбаев Канат Жолдошевич",
        MEMBER,
        "Бишкек шаардык ардагерлер кеңеши",
        "Ардагерлер уюмунун өкүлү, мурда мектеп директору болгон.",
        *FIRST_TERM,
        "",
        "",
    ),
    (
        "Мамбетова Чолпон Эркиновна",
        MEMBER,
        "«Жаштар демилгеси» коомдук бирикмеси",
        "Жаштар саясаты боюнча долбоорлордун координатору.",
        FIRST_TERM[0],
        D(2020, 11, 30),
        "Өз каалоосу менен курамдан чыкты (башка шаарга көчүп кеткен).",
        "",
    ),
    (
        "Бейшеналиев Улан Токтогулович",
        MEMBER,
        "«Ачык бюджет» коомдук бирикмеси",
        "Экономист, мамлекеттик бюджеттин ачыктыгы боюнча изилдөөчү.",
        *FIRST_TERM,
        "",
        "",
    ),
    (
        "Исмаилова Гүлзат Нурбековна",
        MEMBER,
        "«Мээрим» социалдык борбору",
        "Социалдык кызматкер; улгайган адамдарга үйдө кызмат көрсөтүү боюнча тажрыйбасы бар.",
        *FIRST_TERM,
        "",
        "",
    ),
    (
        "Турдубаев Азамат Бакытович",
        MEMBER,
        "Жеке ишкерлер ассоциациясы",
        "Ишкер, социалдык ишканаларды колдоо программаларына катышат.",
        *FIRST_TERM,
        "",
        "",
    ),
    (
        "Кочкорова Динара Алмазбековна",
        MEMBER,
        "«Тең укук» мүмкүнчүлүгү чектелген адамдардын коомдук бирикмеси",
        "Мүмкүнчүлүгү чектелген адамдардын укуктарын коргоочу.",
        *FIRST_TERM,
        "",
        "",
    ),
    # The current composition: four people continue (a new row for the new term).
    (
        "Садыкова Бурул Асановна",
        CHAIR,
        "«Үй-бүлө жана коом» коомдук бирикмеси",
        "Юрист, үй-бүлөлөрдүн жана балдардын укуктарын коргоо боюнча адис; "
        "мурунку курамда төраганын орун басары болгон.",
        *SECOND_TERM,
        "",
        "",
    ),
    (
        "Бейшеналиев Улан Токтогулович",
        DEPUTY,
        "«Ачык бюджет» коомдук бирикмеси",
        "Экономист, мамлекеттик бюджеттин ачыктыгы боюнча изилдөөчү.",
        *SECOND_TERM,
        "",
        "",
    ),
    (
        "Асылбекова Мээрим Таалайбековна",
        SECRETARY,
        "«Жарандык көзөмөл» коомдук бирикмеси",
        "Мамлекеттик башкаруу боюнча адис; кеңештин порталдагы баракчасын жүргүзөт.",
        *SECOND_TERM,
        "",
        SECRETARY_USER["email"],
    ),
    (
        "Абдыкадыров Эрлан Маратович",
        MEMBER,
        "«Социалдык демилгелер борбору» коомдук фонду",
        "Социалдык саясат боюнча эксперт; мурунку курамда кеңештин төрагасы болгон.",
        *SECOND_TERM,
        "",
        "",
    ),
    (
        "Кочкорова Динара Алмазбековна",
        MEMBER,
        "«Тең укук» мүмкүнчүлүгү чектелген адамдардын коомдук бирикмеси",
        "Мүмкүнчүлүгү чектелген адамдардын укуктарын коргоочу.",
        *SECOND_TERM,
        "",
        "",
    ),
    (
        # The council's representative on the commission of seed_demo_evaluation: the
        # same e-mail links her term to the commissions she sat on (not published).
        "Жусупова Айпери Маратовна",
        MEMBER,
        "Көз карандысыз эксперт",
        "Социалдык кызматтардын сапатын баалоо боюнча эксперт; конкурстук "
        "комиссияларда кеңештин өкүлү.",
        *SECOND_TERM,
        "",
        "member2@example.org",
    ),
    (
        "Мукашев Бакай Советович",
        MEMBER,
        "Жогорку окуу жайынын социалдык иш кафедрасы",
        "Социалдык иш боюнча окутуучу, илимдин кандидаты.",
        *SECOND_TERM,
        "",
        "",
    ),
    (
        "Эргешова Нургүл Абдыразаковна",
        MEMBER,
        "«Эне жана бала» коомдук фонду",
        "Көп балалуу үй-бүлөлөрдү колдоо программаларынын жетекчиси.",
        *SECOND_TERM,
        "",
        "",
    ),
    (
        # Added during the term, until the next composition is formed: no end date.
        "Осмоналиев Таалай Кеңешбекович",
        MEMBER,
        "Мигранттардын үй-бүлөлөрүн колдоо борбору",
        "Эмгек мигранттарынын үй-бүлөлөрүнө кеңеш берүү боюнча адис; кеңешке "
        "2024-жылы кошумча киргизилген.",
        D(2024, 9, 2),
        None,
        "",
        "",
    ),
]

MINISTRY_PLACE = "Бишкек ш., Эмгек жана социалдык өнүгүү министрлиги, жыйындар залы"
ONLINE_LINK = "https://meet.example.org/mlsd-public-council"

# A meeting's day is a date, or a number of days from the day of the first run (moved
# back to a weekday). "absent": members of the day who did not come.
MINISTRY_MEETINGS = [
    {
        "day": D(2024, 2, 20),
        "agenda": [
            "Коомдук кеңештин 2024-жылга карата иш планын бекитүү",
            "Министрликтин 2023-жылы мамлекеттик социалдык заказды аткаруу боюнча "
            "мониторинг отчетун угуу",
            "Ар кандай маселелер",
        ],
        "absent": ["Мукашев Бакай Советович"],
        "guests": 4,
        "minutes": (
            "Жыйынды кеңештин төрайымы Б. А. Садыкова алып барды.\n"
            "1. Кеңештин 2024-жылга карата иш планы бир добуштан бекитилди.\n"
            "2. Министрликтин социалдык кызматтар башкармалыгынын башчысы 2023-жылы "
            "мамлекеттик социалдык заказды аткаруунун мониторинг отчетун сунуштады. "
            "Кеңештин мүчөлөрү отчеттун толук текстин жана ар бир долбоордун натыйжаларын "
            "жарыялоо зарыл экенин белгилешти; министрликке сунуш жөнөтүү чечилди.\n"
            "3. Ар кандай маселелер боюнча чечим кабыл алынган жок."
        ),
        "recommendation": {
            "title": "Мамлекеттик социалдык заказдын мониторинг отчетторун толук жарыялоо",
            "text": (
                "Министрликке мамлекеттик социалдык заказдын жылдык мониторинг отчетторун "
                "ар бир долбоордун натыйжалары жана каражаттардын колдонулушу менен кошо "
                "министрликтин сайтына жана порталга толук жарыялоо сунушталат."
            ),
            "answers": [
                (
                    Status.ACCEPTED,
                    "Министрлик сунушту кабыл алды. 2023-жылдын мониторинг отчету ар бир "
                    "долбоордун натыйжалары менен кошо 2024-жылдын үчүнчү чейрегинде "
                    "жарыяланат.",
                    21,
                ),
                (
                    Status.IMPLEMENTED,
                    "Сунуш аткарылды: 2023-жылдын мониторинг отчету 2024-жылдын сентябрында "
                    "министрликтин сайтына жана порталга толук жарыяланды; мындан ары "
                    "отчеттор жыл сайын жарыяланат.",
                    None,
                ),
            ],
        },
    },
    {
        "day": D(2024, 6, 18),
        "online": True,
        "agenda": [
            "Улгайган адамдарга үйдө социалдык кызмат көрсөтүүнүн сапаты жөнүндө",
            "Мүмкүнчүлүгү чектелген балдар үчүн күндүзгү борборлордун иши",
        ],
        "absent": ["Абдыкадыров Эрлан Маратович", "Эргешова Нургүл Абдыразаковна"],
        "guests": 6,
        "minutes": (
            "Жыйын аралаш форматта (жыйындар залында жана онлайн) өттү.\n"
            "1. Министрликтин өкүлү улгайган адамдарга үйдө кызмат көрсөтүүнүн сапатын "
            "текшерүүнүн жыйынтыктарын сунуштады. Кеңеш кызматтын стандартын кайра кароо "
            "жөнүндө министрликке сунуш жөнөтүүнү чечти.\n"
            "2. Күндүзгү борборлордун иши жөнүндө маалымат эске алынды."
        ),
        "recommendation": {
            "title": "Улгайган адамдарга үйдө социалдык кызмат көрсөтүүнүн стандартын кайра кароо",
            "text": (
                "Кызмат алуучулардын муктаждыктарын баалоонун жана социалдык кызматкерлердин "
                "жүктөмүнүн ченемдерин жаңылоо үчүн стандартты кайра кароо сунушталат."
            ),
            "answers": [
                (
                    Status.REJECTED,
                    "Министрлик сунушту кабыл алган жок: стандарт 2023-жылы бекитилген жана "
                    "анын натыйжалуулугун баалоо 2025-жылы аяктайт. Кеңештин сын-пикирлери "
                    "стандарттын кийинки пландуу кайра каралышында эске алынат.",
                    27,
                ),
            ],
        },
    },
    {
        "day": D(2024, 10, 15),
        "agenda": [
            "2025-жылдын республикалык бюджетинин долбоорунда мамлекеттик социалдык "
            "заказга каралган каражаттар",
            "Жарандардын кайрылууларын кароонун тартиби",
        ],
        "absent": [],
        "guests": 3,
        "minutes": (
            "1. Министрликтин каржы бөлүмүнүн башчысы 2025-жылдын бюджетинин долбоорундагы "
            "мамлекеттик социалдык заказга каралган каражаттар жөнүндө маалымат берди. "
            "Кеңеш каражаттарды кыскартпоо жөнүндө сунуш кабыл алды.\n"
            "2. Министрлик жарандардын кайрылууларын кароонун жаңыланган тартибин эки "
            "айдын ичинде кеңешке сунуштайт."
        ),
        "recommendation": {
            "title": "Мамлекеттик социалдык заказга каралган каражаттарды 2025-жылы кыскартпоо",
            "text": (
                "Финансы министрлигинин алдында 2025-жылдын республикалык бюджетинин "
                "долбоорунда мамлекеттик социалдык заказга каралган каражаттарды 2024-жылдын "
                "деңгээлинен төмөндөтпөө маселесин көтөрүү сунушталат."
            ),
            "answers": [
                (
                    Status.ACCEPTED,
                    "Министрлик сунушту колдоду жана Финансы министрлигине тиешелүү кат "
                    "жөнөттү. Бюджеттин долбоору белгиленген тартипте каралып жатат.",
                    24,
                ),
            ],
        },
    },
    {
        "day": D(2025, 3, 12),
        "agenda": [
            "Коомдук кеңештин 2024-жылдагы ишинин жыйынтыктары жана жылдык отчету",
            "Коомдук кеңештин 2025-жылга карата иш планын бекитүү",
            "Социалдык кызмат көрсөтүүчүлөрдүн ачык реестрин түзүү",
        ],
        "absent": ["Эргешова Нургүл Абдыразаковна"],
        "guests": 5,
        "minutes": (
            "1. Төрайым Б. А. Садыкова кеңештин 2024-жылдагы ишинин жыйынтыктарын "
            "сунуштады; жылдык отчет бекитилди.\n"
            "2. Кеңештин 2025-жылга карата иш планы бир добуштан бекитилди.\n"
            "3. Кеңеш социалдык кызмат көрсөтүүчүлөрдүн ачык реестрин түзүү жөнүндө "
            "министрликке сунуш жөнөтүүнү чечти."
        ),
        "recommendation": {
            "title": "Социалдык кызмат көрсөтүүчүлөрдүн ачык реестрин түзүү",
            "text": (
                "Мамлекеттик социалдык заказдын алкагында кызмат көрсөткөн уюмдардын, "
                "кызматтардын түрлөрүнүн жана кызмат алуучулардын санынын ачык реестрин "
                "түзүп, аны жыл сайын жаңылап туруу сунушталат."
            ),
            "answers": [
                (
                    # Answered after the due date: the figures show it as late.
                    Status.PARTLY_ACCEPTED,
                    "Министрлик сунушту жарым-жартылай кабыл алды: уюмдардын жана "
                    "кызматтардын реестри порталда жарыяланат; жеке маалыматтарды коргоо "
                    "талаптарына байланыштуу кызмат алуучулар боюнча жалпы сандар гана "
                    "көрсөтүлөт.",
                    41,
                ),
            ],
        },
    },
    {
        "day": D(2025, 6, 10),
        "agenda": ["Аз камсыз болгон үй-бүлөлөрдүн балдарынын жайкы эс алуусун уюштуруу"],
        "cancel_reason": (
            "Министрликтин жетекчилиги ошол эле күнү Министрлер Кабинетинин кеңешмесине "
            "чакырылгандыктан жыйын жокко чыгарылды; маселе кийинки жыйында каралат."
        ),
    },
    {
        "day": D(2025, 9, 23),
        "agenda": [
            "Аз камсыз болгон үй-бүлөлөрдүн балдарынын жайкы эс алуусунун жыйынтыктары",
            "Мамлекеттик социалдык заказ порталынын сыноо версиясы",
        ],
        "absent": ["Бейшеналиев Улан Токтогулович"],
        "guests": 7,
        "minutes": (
            "1. Министрлик аз камсыз болгон үй-бүлөлөрдүн балдарынын жайкы эс алуусунун "
            "жыйынтыктары жөнүндө маалымат берди; маалымат эске алынды.\n"
            "2. Кеңештин мүчөлөрү мамлекеттик социалдык заказ порталынын сыноо версиясы "
            "менен таанышып, анын жарандар үчүн түшүнүктүүлүгү боюнча сын-пикирлерин "
            "айтышты. Сын-пикирлер министрликке жазуу түрүндө жөнөтүлөт."
        ),
    },
    {
        "day": D(2026, 4, 14),
        "agenda": [
            "Коомдук кеңештин 2025-жылдагы жылдык отчетун бекитүү",
            "Мигранттардын үй-бүлөлөрүнө социалдык-укуктук кеңеш берүү боюнча конкурстун шарттары",
        ],
        "absent": ["Осмоналиев Таалай Кеңешбекович"],
        "guests": 2,
        "minutes": (
            "1. Кеңештин 2025-жылдагы жылдык отчету бекитилди; ал кеңештин баракчасында "
            "жарыяланат.\n"
            "2. Министрлик мигранттардын үй-бүлөлөрүнө социалдык-укуктук кеңеш берүү боюнча "
            "конкурстун шарттарынын долбоорун сунуштады. Кеңештин мүчөлөрүнүн "
            "сын-пикирлери эске алынды."
        ),
    },
    {
        "day": -50,
        "agenda": [
            "Кыш мезгилинде үй-жайсыз адамдарга жардам көрсөтүү",
            "Социалдык кызматкерлердин эмгек акысы",
        ],
        "absent": ["Мукашев Бакай Советович"],
        "guests": 3,
        "minutes": (
            "1. Министрликтин өкүлү кыш мезгилинде үй-жайсыз адамдарга жардам көрсөтүүгө "
            "даярдык жөнүндө маалымат берди. Кеңеш убактылуу жатакана орундары жетишсиз "
            "экенин белгилеп, министрликке сунуш жөнөтүүнү чечти.\n"
            "2. Социалдык кызматкерлердин эмгек акысы боюнча маселе кийинки жыйынга "
            "калтырылды."
        ),
        "recommendation": {
            # Left unanswered: overdue once its 30 days have passed.
            "title": "Кыш мезгилинде үй-жайсыз адамдар үчүн убактылуу жатакана орундарын көбөйтүү",
            "text": (
                "Бишкек шаарында жана Чүй облусунда кыш мезгилине үй-жайсыз адамдар үчүн "
                "убактылуу жатакана орундарын көбөйтүү жана бул кызматты мамлекеттик "
                "социалдык заказ аркылуу уюштуруу сунушталат."
            ),
            "answers": [],
        },
    },
    {
        "day": -25,
        "agenda": [
            "Мамлекеттик социалдык заказ конкурстарынын ачыктыгы",
            "Конкурстук комиссиялардагы кеңештин өкүлдөрү",
        ],
        "absent": [],
        "guests": 4,
        "minutes": (
            "1. Министрликтин өкүлү учурда өтүп жаткан конкурстар жана алардын "
            "комиссияларынын курамы жөнүндө маалымат берди.\n"
            "2. Кеңештин мүчөсү А. М. Жусупова «Оор турмуштук кырдаалдагы үй-бүлөлөрдү "
            "социалдык коштоо» конкурсунун комиссиясына кеңештин өкүлү катары "
            "киргизилгенин билдирди. Кеңеш конкурстук комиссиялардын жыйындарына "
            "байкоочуларды туруктуу чакыруу жөнүндө сунуш кабыл алды."
        ),
        "recommendation": {
            "title": "Конкурстук комиссиялардын жыйындарына коомдук кеңештин байкоочуларын "
            "туруктуу чакыруу",
            "text": (
                "Министрлик өткөргөн ар бир мамлекеттик социалдык заказ конкурсунун "
                "комиссиясынын жыйынына коомдук кеңештин жок дегенде бир өкүлүн байкоочу "
                "катары чакыруу сунушталат."
            ),
            "answers": [
                (
                    Status.CONSIDERING,
                    "Министрлик сунушту юридикалык бөлүм менен биргеликте карап жатат; "
                    "жооп белгиленген мөөнөттө берилет.",
                    None,
                ),
            ],
        },
    },
    {
        "day": -8,
        "agenda": [
            "Кеңештин келерки жылга карата иш планынын долбоору",
            "Социалдык мекемелердин мүмкүнчүлүгү чектелген адамдар үчүн жеткиликтүүлүгү",
        ],
        "absent": ["Абдыкадыров Эрлан Маратович"],
        "guests": 5,
        "minutes": (
            "1. Катчы М. Т. Асылбекова кеңештин келерки жылга карата иш планынын "
            "долбоорун сунуштады; мүчөлөр сунуштарын эки жуманын ичинде жөнөтүшөт.\n"
            "2. Д. А. Кочкорова социалдык мекемелердин жеткиликтүүлүгүн текшерүүнүн "
            "жыйынтыктарын айтып берди. Кеңеш министрликке сунуш жөнөтүүнү чечти."
        ),
        "recommendation": {
            "title": "Социалдык мекемелердин имараттарын мүмкүнчүлүгү чектелген адамдар үчүн "
            "жеткиликтүү кылуу",
            "text": (
                "Министрликтин карамагындагы социалдык мекемелердин имараттарынын "
                "жеткиликтүүлүгүн келерки жылдын биринчи жарымында текшерип, табылган "
                "тоскоолдуктарды жоюу планын түзүү сунушталат."
            ),
            "answers": [],
        },
    },
    {
        "day": 21,
        "agenda": [
            "Кеңештин келерки жылга карата иш планын бекитүү",
            "Кеңештин ушул жылдагы ишинин жыйынтыктары",
            "Ар кандай маселелер",
        ],
    },
    {
        "day": 70,
        "online": True,
        "agenda": [
            "Мамлекеттик социалдык заказдын жылдык мониторинг отчетун угуу",
            "Кеңештин сунуштарына министрликтин берген жоопторун карап чыгуу",
        ],
    },
]

COORDINATION_COUNCIL = {
    "slug": "coordination-council",
    "name_ky": "Мамлекеттик органдардын алдындагы коомдук кеңештердин Координациялык кеңеши",
    "name_ru": "Координационный совет общественных советов государственных органов",
    "name_en": "Coordination Council of Public Councils of State Bodies",
    "description_ky": (
        "Координациялык кеңеш мамлекеттик органдардын алдындагы коомдук кеңештердин ишин "
        "координациялайт, алардын тажрыйбасын жалпылайт, мамлекеттик органдардын "
        "сунуштарга берген жоопторун талдайт жана жыл сайын коомдук кеңештердин "
        "конференциясын өткөрөт."
    ),
    "description_ru": (
        "Координационный совет координирует работу общественных советов государственных "
        "органов, обобщает их опыт, анализирует ответы государственных органов на "
        "рекомендации и ежегодно проводит конференцию общественных советов."
    ),
    "description_en": (
        "The Coordination Council coordinates the public councils of state bodies, shares "
        "their experience, reviews how state bodies answer recommendations and holds an "
        "annual conference of public councils."
    ),
    "established_on": D(2015, 7, 1),
    "legal_basis": (
        "Коомдук кеңештердин ишин координациялоо үчүн «Мамлекеттик органдардын алдындагы "
        "коомдук кеңештер жөнүндө» 2014-жылдын 24-майындагы № 74 Мыйзамдын негизинде "
        "түзүлгөн. Мыйзам 2023-жылы күчүн жоготкон; кеңеш өзүнүн жобосунун негизинде иштейт."
    ),
    "email": "coordination.council@example.org",
    "phone": "+996 312 000000",
    "address": "Бишкек ш.",
}

COORDINATION_TERM = (D(2024, 2, 1), D(2027, 1, 31))
COORDINATION_MEMBERS = [
    (
        "Алымкулова Жаңыл Бообековна",
        CHAIR,
        "Коомдук кеңештердин өкүлү",
        "Билим берүү тармагындагы коомдук кеңештин мурдагы төрайымы.",
    ),
    (
        "Садыкова Бурул Асановна",
        DEPUTY,
        "Эмгек жана социалдык өнүгүү министрлигинин алдындагы коомдук кеңеш",
        "Министрликтин коомдук кеңешинин төрайымы.",
    ),
    (
        "Нурматов Айбек Санжарович",
        SECRETARY,
        "«Жарандык демилге» коомдук фонду",
        "Жарандык катышуу боюнча долбоорлордун менеджери.",
    ),
    (
        "Бекташева Элмира Жаныбековна",
        MEMBER,
        "Саламаттык сактоо тармагындагы коомдук кеңеш",
        "Дарыгер, пациенттердин укуктарын коргоо боюнча активист.",
    ),
    (
        "Шаршеев Мирлан Бактыбекович",
        MEMBER,
        "Бишкек шаарынын мэриясынын алдындагы коомдук кеңеш",
        "Шаардык чарба боюнча эксперт.",
    ),
]

COORDINATION_PLACE = "Бишкек ш., Министрлер Кабинетинин конференц-залы"
COORDINATION_MEETINGS = [
    {
        "day": D(2025, 2, 27),
        "agenda": [
            "Коомдук кеңештердин 2024-жылдагы ишинин жыйынтыктары (жылдык конференция)",
            "Мамлекеттик органдардын коомдук кеңештердин сунуштарына берген жооптору",
            "2014-жылкы мыйзам күчүн жоготкондон кийинки коомдук кеңештердин укуктук абалы",
        ],
        "absent": [],
        "guests": 152,
        "minutes": (
            "Коомдук кеңештердин жылдык конференциясына кеңештердин төрагалары жана "
            "мүчөлөрү, мамлекеттик органдардын жана эл аралык уюмдардын өкүлдөрү катышты.\n"
            "1. Кеңештердин 2024-жылдагы ишинин жыйынтыктары талкууланды.\n"
            "2. Катышуучулар мамлекеттик органдардын сунуштарга берген жоопторунун мөөнөтү "
            "ар түрдүү экенин белгилешти; бирдиктүү мөөнөт белгилөө сунушталды.\n"
            "3. Кеңештер өз ишин мамлекеттик органдар бекиткен жоболордун негизинде "
            "улантышат."
        ),
        "recommendation": {
            "addressed_to": "mlsd",
            "answered_by": "officer@example.org",
            "title": "Коомдук кеңештин сунуштарына жооп берүүнүн бирдиктүү мөөнөтүн белгилөө",
            "text": (
                "Министрликке өзүнүн коомдук кеңешинин сунуштарына 30 календардык күндүн "
                "ичинде жазуу түрүндө жооп берүү тартибин коомдук кеңеш жөнүндө жобого "
                "киргизүү сунушталат."
            ),
            "answers": [
                (
                    Status.ACCEPTED,
                    "Министрлик сунушту кабыл алды; 30 күндүк мөөнөт коомдук кеңеш жөнүндө "
                    "жобонун жаңы редакциясына киргизилет.",
                    20,
                ),
            ],
        },
    },
    {
        "day": D(2026, 3, 5),
        "agenda": [
            "Координациялык кеңештин 2026-жылга карата иш планы",
            "Жергиликтүү өз алдынча башкаруу органдарынын алдындагы коомдук кеңештер",
        ],
        "absent": ["Бекташева Элмира Жаныбековна"],
        "guests": 6,
        "minutes": (
            "1. Координациялык кеңештин 2026-жылга карата иш планы бекитилди.\n"
            "2. Кеңештин мүчөлөрү жергиликтүү өз алдынча башкаруу органдарынын алдындагы "
            "коомдук кеңештердин тажрыйбасын талкуулашты жана айыл өкмөтүнө жарандарды "
            "бюджеттик угууларга тартуу боюнча сунуш жөнөтүүнү чечишти."
        ),
        "recommendation": {
            "addressed_to": "alamudun-ao",
            "answered_by": "local.officer@example.org",
            "title": "Жергиликтүү бюджеттик угууларга жарандык коомдун өкүлдөрүн чакыруу",
            "text": (
                "Аламүдүн айыл өкмөтүнө жергиликтүү бюджеттин долбоору боюнча угууларга "
                "коммерциялык эмес уюмдардын жана коомдук кеңештердин өкүлдөрүн чакыруу "
                "сунушталат."
            ),
            "answers": [
                (
                    Status.PARTLY_ACCEPTED,
                    "Айыл өкмөтү сунушту жарым-жартылай кабыл алды: бюджеттик угуулар жөнүндө "
                    "кулактандыруу айыл өкмөтүнүн сайтына жана маалымат тактасына "
                    "жарыяланат; өзүнчө чакыруу каттары жөнөтүлбөйт.",
                    25,
                ),
            ],
        },
    },
    {
        "day": 28,
        "agenda": [
            "Коомдук кеңештердин ушул жылдагы ишинин жыйынтыктары (жылдык конференция)",
            "Мамлекеттик социалдык заказга коомдук байкоо жүргүзүү",
        ],
    },
]

DISSOLVED_COUNCIL = {
    "slug": "mlsd-chuy-public-council",
    "state_body": "mlsd-chuy",
    "name_ky": "Эмгек жана социалдык өнүгүү министрлигинин Чүй облусу боюнча "
    "башкармалыгынын алдындагы коомдук кеңеш",
    "name_ru": "Общественный совет при Управлении Министерства труда и социального "
    "развития по Чуйской области",
    "name_en": "Public Council of the Chüy Oblast Department of the Ministry of Labour "
    "and Social Development",
    "description_ky": (
        "Кеңеш Чүй облусундагы социалдык кызматтардын сапатына жана жеткиликтүүлүгүнө "
        "коомдук байкоо жүргүзгөн."
    ),
    "description_ru": (
        "Совет вёл общественное наблюдение за качеством и доступностью социальных услуг "
        "в Чуйской области."
    ),
    "description_en": (
        "The council followed the quality and accessibility of social services in Chüy Oblast."
    ),
    "established_on": D(2021, 1, 15),
    "ended_on": D(2024, 1, 31),
    "end_reason": (
        "Курамдын ыйгарым укуктарынын мөөнөтү бүткөндөн кийин башкармалык өзүнчө коомдук "
        "кеңеш түзбөөнү чечти: облустун маселелери министрликтин алдындагы коомдук кеңеште "
        "каралат."
    ),
    "legal_basis": "Башкармалыктын буйругу менен түзүлгөн.",
    "email": "",
    "phone": "",
    "address": "Чүй облусу",
}

DISSOLVED_TERM = (D(2021, 1, 15), D(2024, 1, 14))
DISSOLVED_MEMBERS = [
    (
        "Жумалиева Асель Нурлановна",
        CHAIR,
        "Чүй облустук аялдар кеңеши",
        "Жергиликтүү коомчулуктарды өнүктүрүү боюнча адис.",
    ),
    (
        "Сатыбалдиев Эрмек Жакыпович",
        DEPUTY,
        "Токмок шаардык ардагерлер кеңеши",
        "Ардагерлер уюмунун төрагасы.",
    ),
    (
        "Абдиева Каныкей Таалаевна",
        SECRETARY,
        "«Чүй жаштары» коомдук бирикмеси",
        "Жаштар долбоорлорунун координатору.",
    ),
    (
        "Качкынбаев Нурбек Орозалиевич",
        MEMBER,
        "Кара-Балта шаарындагы социалдык борбор",
        "Социалдык кызматкер.",
    ),
    (
        "Маматова Айнура Бакытбековна",
        MEMBER,
        "«Үмүт» мүмкүнчүлүгү чектелген балдардын ата-энелеринин бирикмеси",
        "Мүмкүнчүлүгү чектелген баланын энеси, ата-энелер бирикмесинин жетекчиси.",
    ),
]

DISSOLVED_PLACE = "Чүй облусу, башкармалыктын жыйындар залы"
DISSOLVED_MEETINGS = [
    {
        "day": D(2022, 5, 17),
        "agenda": [
            "Облустагы социалдык кызматтардын жеткиликтүүлүгү",
            "Кеңештин 2022-жылга карата иш планы",
        ],
        "absent": ["Качкынбаев Нурбек Орозалиевич"],
        "guests": 2,
        "minutes": (
            "1. Башкармалыктын өкүлү облустун райондорундагы социалдык кызматтардын "
            "жеткиликтүүлүгү жөнүндө маалымат берди; алыскы айылдарда кызматтар жетишсиз "
            "экени белгиленди.\n"
            "2. Кеңештин 2022-жылга карата иш планы бекитилди."
        ),
    },
    {
        "day": D(2023, 10, 24),
        "agenda": [
            "Облуста үйдө социалдык кызмат көрсөтүүнүн абалы",
            "Кеңештин курамынын ыйгарым укуктарынын мөөнөтү бүтүшү",
        ],
        "absent": [],
        "guests": 1,
        "minutes": (
            "1. Кеңеш облуста үйдө социалдык кызмат көрсөтүүнүн абалы боюнча маалыматты "
            "эске алды.\n"
            "2. Курамдын ыйгарым укуктарынын мөөнөтү 2024-жылдын январында бүтөрү "
            "белгиленди; кеңештин архиви башкармалыкка өткөрүлүп берилет."
        ),
    },
]


def _on_weekday(day: datetime.date) -> datetime.date:
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    return day


def _meeting_day(spec, today: datetime.date) -> datetime.date:
    day = spec["day"]
    if isinstance(day, int):
        return _on_weekday(today + datetime.timedelta(days=day))
    return day


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    """``hour`` o'clock in Bishkek on ``day``."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _published(starts_at: datetime.datetime, days: int = 5) -> datetime.datetime:
    """When the minutes of a meeting were published: a few days after it, not in the future."""
    return min(starts_at + datetime.timedelta(days=days, hours=6), timezone.now())


def _present(council, day, absent):
    sitting = CouncilMember.objects.filter(council=council).on(day).order_by("pk")
    return [m for m in sitting if m.full_name not in absent]


class Command(BaseCommand):
    help = "Load demo public councils, their members, meetings and recommendations (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo_councils is for demonstrations; use --force.")
        officers = {
            user.email: user
            for user in User.objects.filter(
                email__in=["officer@example.org", "local.officer@example.org"]
            )
        }
        bodies = {body.slug: body for body in StateBody.objects.all()}
        if len(officers) < 2 or not {"mlsd", "mlsd-chuy", "alamudun-ao"} <= set(bodies):
            raise CommandError("Run seed_demo first.")
        try:
            with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
                secretary = self._secretary_user()
                created = []
                coordination = Council.objects.filter(slug=COORDINATION_COUNCIL["slug"]).first()
                if coordination is None:
                    coordination = self._coordination(bodies, officers)
                    created.append(coordination)
                ministry = Council.objects.filter(slug=MINISTRY_COUNCIL["slug"]).first()
                if ministry is None:
                    ministry = self._ministry(bodies, officers, secretary, coordination)
                    created.append(ministry)
                CouncilSecretary.objects.get_or_create(council=ministry, user=secretary)
                dissolved = Council.objects.filter(slug=DISSOLVED_COUNCIL["slug"]).first()
                if dissolved is None:
                    dissolved = self._dissolved(bodies)
                    created.append(dissolved)
        except ValidationError as error:  # A service refused: say what it said.
            raise CommandError(f"A service refused: {'; '.join(error.messages)}") from error
        self._report([ministry, coordination, dissolved], created, secretary)

    # The ministry's council, through the services

    def _ministry(self, bodies, officers, secretary, coordination) -> Council:
        spec = dict(MINISTRY_COUNCIL)
        council = Council.objects.create(
            **self._council_fields(spec, bodies),
            coordinated_by=coordination,
            status_since=spec["established_on"],
        )
        # The secretary is granted first: the services check the grant.
        CouncilSecretary.objects.get_or_create(council=council, user=secretary)
        for name, position, organization, biography, start, end, reason, email in MINISTRY_MEMBERS:
            services.save_member(
                user=secretary,
                council=council,
                member=CouncilMember(
                    full_name=name,
                    position=position,
                    organization=organization,
                    biography=biography,
                    term_start=start,
                    term_end=end,
                    end_reason=reason,
                    email=email,
                ),
            )
        today = timezone.localdate()
        officer = officers["officer@example.org"]
        for meeting_spec in MINISTRY_MEETINGS:
            day = _meeting_day(meeting_spec, today)
            starts_at = _at(day)
            meeting = services.save_meeting(
                user=secretary,
                council=council,
                meeting=Meeting(
                    starts_at=starts_at,
                    place=MINISTRY_PLACE,
                    online_link=ONLINE_LINK if meeting_spec.get("online") else "",
                ),
                agenda=meeting_spec["agenda"],
            )
            if "cancel_reason" in meeting_spec:
                services.cancel_meeting(
                    user=secretary, meeting=meeting, reason=meeting_spec["cancel_reason"]
                )
                continue
            if "minutes" not in meeting_spec:
                continue  # Planned.
            meeting = services.publish_minutes(
                user=secretary,
                meeting=meeting,
                minutes=meeting_spec["minutes"],
                present=_present(council, day, meeting_spec["absent"]),
                guests_count=meeting_spec["guests"],
            )
            # The service stamps the publication now; a past meeting's minutes were
            # published a few days after it.
            meeting.minutes_published_at = _published(starts_at)
            meeting.save(update_fields=["minutes_published_at"])
            recommendation = meeting_spec.get("recommendation")
            if recommendation is not None:
                adopted = services.create_recommendation(
                    user=secretary,
                    council=council,
                    addressed_to=bodies["mlsd"],
                    title=recommendation["title"],
                    text=recommendation["text"],
                    adopted_on=day,
                    meeting=meeting,
                )
                self._answer(adopted, recommendation["answers"], officer)
        self._papers(council, today)
        return council

    def _answer(self, recommendation, answers, officer) -> None:
        """The addressed body's answers, through the service; then the day of the first
        answer is set to when it was given (the service records today)."""
        for status, response, days_after in answers:
            recommendation = services.answer_recommendation(
                user=officer, recommendation=recommendation, status=status, response=response
            )
            if days_after is not None:
                recommendation.responded_on = min(
                    recommendation.adopted_on + datetime.timedelta(days=days_after),
                    timezone.localdate(),
                )
                recommendation.save(update_fields=["responded_on"])

    def _papers(self, council, today) -> None:
        """This year's work plan and last year's annual report (no service: created directly,
        as an administrator or the secretary's form would)."""
        year = today.year
        WorkPlan.objects.create(
            council=council,
            year=year,
            text=(
                f"Коомдук кеңештин {year}-жылга карата иш планы\n\n"
                "1. I чейрек: кеңештин мурунку жылдагы ишинин жыйынтыктары жана жылдык "
                "отчету.\n"
                "2. II чейрек: мамлекеттик социалдык заказдын мониторинг отчетун угуу.\n"
                "3. III чейрек: социалдык мекемелердин мүмкүнчүлүгү чектелген адамдар үчүн "
                "жеткиликтүүлүгүн текшерүү.\n"
                "4. IV чейрек: келерки жылдын бюджетинин долбоорундагы социалдык заказга "
                "каралган каражаттарды талкуулоо; келерки жылдын иш планын бекитүү.\n"
                "5. Жыл бою: министрликтин конкурстук комиссияларына кеңештин өкүлдөрүн "
                "байкоочу катары жөнөтүү жана жарандардын кайрылууларын кабыл алуу."
            ),
            published_at=min(_at(D(year, 1, 20)), timezone.now()),
        )
        last = year - 1
        held = Meeting.objects.filter(
            council=council, status=Meeting.Status.HELD, starts_at__year=last
        ).count()
        adopted = Recommendation.objects.filter(council=council, adopted_on__year=last)
        answered = adopted.exclude(responded_on=None).count()
        AnnualReport.objects.create(
            council=council,
            year=last,
            text=(
                f"Коомдук кеңештин {last}-жылдагы иши боюнча жылдык отчет\n\n"
                f"Кеңеш {last}-жылы {held} жыйын өткөрдү жана министрликке "
                f"{adopted.count()} сунуш жөнөттү; алардын {answered} сунушуна жооп алынды. "
                "Кеңештин мүчөлөрү министрликтин конкурстук комиссияларынын ишине "
                "байкоочу катары катышып, мамлекеттик социалдык заказ порталынын сыноо "
                "версиясына сын-пикирлерин беришти.\n\n"
                "Кийинки жылга милдеттер: сунуштардын аткарылышына көз салуу, социалдык "
                "мекемелердин жеткиликтүүлүгүн текшерүү жана жарандар менен байланышты "
                "кеңейтүү."
            ),
            published_at=min(_at(D(year, 4, 20)), timezone.now()),
        )

    # The Coordination Council and the dissolved council, directly (see the docstring)

    def _coordination(self, bodies, officers) -> Council:
        spec = dict(COORDINATION_COUNCIL)
        council = Council.objects.create(
            **self._council_fields(spec, bodies),
            kind=Council.Kind.COORDINATION,
            status_since=spec["established_on"],
        )
        self._members_directly(council, COORDINATION_MEMBERS, COORDINATION_TERM)
        today = timezone.localdate()
        for meeting_spec in COORDINATION_MEETINGS:
            day = _meeting_day(meeting_spec, today)
            meeting = self._meeting_directly(council, meeting_spec, day, COORDINATION_PLACE)
            recommendation = meeting_spec.get("recommendation")
            if recommendation is None:
                continue
            created = Recommendation.objects.create(
                council=council,
                meeting=meeting,
                addressed_to=bodies[recommendation["addressed_to"]],
                title=recommendation["title"],
                text=recommendation["text"],
                adopted_on=day,
                response_due=services.default_due(day),
            )
            self._answer(
                created, recommendation["answers"], officers[recommendation["answered_by"]]
            )
        return council

    def _dissolved(self, bodies) -> Council:
        spec = dict(DISSOLVED_COUNCIL)
        council = Council.objects.create(
            **self._council_fields(spec, bodies),
            status=Council.Status.DISSOLVED,
            status_since=spec["ended_on"],
            ended_on=spec["ended_on"],
            end_reason=spec["end_reason"],
        )
        self._members_directly(council, DISSOLVED_MEMBERS, DISSOLVED_TERM)
        for meeting_spec in DISSOLVED_MEETINGS:
            self._meeting_directly(council, meeting_spec, meeting_spec["day"], DISSOLVED_PLACE)
        return council

    def _members_directly(self, council, members, term) -> None:
        for name, position, organization, biography in members:
            CouncilMember.objects.create(
                council=council,
                full_name=name,
                position=position,
                organization=organization,
                biography=biography,
                term_start=term[0],
                term_end=term[1],
            )

    def _meeting_directly(self, council, spec, day, place) -> Meeting:
        starts_at = _at(day)
        held = "minutes" in spec
        meeting = Meeting.objects.create(
            council=council,
            starts_at=starts_at,
            place=place,
            status=Meeting.Status.HELD if held else Meeting.Status.PLANNED,
            guests_count=spec.get("guests", 0),
            minutes=spec.get("minutes", ""),
            minutes_published_at=_published(starts_at) if held else None,
        )
        for order, title in enumerate(spec["agenda"], start=1):
            meeting.agenda.create(title=title, order=order)
        if held:
            meeting.present.set(_present(council, day, spec["absent"]))
        return meeting

    @staticmethod
    def _council_fields(spec, bodies) -> dict:
        return {
            "slug": spec["slug"],
            "state_body": bodies[spec["state_body"]] if "state_body" in spec else None,
            "name": spec["name_ky"],
            "name_ky": spec["name_ky"],
            "name_ru": spec["name_ru"],
            "name_en": spec["name_en"],
            "description": spec["description_ky"],
            "description_ky": spec["description_ky"],
            "description_ru": spec["description_ru"],
            "description_en": spec["description_en"],
            "established_on": spec["established_on"],
            "legal_basis": spec["legal_basis"],
            "email": spec["email"],
            "phone": spec["phone"],
            "address": spec["address"],
        }

    # The secretary and the report

    def _secretary_user(self) -> User:
        """The demo secretary (left as it is if it exists: nothing is reset)."""
        email = SECRETARY_USER["email"]
        user, created = User.objects.get_or_create(
            email=email,
            defaults={key: value for key, value in SECRETARY_USER.items() if key != "email"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user

    def _report(self, councils, created, secretary) -> None:
        if created:
            self.stdout.write(
                self.style.SUCCESS(
                    "Demo councils loaded: " + ", ".join(c.slug for c in created) + "."
                )
            )
        else:
            self.stdout.write(
                self.style.SUCCESS("Demo councils are already loaded; nothing changed.")
            )
        for council in councils:
            recommendations = Recommendation.objects.filter(council=council)
            self.stdout.write(
                f"  {council.slug:<28} {council.kind}, {council.status}: "
                f"{council.members.count()} terms, {council.meetings.count()} meetings, "
                f"{recommendations.count()} recommendations "
                f"({recommendations.overdue().count()} overdue)"
            )
        self.stdout.write(f"The secretary of {MINISTRY_COUNCIL['slug']} signs in with:")
        self.stdout.write(
            f"  {secretary.email:<28} {DEMO_PASSWORD}   "
            f"(council secretary: {MINISTRY_COUNCIL['slug']})"
        )
