from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, Region, StateBody
from socialorder.directories import MONEY, Directory
from socialorder.uploads import private_storage


class ServiceArea(Directory):
    """A social-service area: care for the elderly, disability, ..."""

    class Meta(Directory.Meta):
        verbose_name = _("social-service area")
        verbose_name_plural = _("social-service areas")


class TargetGroup(Directory):
    """A group a programme or competition serves."""

    class Meta(Directory.Meta):
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")


class Programme(models.Model):
    """An SSO programme approved by a state customer for a period."""

    state_body = models.ForeignKey(
        StateBody,
        verbose_name=_("state customer"),
        on_delete=models.PROTECT,
        related_name="programmes",
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"))
    year_start = models.PositiveSmallIntegerField(
        _("first year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    year_end = models.PositiveSmallIntegerField(
        _("last year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    budget = models.DecimalField(_("budget, som"), validators=[MinValueValidator(0)], **MONEY)
    priorities = models.TextField(_("priorities"), blank=True)
    target_groups = models.ManyToManyField(
        TargetGroup, verbose_name=_("target groups"), blank=True, related_name="programmes"
    )
    approving_document = models.FileField(
        _("approving document"), storage=private_storage, upload_to="programmes/%Y/", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("SSO programme")
        verbose_name_plural = _("SSO programmes")
        ordering = ["-year_start", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year_end__gte=models.F("year_start")), name="programme_years_ordered"
            ),
            models.CheckConstraint(
                condition=Q(budget__gte=0), name="programme_budget_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.year_start}–{self.year_end})"


class CompetitionQuerySet(models.QuerySet):
    def public(self):
        """Competitions citizens see: everything that was ever published."""
        return self.exclude(status=Competition.Status.DRAFT).exclude(published_at=None)

    def of_officer(self, user):
        return self.filter(state_body__memberships__user=user).distinct()

    def with_listing(self):
        return self.select_related("state_body", "service_area").prefetch_related("regions")


class Competition(models.Model):
    """A grant competition for socially useful projects."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("accepting applications")
        EVALUATION = "evaluation", _("evaluation")
        DECIDED = "decided", _("decided")
        CLOSED = "closed", _("closed")
        CANCELLED = "cancelled", _("cancelled")

    TRANSITIONS = {
        Status.DRAFT: {Status.PUBLISHED, Status.CANCELLED},
        Status.PUBLISHED: {Status.EVALUATION, Status.CANCELLED},
        Status.EVALUATION: {Status.DECIDED},
        Status.DECIDED: {Status.CLOSED},
        Status.CLOSED: set(),
        Status.CANCELLED: set(),
    }
    # Terms that bind applicants: frozen once the competition is published.
    FROZEN_FIELDS = (
        "programme",
        "service_area",
        "regions",
        "target_groups",
        "eligibility_ky",
        "eligibility_ru",
        "eligibility_en",
        "total_budget",
        "min_grant",
        "max_grant",
        "own_contribution_percent",
        "duration_min_months",
        "duration_max_months",
        "pass_mark",
        "reviews_per_application",
        "quorum",
        "appeal_days",
        "deadline",
    )

    reference = models.CharField(_("reference number"), max_length=32, unique=True, editable=False)
    state_body = models.ForeignKey(
        StateBody,
        verbose_name=_("state customer"),
        on_delete=models.PROTECT,
        related_name="competitions",
    )
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("SSO programme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="competitions",
    )
    title = models.CharField(_("title"), max_length=300)
    announcement = models.TextField(_("announcement"))
    service_area = models.ForeignKey(
        ServiceArea,
        verbose_name=_("social-service area"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    target_groups = models.ManyToManyField(
        TargetGroup, verbose_name=_("target groups"), blank=True, related_name="competitions"
    )
    regions = models.ManyToManyField(
        Region, verbose_name=_("regions covered"), related_name="competitions"
    )
    total_budget = models.DecimalField(_("total budget, som"), **MONEY)
    min_grant = models.DecimalField(_("minimum grant, som"), **MONEY)
    max_grant = models.DecimalField(_("maximum grant, som"), **MONEY)
    own_contribution_percent = models.DecimalField(
        _("required own contribution, %"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    announced_on = models.DateField(_("announcement date"), null=True, blank=True)
    deadline = models.DateTimeField(_("application deadline"), help_text=_("Bishkek time (UTC+6)."))
    duration_min_months = models.PositiveSmallIntegerField(
        _("shortest project, months"), validators=[MinValueValidator(1)]
    )
    duration_max_months = models.PositiveSmallIntegerField(
        _("longest project, months"), validators=[MinValueValidator(1)]
    )
    eligibility = models.TextField(_("who may apply"))  # frozen once published
    pass_mark = models.DecimalField(
        _("pass mark, of 100"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(60),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    reviews_per_application = models.PositiveSmallIntegerField(
        _("reviews per application"), default=2, validators=[MinValueValidator(1)]
    )
    quorum = models.PositiveSmallIntegerField(
        _("quorum"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("Voting commission members who must attend the meeting."),
    )
    appeal_days = models.PositiveSmallIntegerField(
        _("appeal period, days"),
        default=10,
        validators=[MinValueValidator(1)],
        help_text=_("Days after the award decision during which applicants may appeal."),
    )
    contact_name = models.CharField(_("contact person"), max_length=200)
    contact_email = models.EmailField(_("contact e-mail"))
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancellation"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CompetitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("competition")
        verbose_name_plural = _("competitions")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_grant__gte=0), name="competition_min_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(max_grant__gte=models.F("min_grant")), name="competition_max_over_min"
            ),
            models.CheckConstraint(
                condition=Q(total_budget__gte=models.F("max_grant")),
                name="competition_budget_over_max",
            ),
            models.CheckConstraint(
                condition=Q(own_contribution_percent__gte=0, own_contribution_percent__lte=100),
                name="competition_own_share_percent",
            ),
            models.CheckConstraint(
                condition=Q(duration_max_months__gte=models.F("duration_min_months")),
                name="competition_durations_ordered",
            ),
        ]
        indexes = [models.Index(fields=["status", "deadline"], name="competition_status_deadline")]

    def __str__(self):
        return f"{self.reference} {self.title}"

    @property
    def is_open(self) -> bool:
        """Accepting applications now: published and the deadline not passed (whatever beat did)."""
        return self.status == self.Status.PUBLISHED and timezone.now() < self.deadline

    @property
    def public_status(self) -> str:
        """The status a visitor should see: a passed deadline is never shown as open."""
        if self.status == self.Status.PUBLISHED and not self.is_open:
            return self.Status.EVALUATION.label
        return self.get_status_display()

    @property
    def is_frozen(self) -> bool:
        return self.status != self.Status.DRAFT


class Criterion(models.Model):
    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterion"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    max_points = models.PositiveSmallIntegerField(
        _("maximum points"), validators=[MinValueValidator(1)]
    )
    weight = models.DecimalField(
        _("weight"), max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("evaluation criterion")
        verbose_name_plural = _("evaluation criteria")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
            models.CheckConstraint(condition=Q(max_points__gt=0), name="criterion_points_positive"),
        ]

    def __str__(self):
        return self.name


class ChecklistItem(models.Model):
    """A document an application must (or may) include."""

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="checklist")
    name = models.CharField(_("document"), max_length=300)
    required = models.BooleanField(_("required"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name


class CompetitionDocument(models.Model):
    class Kind(models.TextChoices):
        TERMS = "terms", _("terms of reference")
        TEMPLATE = "template", _("application template")
        OTHER = "other", _("other document")

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.TERMS)
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(_("file"), storage=private_storage, upload_to="competitions/%Y/")
    file_type = models.CharField(_("file type"), max_length=8, editable=False)
    size = models.PositiveBigIntegerField(_("size, bytes"), editable=False)
    sha256 = models.CharField("SHA-256", max_length=64, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("competition document")
        verbose_name_plural = _("competition documents")
        ordering = ["kind", "uploaded_at"]

    def __str__(self):
        return self.title


class Amendment(models.Model):
    """A public change after publication: a deadline extension or the cancellation."""

    class Kind(models.TextChoices):
        DEADLINE_EXTENDED = "deadline", _("deadline extended")
        CANCELLED = "cancelled", _("competition cancelled")

    competition = models.ForeignKey(
        Competition, on_delete=models.CASCADE, related_name="amendments"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    note = models.TextField(_("note"))
    old_deadline = models.DateTimeField(_("previous deadline"), null=True, blank=True)
    new_deadline = models.DateTimeField(_("new deadline"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("published at"), default=timezone.now)
    notified_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.competition.reference}: {self.get_kind_display()}"


class Clarification(models.Model):
    """A question from an applicant and the customer's public answer."""

    competition = models.ForeignKey(
        Competition, on_delete=models.CASCADE, related_name="clarifications"
    )
    question = models.TextField(_("question"))
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    asked_at = models.DateTimeField(_("asked at"), default=timezone.now)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("clarification")
        verbose_name_plural = _("clarifications")
        ordering = ["asked_at"]

    def __str__(self):
        return self.question[:60]


class CommissionMember(models.Model):
    class Role(models.TextChoices):
        CHAIR = "chair", _("chair")
        SECRETARY = "secretary", _("secretary")
        MEMBER = "member", _("member")
        INDEPENDENT_EXPERT = "expert", _("independent expert")
        COUNCIL_REPRESENTATIVE = "council", _("public council representative")
        OBSERVER = "observer", _("observer")

    competition = models.ForeignKey(
        Competition, on_delete=models.CASCADE, related_name="commission"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commission_seats",
    )
    email = models.EmailField(_("e-mail"))
    full_name = models.CharField(_("full name"), max_length=200)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    voting = models.BooleanField(_("votes"), default=True)
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    appointed_at = models.DateTimeField(_("appointed at"), default=timezone.now)

    class Meta:
        verbose_name = _("commission member")
        verbose_name_plural = _("commission members")
        ordering = ["role", "full_name"]
        constraints = [
            # One seat per person: a second would vote twice and review twice.
            models.UniqueConstraint(
                fields=["competition", "user"],
                condition=Q(user__isnull=False),
                name="one_seat_per_user",
            ),
            models.UniqueConstraint(
                models.functions.Lower("email"), "competition", name="unique_commission_email"
            ),
        ]

    def __str__(self):
        return f"{self.full_name} ({self.get_role_display()})"


class Follow(models.Model):
    """A signed-in NCO member follows a competition and hears of its amendments."""

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="competition_follows"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        constraints = [
            models.UniqueConstraint(fields=["competition", "user"], name="unique_follow"),
        ]

    def __str__(self):
        return f"{self.user} → {self.competition.reference}"


class StatusChange(models.Model):
    """Who moved a competition from which status to which, and when."""

    competition = models.ForeignKey(
        Competition, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(_("from"), max_length=16, choices=Competition.Status.choices)
    to_status = models.CharField(_("to"), max_length=16, choices=Competition.Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("when"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["changed_at", "pk"]

    def __str__(self):
        return f"{self.competition.reference}: {self.from_status} → {self.to_status}"
