"""The privacy app's pages, one module per noun."""

from privacy.views.erasure import erase, erased
from privacy.views.export import my_data, my_data_download, pupil_export, school_export

__all__ = ["erase", "erased", "my_data", "my_data_download", "pupil_export", "school_export"]
