from io import StringIO

from django.core.management import call_command

from privacy.registry import categories


def test_privacy_categories_lists_every_category_and_its_models():
    out = StringIO()
    call_command("privacy_categories", stdout=out)
    listing = out.getvalue()
    for found in categories():
        assert f"{found.name} (" in listing
        for label in found.models:
            assert f"  - {label}\n" in listing
