"""Public councils of state bodies: the registry, members and their terms, meetings
with agendas and minutes, recommendations and the bodies' responses, plans and reports.

The 2014 law on public councils was repealed in 2023: the registry is for any advisory
or oversight council of a state body and keeps the historical record (see README.md).
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from accounts.fields import WebsiteField
from accounts.models import StateBody
from socialorder.uploads import private_storage


class CouncilQuerySet(models.QuerySet):
    def with_listing(self):
        return self.select_related("state_body")


class Council(models.Model):
    class Kind(models.TextChoices):
        PUBLIC = "public", _("public council")
        COORDINATION = "coordination", _("coordination council")
        ADVISORY = "advisory", _("other advisory council")

    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("council", "active")
        SUSPENDED = "suspended", _("suspended")
        DISSOLVED = "dissolved", _("dissolved")

    slug = models.SlugField(_("short code"), max_length=80, unique=True)
    state_body = models.ForeignKey(
        StateBody,
        verbose_name=_("state body"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="councils",
        help_text=_("Empty for the Coordination Council."),
    )
    coordinated_by = models.ForeignKey(
        "self",
        verbose_name=_("coordination council"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member_councils",
        limit_choices_to={"kind": "coordination"},
    )
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PUBLIC)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    established_on = models.DateField(_("established on"))
    status_since = models.DateField(_("status since"), null=True, blank=True)
    ended_on = models.DateField(_("dissolved on"), null=True, blank=True)
    end_reason = models.TextField(_("reason for the dissolution"), blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    email = models.EmailField(_("contact e-mail"), blank=True)
    phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    logo = models.ImageField(
        _("logo"), storage=private_storage, upload_to="councils/logos/", blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # History: registered in translation.py, after modeltranslation has added the
    # fields of each language (built here, the history would lack them).

    objects = CouncilQuerySet.as_manager()

    class Meta:
        verbose_name = _("council")
        verbose_name_plural = _("councils")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("established_on")),
                name="council_dates_ordered",
                violation_error_message=_("The council cannot end before it was established."),
            ),
            models.CheckConstraint(
                condition=~Q(status="dissolved") | Q(ended_on__isnull=False),
                name="dissolved_council_has_end_date",
                violation_error_message=_("A dissolved council needs the date it ended."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("councils:detail", args=[self.slug])


class CouncilSecretary(models.Model):
    """A user who keeps a council's page; granted by an administrator."""

    council = models.ForeignKey(
        Council, verbose_name=_("council"), on_delete=models.CASCADE, related_name="secretaries"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="council_secretaryships",
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("council secretary")
        verbose_name_plural = _("council secretaries")
        constraints = [
            models.UniqueConstraint(fields=["council", "user"], name="one_secretaryship")
        ]

    def __str__(self):
        return f"{self.user} · {self.council}"


class CouncilMemberQuerySet(models.QuerySet):
    def on(self, day: datetime.date):
        """Members whose term covers ``day`` (the end day included)."""
        return self.filter(term_start__lte=day).filter(
            Q(term_end__isnull=True) | Q(term_end__gte=day)
        )


class CouncilMember(models.Model):
    """A person's term on a council; a second term is a second row."""

    class Position(models.TextChoices):
        CHAIR = "chair", _("chair")
        DEPUTY = "deputy", _("deputy chair")
        SECRETARY = "secretary", _("secretary")
        MEMBER = "member", pgettext_lazy("council", "member")

    council = models.ForeignKey(
        Council, verbose_name=_("council"), on_delete=models.CASCADE, related_name="members"
    )
    full_name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(
        _("position"), max_length=16, choices=Position.choices, default=Position.MEMBER
    )
    biography = models.TextField(_("short biography"), blank=True)
    organization = models.CharField(_("comes from"), max_length=300, blank=True)
    # Not shown publicly: it links the person to the competition commissions they sat on.
    email = models.EmailField(_("e-mail (not published)"), blank=True)
    term_start = models.DateField(_("term start"))
    term_end = models.DateField(_("term end"), null=True, blank=True)
    end_reason = models.CharField(_("reason the term ended"), max_length=300, blank=True)
    history = HistoricalRecords()

    objects = CouncilMemberQuerySet.as_manager()

    POSITION_ORDER = {"chair": 0, "deputy": 1, "secretary": 2, "member": 3}

    class Meta:
        verbose_name = _("council member")
        verbose_name_plural = _("council members")
        ordering = ["term_start", "full_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gte=F("term_start")),
                name="council_term_dates_ordered",
                violation_error_message=_("The term cannot end before it starts."),
            )
        ]

    def __str__(self):
        return f"{self.full_name} ({self.get_position_display()})"


class Meeting(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        HELD = "held", _("held")
        CANCELLED = "cancelled", _("cancelled")

    TRANSITIONS = {
        Status.PLANNED: {Status.HELD, Status.CANCELLED},
        Status.HELD: set(),
        Status.CANCELLED: set(),
    }

    council = models.ForeignKey(
        Council, verbose_name=_("council"), on_delete=models.CASCADE, related_name="meetings"
    )
    starts_at = models.DateTimeField(_("date and time"), help_text=_("Bishkek time (UTC+6)."))
    place = models.CharField(_("place"), max_length=300, blank=True)
    online_link = WebsiteField(_("online link"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    present = models.ManyToManyField(
        CouncilMember,
        verbose_name=pgettext_lazy("council", "members present"),
        blank=True,
        related_name="meetings",
    )
    guests_count = models.PositiveIntegerField(_("guests"), default=0)
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_file = models.FileField(
        _("minutes file"), storage=private_storage, upload_to="councils/minutes/%Y/", blank=True
    )
    minutes_file_type = models.CharField(max_length=8, blank=True, editable=False)
    minutes_published_at = models.DateTimeField(_("minutes published at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("council meeting")
        verbose_name_plural = _("council meetings")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["council", "starts_at"], name="meeting_council_start")]

    def __str__(self):
        return f"{self.council} · {timezone.localtime(self.starts_at):%Y-%m-%d}"

    @property
    def has_minutes(self) -> bool:
        return self.minutes_published_at is not None


class AgendaItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="agenda"
    )
    title = models.CharField(_("agenda item"), max_length=500)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.title


class MeetingDocument(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(_("file"), storage=private_storage, upload_to="councils/documents/%Y/")
    file_type = models.CharField(_("file type"), max_length=8, editable=False)
    size = models.PositiveBigIntegerField(_("size, bytes"), editable=False)
    sha256 = models.CharField("SHA-256", max_length=64, editable=False)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting document")
        verbose_name_plural = _("meeting documents")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.title


class RecommendationQuerySet(models.QuerySet):
    def overdue(self, today=None):
        """Awaiting a response past its due date."""
        today = today or timezone.localdate()
        return self.filter(
            status__in=Recommendation.AWAITING, response_due__lt=today, responded_on=None
        )


class Recommendation(models.Model):
    class Status(models.TextChoices):
        SENT = "sent", _("sent")
        CONSIDERING = "considering", _("under consideration")
        ACCEPTED = "accepted", _("accepted")
        PARTLY_ACCEPTED = "partly_accepted", _("partly accepted")
        REJECTED = "rejected", _("rejected")
        IMPLEMENTED = "implemented", _("implemented")

    AWAITING = (Status.SENT, Status.CONSIDERING)
    # The addressed body answers (accepted, partly, rejected) and may report it implemented.
    TRANSITIONS = {
        Status.SENT: {
            Status.CONSIDERING,
            Status.ACCEPTED,
            Status.PARTLY_ACCEPTED,
            Status.REJECTED,
        },
        Status.CONSIDERING: {Status.ACCEPTED, Status.PARTLY_ACCEPTED, Status.REJECTED},
        Status.ACCEPTED: {Status.IMPLEMENTED},
        Status.PARTLY_ACCEPTED: {Status.IMPLEMENTED},
        Status.REJECTED: set(),
        Status.IMPLEMENTED: set(),
    }

    council = models.ForeignKey(
        Council,
        verbose_name=_("council"),
        on_delete=models.CASCADE,
        related_name="recommendations",
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("adopted at the meeting"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recommendations",
    )
    addressed_to = models.ForeignKey(
        StateBody,
        verbose_name=_("addressed to"),
        on_delete=models.PROTECT,
        related_name="council_recommendations",
    )
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"))
    adopted_on = models.DateField(_("adopted on"))
    response_due = models.DateField(_("response due"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SENT
    )
    response = models.TextField(_("response of the state body"), blank=True)
    responded_on = models.DateField(_("answered on"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = RecommendationQuerySet.as_manager()

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["-adopted_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(response_due__gte=F("adopted_on")),
                name="recommendation_due_after_adoption",
                violation_error_message=_("The response cannot be due before the adoption."),
            )
        ]

    def __str__(self):
        return self.title

    @property
    def is_overdue(self) -> bool:
        return (
            self.status in self.AWAITING
            and self.responded_on is None
            and self.response_due < timezone.localdate()
        )

    @property
    def answered_on_time(self) -> bool | None:
        if self.responded_on is None:
            return None
        return self.responded_on <= self.response_due


class YearlyPaper(models.Model):
    """A council's yearly document: text and/or a file."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    text = models.TextField(_("text"), blank=True)
    file = models.FileField(
        _("file"), storage=private_storage, upload_to="councils/papers/%Y/", blank=True
    )
    file_type = models.CharField(max_length=8, blank=True, editable=False)
    published_at = models.DateTimeField(_("published at"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["-year"]

    def __str__(self):
        return f"{self.council} {self.year}"


class WorkPlan(YearlyPaper):
    council = models.ForeignKey(
        Council, verbose_name=_("council"), on_delete=models.CASCADE, related_name="work_plans"
    )
    history = HistoricalRecords()

    class Meta(YearlyPaper.Meta):
        verbose_name = _("work plan")
        verbose_name_plural = _("work plans")
        constraints = [
            models.UniqueConstraint(fields=["council", "year"], name="one_work_plan_a_year")
        ]


class AnnualReport(YearlyPaper):
    council = models.ForeignKey(
        Council,
        verbose_name=_("council"),
        on_delete=models.CASCADE,
        related_name="annual_reports",
    )
    history = HistoricalRecords()

    class Meta(YearlyPaper.Meta):
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        constraints = [
            models.UniqueConstraint(fields=["council", "year"], name="one_annual_report_a_year")
        ]
