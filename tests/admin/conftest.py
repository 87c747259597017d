import pytest

from tests.admin.platform_staff import platform_staff_member


@pytest.fixture
def platform_staff():
    return platform_staff_member(first_name="Alex", last_name="Morgan")


@pytest.fixture
def platform_staff_client(staff_client, platform_staff):
    """Signed in as a member of the Platform staff group, second factor passed."""
    return staff_client(platform_staff)
