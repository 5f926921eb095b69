from django.forms import BaseForm, BaseFormSet


class InvalidFormStatusMiddleware:
    """Answer 400 when a submitted form comes back with errors.

    Views (ours and django-allauth's) re-render an invalid form with a
    TemplateResponse; the message is on the page, and the status tells
    clients and tests that nothing was saved.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_template_response(self, request, response):
        if request.method == "POST" and response.status_code == 200:
            for value in (response.context_data or {}).values():
                is_form = isinstance(value, BaseForm | BaseFormSet)
                if is_form and value.is_bound and not value.is_valid():
                    response.status_code = 400
                    break
        return response
