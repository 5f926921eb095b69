"""Translations are part of every feature: complete catalogues, every page in three languages."""

from pathlib import Path

import polib
import pytest
from django.urls import get_resolver, reverse
from django.utils import translation

from accounts.models import OrganizationInvitation
from accounts.services import invitation_token
from tests.competitions.factories import (
    CompetitionFactory,
    CriterionFactory,
    ProgrammeFactory,
    in_days,
)
from tests.grants.factories import ApplicationFactory, ApplicationVersionFactory

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ["ky", "ru", "en"]


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_catalogue_has_no_untranslated_or_fuzzy_entries(language):
    catalogue = polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))
    assert catalogue.percent_translated() == 100, [
        e.msgid for e in catalogue.untranslated_entries()
    ]
    assert not catalogue.fuzzy_entries(), [e.msgid for e in catalogue.fuzzy_entries()]
    assert "fuzzy" not in catalogue.metadata_as_entry().flags


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_catalogue_keeps_placeholders(language):
    catalogue = polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))
    import re

    placeholder = re.compile(r"%\(\w+\)[sd]")
    for entry in catalogue.translated_entries():
        translations = (
            [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
        )
        for text in translations:
            assert set(placeholder.findall(text)) <= set(
                placeholder.findall(entry.msgid + (entry.msgid_plural or ""))
            ), entry.msgid


# Each page of the portal: who visits it and how its URL is built.
def _organization_kwargs(ctx):
    return {"pk": ctx["organization"].pk}


def _invitation_kwargs(ctx):
    invitation = OrganizationInvitation.objects.create(
        organization=ctx["organization"], email=ctx["outsider"].email, invited_by=ctx["owner"]
    )
    return {"token": invitation_token(invitation)}


def _competition_kwargs(ctx):
    return {"reference": ctx["competition"].reference}


def _programme_kwargs(ctx):
    return {"pk": ProgrammeFactory(state_body=ctx["state_body"]).pk}


def _application_kwargs(ctx):
    application = ApplicationFactory(
        organization=ctx["organization"], competition=ctx["competition"], complete=True
    )
    ApplicationVersionFactory(application=application, number=1)
    ApplicationVersionFactory(application=application, number=2)
    return {"pk": application.pk}


def _unsealed_kwargs(ctx):
    closed = CompetitionFactory(state_body=ctx["state_body"], published=True, deadline=in_days(-1))
    application = ApplicationFactory(
        organization=ctx["organization"], competition=closed, complete=True, status="submitted"
    )
    return {"pk": application.pk}


PAGES = {
    "home": (None, None),
    "account_signup": (None, None),
    "account_login": (None, None),
    "account_reset_password": (None, None),
    "account_email_verification_sent": (None, None),
    "account_change_password": ("owner", None),
    "account_email": ("owner", None),
    "account_logout": ("owner", None),
    "accounts:profile": ("owner", None),
    "accounts:organization-list": ("owner", None),
    "accounts:organization-create": ("owner", None),
    "accounts:organization-detail": ("owner", _organization_kwargs),
    "accounts:organization-edit": ("owner", _organization_kwargs),
    "accounts:organization-members": ("owner", _organization_kwargs),
    "accounts:invitation-accept": ("outsider", _invitation_kwargs),
    "accounts:officer-workspace": ("officer", None),
    "competitions:list": (None, None),
    "competitions:detail": (None, _competition_kwargs),
    "competitions:my-commissions": ("owner", None),
    "competitions:officer-list": ("officer", None),
    "competitions:create": ("officer", None),
    "competitions:edit": ("officer", _competition_kwargs),
    "competitions:documents": ("officer", _competition_kwargs),
    "competitions:extend": ("officer", _competition_kwargs),
    "competitions:cancel": ("officer", _competition_kwargs),
    "competitions:commission": ("officer", _competition_kwargs),
    "competitions:clarifications": ("officer", _competition_kwargs),
    "competitions:history": ("officer", _competition_kwargs),
    "competitions:programme-list": ("officer", None),
    "competitions:programme-create": ("officer", None),
    "competitions:programme-edit": ("officer", _programme_kwargs),
    "grants:workspace": ("owner", None),
    "grants:detail": ("owner", _application_kwargs),
    "grants:edit": ("owner", _application_kwargs),
    "grants:documents": ("owner", _application_kwargs),
    "grants:submit": ("owner", _application_kwargs),
    "grants:compare": ("owner", _application_kwargs),
    "grants:competition-applications": ("officer", _competition_kwargs),
    "grants:admission": ("officer", _unsealed_kwargs),
}
# Pages reached only by POST, files and feeds (not HTML pages).
NOT_PAGES = {
    "set_language",
    "accounts:invitation-cancel",
    "accounts:member-remove",
    "competitions:feed",
    "competitions:document-download",
    "competitions:programme-document",
    "competitions:follow",
    "competitions:ask",
    "competitions:publish",
    "competitions:document-delete",
    "competitions:commission-remove",
    "competitions:clarification-answer",
    "grants:start",
    "grants:document-remove",
    "grants:attachment-download",
    "grants:withdraw",
    "grants:receipt",
}


def test_every_portal_page_is_checked_here():
    resolver = get_resolver()
    names = {
        f"{namespace}:{name}"
        for namespace, (_prefix, sub) in resolver.namespace_dict.items()
        if namespace in {"accounts", "competitions", "grants"}
        for name in sub.reverse_dict
        if isinstance(name, str)
    }
    names.add("home")
    assert names - NOT_PAGES <= set(PAGES)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_renders_in_every_language(
    client, name, language, owner, outsider, officer, organization, state_body
):
    competition = CompetitionFactory(state_body=state_body, published=True)
    CriterionFactory(competition=competition)
    ctx = {
        "owner": owner,
        "outsider": outsider,
        "officer": officer,
        "organization": organization,
        "state_body": state_body,
        "competition": competition,
    }
    role, kwargs = PAGES[name]
    if role:
        client.force_login(ctx[role])
    with translation.override(language):
        url = reverse(name, kwargs=kwargs(ctx) if kwargs else None)
        home_label = translation.gettext("Home")
    assert url.startswith(f"/{language}/")

    response = client.get(url)

    assert response.status_code == 200, url
    content = response.content.decode()
    assert f'<html lang="{language}">' in content
    assert f">{home_label}</a>" in content
    if language != "en":
        assert home_label != "Home"
