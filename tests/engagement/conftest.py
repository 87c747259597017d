import pytest

from tests.learning.space_world import Family, family_world


@pytest.fixture(autouse=True)
def _private_files_in_a_temporary_folder(private_folder):
    """Photos shared in these tests are kept in a folder of their own."""


@pytest.fixture
def family() -> Family:
    """A class with a topic set for it and a family doing it (``space_world.family_world``)."""
    return family_world()
