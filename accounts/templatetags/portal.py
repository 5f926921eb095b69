from decimal import Decimal

from django import template
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext

register = template.Library()


@register.filter
def som(value):
    """An amount in Kyrgyz som, grouped by thousands in the active language."""
    if value in (None, ""):
        return "—"
    value = Decimal(value)
    amount = floatformat(value, "0g" if value == value.to_integral_value() else "2g")
    return gettext("%(amount)s som") % {"amount": amount}
