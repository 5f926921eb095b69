import pytest
from django.apps import apps
from django.contrib import admin

from accounts.models import StateBodyMembership
from tests.factories import OfficerFactory

PORTAL_APPS = ("accounts", "competitions", "grants", "councils")
PORTAL_MODELS = [
    model
    for app in PORTAL_APPS
    for model in apps.get_app_config(app).get_models()
    if not model.__name__.startswith("Historical")
]


def test_every_model_of_the_portal_is_registered():
    for model in PORTAL_MODELS:
        assert admin.site.is_registered(model), model


@pytest.mark.parametrize("model", PORTAL_MODELS, ids=lambda m: m.__name__)
def test_changelist_searches_and_filters(admin_client, model, organization, owner, officer):
    opts = model._meta
    url = f"/admin/{opts.app_label}/{opts.model_name}/"
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "Бишкек"}).status_code == 200
    model_admin = admin.site._registry[model]
    assert model_admin.list_display != ("__str__",)
    assert model_admin.search_fields


def test_officer_grants_keep_their_history_for_administrators(admin_client, db):
    grant = OfficerFactory()
    grant.delete()
    assert StateBodyMembership.history.filter(history_type="-").count() == 1
    new_grant = OfficerFactory()
    url = f"/admin/accounts/statebodymembership/{new_grant.pk}/history/"
    response = admin_client.get(url)
    assert response.status_code == 200
    assert [r.history_type for r in response.context["page_obj"]] == ["+"]


def test_non_staff_cannot_reach_the_admin(client, outsider):
    client.force_login(outsider)
    response = client.get("/admin/accounts/statebodymembership/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_failed_emails_can_be_queued_again(admin_client, django_capture_on_commit_callbacks):
    from django.core import mail

    from accounts.models import OutboundEmail

    email = OutboundEmail.objects.create(
        to="a@example.org", language="ky", template="t", subject="s", body_text="b", status="failed"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/accounts/outboundemail/",
            {"action": "retry_sending", "_selected_action": [email.pk]},
        )
    assert response.status_code == 302
    email.refresh_from_db()
    assert email.status == "sent"
    assert len(mail.outbox) == 1
