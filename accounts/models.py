from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from socialorder.uploads import private_storage

from .fields import WebsiteField
from .validators import validate_inn, validate_phone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in with an e-mail address."""

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("E-mails and documents are sent to you in this language."),
    )
    # Codes of the reminder kinds this user turned off (see accounts/reminders.py).
    reminders_off = models.JSONField(_("reminders turned off"), default=list, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    @property
    def display_name(self):
        return self.get_full_name() or self.email


class Region(models.Model):
    """An oblast, a city of republican significance or a rayon (ISO 3166-2)."""

    class Kind(models.TextChoices):
        OBLAST = "oblast", _("oblast")
        CITY = "city", _("city of republican significance")
        RAYON = "rayon", _("rayon")

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    def __str__(self):
        return self.name


class StateBody(models.Model):
    """A state customer: a ministry, an agency, a division or a local self-government."""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("ministry")
        AGENCY = "agency", _("agency")
        TERRITORIAL_DIVISION = "territorial", _("territorial division")
        LOCAL_SELF_GOVERNMENT = "local", _("local self-government body")

    slug = models.SlugField(_("short code"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent body"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="state_bodies",
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True, validators=[validate_phone])
    website = WebsiteField(_("website"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("state body")
        verbose_name_plural = _("state bodies")
        ordering = ["name"]

    def __str__(self):
        return self.name


class StateBodyMembership(models.Model):
    """An officer of a state body. Granted only by an administrator."""

    class Role(models.TextChoices):
        OFFICER = "officer", _("officer")

    user = models.ForeignKey(
        User,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="state_body_memberships",
    )
    state_body = models.ForeignKey(
        StateBody,
        verbose_name=_("state body"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.OFFICER)
    created_at = models.DateTimeField(_("granted at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("state body officer")
        verbose_name_plural = _("state body officers")
        constraints = [
            models.UniqueConstraint(fields=["user", "state_body"], name="unique_state_body_member"),
        ]

    def __str__(self):
        return f"{self.user} — {self.state_body} ({self.get_role_display()})"


class OrganizationQuerySet(models.QuerySet):
    def for_member(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)


class Organization(models.Model):
    """A non-commercial organisation (NCO) that applies for grants."""

    class LegalForm(models.TextChoices):
        PUBLIC_ASSOCIATION = "public_association", _("public association")
        PUBLIC_FUND = "public_fund", _("public foundation")
        INSTITUTION = "institution", _("institution")
        ASSOCIATION = "association", _("association (union) of legal entities")
        OTHER = "other", _("other non-commercial organisation")

    name = models.CharField(_("name"), max_length=300)
    legal_form = models.CharField(_("legal form"), max_length=32, choices=LegalForm.choices)
    registration_number = models.CharField(_("registration number"), max_length=50)
    inn = models.CharField(
        _("INN"),
        max_length=14,
        unique=True,
        validators=[validate_inn],
        help_text=_("Taxpayer identification number: 14 digits."),
        error_messages={"unique": _("An organisation with this INN is already registered.")},
    )
    registration_date = models.DateField(_("registration date"))
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="organizations"
    )
    address = models.CharField(_("address"), max_length=300)
    phone = models.CharField(_("phone"), max_length=40, validators=[validate_phone])
    email = models.EmailField(_("e-mail"))
    website = WebsiteField(_("website"), blank=True)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_complete(self) -> bool:
        """Whether the profile has what an application needs: a founder and a leader."""
        roles = {person.role for person in self.people.all()}
        return {OrganizationPerson.Role.FOUNDER, OrganizationPerson.Role.LEADER} <= roles


class OrganizationPerson(models.Model):
    """A founder or a leader of an organisation, by name (not a portal user)."""

    class Role(models.TextChoices):
        FOUNDER = "founder", _("founder")
        LEADER = "leader", _("leader")

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="people",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    full_name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("founder or leader")
        verbose_name_plural = _("founders and leaders")
        ordering = ["role", "full_name"]

    def __str__(self):
        return f"{self.full_name} ({self.get_role_display()})"


class OrganizationMembership(models.Model):
    """A user who acts for an organisation: its owner or an editor."""

    class Role(models.TextChoices):
        OWNER = "owner", _("owner")
        EDITOR = "editor", _("editor")

    user = models.ForeignKey(
        User,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="organization_memberships",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(_("since"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation member")
        verbose_name_plural = _("organisation members")
        ordering = ["role", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"], name="unique_organization_member"
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.organization} ({self.get_role_display()})"


class OrganizationInvitation(models.Model):
    """An invitation by e-mail to join an organisation, accepted with a signed link."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        ACCEPTED = "accepted", _("accepted")
        CANCELLED = "cancelled", _("cancelled")

    TRANSITIONS = {
        Status.PENDING: {Status.ACCEPTED, Status.CANCELLED},
        Status.ACCEPTED: set(),
        Status.CANCELLED: set(),
    }

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    email = models.EmailField(_("e-mail"))
    role = models.CharField(
        _("role"),
        max_length=16,
        choices=OrganizationMembership.Role.choices,
        default=OrganizationMembership.Role.EDITOR,
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    invited_by = models.ForeignKey(
        User, verbose_name=_("invited by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    accepted_by = models.ForeignKey(
        User,
        verbose_name=_("accepted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "organization",
                condition=models.Q(status="pending"),
                name="unique_pending_invitation",
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.organization}"


class OutboundEmail(models.Model):
    """An e-mail waiting to be sent, or sent: the outbox that survives a broker outage."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    TRANSITIONS = {
        Status.PENDING: {Status.SENT, Status.FAILED},
        Status.FAILED: {Status.PENDING},
        Status.SENT: set(),
    }

    to = models.EmailField(_("to"))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    template = models.CharField(_("template"), max_length=120)
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    attachment = models.FileField(
        _("attachment"), storage=private_storage, upload_to="outbox/%Y/", blank=True
    )
    attachment_type = models.CharField(_("attachment type"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="outbound_email_pending")]

    def __str__(self):
        return f"{self.to}: {self.subject}"


class ReminderLog(models.Model):
    """A reminder sent: one per kind, object, recipient and day (database constraint).

    The daily run inserts its rows before it renders a single e-mail; a second run
    on the same day, or two runs at once, find them and send nothing again.
    """

    kind = models.CharField(_("kind"), max_length=40)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField(_("object"))
    recipient = models.ForeignKey(
        User, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="reminders"
    )
    day = models.DateField(_("day"))
    run = models.UUIDField(_("run"), editable=False)
    email = models.ForeignKey(
        OutboundEmail, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        ordering = ["-day", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "content_type", "object_id", "recipient", "day"],
                name="one_reminder_per_kind_object_recipient_day",
            )
        ]
        indexes = [models.Index(fields=["run"], name="reminder_log_run")]

    def __str__(self):
        return f"{self.kind} {self.object_id} {self.recipient_id} {self.day}"
