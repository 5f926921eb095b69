"""Translations are part of every feature: complete catalogues, every page in three languages."""

import datetime
from pathlib import Path

import polib
import pytest
from django.core.files.base import ContentFile
from django.urls import get_resolver, reverse
from django.utils import translation

from accounts.models import OrganizationInvitation
from accounts.services import invitation_token
from councils.models import Council, CouncilMember, Meeting, MeetingDocument, Recommendation
from grants import decisions
from tests.competitions.factories import (
    CompetitionFactory,
    CriterionFactory,
    ProgrammeFactory,
    in_days,
)
from tests.competitions.helpers import pdf_bytes
from tests.councils.factories import (
    AnnualReportFactory,
    CoordinationCouncilFactory,
    CouncilFactory,
    CouncilMemberFactory,
    CouncilSecretaryFactory,
    MeetingFactory,
    RecommendationFactory,
    WorkPlanFactory,
    days_ago,
)
from tests.grants.evaluation import applicant_of, decided_competition, scored_competition
from tests.grants.factories import ApplicationFactory, ApplicationVersionFactory
from tests.grants.implementation import (
    accepted_report,
    drafted_agreement,
    prepared_agreement,
    running_agreement,
    submitted_report,
)

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


# Grant implementation: an agreement of the officer's body drafted, prepared (its PDFs
# rendered), or signed with the first tranche paid (running); reports written by the
# organisation and reviewed by the officer.
def _awarded_kwargs(ctx):
    return {"pk": _decided(ctx).applications[0].pk}


def _drafted_kwargs(ctx):
    return {"pk": drafted_agreement(officer=ctx["officer"]).agreement.pk}


def _prepared_kwargs(ctx):
    return {"pk": prepared_agreement(officer=ctx["officer"]).agreement.pk}


def _running(ctx):
    return running_agreement(officer=ctx["officer"])


def _running_kwargs(ctx):
    return {"pk": _running(ctx).agreement.pk}


def _agreement_as_applicant(ctx):
    grant = _running(ctx)
    return {"pk": grant.agreement.pk}, grant.applicant


def _report_as_applicant(ctx):
    grant = _running(ctx)
    return {"pk": grant.reports[0].pk}, grant.applicant


def _submitted_report_kwargs(ctx):
    return {"pk": submitted_report(_running(ctx)).pk}


def _my_grants(ctx):
    grant = _running(ctx)
    return None, grant.applicant


def _grants_to_manage(ctx):
    _running(ctx)
    _decided(ctx)
    return None


def _registry(ctx):
    _running(ctx)
    return None


def _public_grant_kwargs(ctx):
    grant = _running(ctx)
    accepted_report(grant)
    return {"pk": grant.agreement.pk}


# The councils: a public council of the officer's body, in the Coordination Council, with
# members over two terms (one ended early), meetings planned, held with minutes and
# cancelled, recommendations awaiting, overdue and answered, a plan and a report. A new
# secretary keeps it; the officer answers its recommendations.
def _council(ctx) -> dict:
    council = CouncilFactory(
        state_body=ctx["state_body"], coordinated_by=CoordinationCouncilFactory()
    )
    chair = CouncilMemberFactory(
        council=council,
        position=CouncilMember.Position.CHAIR,
        term_start=datetime.date(2020, 1, 1),
        term_end=datetime.date(2022, 12, 31),
    )
    CouncilMemberFactory(
        council=council,
        position=CouncilMember.Position.CHAIR,
        full_name=chair.full_name,
        term_start=datetime.date(2023, 1, 1),
    )
    member = CouncilMemberFactory(council=council, term_start=datetime.date(2021, 3, 1))
    CouncilMemberFactory(
        council=council,
        term_start=datetime.date(2020, 1, 1),
        term_end=datetime.date(2021, 6, 30),
        end_reason="Өз каалоосу менен кетти.",
    )
    planned = MeetingFactory(council=council, online_link="https://meet.example.kg/k")
    planned.agenda.create(title="Бюджетти талкуулоо", order=1)
    held = MeetingFactory(council=council, held=True, guests_count=2)
    held.agenda.create(title="Жылдык отчет", order=1)
    held.present.add(member)
    held.minutes_file.save("minutes.pdf", ContentFile(pdf_bytes()), save=False)
    held.minutes_file_type = "pdf"
    held.save()
    MeetingDocument.objects.create(
        meeting=held,
        title="Презентация",
        file=ContentFile(pdf_bytes(), name="slides.pdf"),
        file_type="pdf",
        size=len(pdf_bytes()),
        sha256="0" * 64,
    )
    MeetingFactory(
        council=council, status=Meeting.Status.CANCELLED, cancel_reason="Кворум болгон жок."
    )
    awaiting = RecommendationFactory(council=council, meeting=held)
    overdue = RecommendationFactory(
        council=council, adopted_on=days_ago(40), response_due=days_ago(10)
    )
    RecommendationFactory(
        council=council,
        adopted_on=days_ago(60),
        response_due=days_ago(30),
        status=Recommendation.Status.PARTLY_ACCEPTED,
        response="Жарым-жартылай кабыл алынды.",
        responded_on=days_ago(20),
    )
    WorkPlanFactory(council=council)
    AnnualReportFactory(council=council)
    return {
        "council": council,
        "member": member,
        "planned": planned,
        "held": held,
        "awaiting": awaiting,
        "overdue": overdue,
        "secretary": CouncilSecretaryFactory(council=council).user,
    }


def _council_registry(ctx):
    _council(ctx)
    CouncilFactory(
        status=Council.Status.DISSOLVED,
        ended_on=datetime.date(2023, 6, 30),
        end_reason="Министрлик кайра түзүлдү.",
    )
    return None


def _council_kwargs(ctx):
    return {"slug": _council(ctx)["council"].slug}


def _coordination_kwargs(ctx):
    return {"slug": _council(ctx)["council"].coordinated_by.slug}


def _public_meeting_kwargs(ctx):
    made = _council(ctx)
    return {"slug": made["council"].slug, "pk": made["held"].pk}


def _public_recommendation_kwargs(ctx):
    made = _council(ctx)
    return {"slug": made["council"].slug, "pk": made["overdue"].pk}


def _office_workspace(ctx):
    """A secretary who is also an officer of the addressed body: both sections."""
    made = _council(ctx)
    CouncilSecretaryFactory(council=made["council"], user=ctx["officer"])
    return None, ctx["officer"]


def _office(key=None, **extra):
    """A council office page of the new secretary: the council's slug, the ``pk`` of
    ``key`` (a member or a meeting) and ``extra`` kwargs."""

    def build(ctx):
        made = _council(ctx)
        kwargs = {"slug": made["council"].slug, **extra}
        if key:
            kwargs["pk"] = made[key].pk
        return kwargs, made["secretary"]

    return build


def _officer_recommendations(ctx):
    _council(ctx)
    return None


def _answer_kwargs(ctx):
    return {"pk": _council(ctx)["awaiting"].pk}


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
    "grants:agreement-create": ("officer", _awarded_kwargs),
    "grants:agreement": ("officer", _running_kwargs),
    "grants:agreement-edit": ("officer", _drafted_kwargs),
    "grants:agreement-sign": ("officer", _prepared_kwargs),
    "grants:agreement-terminate": ("officer", _running_kwargs),
    "grants:visit-create": ("officer", _running_kwargs),
    "grants:report": ("officer", _submitted_report_kwargs),
    "grants:report-edit": (None, _report_as_applicant),
    "grants:report-attachments": (None, _report_as_applicant),
    "grants:officer-grants": ("officer", _grants_to_manage),
    "grants:my-grants": (None, _my_grants),
    "grants:registry": (None, _registry),
    "grants:grant": (None, _public_grant_kwargs),
    "councils:list": (None, _council_registry),
    "councils:detail": (None, _council_kwargs),
    "councils:meeting": (None, _public_meeting_kwargs),
    "councils:recommendation": (None, _public_recommendation_kwargs),
    "councils:workspace": (None, _office_workspace),
    "councils:edit": (None, _office()),
    "councils:member-create": (None, _office()),
    "councils:member-edit": (None, _office("member")),
    "councils:member-end": (None, _office("member")),
    "councils:meeting-create": (None, _office()),
    "councils:meeting-edit": (None, _office("planned")),
    "councils:meeting-minutes": (None, _office("held")),
    "councils:meeting-cancel": (None, _office("planned")),
    "councils:meeting-documents": (None, _office("held")),
    "councils:recommendation-create": (None, _office()),
    "councils:paper-create": (None, _office(kind="plan")),
    "councils:officer-recommendations": ("officer", _officer_recommendations),
    "councils:answer": ("officer", _answer_kwargs),
}
# A page of the same name shown for another case: (name, role, builder).
MORE_PAGES = {
    "councils:detail (coordination council)": ("councils:detail", None, _coordination_kwargs),
    "grants:agreement (organisation)": ("grants:agreement", None, _agreement_as_applicant),
    "grants:report (organisation)": ("grants:report", None, _report_as_applicant),
    "grants:agreement (draft)": ("grants:agreement", "officer", _drafted_kwargs),
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
    "grants:agreement-prepare",
    "grants:agreement-reopen",
    "grants:funds-return",
    "grants:agreement-document",
    "grants:agreement-document-retry",
    "grants:signed-scan",
    "grants:tranche-pay",
    "grants:visit-file",
    "grants:report-submit",
    "grants:report-attachment",
    "grants:report-attachment-remove",
    "grants:report-review",
    "councils:feed",
    "councils:council-feed",
    "councils:calendar",
    "councils:council-calendar",
    "councils:logo",
    "councils:minutes-file",
    "councils:document",
    "councils:paper-file",
}


def test_every_portal_page_is_checked_here():
    resolver = get_resolver()
    names = {
        f"{namespace}:{name}"
        for namespace, (_prefix, sub) in resolver.namespace_dict.items()
        if namespace in {"accounts", "competitions", "grants", "councils"}
        for name in sub.reverse_dict
        if isinstance(name, str)
    }
    names.add("home")
    assert names - NOT_PAGES <= set(PAGES)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", sorted(PAGES) + sorted(MORE_PAGES))
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
    url_name, role, build = MORE_PAGES[name] if name in MORE_PAGES else (name, *PAGES[name])
    user = ctx[role] if role else None
    with translation.override(language):
        kwargs = build(ctx) if build else None
        if isinstance(kwargs, tuple):
            kwargs, user = kwargs
        url = reverse(url_name, kwargs=kwargs)
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
