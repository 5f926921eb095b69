"""Time the public competition catalogue with many competitions.

Usage (PostgreSQL and a throwaway database; it is created and dropped):

    DATABASE_URL=postgres://socialorder:socialorder@127.0.0.1:5432/socialorder \
        .venv/bin/python benchmarks/catalogue.py --competitions 2000 --requests 200

Reports the median and 95th-percentile time of a catalogue page: unfiltered,
filtered by region, and with a full-text search, measured in-process with
Django's test client (no network), and the number of queries per page.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from pagetimer import configure_environment, time_pages

configure_environment()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--competitions", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    creation = connection.creation
    old_name = connection.settings_dict["NAME"]
    creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        populate(args.competitions)
        from django.test import Client

        client = Client()
        from accounts.models import Region

        region = Region.objects.get(code="KG-C").pk
        cases = {
            "catalogue": "/ru/competitions/",
            "region filter": f"/ru/competitions/?region={region}",
            "search": "/ru/competitions/?q=пожилых",
            "page 5": "/ru/competitions/?page=5",
        }
        print(f"{args.competitions} competitions, {args.requests} requests per case")
        time_pages(client, cases, requests=args.requests)
    finally:
        creation.destroy_test_db(old_name, verbosity=0)


def populate(count: int) -> None:
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from accounts.models import Region, StateBody
    from competitions.models import Competition, ServiceArea

    body = StateBody.objects.create(
        slug="bench", kind="ministry", name_ky="Министрлик", name_ru="Министерство", name="M"
    )
    areas = list(ServiceArea.objects.all())
    regions = list(Region.objects.all())
    now = timezone.now()
    words = ["пожилых", "молодёжи", "детей", "семей", "мигрантов", "женщин"]
    competitions = [
        Competition(
            reference=f"SSO-BENCH-{i:05d}",
            state_body=body,
            title_ky=f"Конкурс {i}",
            title_ru=f"Социальные услуги для {words[i % len(words)]} №{i}",
            announcement_ky="Кулактандыруу",
            announcement_ru="Объявление о конкурсе социально полезных проектов",
            eligibility_ky="КЭУ",
            eligibility_ru="НКО",
            service_area=areas[i % len(areas)],
            total_budget=Decimal(1_000_000),
            min_grant=Decimal(50_000),
            max_grant=Decimal(500_000),
            deadline=now + datetime.timedelta(days=30 + i % 60),
            duration_min_months=6,
            duration_max_months=12,
            contact_name="Officer",
            contact_email="officer@example.org",
            status=Competition.Status.PUBLISHED,
            published_at=now,
        )
        for i in range(count)
    ]
    Competition.objects.bulk_create(competitions, batch_size=500)
    through = Competition.regions.through
    through.objects.bulk_create(
        [
            through(competition_id=c.pk, region_id=regions[i % len(regions)].pk)
            for i, c in enumerate(Competition.objects.order_by("pk"))
        ],
        batch_size=1000,
    )


if __name__ == "__main__":
    main()
