"""The award decision PDF and the outcome letter, rendered from frozen results alone.

No database: the decision, its outcomes and applications are unsaved objects,
and the results dict is shaped as ``grants.decisions.build_results`` freezes it.
"""

import datetime
import functools
import io
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.template.defaultfilters import floatformat
from django.utils import formats, timezone, translation
from pypdf import PdfReader

from accounts.templatetags.portal import som
from grants.decisions import _canonical_sha256, document_context
from grants.models import Appeal, AwardDecision, Outcome
from socialorder.emails import render_email
from socialorder.pdf import render_pdf_pages

from .helpers import tr

REFERENCE = "SSO-2026-0007"
CODE = "QW3RT7YP9M"
CHAIR, SECRETARY, EXPERT = (
    "Асанова Гүлнара Төлөнбаевна",
    "Токтогулов Нурлан Жумабекович",
    "Жээнбеков Бакыт Өмүрбекович",
)
CRITERIA = [
    ("Долбоордун актуалдуулугу", "Актуальность проекта", 40, "2"),
    ("Бюджеттин негиздүүлүгү", "Обоснованность бюджета", 30, "1"),
    ("Уюмдун тажрыйбасы", "Опыт организации", 30, "1"),
]


def entry(number, organization, *, result, rank, score, amount, criteria, reviews, **extra):
    return {
        "application_id": number,
        "reference": f"{REFERENCE}-A{number:03d}",
        "organization": organization,
        "title": f"Долбоор № {number}",
        "requested": extra.get("requested", amount if amount != "0" else "500000.00"),
        "score": score,
        "rank": rank,
        "result": result,
        "amount": amount,
        "reduction_reason": extra.get("reduction_reason", ""),
        "criteria": criteria,
        "reviews": [
            {"reviewer": f"R{index}", "total": total, "points": points}
            for index, (total, points) in enumerate(reviews, start=1)
        ],
        "divergent": extra.get("divergent", False),
    }


RESULTS = {
    "competition": {
        "reference": REFERENCE,
        "title": {
            "ky": "Улгайган адамдарга үйдө кам көрүү",
            "ru": "Уход на дому за пожилыми людьми",
            "en": "Home care for elderly people",
        },
        "customer": {
            "ky": "Эмгек жана социалдык өнүгүү министрлиги",
            "ru": "Министерство труда и социального развития",
            "en": "",
        },
        "total_budget": "2000000.00",
        "pass_mark": "60.00",
        "deadline": "2026-02-15T18:00:00+06:00",
        "quorum": 2,
    },
    "meeting": {
        "held_at": "2026-03-10T10:00:00+06:00",
        "place": "Бишкек ш., Чүй проспекти, 106",
        "minutes": "",
    },
    "commission": [
        {"name": CHAIR, "role": "chair", "voting": True, "present": True},
        {"name": SECRETARY, "role": "secretary", "voting": True, "present": True},
        {"name": EXPERT, "role": "expert", "voting": True, "present": False},
    ],
    "criteria": [
        {"name": {"ky": ky, "ru": ru, "en": ""}, "max_points": maximum, "weight": weight}
        for ky, ru, maximum, weight in CRITERIA
    ],
    "ranked": [
        entry(
            1,
            "Үмүт коомдук бирикмеси",
            result="awarded",
            rank=1,
            score="91.25",
            amount="1200000.00",
            criteria=["37.50", "27.00", "26.50"],
            reviews=[("92.50", [38, 27, 27]), ("90.00", [37, 27, 26])],
        ),
        entry(
            2,
            "Өнүгүү борбору",
            result="awarded",
            rank=2,
            score="84.38",
            amount="650000.00",
            requested="800000.00",
            reduction_reason="Бюджеттин калдыгына ылайык азайтылды.",
            criteria=["35.00", "24.50", "23.00"],
            reviews=[("86.25", [36, 25, 23]), ("82.50", [34, 24, 23])],
        ),
        entry(
            3,
            "Жаңы муун",
            result="reserve",
            rank=3,
            score="71.88",
            amount="0",
            requested="900000.00",
            criteria=["30.00", "21.50", "18.00"],
            reviews=[("83.75", [35, 24, 22]), ("60.00", [25, 19, 14])],
            divergent=True,
        ),
    ],
    "below_pass_mark": [
        entry(
            4,
            "Ак-Жол аялдар кеңеши",
            result="below_pass_mark",
            rank=None,
            score="45.63",
            amount="0",
            criteria=["18.50", "14.00", "14.00"],
            reviews=[("47.50", [19, 15, 14]), ("43.75", [18, 13, 14])],
        ),
    ],
    "rejected": [
        {
            "application_id": 5,
            "reference": f"{REFERENCE}-A005",
            "organization": "Мээрим фонду",
            "title": "Долбоор № 5",
            "reason": "Каттоо күбөлүгү тиркелген эмес.",
        }
    ],
    "recusals": [{"member": EXPERT, "reference": f"{REFERENCE}-A002", "detected": True}],
    "budget": {"total": "2000000.00", "awarded": "1850000.00", "remaining": "150000.00"},
}

DECISION = AwardDecision(
    number=f"{REFERENCE}-D",
    decided_on=datetime.date(2026, 3, 10),
    verification_code=CODE,
    results=RESULTS,
    results_sha256=_canonical_sha256(RESULTS),
    approved_at=datetime.datetime(2026, 3, 11, 9, 30, tzinfo=datetime.UTC),
    appeal_until=datetime.datetime(2026, 3, 21, 12, 0, tzinfo=datetime.UTC),  # 18:00 in Bishkek
)


def applicant(number, result, *, rank=None, score=None, amount="0", note=""):
    """An unsaved application as the letter reads it, with its unsaved outcome."""
    outcome = Outcome(
        result=result,
        rank=rank,
        score=Decimal(score) if score else None,
        amount=Decimal(amount),
        note=note,
    )
    organization = next(
        e["organization"]
        for e in RESULTS["ranked"] + RESULTS["below_pass_mark"] + RESULTS["rejected"]
        if e["application_id"] == number
    )
    return SimpleNamespace(
        pk=number,
        reference=f"{REFERENCE}-A{number:03d}",
        organization=SimpleNamespace(name=organization),
        competition=SimpleNamespace(reference=REFERENCE),
        current_version=SimpleNamespace(
            snapshot={"project": {"title": f"Үй-бүлөлөргө жаңы жардам: долбоор № {number}"}}
        ),
        outcome=outcome,
    )


APPLICANTS = {
    "awarded": applicant(2, "awarded", rank=2, score="84.38", amount="650000.00"),
    "reserve": applicant(3, "reserve", rank=3, score="71.88"),
    "rejected": applicant(5, "not_admitted", note="Каттоо күбөлүгү тиркелген эмес."),
}


def flat(value: str) -> str:
    """Whitespace (line breaks, no-break spaces of grouped amounts) as single spaces."""
    return " ".join(value.split())


@functools.cache
def render(template: str, language: str, who: str | None = None) -> tuple[str, int, list[str]]:
    application = APPLICANTS[who] if who else None
    context = document_context(DECISION, language, application)
    pdf, pages = render_pdf_pages(template, context, language=language)
    assert pdf.startswith(b"%PDF-")
    texts = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    assert len(texts) == pages
    return flat("\n".join(texts)), pages, texts


def decision(language: str) -> str:
    return render("pdf/award_decision.html", language)[0]


def letter(who: str, language: str = "ky") -> str:
    return render("pdf/outcome_letter.html", language, who)[0]


def localised(value: str, language: str, *, amount: bool = False) -> str:
    with translation.override(language):
        return flat(som(value) if amount else floatformat(value, 2))


def appeal_until(language: str) -> str:
    with translation.override(language):
        return flat(
            formats.date_format(timezone.localtime(DECISION.appeal_until), "DATETIME_FORMAT")
        )


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_the_decision_states_number_winners_amounts_and_scores(language):
    content, pages, _ = render("pdf/award_decision.html", language)
    assert pages >= 1
    assert DECISION.number in content
    assert flat(tr("Award decision", language)) in content
    for winner in RESULTS["ranked"][:2]:
        assert winner["organization"] in content
        assert winner["reference"] in content
        assert localised(winner["amount"], language, amount=True) in content
    budget = RESULTS["budget"]
    assert localised(budget["awarded"], language, amount=True) in content
    assert localised(budget["total"], language, amount=True) in content
    for item in RESULTS["ranked"] + RESULTS["below_pass_mark"]:
        assert localised(item["score"], language) in content
        for value in item["criteria"]:
            assert localised(value, language) in content
        for review in item["reviews"]:
            # The reviewer's points per criterion, in the order of the criteria.
            assert " ".join(str(p) for p in review["points"]) in content
    assert "Жаңы муун" in content  # reserve
    assert "Ак-Жол аялдар кеңеши" in content  # below the pass mark
    assert "Мээрим фонду" in content
    assert "Каттоо күбөлүгү тиркелген эмес." in content
    assert "Бюджеттин калдыгына ылайык азайтылды." in content  # the reduction
    assert "≠" in content  # the divergent reviews of application 3


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_the_decision_ends_with_its_verification(language):
    _content, _pages, texts = render("pdf/award_decision.html", language)
    last = flat(texts[-1])
    assert CODE in last
    assert f"/verify/{CODE}/" in last.replace(" ", "")
    assert DECISION.results_sha256 in last.replace(" ", "")


def test_the_kyrgyz_decision_prints_kyrgyz_letters_and_names():
    content = decision("ky")
    for letter_ in "ңөү":
        assert letter_ in content
    for name, _ru, _maximum, _weight in CRITERIA:
        assert name in content
    assert RESULTS["competition"]["title"]["ky"] in content
    assert RESULTS["competition"]["customer"]["ky"] in content


def test_the_russian_decision_names_the_criteria_in_russian():
    content = decision("ru")
    for ky, ru, _maximum, _weight in CRITERIA:
        assert ru in content
        assert ky not in content
    assert RESULTS["competition"]["title"]["ru"] in content
    assert RESULTS["competition"]["customer"]["ru"] in content


def test_the_decision_lists_the_commission_and_the_recusals():
    content = decision("ky")
    for member in RESULTS["commission"]:
        assert member["name"] in content
    assert flat(tr("absent")) in content
    recusals = content[content.index(flat(tr("Recusals"))) :]
    assert EXPERT in recusals
    assert f"{REFERENCE}-A002" in recusals
    assert flat(tr("detected by the portal")) in recusals


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_reviews_are_anonymised(language):
    content = decision(language)
    scores = content[
        content.index(flat(tr("Scores of the admitted applications", language))) : content.index(
            flat(tr("Grants awarded", language))
        )
    ]
    assert re.search(r"\bR1\b", scores)
    assert re.search(r"\bR2\b", scores)
    for name in (CHAIR, SECRETARY, EXPERT):
        assert name not in scores
        for part in name.split():
            assert part not in scores
    for who in APPLICANTS:
        for name in (CHAIR, SECRETARY, EXPERT):
            assert name not in letter(who, language)


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_the_letter_of_a_winner(language):
    content, pages, _ = render("pdf/outcome_letter.html", language, "awarded")
    assert pages >= 1
    assert f"{REFERENCE}-A002" in content
    assert "Өнүгүү борбору" in content
    assert "Үй-бүлөлөргө жаңы жардам: долбоор № 2" in content
    with translation.override(language):
        assert flat(Outcome(result="awarded").get_result_display()) in content
    assert localised("650000.00", language, amount=True) in content
    assert localised("84.38", language) in content
    for (ky, ru, _maximum, _weight), value in zip(
        CRITERIA, RESULTS["ranked"][1]["criteria"], strict=True
    ):
        assert (ky if language == "ky" else ru) in content
        assert localised(value, language) in content
    assert "Бюджеттин калдыгына ылайык азайтылды." in content
    assert CODE in content
    assert f"/verify/{CODE}/" in content.replace(" ", "")
    # The appeal period, in Bishkek time: 12:00 UTC is 18:00 in Bishkek.
    assert appeal_until(language) in content
    assert "18:00" in appeal_until(language)


def test_the_kyrgyz_letter_prints_kyrgyz_letters():
    content = letter("awarded")
    for letter_ in "ңөү":
        assert letter_ in content


def test_the_letter_of_an_application_on_the_reserve_list():
    content = letter("reserve", "ru")
    assert "Жаңы муун" in content
    with translation.override("ru"):
        assert flat(Outcome(result="reserve").get_result_display()) in content
    assert localised("71.88", "ru") in content
    assert localised("0", "ru", amount=True) not in content


def test_the_letter_of_an_application_not_admitted_states_the_reason():
    content = letter("rejected")
    assert f"{REFERENCE}-A005" in content
    assert "Мээрим фонду" in content
    assert "Каттоо күбөлүгү тиркелген эмес." in content
    assert CODE in content


def test_the_outcome_email_names_the_result_amount_and_appeal_period():
    application = APPLICANTS["awarded"]
    for language in ("ky", "ru"):
        subject, text, html = render_email(
            template="emails/grants/outcome",
            context={
                "application": application,
                "outcome": application.outcome,
                "decision": DECISION,
                "url": "https://portal.example/ky/applications/2/",
            },
            language=language,
        )
        assert application.reference in subject
        assert DECISION.number in text
        assert localised("650000.00", language, amount=True) in flat(text)
        assert appeal_until(language) in flat(text)
        assert application.reference in html


def test_the_appeal_emails():
    application = APPLICANTS["reserve"]
    appeal = Appeal(
        text="Баалоодо ката кетти.",
        status=Appeal.Status.DISMISSED,
        response="Баалоо эрежеге ылайык жүргүзүлгөн.",
        filed_at=datetime.datetime(2026, 3, 12, 4, 0, tzinfo=datetime.UTC),
    )
    context = {"appeal": appeal, "application": application, "url": "https://portal.example/x/"}
    subject, text, html = render_email(
        template="emails/grants/appeal_filed", context=context, language="ky"
    )
    assert application.reference in subject
    assert appeal.text in text
    assert appeal.text in html
    assert "Жаңы муун" in text
    subject, text, html = render_email(
        template="emails/grants/appeal_answered", context=context, language="ru"
    )
    with translation.override("ru"):
        status = str(appeal.get_status_display())
    assert application.reference in subject
    assert status in subject
    assert appeal.response in text
    assert appeal.response in html
