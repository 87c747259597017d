"""The example mobile number the models show is one the roster importer takes."""

import re

import pytest

from accounts.lookup import DRAMA_MOBILES, mobile_for_texts
from accounts.models import User
from invitations.models import Invitation


@pytest.mark.parametrize("model", [User, Invitation])
def test_the_example_mobile_in_help_text_is_an_ofcom_drama_number_the_importer_accepts(model):
    help_text = str(model._meta.get_field("mobile").help_text)
    (example,) = re.findall(r"\+\d{10,15}", help_text)

    assert mobile_for_texts(example) == example
    assert int(example[1:]) in DRAMA_MOBILES
