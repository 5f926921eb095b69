"""Amendments of a competition reach the organisations that have an application to it."""

import datetime

from django.core import mail

from competitions import services as competition_services
from competitions.tasks import notify_amendment_task


def test_members_of_an_organisation_with_a_draft_hear_of_an_extension(
    application, applicant, editor, officer, other_member, django_capture_on_commit_callbacks
):
    competition = application.competition
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        amendment = competition_services.extend_deadline(
            competition=competition,
            user=officer,
            new_deadline=competition.deadline + datetime.timedelta(days=7),
            note="Көбүрөөк убакыт.",
        )
    assert len(callbacks) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_amendment_task.apply(args=[amendment.pk]).get() == 2
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([applicant.email, editor.email])
    assert other_member.email not in recipients


def test_a_member_who_also_follows_is_told_once(application, applicant, officer):
    competition = application.competition
    competition.follows.create(user=applicant)
    amendment = competition_services.cancel_competition(
        competition=competition, user=officer, reason="Бюджет кыскарды."
    )
    assert competition_services.notify_amendment(amendment.pk) == 1
