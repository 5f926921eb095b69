"""Time the daily reminders to many recipients, delivered over SMTP to a local sink.

Usage (PostgreSQL and a throwaway database; it is created and dropped):

    DATABASE_URL=postgres://socialorder:socialorder@127.0.0.1:5432/socialorder \
        .venv/bin/python benchmarks/reminders.py --reports 2000 --members 5

Builds, with ``bulk_create`` in a test database beside the one DATABASE_URL names,
``--reports`` running grants (one competition per 200 grants), each with an interim
report due in 7 days, a later interim report and the final one, and an organisation of
``--members`` members in Kyrgyz, Russian and English (half, three in ten, two in ten).
One organisation in ten has one more member who turned the report reminder off, one in
twenty an inactive one: neither is reminded. So ``--reports 2000 --members 5`` makes
10,000 reminders of the kind ``report_due``.

Starts an SMTP sink (aiosmtpd, in a process of its own) on a free port of 127.0.0.1,
points Django's SMTP back end at it and runs Celery tasks inline, so that
``send_reminders(today)`` logs, renders, stores the outbox rows and delivers them
(``send_emails_task``: batches of 200, one connection each), as the embedded mode does.
Reports the seconds spent before delivery (collect, log, render, store) and delivering,
the total, the CPU seconds of the benchmark's process (the sink and PostgreSQL are not
in them), the queries and the messages the sink received; then runs again the same day,
which must send nothing. The load average is printed first: on a busy machine the
seconds grow with it, the CPU seconds much less. Exits non-zero when the sink did not
receive one message per reminder, when an outbox row is left unsent, or when the second
run sent anything.
"""

import argparse
import multiprocessing
import os
import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from pagetimer import QueryCounter, configure_environment

configure_environment()

GOAL_SECONDS = 60
LANGUAGES = ["ky"] * 5 + ["ru"] * 3 + ["en"] * 2
SURNAMES = ["Абдыраимова", "Токтогулов", "Мамытова", "Жээнбеков", "Сыдыкова", "Осмонов"]
FORENAMES = ["Жылдыз", "Нурлан", "Айжан", "Бакыт", "Динара", "Улан"]
GRANTS_PER_COMPETITION = 200


class Sink:
    """An aiosmtpd handler that counts the messages it accepts in a shared counter."""

    def __init__(self, counter):
        self.counter = counter

    async def handle_DATA(self, server, session, envelope):
        with self.counter.get_lock():
            self.counter.value += 1
        return "250 Message accepted"


def serve_sink(port: int, counter, ready, stop) -> None:
    """Run the SMTP sink in a process of its own (the portal's process keeps its core)."""
    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    controller = Controller(
        Sink(counter), hostname="127.0.0.1", port=port, server_hostname="localhost"
    )
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class DeliveryTimer:
    """Wraps ``deliver_emails`` as the e-mail task calls it: the seconds and queries spent."""

    def __init__(self, deliver, queries: QueryCounter):
        self.deliver = deliver
        self.queries = queries
        self.seconds = self.cpu = 0.0
        self.query_count = 0
        self.batches = 0

    def __call__(self, email_ids):
        start, cpu, before = time.perf_counter(), time.process_time(), self.queries.count
        try:
            return self.deliver(email_ids)
        finally:
            self.seconds += time.perf_counter() - start
            self.cpu += time.process_time() - cpu
            self.query_count += self.queries.count - before
            self.batches += 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=2000, help="reports due in 7 days")
    parser.add_argument("--members", type=int, default=5, help="reminded members per grantee")
    parser.add_argument(
        "--profile",
        type=Path,
        help="write a cProfile of the first run here (and of the second with .second added)",
    )
    args = parser.parse_args()
    if args.reports < 1 or args.members < 1:
        parser.error("needs 1 report and 1 member at least")

    port = free_port()
    received = multiprocessing.Value("i", 0)
    ready, stop = multiprocessing.Event(), multiprocessing.Event()
    sink = multiprocessing.Process(
        target=serve_sink, args=(port, received, ready, stop), daemon=True
    )
    sink.start()
    if not ready.wait(30):
        sys.exit("The SMTP sink did not start.")
    # Django sends to the sink; Celery runs the e-mail tasks inline.
    os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{port}"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    os.environ.pop("REDIS_URL", None)

    import django

    django.setup()
    import logging

    from django.db import connection

    # Neither every inline task nor kombu's note on the unused in-memory broker is a figure.
    for name in ("celery", "socialorder", "accounts"):
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("kombu").setLevel(logging.ERROR)

    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL server.")
    creation = connection.creation
    old_name = connection.settings_dict["NAME"]
    creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        failures = run(args, received)
    finally:
        creation.destroy_test_db(old_name, verbosity=0)
        stop.set()
        sink.join(30)
    sys.exit(1 if failures else 0)


def run(args, received) -> list[str]:
    import cProfile

    from django.db import connection
    from django.utils import timezone

    import accounts.tasks
    from accounts.models import OutboundEmail, ReminderLog
    from accounts.reminders import send_reminders

    today = timezone.localdate()
    load = ", ".join(f"{figure:.1f}" for figure in os.getloadavg())
    print(f"{os.cpu_count()} cores, load average {load} (1, 5, 15 minutes)")
    start = time.perf_counter()
    expected = populate(args.reports, args.members, today)
    print(
        f"{args.reports} reports due in 7 days, {args.members} members each: "
        f"{expected} reminders expected; data built in {time.perf_counter() - start:.1f} s"
    )

    queries = QueryCounter()
    timer = DeliveryTimer(accounts.tasks.deliver_emails, queries)
    accounts.tasks.deliver_emails = timer
    profiles = [cProfile.Profile(), cProfile.Profile()] if args.profile else [None, None]
    try:
        with connection.execute_wrapper(queries):
            first, first_seconds, first_cpu = timed(send_reminders, today, profile=profiles[0])
            first_queries = queries.count
            first_received = received.value
            second, second_seconds, second_cpu = timed(send_reminders, today, profile=profiles[1])
            second_queries = queries.count - first_queries
    finally:
        accounts.tasks.deliver_emails = timer.deliver
    if args.profile:
        profiles[0].dump_stats(args.profile)
        profiles[1].dump_stats(f"{args.profile}.second")

    sent = sum(first.values())
    unsent = OutboundEmail.objects.exclude(status=OutboundEmail.Status.SENT).count()
    logged = ReminderLog.objects.filter(day=today).count()
    rows = [
        # (what, seconds, CPU seconds of this process, queries)
        (
            "first run: collect, log, render, store",
            f"{first_seconds - timer.seconds:.1f} s",
            f"{first_cpu - timer.cpu:.1f} s",
            first_queries - timer.query_count,
        ),
        (
            f"first run: deliver ({timer.batches} tasks)",
            f"{timer.seconds:.1f} s",
            f"{timer.cpu:.1f} s",
            timer.query_count,
        ),
        ("first run: total", f"{first_seconds:.1f} s", f"{first_cpu:.1f} s", first_queries),
        ("  reminders sent / logged", f"{sent} / {logged}", "", ""),
        ("  messages received by the sink", first_received, "", ""),
        ("  outbox rows not sent", unsent, "", ""),
        (
            "second run the same day",
            f"{second_seconds:.2f} s",
            f"{second_cpu:.2f} s",
            second_queries,
        ),
        ("  reminders sent", sum(second.values()), "", ""),
        ("  new messages at the sink", received.value - first_received, "", ""),
    ]
    print(f"  {'':<42} {'time':>13} {'CPU':>8} {'queries':>8}")
    for label, figure, cpu, count in rows:
        print(f"  {label:<42} {figure:>13} {cpu:>8} {count:>8}")
    print(
        f"  goal: first run under {GOAL_SECONDS} s: "
        f"{'met' if first_seconds < GOAL_SECONDS else 'NOT met'}"
    )

    failures = []
    if first_received != expected or sent != expected:
        failures.append(f"expected {expected} messages, sent {sent}, received {first_received}")
    if unsent:
        failures.append(f"{unsent} outbox rows not sent")
    if sum(second.values()) or received.value != first_received:
        failures.append("the second run sent reminders again")
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return failures


def timed(function, *args, profile=None):
    """``function(*args)``, the seconds it took and the CPU seconds of this process,
    under ``profile`` when given."""
    start, cpu = time.perf_counter(), time.process_time()
    result = function(*args) if profile is None else profile.runcall(function, *args)
    return result, time.perf_counter() - start, time.process_time() - cpu


def populate(reports: int, members: int, today) -> int:
    """Build the grants, organisations and members; return how many reminders are due."""
    import datetime
    from decimal import Decimal

    from django.db import transaction
    from django.utils import timezone

    from accounts.models import (
        Organization,
        OrganizationMembership,
        Region,
        StateBody,
        StateBodyMembership,
        User,
    )
    from competitions.models import Competition, ServiceArea
    from grants.models import Application, GrantAgreement, Report
    from grants.reminders import REPORT_DUE_DAYS

    now = timezone.now()
    start_date = today - datetime.timedelta(days=120)
    with transaction.atomic():
        body = StateBody.objects.create(
            slug="bench-reminders",
            kind=StateBody.Kind.MINISTRY,
            name_ky="Эмгек жана социалдык өнүгүү министрлиги",
            name_ru="Министерство труда и социального развития",
            name_en="Ministry of Labour and Social Development",
        )
        officer = User.objects.create(
            email="officer@bench.example.kg", password="!", language="ky", first_name="Officer"
        )
        StateBodyMembership.objects.create(
            user=officer, state_body=body, role=StateBodyMembership.Role.OFFICER
        )
        area = ServiceArea.objects.first()
        regions = list(Region.objects.all())
        competitions = Competition.objects.bulk_create(
            Competition(
                reference=f"SSO-BENCH-{i:04d}",
                state_body=body,
                title_ky=f"Жалгыз басты улгайган адамдарга үйдө кам көрүү № {i}",
                title_ru=f"Уход на дому за одинокими пожилыми людьми № {i}",
                title_en=f"Home care for lonely elderly people No. {i}",
                announcement_ky="Кулактандыруу",
                announcement_ru="Объявление",
                eligibility_ky="КЭУ",
                eligibility_ru="НКО",
                service_area=area,
                total_budget=Decimal(100_000_000),
                min_grant=Decimal(50_000),
                max_grant=Decimal(1_000_000),
                deadline=now - datetime.timedelta(days=200),
                duration_min_months=6,
                duration_max_months=12,
                contact_name="Officer",
                contact_email="officer@bench.example.kg",
                status=Competition.Status.DECIDED,
                published_at=now - datetime.timedelta(days=240),
            )
            for i in range(-(-reports // GRANTS_PER_COMPETITION))
        )

        organizations = Organization.objects.bulk_create(
            (
                Organization(
                    name=f"«Бирге» коомдук фонду № {i}",
                    legal_form=Organization.LegalForm.PUBLIC_FUND,
                    registration_number=f"{i}-3301-ОФ",
                    inn=f"{2_300_000_000_000 + i:014d}",
                    registration_date=datetime.date(2015, 3, 1),
                    region=regions[i % len(regions)],
                    address="Бишкек ш., Чүй проспекти, 106",
                    phone="+996 312 000000",
                    email=f"org{i}@bench.example.kg",
                )
                for i in range(reports)
            ),
            batch_size=1000,
        )

        users, roles, expected = [], [], 0
        for i, organization in enumerate(organizations):
            extra = []
            if i % 10 == 0:
                extra.append({"reminders_off": ["report_due"]})
            if i % 20 == 0:
                extra.append({"is_active": False})
            for number in range(members + len(extra)):
                serial = len(users)
                users.append(
                    User(
                        email=f"member{serial}@bench.example.kg",
                        password="!",
                        first_name=FORENAMES[serial % len(FORENAMES)],
                        last_name=SURNAMES[serial % len(SURNAMES)],
                        language=LANGUAGES[serial % len(LANGUAGES)],
                        **(extra[number - members] if number >= members else {}),
                    )
                )
                roles.append((organization, "owner" if number == 0 else "editor"))
            expected += members
        users = User.objects.bulk_create(users, batch_size=2000)
        OrganizationMembership.objects.bulk_create(
            (
                OrganizationMembership(user=user, organization=organization, role=role)
                for user, (organization, role) in zip(users, roles, strict=True)
            ),
            batch_size=2000,
        )

        applications = Application.objects.bulk_create(
            (
                Application(
                    competition=competitions[i // GRANTS_PER_COMPETITION],
                    organization=organization,
                    reference=f"SSO-BENCH-{i // GRANTS_PER_COMPETITION:04d}-A{i:05d}",
                    status=Application.Status.AWARDED,
                    title=f"Үйдө кам көрүү долбоору № {i}",
                    requested_total=Decimal(600_000),
                    start_date=start_date,
                    end_date=start_date + datetime.timedelta(days=365),
                    submitted_at=now - datetime.timedelta(days=210),
                    created_by=officer,
                )
                for i, organization in enumerate(organizations)
            ),
            batch_size=1000,
        )
        agreements = GrantAgreement.objects.bulk_create(
            (
                GrantAgreement(
                    application=application,
                    number=f"{application.reference}-G",
                    status=(
                        GrantAgreement.Status.SIGNED
                        if i % 4 == 0
                        else GrantAgreement.Status.IN_IMPLEMENTATION
                    ),
                    amount=Decimal(600_000),
                    start_date=start_date,
                    end_date=start_date + datetime.timedelta(days=365),
                    bank_name="Айыл Банк",
                    bank_bic="135001",
                    bank_account=f"135001{i:010d}",
                    signed_on=start_date,
                    created_by=officer,
                )
                for i, application in enumerate(applications)
            ),
            batch_size=1000,
        )
        due = today + datetime.timedelta(days=REPORT_DUE_DAYS)
        schedule = [
            # (number, kind, due date): the first is due in 7 days, the others later.
            (1, Report.Kind.INTERIM, due),
            (2, Report.Kind.INTERIM, due + datetime.timedelta(days=90)),
            (3, Report.Kind.FINAL, due + datetime.timedelta(days=180)),
        ]
        Report.objects.bulk_create(
            (
                Report(
                    agreement=agreement,
                    number=number,
                    kind=kind,
                    period_end=due_date - datetime.timedelta(days=10),
                    due_date=due_date,
                )
                for agreement in agreements
                for number, kind, due_date in schedule
            ),
            batch_size=2000,
        )
    return expected


if __name__ == "__main__":
    main()
