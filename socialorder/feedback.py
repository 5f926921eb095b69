"""How a view tells the user that a service refused: on the form, or as a message."""

from django.contrib import messages


def show_refusal(request, error, form=None) -> None:
    """A service's ``ValidationError`` onto the form's fields where it names one (the
    others above the form), or as messages when there is no form."""
    if form is not None and hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return
    for message in error.messages:
        if form is not None:
            form.add_error(None, message)
        else:
            messages.error(request, message)
