"""Invitations move here from ``accounts``: state only. The table
(``accounts_invitation``) and its rows stay exactly as they were; accounts'
migration 0005 drops the model from accounts' state in step with this one."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def content_type_follow(apps, schema_editor):
    """Keep the content type (and the permissions that name it) of the moved model."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="invitations", model="invitation").exists():
        ContentType.objects.filter(app_label="accounts", model="invitation").update(
            app_label="invitations"
        )


def content_type_return(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="accounts", model="invitation").exists():
        ContentType.objects.filter(app_label="invitations", model="invitation").update(
            app_label="accounts"
        )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0004_invitation"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("schools", "0003_school_moderate_feedback"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Invitation",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("contact_name", models.CharField(blank=True, max_length=301)),
                        ("email", models.EmailField(blank=True, max_length=254)),
                        (
                            "mobile",
                            models.CharField(
                                blank=True, help_text="E.164, e.g. +447700900123", max_length=20
                            ),
                        ),
                        (
                            "channels",
                            models.CharField(
                                choices=[
                                    ("email", "Email"),
                                    ("sms", "SMS"),
                                    ("both", "Email and SMS"),
                                ],
                                default="both",
                                max_length=8,
                            ),
                        ),
                        ("token_hash", models.CharField(max_length=64, unique=True)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "Pending"),
                                    ("sent", "Sent"),
                                    ("delivered", "Delivered"),
                                    ("failed", "Failed"),
                                    ("bounced", "Bounced"),
                                    ("accepted", "Accepted"),
                                    ("expired", "Expired"),
                                    ("revoked", "Revoked"),
                                ],
                                default="pending",
                                max_length=16,
                            ),
                        ),
                        ("attempts", models.PositiveIntegerField(default=0)),
                        ("expires_at", models.DateTimeField()),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                        ("accepted_at", models.DateTimeField(blank=True, null=True)),
                        ("revoked_at", models.DateTimeField(blank=True, null=True)),
                        ("reminder_sent_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "accepted_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "parent",
                            models.ForeignKey(
                                blank=True,
                                help_text="The imported parent this invitation is addressed to.",
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="invitations",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "pupils",
                            models.ManyToManyField(related_name="invitations", to="schools.pupil"),
                        ),
                        (
                            "school",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="invitations",
                                to="schools.school",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "accounts_invitation",
                        "indexes": [
                            models.Index(
                                fields=["school", "status"], name="invitation_school_status_idx"
                            ),
                            models.Index(fields=["expires_at"], name="invitation_expires_at_idx"),
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    (
                                        "status__in",
                                        [
                                            "pending",
                                            "sent",
                                            "delivered",
                                            "failed",
                                            "bounced",
                                            "accepted",
                                            "expired",
                                            "revoked",
                                        ],
                                    )
                                ),
                                name="invitation_status_valid",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("channels__in", ["email", "sms", "both"])),
                                name="invitation_channels_valid",
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_follow, content_type_return, elidable=True),
    ]
