"""What reviewers and the public read: the version that counts, not the live record.

The live application is the applicant's working copy; after the deadline the
customer, the commission and the public see the last submitted snapshot, with
the documents it lists (kept even if the applicant replaced them later).
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from accounts.models import Region

from .models import Application, Attachment, BudgetCategory


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


def live_content(application: Application) -> dict:
    """The applicant's own view: the application as it is now."""
    return {
        "content": application,
        "regions": application.regions.all(),
        "activities": application.activities.all(),
        "results": application.results.all(),
        "budget_lines": application.budget_lines.select_related("category"),
        "attachments": application.attachments.live().select_related("checklist_item"),
    }


def submitted_content(application: Application) -> dict:
    """The reviewers' view: the snapshot of the version that counts."""
    version = application.current_version
    if version is None:
        return {"content": None}
    snapshot = version.snapshot
    project = snapshot["project"]
    totals = {key: Decimal(value) for key, value in snapshot["totals"].items()}
    project_total = totals["requested"] + totals["own_contribution"] + totals["cofinancing"]
    content = SimpleNamespace(
        **{
            **project,
            "start_date": _date(project["start_date"]),
            "end_date": _date(project["end_date"]),
        },
        requested_total=totals["requested"],
        own_total=totals["own_contribution"],
        cofinancing_total=totals["cofinancing"],
        own_share_percent=(totals["own_contribution"] * 100 / project_total).quantize(
            Decimal("0.01")
        )
        if project_total
        else Decimal(0),
    )
    categories = {category.slug: category for category in BudgetCategory.objects.all()}
    ids = [entry.get("id") for entry in snapshot["attachments"]]
    return {
        "content": content,
        "version": version,
        "regions": Region.objects.filter(code__in=project["regions"]),
        "activities": [
            SimpleNamespace(
                name=row["name"],
                start=_date(row["start"]),
                end=_date(row["end"]),
                responsible=row["responsible"],
            )
            for row in snapshot["activities"]
        ],
        "results": [SimpleNamespace(**row) for row in snapshot["results"]],
        "budget_lines": [
            SimpleNamespace(
                category=categories.get(row["category"]),
                description=row["description"],
                unit=row["unit"],
                quantity=Decimal(row["quantity"]),
                unit_cost=Decimal(row["unit_cost"]),
                requested=Decimal(row["requested"]),
                own_contribution=Decimal(row["own_contribution"]),
                cofinancing=Decimal(row["cofinancing"]),
            )
            for row in snapshot["budget"]
        ],
        "attachments": Attachment.objects.filter(application=application, pk__in=ids)
        .select_related("checklist_item")
        .order_by("checklist_item__order", "pk"),
        "submitted_checklist_items": {
            entry.get("checklist_item") for entry in snapshot["attachments"]
        },
    }
