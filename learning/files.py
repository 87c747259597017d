"""Private files: uploaded videos and photos.

They live in the ``private`` storage (``settings.STORAGES["private"]``), which has
no public URL: a file reaches a browser only through a view that has first asked
``accounts.access`` whether the viewer may see it, and then returns
``private_file_response(file)``.
"""

from __future__ import annotations

import mimetypes
import re
import uuid

from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.db.models.fields.files import FieldFile
from django.dispatch import receiver
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.functional import LazyObject, empty

PRIVATE_STORAGE_ALIAS = "private"


class PrivateFileSystemStorage(FileSystemStorage):
    """A folder outside the web root; ``url()`` refuses, so no template can link a file."""

    def url(self, name):
        raise NotImplementedError("Private files are served only through an authorised view.")


class _PrivateStorage(LazyObject):
    def _setup(self):
        self._wrapped = storages[PRIVATE_STORAGE_ALIAS]


_private_storage = _PrivateStorage()


@receiver(setting_changed)
def _reset_private_storage(*, setting, **kwargs) -> None:
    if setting == "STORAGES":
        _private_storage._wrapped = empty


def private_storage() -> _PrivateStorage:
    """The storage of every private file field (a callable, so migrations name it)."""
    return _private_storage


def generated_name(folder: str, original_name: str, allowed_extensions: set[str]) -> str:
    """A server-generated file name in ``folder``: a random UUID and, when the
    uploaded name ends in an allowed extension, that extension (lower case)."""
    extension = original_name.rsplit(".", 1)[-1].lower() if "." in original_name else ""
    suffix = f".{extension}" if extension in allowed_extensions else ""
    return f"{folder}/{uuid.uuid4().hex}{suffix}"


VIDEO_EXTENSIONS = {"mp4", "webm", "m4v", "mov"}
PHOTO_EXTENSIONS = {"jpg", "jpeg", "png", "webp"}


def activity_video_name(instance, filename: str) -> str:
    return generated_name("videos", filename, VIDEO_EXTENSIONS)


def feedback_photo_name(instance, filename: str) -> str:
    return generated_name("photos", filename, PHOTO_EXTENSIONS)


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def private_file_response(
    file: FieldFile, *, request: HttpRequest | None = None, content_type: str | None = None
) -> HttpResponse:
    """Stream a private file to a viewer already found to be allowed to see it.

    The response is never cached by shared caches, is shown inline under its own
    type (sniffing is off site-wide) and, when ``request`` asks for one byte range
    (``Range: bytes=a-b``), answers 206 with that range: phones' video players
    (Safari's especially) only play and seek media served this way.
    """
    name = file.name
    if content_type is None:
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    size = file.size
    byte_range = _requested_range(request, size) if request is not None else None
    handle = file.storage.open(name, "rb")
    if byte_range is None:
        response = FileResponse(handle, content_type=content_type)
        response["Content-Length"] = str(size)
    elif byte_range == "unsatisfiable":
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
    else:
        start, end = byte_range
        handle.seek(start)
        response = FileResponse(_limited(handle, end - start + 1), content_type=content_type)
        response.status_code = 206
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = "inline"
    # The file is data, not a page: nothing in it may run or load anything.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _requested_range(request: HttpRequest, size: int):
    header = request.headers.get("Range", "")
    match = _RANGE.match(header.strip())
    if not match or size == 0:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:
        # A suffix range: the last N bytes.
        length = int(last)
        if length == 0:
            return "unsatisfiable"
        return max(size - length, 0), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        return "unsatisfiable"
    return start, end


def _limited(handle, length: int, chunk_size: int = 64 * 1024):
    try:
        remaining = length
        while remaining > 0:
            chunk = handle.read(min(chunk_size, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        handle.close()
