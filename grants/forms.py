from decimal import Decimal

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Region
from socialorder.uploads import DOCUMENT_TYPES, JPEG, PNG, validate_upload

from .models import Activity, Application, BudgetLine, ResultIndicator

ATTACHMENT_TYPES = DOCUMENT_TYPES | {JPEG, PNG}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class StartApplicationForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("Organisation"), queryset=None)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class ApplicationForm(forms.ModelForm):
    """The project sections. Every field may stay empty in a draft; submission checks them."""

    class Meta:
        model = Application
        fields = [
            "title",
            "summary",
            "problem",
            "goal",
            "objectives",
            "target_group",
            "beneficiaries",
            "regions",
            "sustainability",
            "start_date",
            "end_date",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "problem": forms.Textarea(attrs={"rows": 4}),
            "goal": forms.Textarea(attrs={"rows": 2}),
            "objectives": forms.Textarea(attrs={"rows": 3}),
            "target_group": forms.Textarea(attrs={"rows": 2}),
            "sustainability": forms.Textarea(attrs={"rows": 3}),
            "start_date": DateInput(),
            "end_date": DateInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regions"].queryset = Region.objects.filter(parent=None)
        self.fields["regions"].widget = forms.CheckboxSelectMultiple(
            choices=self.fields["regions"].choices
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", gettext("The project cannot end before it starts."))
        return data


class ActivityForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["name", "start", "end", "responsible"]
        widgets = {"start": DateInput(), "end": DateInput()}

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", gettext("An activity cannot end before it starts."))
        return data


class BudgetLineForm(forms.ModelForm):
    class Meta:
        model = BudgetLine
        fields = [
            "category",
            "description",
            "unit",
            "quantity",
            "unit_cost",
            "requested",
            "own_contribution",
            "cofinancing",
        ]


class BaseBudgetFormSet(forms.BaseInlineFormSet):
    # The totals are stored with 12 digits before the decimal point.
    LIMIT = Decimal("1e12")

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        rows = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        for name in ("requested", "own_contribution", "cofinancing"):
            if sum((row.get(name) or 0) for row in rows) >= self.LIMIT:
                raise forms.ValidationError(
                    gettext("The budget is larger than the portal accepts.")
                )
        if any(
            (row.get("quantity") or 0) * (row.get("unit_cost") or 0) >= self.LIMIT for row in rows
        ):
            raise forms.ValidationError(gettext("The budget is larger than the portal accepts."))


ActivityFormSet = inlineformset_factory(
    Application,
    Activity,
    form=ActivityForm,
    extra=1,
    max_num=50,
    validate_max=True,
    can_delete=True,
)
ResultFormSet = inlineformset_factory(
    Application,
    ResultIndicator,
    fields=["indicator", "baseline", "target"],
    extra=1,
    max_num=50,
    validate_max=True,
    can_delete=True,
)
BudgetFormSet = inlineformset_factory(
    Application,
    BudgetLine,
    form=BudgetLineForm,
    formset=BaseBudgetFormSet,
    extra=2,
    max_num=100,
    validate_max=True,
    can_delete=True,
)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        self.file_type = validate_upload(uploaded, allowed=ATTACHMENT_TYPES)
        return uploaded


class AdmissionForm(forms.Form):
    DECISIONS = [("admit", _("Admit")), ("reject", _("Do not admit"))]

    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason (shown to the applicant and the public)"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not data.get("reason", "").strip():
            self.add_error("reason", gettext("Give the reason for not admitting the application."))
        return data
