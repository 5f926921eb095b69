"""Forms of the report pages: the organisation's narrative, results and spending, its
documents, and the officer's review. The rules (variance per line, the grant, what a
report needs before it is submitted) are the services' (``grants/implementation.py``);
these forms only read the input."""

import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import GrantBudgetLine, GrantIndicator, Report, ReportResult, ReportSpending


class NarrativeForm(forms.Form):
    activities = forms.CharField(
        label=_("Activities carried out"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    beneficiaries_reached = forms.IntegerField(
        label=_("Beneficiaries reached"), required=False, min_value=0, max_value=2_147_483_647
    )
    problems = forms.CharField(
        label=_("Problems and how they were solved"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    @classmethod
    def initial_of(cls, report: Report) -> dict:
        return {name: getattr(report, name) for name in cls.base_fields}


# Rows are keyed by the id of the agreement's indicator or budget line: ``achieved_<id>``,
# ``result_comment_<id>``, ``amount_<id>``, ``spending_comment_<id>``.
ROW_FIELD = re.compile(r"^(achieved|result_comment|amount|spending_comment)_(\d{1,18})$")


def posted_row_ids(data) -> tuple[set[int], set[int]]:
    """The indicator ids and the budget line ids a POST names, whatever the form knows."""
    indicators, lines = set(), set()
    for key in data:
        match = ROW_FIELD.match(key)
        if match:
            kind, pk = match.groups()
            (indicators if kind in {"achieved", "result_comment"} else lines).add(int(pk))
    return indicators, lines


class ResultsForm(forms.Form):
    """What was achieved against each indicator of the agreement, one row per indicator."""

    def __init__(self, *args, indicators: list[GrantIndicator], results=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        results: dict[int, ReportResult] = results or {}
        for indicator in indicators:
            result = results.get(indicator.pk)
            self.fields[f"achieved_{indicator.pk}"] = forms.CharField(
                label=_("Achieved"),
                required=False,
                max_length=100,
                initial=result.achieved if result else "",
            )
            self.fields[f"result_comment_{indicator.pk}"] = forms.CharField(
                label=_("Comment"),
                required=False,
                max_length=500,
                initial=result.comment if result else "",
            )

    def rows(self):
        """``(indicator, achieved field, comment field)`` for the template."""
        return [
            (i, self[f"achieved_{i.pk}"], self[f"result_comment_{i.pk}"]) for i in self.indicators
        ]

    def entries(self) -> dict[int, tuple[str, str]]:
        return {
            i.pk: (
                self.cleaned_data[f"achieved_{i.pk}"].strip(),
                self.cleaned_data[f"result_comment_{i.pk}"].strip(),
            )
            for i in self.indicators
        }


class SpendingForm(forms.Form):
    """What was spent in the report's period on each agreed budget line (empty is zero)."""

    def __init__(self, *args, lines: list[GrantBudgetLine], spending=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = lines
        spending: dict[int, ReportSpending] = spending or {}
        for line in lines:
            spent = spending.get(line.pk)
            self.fields[f"amount_{line.pk}"] = forms.DecimalField(
                label=_("Spent in this report, som"),
                required=False,
                min_value=Decimal(0),
                max_digits=14,
                decimal_places=2,
                initial=spent.amount if spent else None,
            )
            self.fields[f"spending_comment_{line.pk}"] = forms.CharField(
                label=_("Comment"),
                required=False,
                max_length=500,
                initial=spent.comment if spent else "",
            )

    def rows(self):
        """``(line, amount field, comment field)`` for the template."""
        return [
            (line, self[f"amount_{line.pk}"], self[f"spending_comment_{line.pk}"])
            for line in self.lines
        ]

    def entries(self) -> dict[int, tuple[Decimal, str]]:
        return {
            line.pk: (
                self.cleaned_data[f"amount_{line.pk}"] or Decimal(0),
                self.cleaned_data[f"spending_comment_{line.pk}"].strip(),
            )
            for line in self.lines
        }


class ReportAttachmentForm(forms.Form):
    """The type, size and total are checked by ``add_report_attachment``."""

    file = forms.FileField(label=_("Document"))


class ReviewForm(forms.Form):
    DECISIONS = [("accept", _("Accept the report")), ("return", _("Return it for changes"))]

    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment (the organisation sees it; required when returning)"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not data.get("comment", "").strip():
            # The same words as the service, which checks it again.
            self.add_error("comment", gettext("Say what the organisation should change."))
        return data
