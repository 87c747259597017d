import pytest


@pytest.fixture(autouse=True)
def _private_files_in_a_temporary_folder(private_folder):
    """Every learning test keeps uploaded videos and photos in a folder of its own."""
