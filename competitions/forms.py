import datetime

from django import forms
from django.conf import settings
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Region, StateBody
from socialorder.uploads import validate_upload

from .models import (
    ChecklistItem,
    CommissionMember,
    Competition,
    CompetitionDocument,
    Criterion,
    Programme,
    ServiceArea,
)

LANGS = ("ky", "ru", "en")


def translated(*names):
    return [f"{name}_{lang}" for name in names for lang in LANGS]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ProgrammeForm(forms.ModelForm):
    def __init__(self, *args, state_bodies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state_body"].queryset = state_bodies
        self.fields["target_groups"].widget = forms.CheckboxSelectMultiple()
        self.fields["target_groups"].queryset = self.fields["target_groups"].queryset.all()

    class Meta:
        model = Programme
        fields = [
            "state_body",
            *translated("title"),
            *translated("description"),
            "year_start",
            "year_end",
            "budget",
            *translated("priorities"),
            "target_groups",
            "approving_document",
        ]

    def clean_approving_document(self):
        document = self.cleaned_data.get("approving_document")
        if document and hasattr(document, "content_type"):
            validate_upload(document)
        return document

    def clean(self):
        data = super().clean()
        start, end = data.get("year_start"), data.get("year_end")
        if start and end and end < start:
            self.add_error("year_end", gettext("The last year cannot be before the first."))
        return data


class CompetitionForm(forms.ModelForm):
    """The terms of a competition. Binding terms cannot change once it is published."""

    def __init__(self, *args, state_bodies, **kwargs):
        super().__init__(*args, **kwargs)
        # What the officer saw, so a save can tell whether the state moved meanwhile.
        self.initial_status = self.instance.status
        self.initial_deadline = self.instance.deadline
        self.fields["state_body"].queryset = state_bodies
        self.fields["programme"].queryset = Programme.objects.filter(state_body__in=state_bodies)
        self.fields["service_area"].queryset = ServiceArea.objects.all()
        self.fields["regions"].queryset = Region.objects.filter(parent=None)
        self.fields["regions"].widget = forms.CheckboxSelectMultiple()
        self.fields["regions"].widget.choices = self.fields["regions"].choices
        self.fields["target_groups"].widget = forms.CheckboxSelectMultiple()
        self.fields["target_groups"].widget.choices = self.fields["target_groups"].choices
        if self.instance.pk and self.instance.is_frozen:
            self.fields["state_body"].disabled = True
            for name in Competition.FROZEN_FIELDS:
                self.fields[name].help_text = _("Frozen after publication.")
                self.fields[name].widget.attrs["readonly"] = True
            # The form shows the deadline to the minute: compare it so, or a deadline
            # with seconds would always look changed.
            deadline = self.instance.deadline
            if deadline is not None:
                self.initial["deadline"] = timezone.localtime(deadline).replace(
                    second=0, microsecond=0
                )

    class Meta:
        model = Competition
        fields = [
            "state_body",
            "programme",
            *translated("title"),
            *translated("announcement"),
            "service_area",
            "target_groups",
            "regions",
            "total_budget",
            "min_grant",
            "max_grant",
            "own_contribution_percent",
            "deadline",
            "duration_min_months",
            "duration_max_months",
            *translated("eligibility"),
            "pass_mark",
            "reviews_per_application",
            "quorum",
            "appeal_days",
            "contact_name",
            "contact_email",
            "contact_phone",
        ]
        widgets = {"deadline": DateTimeLocalInput()}

    def editable_columns(self) -> list[str]:
        """The model columns this form writes (many-to-many fields are saved apart)."""
        many = {field.name for field in Competition._meta.many_to_many}
        return [name for name in self.fields if name not in many and name != "state_body"] + (
            [] if self.instance.is_frozen else ["state_body"]
        )

    def clean(self):
        data = super().clean()
        if self.instance.pk and self.instance.is_frozen:
            for name in Competition.FROZEN_FIELDS:
                if name in self.changed_data:
                    self.add_error(
                        name,
                        gettext(
                            "This term is frozen since publication and cannot be changed. "
                            "A deadline can only be extended through an amendment."
                        ),
                    )
                elif name not in {"regions", "target_groups"}:
                    # Unchanged: keep the stored value exactly (the deadline's seconds).
                    data[name] = getattr(self.instance, name)
            return data
        low, high, budget = data.get("min_grant"), data.get("max_grant"), data.get("total_budget")
        if low is not None and high is not None and high < low:
            self.add_error("max_grant", gettext("The maximum grant is below the minimum grant."))
        if high is not None and budget is not None and high > budget:
            self.add_error("max_grant", gettext("The maximum grant is above the total budget."))
        shortest, longest = data.get("duration_min_months"), data.get("duration_max_months")
        if shortest and longest and longest < shortest:
            self.add_error(
                "duration_max_months",
                gettext("The longest project cannot be shorter than the shortest."),
            )
        deadline = data.get("deadline")
        if deadline and deadline <= timezone.now():
            self.add_error("deadline", gettext("The deadline is in the past."))
        return data


class BaseTermsFormSet(forms.BaseInlineFormSet):
    """Criteria or checklist rows; once published they are shown read-only and any
    change that is submitted anyway is refused with a message, not dropped."""

    def __init__(self, *args, frozen=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.frozen = frozen
        if frozen:
            self.extra = 0

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if self.frozen:
            for field in form.fields.values():
                field.widget.attrs["readonly"] = True

    def clean(self):
        super().clean()
        if self.frozen and (
            self.has_changed() or self.total_form_count() != self.initial_form_count()
        ):
            raise forms.ValidationError(
                gettext("This term is frozen since publication and cannot be changed.")
            )


CriterionFormSet = inlineformset_factory(
    Competition,
    Criterion,
    formset=BaseTermsFormSet,
    fields=[*translated("name"), *translated("description"), "max_points", "weight", "order"],
    widgets={f"description_{lang}": forms.Textarea(attrs={"rows": 2}) for lang in LANGS},
    extra=1,
    max_num=30,
    can_delete=True,
)

ChecklistFormSet = inlineformset_factory(
    Competition,
    ChecklistItem,
    formset=BaseTermsFormSet,
    fields=[*translated("name"), "required", "order"],
    extra=1,
    max_num=40,
    can_delete=True,
)


class DocumentForm(forms.ModelForm):
    class Meta:
        model = CompetitionDocument
        fields = ["kind", *translated("title"), "file"]

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        self.file_type = validate_upload(uploaded)
        return uploaded


class ExtendDeadlineForm(forms.Form):
    new_deadline = forms.DateTimeField(
        label=_("New deadline"), widget=DateTimeLocalInput(), help_text=_("Bishkek time (UTC+6).")
    )
    note = forms.CharField(label=_("Public note"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, competition, **kwargs):
        super().__init__(*args, **kwargs)
        self.competition = competition

    def clean_new_deadline(self):
        value = self.cleaned_data["new_deadline"]
        if not self.competition.is_open:
            raise forms.ValidationError(
                gettext("Only the deadline of a competition open for applications can change.")
            )
        if value <= timezone.now():
            raise forms.ValidationError(gettext("The new deadline must be in the future."))
        if value <= self.competition.deadline:
            raise forms.ValidationError(
                gettext("A published deadline can only be extended, not shortened.")
            )
        return value


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Public reason for the cancellation"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ClarificationForm(forms.Form):
    question = forms.CharField(
        label=_("Your question"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write your question.")},
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Public answer"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CommissionMemberForm(forms.ModelForm):
    class Meta:
        model = CommissionMember
        fields = ["email", "full_name", "role", "voting"]
        help_texts = {
            "email": _("An existing user is appointed at once; anyone else after signing up."),
        }


class CatalogueFilterForm(forms.Form):
    SORTS = [
        ("deadline", _("Deadline, soonest first")),
        ("-published", _("Newest first")),
    ]
    STATUSES = [
        ("", _("Any status")),
        ("open", _("Accepting applications")),
        ("evaluation", _("Evaluation")),
        ("decided", _("Decided")),
        ("cancelled", _("Cancelled")),
    ]

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), choices=STATUSES, required=False)
    state_body = forms.ModelChoiceField(
        label=_("State customer"), queryset=StateBody.objects.all(), required=False
    )
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.filter(parent=None), required=False
    )
    area = forms.ModelChoiceField(
        label=_("Social-service area"), queryset=ServiceArea.objects.all(), required=False
    )
    grant_min = forms.DecimalField(
        label=_("Grant from, som"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    grant_max = forms.DecimalField(
        label=_("Grant up to, som"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    sort = forms.ChoiceField(label=_("Sort"), choices=SORTS, required=False)


def default_deadline() -> datetime.datetime:
    """A sensible starting deadline: the minimum window plus a week, at 18:00 Bishkek time."""
    day = timezone.localdate() + datetime.timedelta(days=settings.MIN_APPLICATION_DAYS + 7)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(18, 0)))
