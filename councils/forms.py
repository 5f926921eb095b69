"""Forms of the council office (secretaries) and of the officers answering
recommendations. The guards are in ``services.py``; these forms check the input only."""

from django import forms
from django.core.validators import MaxValueValidator
from django.utils import formats, timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import StateBody
from competitions.forms import DateTimeLocalInput
from grants.forms import DateInput
from socialorder.uploads import DOCX, JPEG, ODT, PDF, PNG, validate_upload

from .models import Council, CouncilMember, Meeting, Recommendation
from .services import MAX_GUESTS

LANGS = ("ky", "ru", "en")
LOGO_TYPES = frozenset({JPEG, PNG})
PAPER_TYPES = frozenset({PDF, DOCX, ODT})
# The first year of the independent republic: no council paper is older.
FIRST_YEAR = 1991


class CouncilForm(forms.ModelForm):
    """What a secretary keeps; the name, kind, status, state body and dates are the
    administrators' (in admin)."""

    # A plain input: the stored logo is private (no URL) and shown through its own view.
    logo = forms.ImageField(
        label=_("New logo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
        help_text=_("PNG or JPEG."),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    class Meta:
        model = Council
        fields = [
            *(f"description_{lang}" for lang in LANGS),
            "email",
            "phone",
            "address",
            "logo",
            "legal_basis",
        ]
        widgets = {
            **{f"description_{lang}": forms.Textarea(attrs={"rows": 5}) for lang in LANGS},
            "legal_basis": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.logo:
            del self.fields["remove_logo"]

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and hasattr(logo, "content_type"):
            validate_upload(logo, allowed=LOGO_TYPES)
            return logo
        return self.instance.logo

    def clean(self):
        data = super().clean()
        if data.get("remove_logo") and not self.files.get("logo"):
            data["logo"] = ""
        return data

    def page_data(self) -> dict:
        """The cleaned values of the council's page, for ``services.update_council``."""
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class MemberForm(forms.ModelForm):
    class Meta:
        model = CouncilMember
        fields = [
            "full_name",
            "position",
            "biography",
            "organization",
            "email",
            "term_start",
            "term_end",
            "end_reason",
        ]
        widgets = {
            "biography": forms.Textarea(attrs={"rows": 4}),
            "term_start": DateInput(),
            "term_end": DateInput(),
        }
        help_texts = {
            "email": _("Links the person to the competition commissions they sat on."),
            "term_end": _("Empty while the term runs on."),
        }

    def _get_validation_exclusions(self):
        # The service checks the order of the term dates and says so on the field;
        # the database constraint's generic message would come first otherwise.
        return super()._get_validation_exclusions() | {"term_end"}


class EndTermForm(forms.Form):
    term_end = forms.DateField(label=_("Last day of the term"), widget=DateInput())
    end_reason = forms.CharField(
        label=_("Reason the term ended"),
        max_length=300,
        error_messages={"required": _("Say why the term ends.")},
    )


class MeetingForm(forms.ModelForm):
    agenda = forms.CharField(
        label=_("Agenda"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One item per line, in order."),
        error_messages={"required": _("Add at least one agenda item.")},
    )

    class Meta:
        model = Meeting
        fields = ["starts_at", "place", "online_link"]
        widgets = {"starts_at": DateTimeLocalInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["agenda"] = "\n".join(item.title for item in self.instance.agenda.all())

    def clean_agenda(self) -> list[str]:
        items = [line.strip() for line in self.cleaned_data["agenda"].splitlines() if line.strip()]
        limit = 500
        if any(len(item) > limit for item in items):
            raise forms.ValidationError(
                gettext("An agenda item is longer than %(limit)d characters.") % {"limit": limit}
            )
        return items


class MinutesForm(forms.Form):
    present = forms.ModelMultipleChoiceField(
        label=pgettext_lazy("council", "Members present"),
        queryset=CouncilMember.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    guests_count = forms.IntegerField(
        label=_("Guests"), min_value=0, max_value=MAX_GUESTS, initial=0
    )
    minutes = forms.CharField(
        label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 12})
    )
    minutes_file = forms.FileField(
        label=_("Minutes as a file"), required=False, help_text=_("PDF, DOCX or ODT.")
    )

    def __init__(self, *args, sitting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].queryset = sitting
        self.file_type = ""

    def clean_minutes_file(self):
        uploaded = self.cleaned_data.get("minutes_file")
        if uploaded:
            self.file_type = validate_upload(uploaded, allowed=PAPER_TYPES)
        return uploaded or None


class CancelMeetingForm(forms.Form):
    reason = forms.CharField(
        label=_("Public reason for cancelling"),
        max_length=300,
        error_messages={"required": _("Say why the meeting is cancelled.")},
    )


class MeetingDocumentForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=300,
        error_messages={"required": _("Give the document a title.")},
    )
    file = forms.FileField(label=_("File"), help_text=_("PDF, DOCX or ODT."))

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        self.file_type = validate_upload(uploaded, allowed=PAPER_TYPES)
        return uploaded


class MeetingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return formats.date_format(timezone.localtime(obj.starts_at), "DATETIME_FORMAT")


class RecommendationForm(forms.Form):
    meeting = MeetingChoiceField(
        label=_("Adopted at the meeting"),
        queryset=Meeting.objects.none(),
        required=False,
        empty_label=_("(not recorded)"),
    )
    addressed_to = forms.ModelChoiceField(label=_("Addressed to"), queryset=StateBody.objects.all())
    title = forms.CharField(label=_("Title"), max_length=300)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}))
    adopted_on = forms.DateField(label=_("Adopted on"), widget=DateInput())
    response_due = forms.DateField(label=_("Response due"), required=False, widget=DateInput())

    def __init__(self, *args, council: Council, due_days: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = council.meetings.filter(
            status=Meeting.Status.HELD
        ).order_by("-starts_at")
        self.fields["response_due"].help_text = _(
            "Leave empty for the usual %(days)d days after the adoption."
        ) % {"days": due_days}


class PaperForm(forms.Form):
    """A yearly work plan or annual report: the text and/or a file (the service checks
    that one is given and that the year has none yet)."""

    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR)
    text = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 12})
    )
    file = forms.FileField(label=_("File"), required=False, help_text=_("PDF, DOCX or ODT."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.file_type = ""
        # Next year's plan may be adopted in December.
        year = self.fields["year"]
        year.max_value = timezone.localdate().year + 1
        year.validators.append(MaxValueValidator(year.max_value))
        year.widget.attrs["max"] = year.max_value
        self.initial.setdefault("year", timezone.localdate().year)

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if uploaded:
            self.file_type = validate_upload(uploaded, allowed=PAPER_TYPES)
        return uploaded or None


class AnswerForm(forms.Form):
    """The new status and the body's response. Only the statuses the recommendation may
    move to are offered; the service refuses any other with its message."""

    status = forms.ChoiceField(
        label=_("New status"), choices=Recommendation.Status.choices, widget=forms.RadioSelect
    )
    response = forms.CharField(
        label=_("Response of the state body"),
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Write the response of the state body.")},
    )

    def __init__(self, *args, recommendation: Recommendation, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = Recommendation.TRANSITIONS[recommendation.status]
        self.allowed = [
            (value, label) for value, label in Recommendation.Status.choices if value in allowed
        ]
        self.fields["status"].widget.choices = self.allowed
        self.initial.setdefault("response", recommendation.response)


class RecommendationFilterForm(forms.Form):
    STATES = [
        ("", _("All")),
        ("awaiting", _("Awaiting a response")),
        ("overdue", _("Overdue")),
        ("answered", _("Answered")),
    ]
    state = forms.ChoiceField(label=_("Show"), choices=STATES, required=False)
