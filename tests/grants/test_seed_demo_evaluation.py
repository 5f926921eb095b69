"""``seed_demo_evaluation``: a demo competition evaluated and decided, with its PDFs.

As in the other seed tests, each command's on-commit callbacks are run when it ends
(``django_capture_on_commit_callbacks``): inline tasks, as under ``make run``. Inside
the test's transaction the command itself cannot see its commit, so its first run
reports the documents as waiting; the second finds them rendered.
"""

import pytest
from django.core.management import CommandError, call_command

from accounts.models import OutboundEmail, User
from competitions.models import Competition, StatusChange
from grants.models import (
    AmountReduction,
    Application,
    AwardDecision,
    CommissionMeeting,
    ConflictDeclaration,
    DecisionDocument,
    EvaluationEvent,
    Outcome,
    Review,
    Score,
)

from .helpers import url

CHAIN = ("seed_demo", "seed_demo_competitions", "seed_demo_applications", "seed_demo_evaluation")


def state():
    """What a second run must leave as it is."""
    models = (
        User,
        Competition,
        StatusChange,
        Application,
        ConflictDeclaration,
        Review,
        Score,
        EvaluationEvent,
        AmountReduction,
        CommissionMeeting,
        AwardDecision,
        Outcome,
        DecisionDocument,
        OutboundEmail,
    )
    return {
        "counts": {model.__name__: model.objects.count() for model in models},
        "documents": list(
            DecisionDocument.objects.order_by("pk").values_list("status", "sha256", "attempts")
        ),
        "applications": list(
            Application.objects.order_by("pk").values_list("status", "updated_at")
        ),
    }


def test_the_demo_competition_is_decided_with_its_pdfs_and_can_run_again(
    db, settings, capsys, client, django_capture_on_commit_callbacks
):
    settings.DEBUG = True

    def run(command):
        with django_capture_on_commit_callbacks(execute=True):
            call_command(command)

    for command in CHAIN:
        run(command)
    first = capsys.readouterr()
    for command in CHAIN[:-1]:
        run(command)
    before = state()
    run("seed_demo_evaluation")
    again = capsys.readouterr().out

    assert state() == before
    assert "nothing changed" in again
    competition = Competition.objects.get(reference="SSO-DEMO-005")
    assert competition.status == Competition.Status.DECIDED
    decision = AwardDecision.objects.get()
    assert decision.competition == competition
    assert decision.number == "SSO-DEMO-005-D"

    # Every application has its outcome: two awarded (one reduced to fit), one on the
    # reserve list, one not admitted with the officer's reason.
    applications = Application.objects.filter(competition=competition)
    assert applications.count() == 4
    outcomes = {o.application.reference: o for o in decision.outcomes.select_related("application")}
    assert set(outcomes) == set(applications.values_list("reference", flat=True))
    assert sorted(o.result for o in outcomes.values()) == [
        "awarded",
        "awarded",
        "not_admitted",
        "reserve",
    ]
    reduced = AmountReduction.objects.get(application__competition=competition)
    assert outcomes[reduced.application.reference].amount == reduced.amount
    assert reduced.amount < reduced.application.requested_total
    awarded = sum(o.amount for o in outcomes.values() if o.result == "awarded")
    assert awarded <= competition.total_budget
    rejected = next(o for o in outcomes.values() if o.result == "not_admitted")
    assert rejected.note
    for application in applications.select_related("current_version"):
        assert application.current_version.submitted_at < competition.deadline

    # The recusal: a declared conflict, and no scorecard of that member on it.
    recusal = ConflictDeclaration.objects.get(
        application__competition=competition, has_conflict=True
    )
    assert recusal.member.user.email == "member2@example.org"
    assert not Review.objects.filter(application=recusal.application, member=recusal.member)
    assert decision.results["recusals"] == [
        {
            "member": recusal.member.full_name,
            "reference": recusal.application.reference,
            "detected": False,
        }
    ]
    reviews = Review.objects.filter(application__competition=competition)
    assert reviews.count() == 6
    assert all(r.status == Review.Status.SUBMITTED and r.automatic for r in reviews)
    assert all(s.justification for s in Score.objects.filter(review__in=reviews))
    meeting = competition.commission_meeting
    assert meeting.present.filter(voting=True).count() >= competition.quorum

    # The PDFs rendered during the command: the decision in two languages, four letters.
    documents = decision.documents.all()
    assert sorted(documents.values_list("kind", flat=True)) == ["decision"] * 2 + ["letter"] * 4
    assert {d.status for d in documents} == {DecisionDocument.Status.DONE}
    assert all(d.sha256 and d.file.storage.exists(d.file.name) for d in documents)
    verify = url("verify", decision.verification_code)
    assert verify == f"/ky/verify/{decision.verification_code}/"
    assert "6 waiting for the worker" in first.err  # Not committed yet: see the docstring.
    assert f"Demo decision SSO-DEMO-005-D: 2 PDFs and 4 letters rendered; verify at {verify}" in (
        again
    )
    for email in ("chair@example.org", "member1@example.org", "member2@example.org"):
        assert email in first.out
        assert User.objects.get(email=email).check_password("demo-portal-2026")

    response = client.get(verify)
    assert response.status_code == 200
    assert decision.verification_code in response.content.decode()


def test_it_refuses_to_run_in_production(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo_evaluation")
    assert not Competition.objects.filter(reference="SSO-DEMO-005").exists()
