from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_mobile_change"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="closure_notice_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
