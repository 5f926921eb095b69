import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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
        AWARDED = "awarded", _("awarded a grant")
        RESERVE = "reserve", _("on the reserve list")
        NOT_AWARDED = "not_awarded", _("not awarded")

    TRANSITIONS = {
        Status.DRAFT: {Status.SUBMITTED},
        # Resubmission keeps the status and adds a version.
        Status.SUBMITTED: {Status.SUBMITTED, Status.WITHDRAWN, Status.ADMITTED, Status.REJECTED},
        Status.WITHDRAWN: {Status.SUBMITTED},
        # The award decision moves every admitted application to its outcome.
        Status.ADMITTED: {Status.REJECTED, Status.AWARDED, Status.RESERVE, Status.NOT_AWARDED},
        Status.REJECTED: {Status.ADMITTED},
        Status.AWARDED: set(),
        Status.RESERVE: set(),
        Status.NOT_AWARDED: set(),
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


# Evaluation: conflicts of interest, reviews and scores (see grants/README.md).


class ConflictDeclaration(models.Model):
    """A commission member's word on one application: conflict of interest or none.

    A member reads an application only after declaring no conflict. Conflicts the
    portal detects itself (the member works for the organisation, or is named as
    its founder, leader or contact) are recorded here too, with ``detected`` set.
    Every conflict is a recusal, published with the results.
    """

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="conflict_declarations"
    )
    member = models.ForeignKey(
        "competitions.CommissionMember",
        verbose_name=_("commission member"),
        on_delete=models.PROTECT,
        related_name="conflict_declarations",
    )
    has_conflict = models.BooleanField(_("conflict of interest"))
    note = models.TextField(_("note"), blank=True)
    detected = models.BooleanField(_("detected by the portal"), default=False)
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)

    class Meta:
        verbose_name = _("conflict of interest declaration")
        verbose_name_plural = _("conflict of interest declarations")
        ordering = ["application", "member"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "member"], name="one_declaration_per_member"
            )
        ]

    def __str__(self):
        return f"{self.member} / {self.application}"


class Review(models.Model):
    """One commission member's scorecard of one application; its row is the assignment."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("scorecard", "draft")
        SUBMITTED = "submitted", pgettext_lazy("scorecard", "submitted")

    TRANSITIONS = {
        Status.DRAFT: {Status.SUBMITTED},
        # Only the chair reopens a submitted scorecard, with a reason.
        Status.SUBMITTED: {Status.DRAFT},
    }

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reviews")
    member = models.ForeignKey(
        "competitions.CommissionMember",
        verbose_name=_("reviewer"),
        on_delete=models.PROTECT,
        related_name="reviews",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    # The weighted score of 100, computed on submission.
    total = models.DecimalField(
        _("weighted score, of 100"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    automatic = models.BooleanField(_("assigned automatically"), default=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["application", "assigned_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "member"], name="one_review_per_member")
        ]

    def __str__(self):
        return f"{self.application}: {self.member}"


class Score(models.Model):
    """Points for one criterion, with the words that justify them."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(
        "competitions.Criterion",
        verbose_name=_("criterion"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    points = models.PositiveSmallIntegerField(_("points"), null=True, blank=True)
    justification = models.TextField(_("justification"), blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["criterion__order", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="one_score_per_criterion")
        ]

    def __str__(self):
        return f"{self.criterion}: {self.points}"


class EvaluationEvent(models.Model):
    """The record of the evaluation: assignments, reopened scorecards, the meeting, the
    decision. Who did what, when, and why."""

    class Action(models.TextChoices):
        ASSIGNED = "assigned", _("reviewer assigned")
        AUTO_ASSIGNED = "auto_assigned", _("reviewers assigned automatically")
        UNASSIGNED = "unassigned", _("reviewer removed")
        CONFLICT = "conflict", _("conflict of interest")
        REVIEW_SUBMITTED = "review_submitted", _("scorecard submitted")
        REOPENED = "reopened", _("scorecard reopened")
        AMOUNT_REDUCED = "amount_reduced", _("amount reduced")
        REDUCTION_UNDONE = "reduction_undone", _("reduction undone")
        MEETING = "meeting", _("meeting recorded")
        APPROVED = "approved", _("decision approved")
        APPEAL = "appeal", _("appeal filed")
        APPEAL_ANSWERED = "appeal_answered", _("appeal answered")

    competition = models.ForeignKey(
        Competition, on_delete=models.CASCADE, related_name="evaluation_events"
    )
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    member = models.ForeignKey(
        "competitions.CommissionMember",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=24, choices=Action.choices)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("evaluation event")
        verbose_name_plural = _("evaluation events")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.competition}: {self.get_action_display()}"


class AmountReduction(models.Model):
    """The officer awards less than requested, to fit the budget, and says why."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="reduction"
    )
    amount = models.DecimalField(_("amount to award, som"), **MONEY)
    reason = models.TextField(_("reason"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    set_at = models.DateTimeField(_("set at"), default=timezone.now)

    class Meta:
        verbose_name = _("reduced amount")
        verbose_name_plural = _("reduced amounts")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="reduction_positive")]

    def __str__(self):
        return f"{self.application}: {self.amount}"


class CommissionMeeting(models.Model):
    """The commission's meeting that adopts the decision; its attendance makes the quorum."""

    competition = models.OneToOneField(
        Competition, on_delete=models.CASCADE, related_name="commission_meeting"
    )
    held_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=300)
    present = models.ManyToManyField(
        "competitions.CommissionMember",
        verbose_name=_("members present"),
        related_name="meetings_attended",
    )
    minutes = models.TextField(_("notes of the meeting"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("commission meeting")
        verbose_name_plural = _("commission meetings")

    def __str__(self):
        return f"{self.competition}: {self.held_at:%Y-%m-%d}"


class AwardDecision(models.Model):
    """The commission's approved decision: frozen results, and PDFs anyone can verify."""

    competition = models.OneToOneField(
        Competition, on_delete=models.PROTECT, related_name="award_decision"
    )
    number = models.CharField(_("decision number"), max_length=48, unique=True)
    decided_on = models.DateField(_("decision date"))
    verification_code = models.CharField(_("verification code"), max_length=16, unique=True)
    # Everything the PDFs print, frozen at approval (see grants/decisions.py).
    results = models.JSONField(_("results"))
    results_sha256 = models.CharField(_("SHA-256 of the results"), max_length=64)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), default=timezone.now)
    appeal_until = models.DateTimeField(_("appeals accepted until"))

    class Meta:
        verbose_name = _("award decision")
        verbose_name_plural = _("award decisions")
        ordering = ["-approved_at"]

    def __str__(self):
        return self.number


class Outcome(models.Model):
    """One application's place in the decision."""

    class Result(models.TextChoices):
        AWARDED = "awarded", _("awarded a grant")
        RESERVE = "reserve", _("reserve list")
        BELOW_PASS_MARK = "below_pass_mark", _("below the pass mark")
        NOT_ADMITTED = "not_admitted", _("not admitted")

    decision = models.ForeignKey(AwardDecision, on_delete=models.CASCADE, related_name="outcomes")
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="outcome"
    )
    result = models.CharField(_("result"), max_length=16, choices=Result.choices)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    score = models.DecimalField(
        _("score, of 100"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    amount = models.DecimalField(_("amount awarded, som"), default=0, **MONEY)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        ordering = ["decision", "rank", "application__reference"]

    def __str__(self):
        return f"{self.application}: {self.get_result_display()}"


class RenderedDocument(models.Model):
    """A PDF rendered once by a Celery task (see grants/rendering.py); the officer watches
    its status and retries a failed one. Subclasses add ``file`` and ``filename``."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("being rendered")
        DONE = "done", _("ready")
        FAILED = "failed", pgettext_lazy("document", "failed")

    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        abstract = True


def document_path(instance, filename):
    # A fixed name per document: a render that dies after writing the file and is
    # run again overwrites it, so a document never leaves two files behind.
    return f"decisions/{instance.decision.verification_code}/{filename}"


class DecisionDocument(RenderedDocument):
    """A PDF of the decision: the decision itself in a language, or an applicant's letter.

    Rendered once by a Celery task; the officer watches the status.
    """

    class Kind(models.TextChoices):
        DECISION = "decision", _("award decision")
        LETTER = "letter", _("outcome letter")

    decision = models.ForeignKey(AwardDecision, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    language = models.CharField(_("language"), max_length=8)
    file = models.FileField(
        _("file"), storage=private_storage, upload_to=document_path, max_length=200, blank=True
    )

    class Meta:
        verbose_name = _("decision document")
        verbose_name_plural = _("decision documents")
        ordering = ["decision", "kind", "application__reference", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "language"],
                condition=Q(kind="decision"),
                name="one_decision_pdf_per_language",
            ),
            models.UniqueConstraint(
                fields=["decision", "application"],
                condition=Q(kind="letter"),
                name="one_letter_per_application",
            ),
        ]

    def __str__(self):
        return f"{self.decision} {self.kind} {self.language}"

    @property
    def filename(self) -> str:
        if self.kind == self.Kind.DECISION:
            return f"{self.decision.number}-{self.language}.pdf"
        return f"{self.decision.number}-{self.application.reference}-{self.language}.pdf"


class Appeal(models.Model):
    """An applicant's appeal against its outcome, within the competition's appeal period."""

    class Status(models.TextChoices):
        FILED = "filed", _("under consideration")
        UPHELD = "upheld", _("upheld")
        DISMISSED = "dismissed", _("dismissed")

    TRANSITIONS = {
        Status.FILED: {Status.UPHELD, Status.DISMISSED},
        Status.UPHELD: set(),
        Status.DISMISSED: set(),
    }

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="appeal")
    text = models.TextField(_("grounds of the appeal"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.FILED
    )
    response = models.TextField(_("response"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["filed_at"]

    def __str__(self):
        return f"{self.application}: {self.get_status_display()}"


# Implementation: the agreement, its tranches and reports, monitoring visits.


class GrantAgreement(models.Model):
    """The grant agreement with an awarded applicant, and the grant it governs.

    The officer drafts the terms and schedules, prepares the agreement (its PDFs
    are rendered for signing and the terms freeze), uploads the signed scan and
    marks it signed. Paying the first tranche starts the implementation; the
    final report's acceptance completes it; termination ends it early.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("agreement", "draft")
        PREPARED = "prepared", _("awaiting signature")
        SIGNED = "signed", _("signed")
        IN_IMPLEMENTATION = "in_implementation", _("in implementation")
        COMPLETED = "completed", _("completed")
        TERMINATED = "terminated", _("terminated")

    TRANSITIONS = {
        Status.DRAFT: {Status.PREPARED},
        Status.PREPARED: {Status.DRAFT, Status.SIGNED},
        Status.SIGNED: {Status.IN_IMPLEMENTATION, Status.TERMINATED},
        Status.IN_IMPLEMENTATION: {Status.COMPLETED, Status.TERMINATED},
        Status.COMPLETED: set(),
        Status.TERMINATED: set(),
    }
    # A grant the public registry lists: the agreement is signed.
    PUBLIC = (Status.SIGNED, Status.IN_IMPLEMENTATION, Status.COMPLETED, Status.TERMINATED)

    application = models.OneToOneField(
        Application,
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="agreement",
    )
    number = models.CharField(_("agreement number"), max_length=48, unique=True)
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.DRAFT
    )
    amount = models.DecimalField(_("grant amount, som"), **MONEY)
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    bank_name = models.CharField(_("bank"), max_length=200)
    bank_bic = models.CharField(_("bank identification code (BIC)"), max_length=8)
    bank_account = models.CharField(_("account number"), max_length=34)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signed_scan = models.FileField(
        _("signed scan"),
        storage=private_storage,
        upload_to="agreements/%Y/",
        max_length=200,
        blank=True,
    )
    signed_scan_sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    termination_reason = models.TextField(_("reason for termination"), blank=True)
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    amount_to_return = models.DecimalField(_("amount to return, som"), default=0, **MONEY)
    amount_returned = models.DecimalField(_("amount returned, som"), default=0, **MONEY)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("grant agreement")
        verbose_name_plural = _("grant agreements")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="agreement_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0, amount_to_return__gte=0, amount_returned__gte=0),
                name="agreement_amounts_valid",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def competition(self):
        return self.application.competition

    @property
    def organization(self):
        return self.application.organization

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_running(self) -> bool:
        """Signed and not yet ended: tranches are paid, reports submitted, visits made."""
        return self.status in {self.Status.SIGNED, self.Status.IN_IMPLEMENTATION}


class GrantBudgetLine(models.Model):
    """A line of the agreed budget: the application's line, scaled to the award."""

    agreement = models.ForeignKey(
        GrantAgreement, on_delete=models.CASCADE, related_name="budget_lines"
    )
    category = models.ForeignKey(
        BudgetCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(_("description"), max_length=300)
    planned = models.DecimalField(
        _("planned from the grant, som"), validators=[MinValueValidator(0)], **MONEY
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("agreed budget line")
        verbose_name_plural = _("agreed budget lines")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(planned__gte=0), name="grant_line_not_negative")
        ]

    def __str__(self):
        return self.description


class GrantIndicator(models.Model):
    """An expected result of the application, which reports measure progress against."""

    agreement = models.ForeignKey(
        GrantAgreement, on_delete=models.CASCADE, related_name="indicators"
    )
    indicator = models.CharField(_("indicator"), max_length=300)
    baseline = models.CharField(_("baseline"), max_length=100)
    target = models.CharField(_("target"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.indicator


class Report(models.Model):
    """A scheduled interim or final report: narrative and spending per budget line."""

    class Kind(models.TextChoices):
        INTERIM = "interim", _("interim report")
        FINAL = "final", _("final report")

    class Status(models.TextChoices):
        DUE = "due", _("not submitted")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned for changes")
        ACCEPTED = "accepted", _("accepted")

    TRANSITIONS = {
        Status.DUE: {Status.SUBMITTED},
        Status.SUBMITTED: {Status.RETURNED, Status.ACCEPTED},
        Status.RETURNED: {Status.SUBMITTED},
        Status.ACCEPTED: set(),
    }

    agreement = models.ForeignKey(GrantAgreement, on_delete=models.CASCADE, related_name="reports")
    number = models.PositiveSmallIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    period_end = models.DateField(_("period ends"))
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DUE
    )
    activities = models.TextField(_("activities carried out"), blank=True)
    beneficiaries_reached = models.PositiveIntegerField(
        _("beneficiaries reached"), null=True, blank=True
    )
    problems = models.TextField(_("problems and how they were solved"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    review_comment = models.TextField(_("officer's comment"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["agreement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="one_report_per_number"),
            models.UniqueConstraint(
                fields=["agreement"], condition=Q(kind="final"), name="one_final_report"
            ),
        ]

    def __str__(self):
        return f"{self.agreement} {self.get_kind_display()} {self.number}"

    @property
    def is_editable(self) -> bool:
        """The organisation works on it: not submitted yet, or returned."""
        return self.status in {self.Status.DUE, self.Status.RETURNED}


class ReportResult(models.Model):
    """What a report says was achieved against one indicator."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="results")
    indicator = models.ForeignKey(GrantIndicator, on_delete=models.CASCADE, related_name="+")
    achieved = models.CharField(_("achieved"), max_length=100)
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("result achieved")
        verbose_name_plural = _("results achieved")
        ordering = ["indicator__order", "indicator__pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "indicator"], name="one_result_per_report_indicator"
            )
        ]

    def __str__(self):
        return f"{self.indicator}: {self.achieved}"


class ReportSpending(models.Model):
    """What a report says was spent on one agreed budget line in its period."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="spending")
    line = models.ForeignKey(GrantBudgetLine, on_delete=models.CASCADE, related_name="spending")
    amount = models.DecimalField(
        _("spent, som"), validators=[MinValueValidator(0)], default=0, **MONEY
    )
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("spending")
        verbose_name_plural = _("spending")
        ordering = ["line__order", "line__pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "line"], name="one_spending_per_report_line"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="spending_not_negative"),
        ]

    def __str__(self):
        return f"{self.line}: {self.amount}"


class StoredFile(models.Model):
    """What the portal keeps of a checked upload: the name shown, the type read from its
    content, the size and the SHA-256 (the file itself lives under a generated name)."""

    original_name = models.CharField(_("file name"), max_length=255)
    file_type = models.CharField(_("type"), max_length=8)
    size = models.PositiveBigIntegerField(_("size, bytes"))
    sha256 = models.CharField("SHA-256", max_length=64)

    class Meta:
        abstract = True

    def __str__(self):
        return self.original_name


def report_file_path(instance, filename):
    return f"reports/{timezone.now():%Y}/{uuid.uuid4().hex}.{instance.file_type}"


class ReportAttachment(StoredFile):
    """A receipt or other supporting document of a report (never public)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(
        _("file"), storage=private_storage, upload_to=report_file_path, max_length=200
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("report attachment")
        verbose_name_plural = _("report attachments")
        ordering = ["uploaded_at", "pk"]


class TrancheQuerySet(models.QuerySet):
    def next_to_pay(self):
        """Unpaid tranches with no unpaid tranche before them: tranches are paid in order."""
        earlier_unpaid = Tranche.objects.filter(
            agreement=models.OuterRef("agreement"),
            number__lt=models.OuterRef("number"),
            paid_on=None,
        )
        return self.filter(paid_on=None).exclude(models.Exists(earlier_unpaid))


class Tranche(models.Model):
    """A scheduled payment of the grant and, once paid, its payment record."""

    class Condition(models.TextChoices):
        SIGNATURE = "signature", _("on signature of the agreement")
        REPORT = "report", _("on acceptance of a report")

    agreement = models.ForeignKey(GrantAgreement, on_delete=models.CASCADE, related_name="tranches")
    number = models.PositiveSmallIntegerField(_("number"))
    amount = models.DecimalField(_("amount, som"), **MONEY)
    due_date = models.DateField(_("due date"))
    condition = models.CharField(_("condition"), max_length=16, choices=Condition.choices)
    condition_report = models.ForeignKey(
        Report,
        verbose_name=_("report to be accepted"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="unlocks",
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)

    objects = TrancheQuerySet.as_manager()

    class Meta:
        verbose_name = _("tranche")
        verbose_name_plural = _("tranches")
        ordering = ["agreement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="one_tranche_per_number"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="tranche_amount_positive"),
            models.CheckConstraint(
                condition=Q(condition="signature", condition_report=None)
                | Q(condition="report", condition_report__isnull=False),
                name="tranche_condition_complete",
            ),
        ]

    def __str__(self):
        return f"{self.agreement} #{self.number}"

    @property
    def is_paid(self) -> bool:
        return self.paid_on is not None

    @property
    def condition_met(self) -> bool:
        if self.agreement.status not in {
            GrantAgreement.Status.SIGNED,
            GrantAgreement.Status.IN_IMPLEMENTATION,
            # The last tranche may wait for the final report, which completes the grant.
            GrantAgreement.Status.COMPLETED,
        }:
            return False
        if self.condition == self.Condition.SIGNATURE:
            return True
        return self.condition_report.status == Report.Status.ACCEPTED

    @property
    def is_payable(self) -> bool:
        return not self.is_paid and self.condition_met


class MonitoringVisit(models.Model):
    """An officer's visit to the project: who went, what they found, a rating."""

    class Rating(models.TextChoices):
        GOOD = "good", _("on track")
        CONCERNS = "concerns", _("some concerns")
        POOR = "poor", _("serious problems")

    agreement = models.ForeignKey(GrantAgreement, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("date of the visit"))
    visitors = models.CharField(_("who visited"), max_length=300)
    findings = models.TextField(_("findings"))
    rating = models.CharField(_("rating"), max_length=16, choices=Rating.choices)
    shared_with_organization = models.BooleanField(
        _("findings addressed to the organisation"),
        default=True,
        help_text=_("The organisation sees the findings, the rating and the files."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("monitoring visit")
        verbose_name_plural = _("monitoring visits")
        ordering = ["-visited_on", "-pk"]

    def __str__(self):
        return f"{self.agreement} {self.visited_on}"


def visit_file_path(instance, filename):
    return f"visits/{timezone.now():%Y}/{uuid.uuid4().hex}.{instance.file_type}"


class VisitFile(StoredFile):
    """A photo or document of a monitoring visit."""

    visit = models.ForeignKey(MonitoringVisit, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(
        _("file"), storage=private_storage, upload_to=visit_file_path, max_length=200
    )

    class Meta:
        verbose_name = _("visit file")
        verbose_name_plural = _("visit files")
        ordering = ["pk"]


def agreement_document_path(instance, filename):
    return f"agreements/{instance.agreement.number}/{filename}"


class AgreementDocument(RenderedDocument):
    """The agreement's PDF for signing in one language, rendered by a Celery task."""

    agreement = models.ForeignKey(
        GrantAgreement, on_delete=models.CASCADE, related_name="documents"
    )
    language = models.CharField(_("language"), max_length=8)
    # Preparing again after corrections renders a new edition; the latest counts.
    edition = models.PositiveSmallIntegerField(_("edition"), default=1)
    file = models.FileField(
        _("file"),
        storage=private_storage,
        upload_to=agreement_document_path,
        max_length=200,
        blank=True,
    )

    class Meta:
        verbose_name = _("agreement document")
        verbose_name_plural = _("agreement documents")
        ordering = ["agreement", "-edition", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "edition", "language"], name="one_agreement_pdf_per_edition"
            )
        ]

    def __str__(self):
        return self.filename

    @property
    def filename(self) -> str:
        return f"{self.agreement.number}-{self.edition}-{self.language}.pdf"


class ImplementationEvent(models.Model):
    """The history of a grant: who did what, when, from which state to which, and why."""

    class Action(models.TextChoices):
        CREATED = "created", _("agreement drafted")
        EDITED = "edited", _("terms changed")
        PREPARED = "prepared", _("agreement prepared for signing")
        REOPENED = "reopened", _("agreement returned to draft")
        SIGNED = "signed", _("agreement signed")
        TRANCHE_PAID = "tranche_paid", _("tranche paid")
        REPORT_SUBMITTED = "report_submitted", _("report submitted")
        REPORT_RETURNED = "report_returned", _("report returned for changes")
        REPORT_ACCEPTED = "report_accepted", _("report accepted")
        VISIT = "visit", _("monitoring visit recorded")
        COMPLETED = "completed", _("grant completed")
        TERMINATED = "terminated", _("agreement terminated")
        RETURN = "return", _("return of funds recorded")

    agreement = models.ForeignKey(GrantAgreement, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=24, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=24, blank=True)
    to_status = models.CharField(_("to"), max_length=24, blank=True)
    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    tranche = models.ForeignKey(
        Tranche, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("implementation event")
        verbose_name_plural = _("implementation events")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.agreement} {self.action}"
