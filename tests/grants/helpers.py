"""Helpers the grants tests share: URLs, a frozen clock, form data, real small files."""

import contextlib
import datetime
import io
import re
from unittest import mock

from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation

from competitions.models import Competition
from tests.competitions.helpers import (  # noqa: F401 (shared with the test modules)
    docx_bytes,
    jpeg_bytes,
    pattern,
    pdf_bytes,
    png_bytes,
    shows,
    text,
    tr,
    upload,
)
from tests.factories import region

from .factories import PROJECT_END, PROJECT_START, budget_category

DEADLINE_PASSED = (
    "The deadline of this competition has passed; the application can no longer change."
)


def says(response, msgid: str, language: str = "ky") -> bool:
    """The page shows the message ``msgid`` in ``language``, placeholders filled with anything
    (like ``shows``, and ``%%`` in a message is the ``%`` the reader sees)."""
    parts = re.split(r"%\(\w+\)[sd]", tr(msgid, language))
    regex = ".+?".join(re.escape(part.replace("%%", "%")) for part in parts)
    return re.search(regex, text(response)) is not None


def url(name: str, *args, language: str = "ky", **kwargs) -> str:
    with translation.override(language):
        return reverse(f"grants:{name}", args=args or None, kwargs=kwargs or None)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def close(competition: Competition, *, minutes_ago: int = 1) -> Competition:
    """Move the deadline into the past (the competition stays published: beat has not run)."""
    competition.deadline = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    Competition.objects.filter(pk=competition.pk).update(deadline=competition.deadline)
    return competition


@contextlib.contextmanager
def frozen(moment: datetime.datetime):
    """The server clock stopped at ``moment`` (every module calls ``timezone.now()``)."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _formset(prefix: str, rows: list[dict], *, initial: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            if value not in (None, ""):
                data[f"{prefix}-{index}-{name}"] = str(value)
    return data


def activity_row(**overrides) -> dict:
    return {
        "name": "Окутуу семинарлары",
        "start": "2026-03-01",
        "end": "2026-05-31",
        "responsible": "Асанова Айгүл",
        **overrides,
    }


def result_row(**overrides) -> dict:
    return {"indicator": "Окутулган кызматкерлер", "baseline": "0", "target": "25", **overrides}


def budget_row(**overrides) -> dict:
    """5 × 20 000 som: 80 000 from the grant, 20 000 own."""
    return {
        "category": budget_category("staff").pk,
        "description": "Кызматкерлердин эмгек акысы",
        "unit": "ай",
        "quantity": "5",
        "unit_cost": "20000",
        "requested": "80000",
        "own_contribution": "20000",
        "cofinancing": "0",
        **overrides,
    }


def application_data(
    application, *, activities=None, results=None, budget=None, **overrides
) -> dict:
    """POST data of the edit page: every section of a complete application, new rows only
    (rows the application already has are kept: they are sent back unchanged)."""
    data = {
        "title": "Айылдагы карыларга жаңы көмөк",
        "summary": "Кыскача мазмуну.",
        "problem": "Көйгөй.",
        "goal": "Максат.",
        "objectives": "Милдеттер.",
        "target_group": "Карылар.",
        "beneficiaries": "80",
        "regions": [region("KG-GB").pk],
        "sustainability": "Туруктуулук.",
        "start_date": PROJECT_START.isoformat(),
        "end_date": PROJECT_END.isoformat(),
        "save": "",
        **overrides,
    }
    existing = {
        "activities": [
            {
                "id": a.pk,
                "name": a.name,
                "start": a.start,
                "end": a.end,
                "responsible": a.responsible,
            }
            for a in application.activities.all()
        ],
        "results": [
            {"id": r.pk, "indicator": r.indicator, "baseline": r.baseline, "target": r.target}
            for r in application.results.all()
        ],
        "budget": [
            {
                "id": line.pk,
                "category": line.category_id,
                "description": line.description,
                "unit": line.unit,
                "quantity": line.quantity,
                "unit_cost": line.unit_cost,
                "requested": line.requested,
                "own_contribution": line.own_contribution,
                "cofinancing": line.cofinancing,
            }
            for line in application.budget_lines.all()
        ],
    }
    new = {
        "activities": [activity_row()] if activities is None else activities,
        "results": [result_row()] if results is None else results,
        "budget": [budget_row()] if budget is None else budget,
    }
    for prefix in ("activities", "results", "budget"):
        rows = existing[prefix] + list(new[prefix])
        data.update(_formset(prefix, rows, initial=len(existing[prefix])))
    return {key: value for key, value in data.items() if value is not None}


def text_file(name: str = "x.pdf", size: int = 200):
    """Plain text whatever its name says."""
    return upload(name, (b"Not a PDF at all. " * (size // 18 + 1))[:size], "application/pdf")


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
