"""Twenty submits of the same application at once, over real HTTP against the live server.

The live server is a ``ThreadedWSGIServer``: every request runs in a thread of its own
with its own PostgreSQL connection, so the row lock taken by
``grants.services.submit_application`` is what serialises them. The first submit makes
version 1; the others find the same content already submitted and keep it. Every
request must answer with the redirect to the application, none with an error page.
"""

import datetime
import hashlib
import http.client
import re
import threading
from decimal import Decimal
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from accounts.models import OutboundEmail, Region
from grants import services
from grants.models import (
    Activity,
    Application,
    ApplicationEvent,
    ApplicationVersion,
    Attachment,
    BudgetCategory,
    BudgetLine,
    ResultIndicator,
)
from tests.competitions.factories import PDF_BYTES, ChecklistItemFactory, CompetitionFactory
from tests.factories import MembershipFactory, OrganizationFactory

THREADS = 20
TIMEOUT = 60  # seconds, per request: each waits for the lock the others hold

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def complete_application(member, organization, competition) -> Application:
    """A draft with every section, two budget lines and the required documents:
    nothing keeps it from being submitted."""
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
    application.regions.add(Region.objects.get(code="KG-N"))
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
    for order, (slug, quantity, cost, requested, own, cofinancing) in enumerate(
        [("staff", 10, 9000, 78000, 8000, 4000), ("materials", 40, 700, 20000, 5000, 3000)]
    ):
        BudgetLine.objects.create(
            application=application,
            category=BudgetCategory.objects.get(slug=slug),
            description=f"Бюджет сабы {order + 1}",
            unit="даана",
            quantity=Decimal(quantity),
            unit_cost=Decimal(cost),
            requested=Decimal(requested),
            own_contribution=Decimal(own),
            cofinancing=Decimal(cofinancing),
            order=order,
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


def request(live_server, method, path, *, cookies: dict, body: bytes = b"", headers=None):
    """One HTTP request to the live server, redirects not followed."""
    address = urlsplit(live_server.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=TIMEOUT)
    try:
        connection.request(
            method,
            path,
            body=body,
            headers={
                "Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items()),
                **(headers or {}),
            },
        )
        response = connection.getresponse()
        return response.status, response.getheader("Location"), response.read(), response
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_submits_leave_one_version_and_no_error_page(
    live_server, seeded, private_media, mailoutbox
):
    organization = OrganizationFactory()
    member = MembershipFactory(organization=organization, role="owner").user
    competition = CompetitionFactory(published=True)
    ChecklistItemFactory(competition=competition, name_ky="Уюмдун уставы", order=1)
    ChecklistItemFactory(competition=competition, name_ky="Бюджеттин негиздемеси", order=2)
    application = complete_application(member, organization, competition)
    submit_path = f"/ky/applications/{application.pk}/submit/"
    detail_path = f"/ky/applications/{application.pk}/"

    # Signed in by session cookie; the submit page gives the CSRF cookie and the form token.
    client = Client()
    client.force_login(member)
    cookies = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}
    status, _location, page, response = request(live_server, "GET", submit_path, cookies=cookies)
    assert status == 200, page.decode()[:2000]
    jar = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    cookies[settings.CSRF_COOKIE_NAME] = jar[settings.CSRF_COOKIE_NAME].value
    token = CSRF_INPUT.search(page.decode())
    assert token, "no CSRF token in the submit form: the application is not ready to submit"
    body = f"csrfmiddlewaretoken={token.group(1)}".encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Referer": live_server.url}

    barrier = threading.Barrier(THREADS)
    answers: list[tuple[int, str | None, str]] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def post():
        try:
            barrier.wait(timeout=TIMEOUT)
            status, location, content, _response = request(
                live_server, "POST", submit_path, cookies=cookies, body=body, headers=headers
            )
            with lock:
                answers.append((status, location, content.decode(errors="replace")[:500]))
        except BaseException as error:  # reported below, with the thread's answers
            with lock:
                failures.append(error)

    threads = [threading.Thread(target=post, name=f"submit-{n}") for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT * 2)
    assert not any(thread.is_alive() for thread in threads), "a submit never answered"
    assert not failures, failures

    # Every submit was redirected to the application: no error page, no 5xx, no 4xx.
    assert len(answers) == THREADS
    unexpected = [answer for answer in answers if answer[:2] != (302, detail_path)]
    assert not unexpected, unexpected

    # Exactly one version, and it is the current one.
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.reference == f"{competition.reference}-A001"
    [version] = ApplicationVersion.objects.filter(application=application)
    assert version.number == 1
    assert application.current_version == version
    assert version.sha256 == services.snapshot_sha256(services.build_snapshot(application))
    assert list(
        ApplicationEvent.objects.filter(application=application).values_list(
            "from_status", "to_status"
        )
    ) == [("draft", "submitted")]

    # The receipt was rendered and e-mailed once, for that version.
    assert version.receipt
    assert version.receipt_sha256
    stored = (private_media / version.receipt.name).read_bytes()
    assert hashlib.sha256(stored).hexdigest() == version.receipt_sha256
    receipts = OutboundEmail.objects.filter(template="emails/grants/submitted")
    assert [(email.to, bool(email.attachment)) for email in receipts] == [(member.email, True)]
    assert len(mailoutbox) == 1
    [(name, content, content_type)] = mailoutbox[0].attachments
    assert (name, content_type) == (f"{application.reference}-v1.pdf", "application/pdf")
    assert content == stored
