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


# Evaluation


class ConflictForm(forms.Form):
    CHOICES = [
        ("no", _("I have no conflict of interest with this application")),
        ("yes", _("I have a conflict of interest and step away from this application")),
    ]

    conflict = forms.ChoiceField(label=_("Declaration"), choices=CHOICES, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("What the conflict is (required if you have one)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        data = super().clean()
        if data.get("conflict") == "yes" and not data.get("note", "").strip():
            self.add_error("note", gettext("Say briefly what the conflict of interest is."))
        return data


class ScorecardForm(forms.Form):
    """Points and a justification per criterion; the service checks ranges and completeness,
    so that a draft can be saved half done."""

    def __init__(self, *args, criteria, scores=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        scores = scores or {}
        for criterion in criteria:
            score = scores.get(criterion.pk)
            self.fields[f"points_{criterion.pk}"] = forms.IntegerField(
                label=_("Points (0 to %(max)d)") % {"max": criterion.max_points},
                required=False,
                initial=score.points if score else None,
                widget=forms.NumberInput(attrs={"min": 0, "max": criterion.max_points}),
            )
            self.fields[f"justification_{criterion.pk}"] = forms.CharField(
                label=_("Justification"),
                required=False,
                max_length=5000,
                initial=score.justification if score else "",
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def rows(self):
        """``(criterion, points field, justification field)`` for the template."""
        return [(c, self[f"points_{c.pk}"], self[f"justification_{c.pk}"]) for c in self.criteria]

    def entries(self) -> dict:
        return {
            c.pk: (
                self.cleaned_data.get(f"points_{c.pk}"),
                self.cleaned_data.get(f"justification_{c.pk}", ""),
            )
            for c in self.criteria
        }


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AssignForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Commission member"), queryset=None)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members


class ReductionForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount to award, som"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    reason = forms.CharField(
        label=_("Reason (printed in the decision)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MeetingForm(forms.Form):
    held_at = forms.DateTimeField(
        label=_("Date and time (Bishkek time)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label=_("Place"), max_length=300)
    present = forms.ModelMultipleChoiceField(
        label=_("Members present"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    minutes = forms.CharField(
        label=_("Notes of the meeting"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].queryset = members
        self.fields["present"].label_from_instance = lambda m: (
            f"{m.full_name} ({m.get_role_display()}"
            + ("" if m.voting else f", {gettext('does not vote')}")
            + ")"
        )


class AppealForm(forms.Form):
    text = forms.CharField(
        label=_("Grounds of the appeal"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class AppealAnswerForm(forms.Form):
    DECISIONS = [("upheld", _("Uphold the appeal")), ("dismissed", _("Dismiss the appeal"))]

    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    response = forms.CharField(
        label=_("Response (the applicant sees it)"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class VerifyForm(forms.Form):
    file = forms.FileField(label=_("The PDF you received"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(
                gettext("The file is larger than %(size)d MB.") % {"size": self.MAX_BYTES >> 20}
            )
        return upload

    MAX_BYTES = 20 * 1024 * 1024
