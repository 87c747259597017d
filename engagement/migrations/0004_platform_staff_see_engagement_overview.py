"""Platform staff open the engagement overview in the admin (totals across schools,
no names): the "Platform staff" group gets ``engagement.view_engagement_overview``.
"""

from django.db import migrations

from accounts.group_grants import platform_staff_grant, platform_staff_revoke

CODENAME = "view_engagement_overview"


def overview_permission_grant(apps, schema_editor=None):
    platform_staff_grant(apps, "engagement", (CODENAME,))


def overview_permission_revoke(apps, schema_editor):
    platform_staff_revoke(apps, "engagement", (CODENAME,))


class Migration(migrations.Migration):
    dependencies = [
        ("engagement", "0003_nudges_and_overview"),
        ("accounts", "0006_platform_staff_group"),
    ]

    operations = [
        migrations.RunPython(overview_permission_grant, overview_permission_revoke),
    ]
