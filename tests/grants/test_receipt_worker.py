"""The receipt of a submitted application with real Celery: a worker on Redis.

Everywhere else tasks run inline (``tests/conftest.py`` turns eager mode on). Here eager
mode is off: the submit view publishes ``grants.tasks.send_receipt_task`` to the Redis
broker named by ``REDIS_URL`` (a database of its own for tests); an embedded worker
thread (``celery.contrib.testing.worker.start_worker``) renders the receipt PDF with
WeasyPrint, stores it, and queues the e-mail, which the same worker sends with the PDF
attached. The worker has its own database connection, hence ``transaction=True``.
"""

import datetime
import hashlib
import io
import threading
from decimal import Decimal

import celery.contrib.testing.tasks  # noqa: F401  (registers celery.ping for start_worker)
import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import OutboundEmail
from accounts.tasks import send_email_task
from grants import services
from grants.models import (
    Activity,
    Application,
    ApplicationVersion,
    Attachment,
    BudgetCategory,
    BudgetLine,
    ResultIndicator,
)
from grants.tasks import send_receipt_task
from socialorder.celery import app
from tests.competitions.factories import PDF_BYTES, ChecklistItemFactory, CompetitionFactory
from tests.factories import MembershipFactory, OrganizationFactory
from tests.workers import wait_for

WAIT_SECONDS = 30  # the first WeasyPrint rendering of a process loads the fonts


def complete_application(member, organization, competition) -> Application:
    """A draft with every section, a budget line and the required document: ready to submit."""
    application = services.start_application(
        user=member, organization=organization, competition=competition
    )
    year = timezone.localdate().year + 1
    start, end = datetime.date(year, 3, 1), datetime.date(year, 8, 31)
    Application.objects.filter(pk=application.pk).update(
        title="Жаңы муун: карыларга үйдө кам көрүү",
        summary="Жалгыз карыларга үйдө социалдык жардам.",
        problem="Үйдө жардам жетишсиз.",
        goal="Турмуш сапатын жакшыртуу.",
        objectives="Үйдө кам көрүү кызматын уюштуруу.",
        target_group="Жалгыз жашаган улгайган адамдар.",
        beneficiaries=80,
        sustainability="Кызматты мэрия улантат.",
        start_date=start,
        end_date=end,
    )
    Activity.objects.create(
        application=application,
        name="Кызматкерлерди окутуу",
        start=start,
        end=datetime.date(year, 3, 31),
        responsible="Асанова Айгүл",
    )
    ResultIndicator.objects.create(
        application=application, indicator="Жардам алган карылар", baseline="0", target="80"
    )
    BudgetLine.objects.create(
        application=application,
        category=BudgetCategory.objects.get(slug="staff"),
        description="Социалдык кызматкерлердин эмгек акысы",
        unit="ай",
        quantity=Decimal(10),
        unit_cost=Decimal(10000),
        requested=Decimal(85000),
        own_contribution=Decimal(10000),
        cofinancing=Decimal(5000),
    )
    services.recompute_totals(application)
    for item in competition.checklist.filter(required=True):
        Attachment.objects.create(
            application=application,
            checklist_item=item,
            file=ContentFile(PDF_BYTES, name=f"document-{item.pk}.pdf"),
            original_name=f"document-{item.pk}.pdf",
            file_type="pdf",
            size=len(PDF_BYTES),
            sha256=hashlib.sha256(PDF_BYTES).hexdigest(),
            uploaded_by=member,
        )
    application = Application.objects.get(pk=application.pk)
    assert services.submission_problems(application) == {}
    return application


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_worker_renders_the_receipt_pdf_and_emails_it(
    client, seeded, private_media, mailoutbox, celery_worker, published
):
    assert app.conf.task_always_eager is False
    organization = OrganizationFactory()
    member = MembershipFactory(organization=organization, role="owner").user
    competition = CompetitionFactory(published=True)
    ChecklistItemFactory(competition=competition, name_ky="Уюмдун уставы")
    application = complete_application(member, organization, competition)
    client.force_login(member)

    response = client.post(f"/ky/applications/{application.pk}/submit/")

    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == f"/ky/applications/{application.pk}/"
    application.refresh_from_db()
    reference = f"{competition.reference}-A001"
    assert (application.reference, application.status) == (reference, "submitted")
    version = ApplicationVersion.objects.get(application=application)

    def delivered():
        return (
            ApplicationVersion.objects.filter(pk=version.pk).exclude(receipt="").exists()
            and OutboundEmail.objects.filter(
                template="emails/grants/submitted", status=OutboundEmail.Status.SENT
            ).exists()
            and any(message.to == [member.email] for message in mailoutbox)
        )

    done = wait_for(delivered, seconds=WAIT_SECONDS)
    version.refresh_from_db()
    assert done, (
        f"no receipt within {WAIT_SECONDS} s: receipt={version.receipt.name!r}, "
        f"outbox rows={list(OutboundEmail.objects.values('template', 'status', 'last_error'))}, "
        f"mail={len(mailoutbox)}, published={published}, processed={celery_worker.processed}"
    )

    # The request published the receipt task; the worker ran it, then the e-mail it queued.
    main_thread = threading.get_ident()
    assert [(m["task"], m["thread"] == main_thread) for m in published] == [
        (send_receipt_task.name, True),
        (send_email_task.name, False),
    ]
    runs = celery_worker.processed
    assert [(run["task"], run["eager"]) for run in runs] == [
        (send_receipt_task.name, False),
        (send_email_task.name, False),
    ]
    assert runs[0]["args"] == [version.pk]
    assert all(run["thread"] != main_thread for run in runs)

    # The receipt is stored with the SHA-256 of the stored file.
    stored = (private_media / version.receipt.name).read_bytes()
    assert stored.startswith(b"%PDF-")
    assert version.receipt_sha256 == hashlib.sha256(stored).hexdigest()

    # The e-mail in the member's language carries that very PDF.
    [email] = OutboundEmail.objects.filter(template="emails/grants/submitted")
    assert (email.to, email.language, email.attempts) == (member.email, "ky", 1)
    [message] = mailoutbox
    assert message.to == [member.email]
    [(name, content, content_type)] = message.attachments
    assert (name, content_type) == (f"{reference}-v1.pdf", "application/pdf")
    assert content == stored
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) >= 1
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    assert reference in text, text

    # And the applicant downloads the same file from the application page.
    receipt = client.get(f"/ky/applications/{application.pk}/versions/1/receipt/")
    assert receipt.status_code == 200
    assert receipt["Content-Type"] == "application/pdf"
    assert b"".join(receipt.streaming_content) == stored
