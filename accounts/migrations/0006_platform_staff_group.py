"""The "Platform staff" group: exactly what platform staff need in the Django admin.

They curate the library (topics and their activities), draft and publish privacy
notices, onboard schools and keep their details, and read the message outbox,
the audit trail and the security log. Nothing about pupils, parents or their
links, invitations, families' work or consent records. Running it again puts
the group back to exactly this set.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Platform staff"

PERMISSIONS = {
    "learning": {
        "topic": ["add", "change", "delete", "view"],
        "activity": ["add", "change", "delete", "view"],
    },
    # Published through the admin's action (consent.services.notice_publish);
    # a published notice is never deleted.
    "consent": {"privacynotice": ["add", "change", "view"]},
    "schools": {"school": ["add", "change", "view"]},
    "notifications": {"message": ["view"]},
    "audit": {"auditentry": ["view"], "securityevent": ["view"]},
}


def platform_staff_group_keep(apps, schema_editor=None):
    """Create the group, or set its permissions back to exactly ``PERMISSIONS``."""
    # Permissions are made after migrations (post_migrate): make them now on a
    # fresh database so the group can hold them.
    for app_label in PERMISSIONS:
        app_config = apps.get_app_config(app_label)
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = []
    for app_label, models in PERMISSIONS.items():
        for model, actions in models.items():
            for action in actions:
                wanted.append(
                    Permission.objects.get(
                        content_type__app_label=app_label,
                        content_type__model=model,
                        codename=f"{action}_{model}",
                    )
                )
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    group.permissions.set(wanted)


def platform_staff_group_remove(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_invitation_moved"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("audit", "0001_initial"),
        ("consent", "0001_initial"),
        ("learning", "0001_initial"),
        ("notifications", "0003_engagement_preferences_and_quiet_hours"),
        ("schools", "0003_school_moderate_feedback"),
    ]

    operations = [
        migrations.RunPython(platform_staff_group_keep, platform_staff_group_remove),
    ]
