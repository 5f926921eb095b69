"""Time the award decision PDF (WeasyPrint through socialorder/pdf.py).

Usage:

    .venv/bin/python benchmarks/decisions.py --applications 200 --repeat 3

Builds the frozen results of a synthetic competition shaped exactly like
``grants.decisions.build_results`` returns them (6 criteria, 3 reviews per
admitted application, 5 commission members, some applications not admitted,
some recusals), ranks and allocates them with ``grants.ranking``, renders the
Kyrgyz decision ``--repeat`` times and reports the seconds per PDF, the pages,
the size and the peak memory of the process. Needs no database.
"""

import argparse
import datetime
import os
import random
import resource
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialorder.settings")
os.environ.setdefault("DEBUG", "1")

REFERENCE = "SSO-2026-0001"
CRITERIA = [
    ("Долбоордун актуалдуулугу", "Актуальность проекта", 20, "1.5"),
    ("Максаттуу топко таасири", "Влияние на целевую группу", 20, "1.5"),
    ("Иш-чаралардын ишке ашуусу", "Реализуемость мероприятий", 15, "1"),
    ("Бюджеттин негиздүүлүгү", "Обоснованность бюджета", 15, "1"),
    ("Уюмдун тажрыйбасы", "Опыт организации", 15, "1"),
    ("Туруктуулук", "Устойчивость", 15, "0.5"),
]
COMMISSION = [
    ("Асанова Гүлнара Төлөнбаевна", "chair", True, True),
    ("Токтогулов Нурлан Жумабекович", "secretary", True, True),
    ("Мамытова Айжан Үсөнбековна", "member", True, True),
    ("Жээнбеков Бакыт Өмүрбекович", "expert", True, False),
    ("Сыдыкова Динара Кеңешовна", "council", False, True),
]
ORGANISATIONS = [
    "«Үмүт» коомдук бирикмеси",
    "«Өнүгүү борбору» коомдук фонду",
    "«Жаңы муун» жаштар бирикмеси",
    "«Ак-Жол» аялдар кеңеши",
    "«Бирге» коомдук фонду",
    "«Мээрим» кайрымдуулук фонду",
]


def synthetic_results(applications: int, *, rejected: int, recusals: int, seed: int = 1) -> dict:
    """The frozen results of a synthetic competition, as ``build_results`` shapes them."""
    from grants import ranking

    rng = random.Random(seed)
    weights = [(maximum, Decimal(weight)) for _ky, _ru, maximum, weight in CRITERIA]
    candidates, reviews_of = [], {}
    submitted = datetime.datetime(2026, 2, 1, 9, tzinfo=datetime.UTC)
    for number in range(1, applications + 1):
        quality = rng.uniform(0.45, 0.95)
        reviews = []
        for _ in range(3):
            points = [
                max(0, min(maximum, round(maximum * rng.gauss(quality, 0.12))))
                for maximum, _weight in weights
            ]
            total = ranking.weighted_total(
                [(p, maximum, weight) for p, (maximum, weight) in zip(points, weights, strict=True)]
            )
            reviews.append((points, total))
        reviews_of[number] = reviews
        candidates.append(
            ranking.Candidate(
                application_id=number,
                reference=f"{REFERENCE}-A{number:03d}",
                requested=Decimal(rng.randrange(300, 1500) * 1000),
                review_totals=[total for _points, total in reviews],
                criterion_shares=[
                    Decimal(sum(r[0][i] for r in reviews)) / (3 * maximum)
                    for i, (maximum, _weight) in enumerate(weights)
                ],
                submitted_at=submitted + datetime.timedelta(minutes=number),
                reduced_to=Decimal(250000) if number % 37 == 0 else None,
            )
        )
    budget = Decimal(applications * 250000)
    pass_mark = Decimal(60)
    placements = ranking.rank_and_allocate(candidates, budget=budget, pass_mark=pass_mark)

    def entry(placement):
        number = placement.candidate.application_id
        reviews = reviews_of[number]
        return {
            "application_id": number,
            "reference": placement.candidate.reference,
            "organization": f"{ORGANISATIONS[number % len(ORGANISATIONS)]} № {number}",
            "title": f"Айылдык жаштарды кесипке үйрөтүү жана колдоо долбоору № {number}",
            "requested": str(placement.candidate.requested),
            "score": str(placement.score) if placement.score is not None else "",
            "rank": placement.rank,
            "result": placement.result,
            "amount": str(placement.amount),
            "reduction_reason": (
                "Бюджеттин калдыгына ылайык азайтылды."
                if placement.candidate.reduced_to is not None
                else ""
            ),
            "criteria": [
                str(ranking._round(Decimal(sum(r[0][i] for r in reviews)) / len(reviews)))
                for i in range(len(weights))
            ],
            "reviews": [
                {"reviewer": f"R{index}", "total": str(total), "points": points}
                for index, (points, total) in enumerate(reviews, start=1)
            ],
            "divergent": ranking.is_divergent([t for _p, t in reviews], Decimal(20)),
        }

    awarded = sum((p.amount for p in placements if p.result == ranking.AWARDED), Decimal(0))
    return {
        "competition": {
            "reference": REFERENCE,
            "title": {
                "ky": "Жалгыз басты улгайган адамдарга үйдө социалдык кызмат көрсөтүү",
                "ru": "Социальные услуги на дому одиноким пожилым людям",
                "en": "Home care for lonely elderly people",
            },
            "customer": {
                "ky": "Эмгек, социалдык камсыздоо жана миграция министрлиги",
                "ru": "Министерство труда, социального обеспечения и миграции",
                "en": "Ministry of Labour, Social Security and Migration",
            },
            "total_budget": str(budget),
            "pass_mark": str(pass_mark),
            "deadline": "2026-02-15T18:00:00+06:00",
            "quorum": 3,
        },
        "meeting": {
            "held_at": "2026-03-10T10:00:00+06:00",
            "place": "Бишкек ш., Чүй проспекти, 106, 3-кабат, жыйындар залы",
            "minutes": "",
        },
        "commission": [
            {"name": name, "role": role, "voting": voting, "present": present}
            for name, role, voting, present in COMMISSION
        ],
        "criteria": [
            {"name": {"ky": ky, "ru": ru, "en": ""}, "max_points": maximum, "weight": weight}
            for ky, ru, maximum, weight in CRITERIA
        ],
        "ranked": [entry(p) for p in placements if p.result != ranking.BELOW_PASS_MARK],
        "below_pass_mark": [entry(p) for p in placements if p.result == ranking.BELOW_PASS_MARK],
        "rejected": [
            {
                "application_id": applications + number,
                "reference": f"{REFERENCE}-A{applications + number:03d}",
                "organization": f"{ORGANISATIONS[number % len(ORGANISATIONS)]} № {number}",
                "title": "Жаштар үчүн спорттук иш-чаралар",
                "reason": "Уюмдун катталгандыгы тууралуу күбөлүк тиркелген эмес.",
            }
            for number in range(1, rejected + 1)
        ],
        "recusals": [
            {
                "member": COMMISSION[number % len(COMMISSION)][0],
                "reference": f"{REFERENCE}-A{number * 7:03d}",
                "detected": number % 2 == 0,
            }
            for number in range(1, recusals + 1)
        ],
        "budget": {
            "total": str(budget),
            "awarded": str(awarded),
            "remaining": str(budget - awarded),
        },
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applications", type=int, default=200, help="admitted applications")
    parser.add_argument("--rejected", type=int, default=12, help="applications not admitted")
    parser.add_argument("--recusals", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--language", default="ky")
    parser.add_argument("--output", type=Path, help="write the last PDF here, to look at")
    args = parser.parse_args()

    import django

    django.setup()
    from django.utils import timezone

    from grants.decisions import _canonical_sha256, document_context
    from grants.models import AwardDecision
    from socialorder.pdf import render_pdf_pages

    results = synthetic_results(args.applications, rejected=args.rejected, recusals=args.recusals)
    now = timezone.now()
    decision = AwardDecision(
        number=f"{REFERENCE}-D",
        decided_on=datetime.date(2026, 3, 10),
        verification_code="K7M2QX9PLA",
        results=results,
        results_sha256=_canonical_sha256(results),
        approved_at=now,
        appeal_until=now + datetime.timedelta(days=10),
    )

    timings = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        context = document_context(decision, args.language)
        pdf, pages = render_pdf_pages("pdf/award_decision.html", context, language=args.language)
        timings.append(time.perf_counter() - start)
    if args.output:
        args.output.write_bytes(pdf)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ranked = results["ranked"]
    print(
        f"{args.applications} admitted applications "
        f"({sum(e['result'] == 'awarded' for e in ranked)} awarded, "
        f"{sum(e['result'] == 'reserve' for e in ranked)} reserve, "
        f"{len(results['below_pass_mark'])} below the pass mark), "
        f"{args.rejected} not admitted, {args.recusals} recusals, {args.language}: "
        f"{pages} pages, {len(pdf) / 1024:.0f} KiB; "
        f"seconds per PDF: min {min(timings):.2f}, median {statistics.median(timings):.2f} "
        f"(first {timings[0]:.2f}, {args.repeat} renders); peak memory {peak_mib:.0f} MiB"
    )


if __name__ == "__main__":
    main()
