from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language

from socialorder.emails import send_templated_email

from .models import User


class AccountAdapter(DefaultAccountAdapter):
    """django-allauth, with the portal's languages and its one e-mail helper."""

    def save_user(self, request, user, form, commit=True):
        user.language = get_language() or settings.LANGUAGE_CODE
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix, email, context):
        recipient = User.objects.filter(email__iexact=email).only("language").first()
        language = recipient.language if recipient else get_language() or settings.LANGUAGE_CODE
        # Links point to pages in the recipient's language.
        context = {
            key: translate_url(value, language)
            if key.endswith("_url") and isinstance(value, str)
            else value
            for key, value in context.items()
        }
        context.setdefault("email", email)
        send_templated_email(to=email, template=template_prefix, context=context, language=language)
