"""Forms of the agreement pages (``agreement_views.py``). They check types, dates and
amounts; the rules of the schedule and the states are in ``implementation.py``."""

import re
from decimal import Decimal

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from socialorder.directories import MONEY

from .forms import DateInput
from .models import MonitoringVisit, Report, Tranche

# More rows than any real schedule has; the limit stops a forged form from making thousands.
MAX_ROWS = 40
MAX_VISIT_FILES = 20


def _date(label, **kwargs):
    return forms.DateField(label=label, widget=DateInput(), **kwargs)


def today():
    """Today in Bishkek (``TIME_ZONE``), not on the server's clock."""
    return timezone.localdate()


class CompactCodeField(forms.CharField):
    """A bank code or account number: spaces and dashes people type are dropped."""

    def to_python(self, value):
        value = super().to_python(value)
        return re.sub(r"[\s-]", "", value).upper()


class TermsForm(forms.Form):
    """The terms of a draft agreement. The bank details may wait until it is prepared."""

    start_date = _date(_("Start of the grant"))
    end_date = _date(_("End of the grant"))
    bank_name = forms.CharField(label=_("Bank"), max_length=200, required=False)
    bank_bic = CompactCodeField(
        label=_("Bank identification code (BIC)"),
        max_length=8,
        required=False,
        validators=[
            RegexValidator(r"^[0-9A-Z]{6,8}$", _("A BIC has six to eight digits or letters."))
        ],
    )
    bank_account = CompactCodeField(
        label=_("Account number"),
        max_length=34,
        required=False,
        validators=[
            RegexValidator(
                r"^[0-9A-Z]{8,34}$", _("An account number has 8 to 34 digits or letters.")
            )
        ],
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", gettext("The grant cannot end before it starts."))
        return data


class ReportRowForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *Report.Kind.choices])
    period_end = _date(_("Period ends"))
    due_date = _date(_("Due date"))

    def clean(self):
        data = super().clean()
        period_end, due = data.get("period_end"), data.get("due_date")
        if period_end and due and due < period_end:
            self.add_error("due_date", gettext("A report cannot be due before its period ends."))
        return data


class TrancheRowForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount, som"), min_value=Decimal("0.01"), **MONEY)
    due_date = _date(_("Due date"))
    condition = forms.ChoiceField(
        label=_("Condition"), choices=[("", "—"), *Tranche.Condition.choices]
    )
    report_number = forms.TypedChoiceField(
        label=_("Report to be accepted"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Only for a tranche paid on acceptance of a report."),
    )

    def __init__(self, *args, reports: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["report_number"].choices = [("", "—")] + [
            (number, gettext("Report %(number)s") % {"number": number})
            for number in range(1, reports + 1)
        ]

    def clean(self):
        data = super().clean()
        if data.get("condition") == Tranche.Condition.REPORT and not data.get("report_number"):
            self.add_error(
                "report_number", gettext("Choose the report whose acceptance releases it.")
            )
        return data


class ScheduleFormSet(forms.BaseFormSet):
    def kept(self) -> list[tuple[int, dict]]:
        """``(row number from 1, cleaned data)`` of the rows filled in and not removed."""
        return [
            (number, form.cleaned_data)
            for number, form in enumerate(self.forms, start=1)
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]

    def add_non_form_errors(self, messages) -> None:
        """A service's refusal of the whole schedule, shown above the rows."""
        self.non_form_errors().extend(messages)


ReportFormSet = forms.formset_factory(
    ReportRowForm,
    formset=ScheduleFormSet,
    extra=1,
    can_delete=True,
    max_num=MAX_ROWS,
    validate_max=True,
    absolute_max=MAX_ROWS,
)
TrancheFormSet = forms.formset_factory(
    TrancheRowForm,
    formset=ScheduleFormSet,
    extra=1,
    can_delete=True,
    max_num=MAX_ROWS,
    validate_max=True,
    absolute_max=MAX_ROWS,
)


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("What needs correcting"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SignForm(forms.Form):
    signed_on = _date(_("Signed on"), initial=today)
    scan = forms.FileField(
        label=_("Scan of the signed agreement (PDF, JPEG or PNG)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class PaymentForm(forms.Form):
    paid_on = _date(_("Paid on"), initial=today)
    reference = forms.CharField(label=_("Payment order reference"), max_length=100)


class TerminateForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for termination"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    amount_to_return = forms.DecimalField(
        label=_("Amount the organisation must return, som"),
        min_value=Decimal(0),
        initial=Decimal(0),
        **MONEY,
    )


class ReturnForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount returned, som"), min_value=Decimal("0.01"), **MONEY)
    note = forms.CharField(label=_("Payment reference or note"), max_length=200, required=False)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the service checks each one's type and size."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            files = [super(MultipleFileField, self).clean(item, initial) for item in data]
        else:
            files = [super().clean(data, initial)] if data else []
        files = [item for item in files if item]
        if len(files) > MAX_VISIT_FILES:
            raise forms.ValidationError(
                gettext("Attach at most %(count)d files.") % {"count": MAX_VISIT_FILES}
            )
        return files


class VisitForm(forms.ModelForm):
    files = MultipleFileField(
        label=_("Photos and documents (PDF, JPEG, PNG, DOCX)"),
        required=False,
    )

    class Meta:
        model = MonitoringVisit
        fields = ["visited_on", "visitors", "findings", "rating", "shared_with_organization"]
        widgets = {
            "visited_on": DateInput(),
            "findings": forms.Textarea(attrs={"rows": 5}),
            "rating": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visited_on"].initial = today
        self.fields["rating"].choices = MonitoringVisit.Rating.choices

    def visit_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
