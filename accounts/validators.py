from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _


def validate_inn(value: str) -> None:
    """A Kyrgyz taxpayer number (INN): exactly 14 digits.

    The State Tax Service publishes no check-digit algorithm, so the portal
    checks the form only; uniqueness is a database constraint.
    """
    if not (len(value) == 14 and value.isascii() and value.isdigit()):
        raise ValidationError(_("The INN must consist of exactly 14 digits."), code="invalid_inn")
    if len(set(value)) == 1:
        raise ValidationError(_("This is not a valid INN."), code="invalid_inn")


validate_phone = RegexValidator(
    r"^\+?[0-9 ()-]{6,20}$",
    _("Enter a phone number of digits, spaces and + ( ) - only, for example +996 312 123456."),
)
