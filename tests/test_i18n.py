"""Translations are part of every feature: complete catalogues, every page in three languages."""

from pathlib import Path

import polib
import pytest
from django.urls import get_resolver, reverse
from django.utils import translation

from accounts.models import OrganizationInvitation
from accounts.services import invitation_token
from grants import decisions
from tests.competitions.factories import (
    CompetitionFactory,
    CriterionFactory,
    ProgrammeFactory,
    in_days,
)
from tests.grants.evaluation import applicant_of, decided_competition, scored_competition
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


# The evaluation: a competition of the officer's body, reviewed and scored (scorecards
# submitted, no meeting yet), or taken on to an approved decision. A builder that must
# sign in someone other than the cast of ``ctx`` returns ``(kwargs, user)``.
def _scored(ctx):
    return scored_competition(officer=ctx["officer"])


def _decided(ctx):
    return decided_competition(officer=ctx["officer"])


def _reviews_as_member(ctx):
    return None, _scored(ctx).members[1].user


def _conflict_as_member(ctx):
    flow = _scored(ctx)
    return {"pk": flow.applications[0].pk}, flow.members[1].user


def _scorecard_as_reviewer(ctx):
    review = _scored(ctx).reviews().first()
    return {"pk": review.pk}, review.member.user


def _reopen_as_chair(ctx):
    flow = _scored(ctx)
    return {"pk": flow.reviews().first().pk}, flow.chair.user


def _scored_kwargs(ctx):
    return {"reference": _scored(ctx).competition.reference}


def _admitted_kwargs(ctx):
    return {"pk": _scored(ctx).applications[0].pk}


def _appeal_as_applicant(ctx):
    application = _decided(ctx).applications[2]
    return {"pk": application.pk}, applicant_of(application)


def _appeal_kwargs(ctx):
    application = _decided(ctx).applications[2]
    appeal = decisions.file_appeal(
        user=applicant_of(application), application=application, text="Баллдар туура эмес."
    )
    return {"pk": appeal.pk}


def _verify_kwargs(ctx):
    return {"code": _decided(ctx).decision.verification_code}


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
    "grants:reviews": (None, _reviews_as_member),
    "grants:conflict": (None, _conflict_as_member),
    "grants:scorecard": (None, _scorecard_as_reviewer),
    "grants:review-reopen": (None, _reopen_as_chair),
    "grants:evaluation": ("officer", _scored_kwargs),
    "grants:reduce": ("officer", _admitted_kwargs),
    "grants:meeting": ("officer", _scored_kwargs),
    "grants:decision": ("officer", _scored_kwargs),
    "grants:appeal": (None, _appeal_as_applicant),
    "grants:appeal-answer": ("officer", _appeal_kwargs),
    "grants:verify": (None, _verify_kwargs),
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
    "grants:auto-assign",
    "grants:assign",
    "grants:unassign",
    "grants:decision-status",
    "grants:document-retry",
    "grants:document",
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
    role, build = PAGES[name]
    user = ctx[role] if role else None
    with translation.override(language):
        kwargs = build(ctx) if build else None
        if isinstance(kwargs, tuple):
            kwargs, user = kwargs
        url = reverse(name, kwargs=kwargs)
        home_label = translation.gettext("Home")
    if user:
        client.force_login(user)
    assert url.startswith(f"/{language}/")

    response = client.get(url)

    assert response.status_code == 200, url
    content = response.content.decode()
    assert f'<html lang="{language}">' in content
    assert f">{home_label}</a>" in content
    if language != "en":
        assert home_label != "Home"
