import pytest


@pytest.fixture(autouse=True)
def _private_files_in_a_temporary_folder(settings, tmp_path):
    """Uploaded videos and photos go to a folder of the test's own."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "learning.files.PrivateFileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private"},
        },
    }
    return tmp_path / "private"
