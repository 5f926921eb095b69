import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, Region
from competitions.models import ChecklistItem, Competition
from socialorder.directories import MONEY, Directory
from socialorder.uploads import private_storage


class BudgetCategory(Directory):
    """A budget line category: staff, travel, equipment, ..."""

    class Meta(Directory.Meta):
        verbose_name = _("budget category")
        verbose_name_plural = _("budget categories")


class ApplicationQuerySet(models.QuerySet):
    def for_member(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(organization__memberships__user=user)

    def submitted(self):
        """Applications that count: submitted once and not withdrawn."""
        return self.exclude(status__in=[Application.Status.DRAFT, Application.Status.WITHDRAWN])


class Application(models.Model):
    """An NCO's application to a competition: a draft, then submitted versions."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        WITHDRAWN = "withdrawn", _("withdrawn")
        ADMITTED = "admitted", _("admitted")
        REJECTED = "rejected", _("not admitted")

    TRANSITIONS = {
        Status.DRAFT: {Status.SUBMITTED},
        # Resubmission keeps the status and adds a version.
        Status.SUBMITTED: {Status.SUBMITTED, Status.WITHDRAWN, Status.ADMITTED, Status.REJECTED},
        Status.WITHDRAWN: {Status.SUBMITTED},
        Status.ADMITTED: {Status.REJECTED},
        Status.REJECTED: {Status.ADMITTED},
    }

    competition = models.ForeignKey(
        Competition,
        verbose_name=_("competition"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    reference = models.CharField(
        _("reference number"), max_length=48, unique=True, null=True, blank=True, editable=False
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )

    title = models.CharField(_("project title"), max_length=300, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    problem = models.TextField(_("problem statement"), blank=True)
    goal = models.TextField(_("goal"), blank=True)
    objectives = models.TextField(_("objectives"), blank=True)
    target_group = models.TextField(_("target group"), blank=True)
    beneficiaries = models.PositiveIntegerField(_("number of beneficiaries"), null=True, blank=True)
    regions = models.ManyToManyField(
        Region, verbose_name=_("regions"), blank=True, related_name="+"
    )
    sustainability = models.TextField(_("sustainability"), blank=True)
    start_date = models.DateField(_("project start"), null=True, blank=True)
    end_date = models.DateField(_("project end"), null=True, blank=True)

    # Totals of the budget lines, computed on the server whenever they are saved.
    requested_total = models.DecimalField(_("requested from the grant, som"), default=0, **MONEY)
    own_total = models.DecimalField(_("own contribution, som"), default=0, **MONEY)
    cofinancing_total = models.DecimalField(_("co-financing, som"), default=0, **MONEY)

    admission_reason = models.TextField(_("reason"), blank=True)
    admission_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    admission_decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # The version that counts: the last one submitted. Reviewers and the public read
    # it, never the live record, which the applicant may go on editing.
    current_version = models.ForeignKey(
        "ApplicationVersion",
        verbose_name=_("version that counts"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["competition", "organization"], name="one_application_per_organization"
            ),
            models.CheckConstraint(
                condition=Q(requested_total__gte=0, own_total__gte=0, cofinancing_total__gte=0),
                name="application_totals_not_negative",
            ),
        ]

    def __str__(self):
        return self.reference or f"#{self.pk} {self.organization}"

    @property
    def project_total(self) -> Decimal:
        return self.requested_total + self.own_total + self.cofinancing_total

    @property
    def own_share_percent(self) -> Decimal:
        total = self.project_total
        return (self.own_total * 100 / total).quantize(Decimal("0.01")) if total else Decimal(0)


class Activity(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="activities"
    )
    name = models.CharField(_("activity"), max_length=300)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    responsible = models.CharField(_("responsible"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["order", "start", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="activity_dates_ordered")
        ]

    def __str__(self):
        return self.name


class ResultIndicator(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="results")
    indicator = models.CharField(_("indicator"), max_length=300)
    baseline = models.CharField(_("baseline"), max_length=100)
    target = models.CharField(_("target"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("expected result")
        verbose_name_plural = _("expected results")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.indicator


class BudgetLine(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="budget_lines"
    )
    category = models.ForeignKey(
        BudgetCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(_("description"), max_length=300)
    unit = models.CharField(_("unit"), max_length=50)
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    unit_cost = models.DecimalField(_("unit cost, som"), validators=[MinValueValidator(0)], **MONEY)
    requested = models.DecimalField(
        _("requested from the grant, som"), default=0, validators=[MinValueValidator(0)], **MONEY
    )
    own_contribution = models.DecimalField(
        _("own contribution, som"), default=0, validators=[MinValueValidator(0)], **MONEY
    )
    cofinancing = models.DecimalField(
        _("co-financing, som"), default=0, validators=[MinValueValidator(0)], **MONEY
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    quantity__gte=0,
                    unit_cost__gte=0,
                    requested__gte=0,
                    own_contribution__gte=0,
                    cofinancing__gte=0,
                ),
                name="budget_line_amounts_not_negative",
            )
        ]

    def __str__(self):
        return self.description

    @property
    def total(self) -> Decimal:
        return (self.quantity * self.unit_cost).quantize(Decimal("0.01"))


def attachment_path(instance, filename):
    """A generated name: the uploaded one is kept in ``original_name`` only."""
    return f"applications/{timezone.now():%Y}/{uuid.uuid4().hex}.{instance.file_type}"


class AttachmentQuerySet(models.QuerySet):
    def live(self):
        """The documents of the application as it is now (not those a newer file replaced)."""
        return self.filter(superseded_at=None)


class Attachment(models.Model):
    """A document of an application: for a checklist item, or an extra one.

    A file that a submitted version refers to is never deleted: replacing or
    removing it marks it superseded, so the version that counts stays whole.
    """

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attachments"
    )
    checklist_item = models.ForeignKey(
        ChecklistItem,
        verbose_name=_("document"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    file = models.FileField(
        _("file"), storage=private_storage, upload_to=attachment_path, max_length=200
    )
    original_name = models.CharField(_("file name"), max_length=255)
    file_type = models.CharField(_("file type"), max_length=8)
    size = models.PositiveBigIntegerField(_("size, bytes"))
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    superseded_at = models.DateTimeField(_("replaced or removed at"), null=True, blank=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["checklist_item__order", "uploaded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "checklist_item"],
                condition=Q(checklist_item__isnull=False, superseded_at__isnull=True),
                name="one_attachment_per_checklist_item",
            )
        ]

    def __str__(self):
        return self.original_name


class ApplicationVersion(models.Model):
    """What was submitted, frozen: a JSON snapshot and its SHA-256, and the receipt."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    snapshot = models.JSONField(_("snapshot"))
    sha256 = models.CharField(_("snapshot SHA-256"), max_length=64)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    receipt = models.FileField(
        _("receipt"), storage=private_storage, upload_to="receipts/%Y/", blank=True
    )
    receipt_sha256 = models.CharField(_("receipt SHA-256"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("submitted version")
        verbose_name_plural = _("submitted versions")
        ordering = ["application", "number"]
        constraints = [
            models.UniqueConstraint(fields=["application", "number"], name="unique_version_number")
        ]

    def __str__(self):
        return f"{self.application} v{self.number}"


class ApplicationEvent(models.Model):
    """Who moved an application from which status to which, and when."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from"), max_length=16, choices=Application.Status.choices)
    to_status = models.CharField(_("to"), max_length=16, choices=Application.Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("application status change")
        verbose_name_plural = _("application status changes")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.application}: {self.from_status} → {self.to_status}"
