"""Time the public pages of the councils registry with many councils.

Usage (PostgreSQL and a database of its own, named by DATABASE_URL):

    DATABASE_URL=postgres://socialorder:socialorder@127.0.0.1:5432/socialorder_bench_councils \
        .venv/bin/python benchmarks/councils.py --councils 200 --members 20 \
        --meetings 30 --recommendations 20 --requests 50

The database is created when missing and migrated (a no-op once it is). The councils
data is dropped and rebuilt on every run (the councils tables are truncated and the
benchmark's state bodies deleted), so that planned meetings stay in the future and
every run measures the same rows; nothing else in the database is touched. Use a
dedicated database: never the one of a running portal.

Each council has a state body; ``--members`` terms over two periods (half ended in
2022, half still sitting, each period with a chair, a deputy and a secretary);
``--meetings`` meetings (three planned ahead, one in seven cancelled, the rest held
with published minutes and the sitting members present), three agenda items each;
``--recommendations`` recommendations adopted at held meetings, in every status.

Reports the median and 95th-percentile time of the registry (plain, searched and
filtered, page 3), a council's page, a meeting's page, the Atom feed and the
iCalendar of meetings, measured in-process with Django's test client (no network),
and the number of queries per page.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from pagetimer import configure_environment, time_pages

configure_environment()

BODY_PREFIX = "bench-council-body-"
TOPICS = [
    ("билим берүү", "образования"),
    ("саламаттыкты сактоо", "здравоохранения"),
    ("эмгек жана социалдык өнүгүү", "труда и социального развития"),
    ("маданият", "культуры"),
    ("жаштар саясаты", "молодёжной политики"),
]
SURNAMES = ["Абдыраимова", "Токтогулов", "Мамытова", "Жээнбеков", "Сыдыкова", "Осмонов"]
FORENAMES = ["Жылдыз", "Нурлан", "Айжан", "Бакыт", "Динара", "Улан"]
AGENDA = [
    "Социалдык кызматтардын сапаты жөнүндө",
    "Мамлекеттик социалдык заказдын жыйынтыктары",
    "Жылдык иш планын талкуулоо",
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--councils", type=int, default=200)
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--meetings", type=int, default=30)
    parser.add_argument("--recommendations", type=int, default=20)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    if args.councils < 2 or args.meetings < 4 or args.requests < 1:
        parser.error("needs 2 councils, 4 meetings (one held) and 1 request at least")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database of its own.")
    ensure_database(connection)
    call_command("migrate", verbosity=0, interactive=False)
    start = time.perf_counter()
    council, meeting = populate(args)
    print(f"Data built in {time.perf_counter() - start:.1f} s")

    from django.test import Client

    client = Client()
    cases = {
        "registry": "/ky/councils/",
        "search+filter": "/ky/councils/?q=билим&status=active",
        "page 3": "/ky/councils/?page=3",
        "council": f"/ky/councils/{council}/",
        "meeting": f"/ky/councils/{council}/meetings/{meeting}/",
        "atom feed": "/ky/councils/feed/",
        "icalendar": "/ky/councils/meetings.ics",
    }
    print(
        f"{args.councils} councils, {args.members} member terms, {args.meetings} meetings "
        f"and {args.recommendations} recommendations each; "
        f"{args.requests} requests per case"
    )
    time_pages(client, cases, requests=args.requests)


def ensure_database(connection) -> None:
    """Create the database named by DATABASE_URL when it does not exist."""
    name = connection.settings_dict["NAME"]
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(name)}")
            print(f"Created the database {name}")


def clear(connection) -> None:
    """Drop the councils data of the last run and the benchmark's state bodies."""
    from accounts.models import StateBody
    from councils import models

    tables = [
        model._meta.db_table
        for model in (
            models.Council,
            models.CouncilSecretary,
            models.CouncilMember,
            models.Meeting,
            models.Meeting.present.through,
            models.AgendaItem,
            models.MeetingDocument,
            models.Recommendation,
            models.WorkPlan,
            models.AnnualReport,
        )
    ]
    with connection.cursor() as cursor:
        quoted = ", ".join(connection.ops.quote_name(table) for table in tables)
        cursor.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
    StateBody.objects.filter(slug__startswith=BODY_PREFIX).delete()


def populate(args) -> tuple[str, int]:
    """Build the data; return the slug of a council to time and one of its meetings."""
    import datetime

    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import StateBody
    from councils.models import AgendaItem, Council, CouncilMember, Meeting, Recommendation

    established = datetime.date(2019, 3, 1)
    second_period = datetime.date(2022, 3, 1)
    now = timezone.now().replace(second=0, microsecond=0)
    today = timezone.localdate()
    positions = [
        CouncilMember.Position.CHAIR,
        CouncilMember.Position.DEPUTY,
        CouncilMember.Position.SECRETARY,
    ]
    statuses = list(Recommendation.Status)
    answered = {
        Recommendation.Status.ACCEPTED,
        Recommendation.Status.PARTLY_ACCEPTED,
        Recommendation.Status.REJECTED,
        Recommendation.Status.IMPLEMENTED,
    }

    with transaction.atomic():
        clear(connection)
        bodies = StateBody.objects.bulk_create(
            StateBody(
                slug=f"{BODY_PREFIX}{i:04d}",
                kind=StateBody.Kind.MINISTRY if i % 3 else StateBody.Kind.AGENCY,
                name_ky=f"{TOPICS[i % len(TOPICS)][0].capitalize()} министрлиги {i}",
                name_ru=f"Министерство {TOPICS[i % len(TOPICS)][1]} {i}",
            )
            for i in range(args.councils)
        )
        councils = []
        for i, body in enumerate(bodies):
            topic_ky, topic_ru = TOPICS[i % len(TOPICS)]
            status, ended_on, since = Council.Status.ACTIVE, None, None
            if i % 20 == 19:
                status, ended_on = Council.Status.DISSOLVED, datetime.date(2025, 1, 31)
            elif i % 10 == 9:
                status, since = Council.Status.SUSPENDED, datetime.date(2025, 6, 1)
            councils.append(
                Council(
                    slug=f"bench-council-{i:04d}",
                    state_body=body,
                    name_ky=f"{topic_ky.capitalize()} боюнча коомдук байкоочу кеңеш {i}",
                    name_ru=f"Общественный наблюдательный совет {topic_ru} {i}",
                    description_ky="Министрликтин ишине коомдук көзөмөл.",
                    description_ru="Общественный контроль за деятельностью министерства.",
                    kind=Council.Kind.ADVISORY if i % 8 == 7 else Council.Kind.PUBLIC,
                    status=status,
                    established_on=established,
                    status_since=since,
                    ended_on=ended_on,
                    end_reason="Министрдин буйругу менен." if ended_on else "",
                    legal_basis="Министрдин буйругу.",
                    email=f"council{i}@example.kg",
                )
            )
        councils = Council.objects.bulk_create(councils, batch_size=500)

        members = []
        for council in councils:
            first = args.members // 2
            for m in range(args.members):
                in_first = m < first
                slot = m if in_first else m - first
                members.append(
                    CouncilMember(
                        council=council,
                        full_name=(
                            f"{SURNAMES[m % len(SURNAMES)]} {FORENAMES[m % len(FORENAMES)]} {m}"
                        ),
                        position=positions[slot] if slot < len(positions) else "member",
                        biography="Социалдык кызматкер, 15 жылдык тажрыйба.",
                        organization="«Үмүт» коомдук фонду",
                        email=f"member{m}.{council.slug}@example.kg",
                        term_start=established if in_first else second_period,
                        term_end=second_period - datetime.timedelta(days=1) if in_first else None,
                        end_reason="Мөөнөтү бүттү." if in_first else "",
                    )
                )
        members = CouncilMember.objects.bulk_create(members, batch_size=2000)
        members_of = {}
        for member in members:
            members_of.setdefault(member.council_id, []).append(member)

        meetings = []
        planned = min(3, args.meetings)
        for council in councils:
            for j in range(args.meetings):
                if j < planned:
                    starts_at = now + datetime.timedelta(days=14 * (j + 1), hours=10)
                    status = Meeting.Status.PLANNED
                else:
                    starts_at = now - datetime.timedelta(days=45 * (j - planned + 1))
                    cancelled = j % 7 == 6
                    status = Meeting.Status.CANCELLED if cancelled else Meeting.Status.HELD
                held = status == Meeting.Status.HELD
                meetings.append(
                    Meeting(
                        council=council,
                        starts_at=starts_at,
                        place="Бишкек ш., Тыныстанов к., 215",
                        status=status,
                        guests_count=3 if held else 0,
                        minutes=(
                            "Күн тартибиндеги маселелер каралды.\nСунуштар кабыл алынды."
                            if held
                            else ""
                        ),
                        minutes_published_at=starts_at + datetime.timedelta(days=1)
                        if held
                        else None,
                        cancel_reason="Кворум болгон жок."
                        if status == Meeting.Status.CANCELLED
                        else "",
                    )
                )
        meetings = Meeting.objects.bulk_create(meetings, batch_size=2000)

        AgendaItem.objects.bulk_create(
            (
                AgendaItem(meeting=meeting, title=title, order=n)
                for meeting in meetings
                for n, title in enumerate(AGENDA, 1)
            ),
            batch_size=5000,
        )
        present = Meeting.present.through
        held_of = {}
        rows = []
        for meeting in meetings:
            if meeting.status != Meeting.Status.HELD:
                continue
            held_of.setdefault(meeting.council_id, []).append(meeting)
            day = timezone.localtime(meeting.starts_at).date()
            rows.extend(
                present(meeting_id=meeting.pk, councilmember_id=member.pk)
                for member in members_of.get(meeting.council_id, [])
                if member.term_start <= day and (member.term_end is None or day <= member.term_end)
            )
        present.objects.bulk_create(rows, batch_size=5000)

        recommendations = []
        for council in councils:
            held = held_of.get(council.pk, [])
            for r in range(args.recommendations):
                meeting = held[r % len(held)] if held else None
                adopted = (
                    timezone.localtime(meeting.starts_at).date()
                    if meeting
                    else today - datetime.timedelta(days=30 * (r + 1))
                )
                due = adopted + datetime.timedelta(days=30)
                status = statuses[r % len(statuses)]
                responded = None
                if status in answered:
                    responded = adopted + datetime.timedelta(days=20 if r % 4 else 45)
                recommendations.append(
                    Recommendation(
                        council=council,
                        meeting=meeting,
                        addressed_to_id=council.state_body_id,
                        title=f"Социалдык кызматтардын стандарттары жөнүндө {r}",
                        text="Министрликке социалдык кызматтардын стандарттарын "
                        "кайра кароону сунуштайбыз.",
                        adopted_on=adopted,
                        response_due=due,
                        status=status,
                        response="Сунуш каралды." if responded else "",
                        responded_on=responded,
                    )
                )
        Recommendation.objects.bulk_create(recommendations, batch_size=2000)

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    council = councils[min(1, len(councils) - 1)]
    held = held_of.get(council.pk) or [m for m in meetings if m.council_id == council.pk]
    return council.slug, held[0].pk


if __name__ == "__main__":
    main()
