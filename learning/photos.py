"""Families' photos: checked, cleaned and re-encoded before anything is stored.

An uploaded photo is untrusted bytes. ``photo_prepare`` accepts it only if

- it is at most ``MAX_BYTES`` (10 MB) long,
- Pillow can decode it as a JPEG (or a phone's multi-picture JPEG), PNG or WebP,
- it has at most ``MAX_PIXELS`` (40 megapixels), checked from the header before a
  single pixel is decoded (a small file that would unpack into gigabytes, a
  "decompression bomb", is refused there; Pillow's own, higher, global limit is
  left as it is and counts as a refusal too);

and then returns a new image built from the decoded pixels alone:

- turned upright by its EXIF orientation (``ImageOps.exif_transpose``),
- converted to sRGB when it carries a colour profile (so a phone's wide-gamut
  photo keeps its colours) and the profile dropped,
- flattened onto white where it has transparency,
- scaled down to at most ``MAX_SIDE`` pixels on its longer side,
- encoded as a JPEG with no metadata at all: no EXIF (so no GPS position, camera
  or time), no XMP, no comments, no ICC profile.

Every photo is stored as a JPEG, whatever came in: one format every browser shows,
small files for phones on mobile data. The file name is the server's
(``learning.files.feedback_photo_name``: a random UUID), never the uploader's.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 3000
JPEG_QUALITY = 85

# Pillow's JPEG reader also opens the multi-picture JPEGs many phones take
# (reporting them as "MPO"); only the first picture is kept.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")

NOT_AN_IMAGE = "This file is not a photo we can read. Choose a JPEG, PNG or WebP image."
TOO_BIG = "This photo is too big: the limit is 10 MB. Choose a smaller one."
TOO_MANY_PIXELS = "This image is too large: the limit is 40 megapixels. Choose a smaller one."
EMPTY = "This file is empty. Choose a photo."

# Errors Pillow raises on a damaged or hostile file while decoding.
_DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, struct.error, IndexError)


class PhotoRejectedError(ValueError):
    """The upload is not a photo the portal will keep; the message says why, for the form."""


@dataclass(frozen=True)
class PreparedPhoto:
    """A cleaned JPEG, ready to store."""

    content: bytes
    width: int
    height: int

    extension = "jpg"
    content_type = "image/jpeg"


def photo_prepare(upload: UploadedFile) -> PreparedPhoto:
    """Check an uploaded photo and return its clean re-encoding, or raise PhotoRejectedError."""
    if upload.size is not None and upload.size > MAX_BYTES:
        raise PhotoRejectedError(TOO_BIG)
    if not upload.size:
        raise PhotoRejectedError(EMPTY)
    upload.seek(0)
    try:
        image = Image.open(upload, formats=ACCEPTED_FORMATS)
    except Image.DecompressionBombError as error:
        raise PhotoRejectedError(TOO_MANY_PIXELS) from error
    except (UnidentifiedImageError, *_DECODE_ERRORS) as error:
        raise PhotoRejectedError(NOT_AN_IMAGE) from error
    with image:
        width, height = image.size
        if width < 1 or height < 1:
            raise PhotoRejectedError(NOT_AN_IMAGE)
        if width * height > MAX_PIXELS:
            raise PhotoRejectedError(TOO_MANY_PIXELS)
        if image.format in ("JPEG", "MPO"):
            # Let the JPEG decoder scale down while decoding: less memory and time.
            image.draft("RGB", (MAX_SIDE, MAX_SIDE))
        try:
            image.load()
            clean = _clean_pixels(image)
        except Image.DecompressionBombError as error:
            raise PhotoRejectedError(TOO_MANY_PIXELS) from error
        except _DECODE_ERRORS as error:
            raise PhotoRejectedError(NOT_AN_IMAGE) from error
    buffer = io.BytesIO()
    clean.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return PreparedPhoto(content=buffer.getvalue(), width=clean.width, height=clean.height)


def _clean_pixels(image: Image.Image) -> Image.Image:
    """Upright, sRGB, opaque, at most MAX_SIDE: a fresh RGB image carrying no metadata."""
    icc_profile = image.info.get("icc_profile")
    upright = _upright(image)
    if upright.mode not in ("RGB", "RGBA", "L", "LA", "CMYK"):
        has_alpha = upright.mode in ("PA", "La") or "transparency" in upright.info
        upright = upright.convert("RGBA" if has_alpha else "RGB")
    if icc_profile:
        upright = _to_srgb(upright, icc_profile)
    if upright.mode in ("RGBA", "LA"):
        rgba = upright.convert("RGBA")
        opaque = Image.new("RGB", rgba.size, (255, 255, 255))
        opaque.paste(rgba, mask=rgba.getchannel("A"))
        upright = opaque
    elif upright.mode != "RGB":
        upright = upright.convert("RGB")
    if max(upright.size) > MAX_SIDE:
        upright.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    # A new image holds the pixels and nothing else: whatever Pillow kept in
    # ``info`` (EXIF, XMP, comments, profiles) stays behind with the original.
    clean = Image.new("RGB", upright.size)
    clean.paste(upright)
    return clean


def _upright(image: Image.Image) -> Image.Image:
    try:
        return ImageOps.exif_transpose(image)
    except _DECODE_ERRORS:
        # Unreadable EXIF: keep the pixels as stored rather than refuse the photo.
        return image.copy()


_SRGB = ImageCms.createProfile("sRGB")


def _to_srgb(image: Image.Image, icc_profile: bytes) -> Image.Image:
    """The image in sRGB; unchanged if its profile cannot be used (it is dropped anyway)."""
    output_mode = "RGBA" if image.mode in ("RGBA", "LA") else "RGB"
    if image.mode == "LA":
        image = image.convert("RGBA")
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode=output_mode)
    except (ImageCms.PyCMSError, *_DECODE_ERRORS, TypeError):
        return image
    return converted if converted is not None else image
