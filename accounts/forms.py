from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import (
    Organization,
    OrganizationInvitation,
    OrganizationPerson,
    User,
)
from .reminders import kind_choices
from .validators import validate_inn


class SignupExtraForm(forms.Form):
    """Fields that django-allauth's sign-up form adds to e-mail and password."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)

    def signup(self, request, user):
        user.first_name = self.cleaned_data["first_name"]
        user.last_name = self.cleaned_data["last_name"]
        user.save(update_fields=["first_name", "last_name"])


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "language"]


class RemindersForm(forms.Form):
    """The reminders a user receives: a box per kind, checked unless turned off.

    The profile page shows it beside ``ProfileForm`` with the prefix ``reminders``;
    saving stores the kinds left unchecked in ``User.reminders_off``.
    """

    receive = forms.MultipleChoiceField(
        label=_("Send me these reminders by e-mail"),
        choices=kind_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Uncheck a reminder to stop receiving it. Other e-mails are not affected."),
    )

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        off = set(user.reminders_off or [])
        kwargs.setdefault("prefix", "reminders")
        kwargs.setdefault(
            "initial", {"receive": [code for code, _label in kind_choices() if code not in off]}
        )
        super().__init__(*args, **kwargs)

    def save(self) -> User:
        receive = set(self.cleaned_data["receive"])
        self.user.reminders_off = [code for code, _label in kind_choices() if code not in receive]
        self.user.save(update_fields=["reminders_off"])
        return self.user


class OrganizationForm(forms.ModelForm):
    # Longer than an INN, so that a mistyped one gets the INN message, not a length one.
    inn = forms.CharField(
        label=_("INN"),
        max_length=32,
        validators=[validate_inn],
        help_text=_("Taxpayer identification number: 14 digits."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    class Meta:
        model = Organization
        fields = [
            "name",
            "legal_form",
            "registration_number",
            "inn",
            "registration_date",
            "region",
            "address",
            "phone",
            "email",
            "website",
        ]
        widgets = {
            "registration_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def clean_inn(self):
        return self.cleaned_data["inn"].strip()


class BaseOrganizationPersonFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        roles = {
            form.cleaned_data["role"]
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        }
        missing = []
        if OrganizationPerson.Role.FOUNDER not in roles:
            missing.append(gettext("at least one founder"))
        if OrganizationPerson.Role.LEADER not in roles:
            missing.append(gettext("at least one leader"))
        if missing:
            raise forms.ValidationError(gettext("Name %(what)s.") % {"what": ", ".join(missing)})


OrganizationPersonFormSet = inlineformset_factory(
    Organization,
    OrganizationPerson,
    formset=BaseOrganizationPersonFormSet,
    fields=["role", "full_name", "position"],
    extra=2,
    max_num=30,
    can_delete=True,
)


class InvitationForm(forms.ModelForm):
    class Meta:
        model = OrganizationInvitation
        fields = ["email", "role"]
