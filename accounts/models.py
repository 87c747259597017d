from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.lookup import mobile_lookup_hash, normalise_email
from accounts.names import full_name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=normalise_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields["is_staff"] = True
        fields["is_superuser"] = True
        return self._create_user(email, password, **fields)

    def get_by_natural_key(self, email: str):
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who signs in: parents, teachers, school admins and platform staff.

    ``is_staff`` marks platform staff (the Django admin); school roles come from
    Membership. Parents imported from a roster exist before they register:
    they are inactive, with an unusable password, until they accept an invitation.
    A parent known only by a mobile number has no email until they register.
    """

    # NULL, not "", for parents known only by mobile: unique among those who have one.
    email = models.EmailField(null=True, blank=True)  # noqa: DJ001
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    mobile = models.CharField(max_length=20, blank=True, help_text="E.164, e.g. +447700900123")
    mobile_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    preferred_language = models.CharField(max_length=16, default="en")
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text="Platform staff: may use the Django admin."
    )
    date_joined = models.DateTimeField(default=timezone.now)
    last_active_at = models.DateTimeField(null=True, blank=True)
    processing_restricted = models.BooleanField(default=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    delete_after = models.DateTimeField(null=True, blank=True)
    # When the retention task sent the notice that this inactive account will close;
    # cleared when the person is active again (privacy.services.retention).
    closure_notice_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=models.Q(email__isnull=False),
                name="user_email_ci_unique",
                violation_error_message="A user with this email address already exists.",
            ),
            models.CheckConstraint(condition=~models.Q(email=""), name="user_email_null_not_blank"),
        ]
        indexes = [models.Index(fields=["closed_at"], name="user_closed_at_idx")]

    def __str__(self) -> str:
        if self.email or self.full_name:
            return self.email or self.full_name
        # An erased account keeps its row (for the rows kept without identity) but no name.
        return f"Erased account #{self.pk}" if self.closed_at else f"User {self.pk}"

    def save(self, *args, **kwargs):
        self.email = normalise_email(self.email) or None
        self.mobile_hash = mobile_lookup_hash(self.mobile) if self.mobile else ""
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "mobile" in update_fields:
            kwargs["update_fields"] = {*update_fields, "mobile_hash"}
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return full_name(self.first_name, self.last_name)

    def get_full_name(self) -> str:
        return self.full_name or str(self)

    def get_short_name(self) -> str:
        return self.first_name or str(self)


class ClosedAccount(User):
    """No data of its own: the admin's page where platform staff find one closed
    account by its exact email address or mobile and restore it within its hold
    (``accounts.admin``), with the permission that opens it."""

    class Meta:
        proxy = True
        verbose_name = "closed account"
        verbose_name_plural = "closed accounts"
        default_permissions = ()
        permissions = [
            ("restore_closed_account", "Can find a closed account and restore it within its hold")
        ]


class Membership(models.Model):
    """A member of a school's staff: a school admin or a teacher."""

    class Role(models.TextChoices):
        ADMIN = "admin", "School admin"
        TEACHER = "teacher", "Teacher"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    school = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # A school admin may also teach: one row per role.
            models.UniqueConstraint(
                fields=["user", "school", "role"], name="membership_user_school_role_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["admin", "teacher"]), name="membership_role_valid"
            ),
        ]
        indexes = [models.Index(fields=["school", "role"], name="membership_school_role_idx")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.school})"


class MobileChange(models.Model):
    """A new mobile number waiting for the code texted to it.

    Only a keyed hash of the code is kept; the code works until ``expires_at`` and
    for ``MAX_ATTEMPTS`` wrong tries. One per user: asking again replaces it.
    """

    MAX_ATTEMPTS = 5

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="mobile_change")
    mobile = models.CharField(max_length=20, help_text="E.164")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"Mobile change for user {self.user_id}"
