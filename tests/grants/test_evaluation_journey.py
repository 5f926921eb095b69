"""The whole evaluation through the pages, server side: admission, automatic assignment,
declarations, blind scoring, the meeting, approval, the PDFs, verification, results and
an appeal. (The browser journey is in tests/e2e; the guards in test_evaluation.py.)"""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import OutboundEmail
from competitions.models import CommissionMember
from grants.models import Application, AwardDecision, DecisionDocument, Review
from tests.competitions.factories import CommissionMemberFactory, CriterionFactory
from tests.factories import MembershipFactory, UserFactory

from .factories import open_competition, submitted_application
from .helpers import close, messages_of, text, url


@pytest.fixture
def setting(state_body, officer):
    competition = open_competition(
        state_body=state_body, quorum=2, reviews_per_application=2, pass_mark=Decimal(50)
    )
    relevance = CriterionFactory(
        competition=competition, name_ky="Маанилүүлүгү", max_points=10, weight=Decimal(2)
    )
    capacity = CriterionFactory(
        competition=competition, name_ky="Уюмдун мүмкүнчүлүгү", max_points=5, weight=Decimal(1)
    )
    chair = CommissionMemberFactory(
        competition=competition, role=CommissionMember.Role.CHAIR, full_name="Төрага Бакыт"
    )
    member = CommissionMemberFactory(competition=competition, full_name="Мүчө Айнура")
    applications = []
    for name in ("Үмүт", "Өнүгүү", "Жаңы муун"):
        owner = MembershipFactory(role="owner", organization__name=name).user
        applications.append(
            submitted_application(
                owner,
                competition=competition,
                organization=owner.organization_memberships.get().organization,
            )
        )
    close(competition, minutes_ago=180)
    return {
        "competition": competition,
        "criteria": (relevance, capacity),
        "chair": chair,
        "member": member,
        "applications": applications,
    }


def sign_in(client, user):
    client.force_login(user)
    return client


def test_the_evaluation_from_admission_to_verified_decision(
    client, officer, setting, django_capture_on_commit_callbacks
):
    competition = setting["competition"]
    first, second, third = setting["applications"]
    relevance, capacity = setting["criteria"]
    reference = competition.reference

    sign_in(client, officer)
    for application, decision in ((first, "admit"), (second, "admit"), (third, "reject")):
        response = client.post(
            url("admission", application.pk),
            {"decision": decision, "reason": "" if decision == "admit" else "Устав жок."},
        )
        assert response.status_code == 302
    response = client.post(url("auto-assign", reference=reference))
    assert response.status_code == 302
    assert Review.objects.filter(application__competition=competition).count() == 4

    scores = {first.pk: (9, 5), second.pk: (6, 3)}
    for seat in (setting["chair"], setting["member"]):
        sign_in(client, seat.user)
        for application in (first, second):
            review = Review.objects.get(application=application, member=seat)
            # Blind until declared: the scorecard sends the member to the declaration.
            response = client.get(url("scorecard", review.pk))
            assert response.status_code == 302
            assert response.url == url("conflict", application.pk)
            response = client.post(url("conflict", application.pk), {"conflict": "no"})
            assert response.status_code == 302
            points = scores[application.pk]
            response = client.post(
                url("scorecard", review.pk),
                {
                    f"points_{relevance.pk}": points[0],
                    f"justification_{relevance.pk}": "Долбоор абдан маанилүү.",
                    f"points_{capacity.pk}": points[1],
                    f"justification_{capacity.pk}": "Тажрыйбасы бар.",
                    "submit": "",
                },
            )
            assert response.status_code == 302, text(response)
    review = Review.objects.get(application=first, member=setting["member"])
    assert review.status == Review.Status.SUBMITTED
    assert review.total == Decimal("92.00")  # (9×2 + 5×1) / (10×2 + 5×1) = 23/25

    sign_in(client, officer)
    response = client.post(
        url("meeting", reference=reference),
        {
            "held_at": (timezone.localtime() - datetime.timedelta(hours=1)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "place": "Бишкек, Министрликтин залы",
            "present": [setting["chair"].pk, setting["member"].pk],
        },
    )
    assert response.status_code == 302, text(response)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("decision", reference=reference))
    assert response.status_code == 302, messages_of(response)
    decision = AwardDecision.objects.get(competition=competition)
    assert decision.outcomes.count() == 3
    first.refresh_from_db()
    assert first.status == Application.Status.AWARDED
    documents = decision.documents.all()
    assert {d.status for d in documents} == {DecisionDocument.Status.DONE}
    assert documents.filter(kind="letter").count() == 3

    pdf = documents.get(kind="decision", language="ky")
    content = pdf.file.open("rb").read()
    reader = PdfReader(io.BytesIO(content))
    extracted = "\n".join(page.extract_text() for page in reader.pages)
    assert decision.number in extracted
    assert "Үмүт" in extracted
    assert "92" in extracted

    # The public: results on the competition page, verification by upload.
    client.logout()
    page = client.get(f"/ky/competitions/{reference}/")
    assert decision.number in text(page)
    assert "Мүчө Айнура" in text(page)
    response = client.post(
        url("verify", decision.verification_code),
        {"file": SimpleUploadedFile("decision.pdf", content, content_type="application/pdf")},
    )
    assert response.status_code == 200
    assert pdf.sha256 in text(response)
    response = client.post(
        url("verify", decision.verification_code),
        {"file": SimpleUploadedFile("x.pdf", content + b"%", content_type="application/pdf")},
    )
    assert response.status_code == 422

    # The rejected applicant appeals; letters went out by e-mail with the PDF attached.
    owner = third.organization.memberships.get().user
    assert OutboundEmail.objects.filter(to=owner.email).exclude(attachment="").exists()
    sign_in(client, owner)
    response = client.post(url("appeal", third.pk), {"text": "Уставыбыз тиркелген болчу."})
    assert response.status_code == 302
    assert third.appeal.status == "filed"
    stranger = UserFactory()
    sign_in(client, stranger)
    assert client.get(url("appeal", third.pk)).status_code == 404
