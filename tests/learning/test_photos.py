"""A family's photo is checked, turned upright and stripped of every piece of
metadata before it is stored; anything else is refused with a reason."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, ImageCms, PngImagePlugin

from learning import photos
from learning.photos import PhotoRejectedError, photo_prepare

RED = (220, 20, 20)
BLUE = (20, 40, 200)
GPS_LATITUDE = (51.0, 30.0, 26.0)
COMMENT = "Taken at 12 Acacia Avenue"
XMP = (
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
    '22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/">'
    "<dc:creator>Secret Photographer</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>"
)


def upright_picture() -> Image.Image:
    """What the family saw: portrait, 60 wide and 120 tall, red in the top-left corner."""
    picture = Image.new("RGB", (60, 120), BLUE)
    picture.paste(RED, (0, 0, 24, 24))
    return picture


def camera_exif(orientation: int = 6) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Phone 12"
    exif[ExifTags.Base.ImageDescription] = COMMENT
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: GPS_LATITUDE,
        ExifTags.GPS.GPSLongitudeRef: "W",
        ExifTags.GPS.GPSLongitude: (0.0, 7.0, 39.0),
    }
    return exif


def as_camera_stored_it() -> Image.Image:
    """A phone held upright stores the sensor's pixels turned a quarter anticlockwise
    (landscape) and says "rotate 90° clockwise to show" (EXIF orientation 6)."""
    return upright_picture().transpose(Image.Transpose.ROTATE_90)


def jpeg_from_a_phone() -> bytes:
    buffer = io.BytesIO()
    as_camera_stored_it().save(
        buffer,
        "JPEG",
        quality=95,
        exif=camera_exif(),
        comment=COMMENT.encode(),
        xmp=XMP.encode(),
        icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes(),
    )
    return buffer.getvalue()


def png_from_a_phone() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", COMMENT)
    info.add_itxt("XML:com.adobe.xmp", XMP)
    buffer = io.BytesIO()
    as_camera_stored_it().save(buffer, "PNG", exif=camera_exif(), pnginfo=info)
    return buffer.getvalue()


def webp_from_a_phone() -> bytes:
    buffer = io.BytesIO()
    as_camera_stored_it().save(buffer, "WEBP", quality=95, exif=camera_exif(), xmp=XMP.encode())
    return buffer.getvalue()


def upload(content: bytes, name: str = "IMG_0042.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def assert_close(pixel, colour, tolerance=40):
    assert all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True)), (
        pixel,
        colour,
    )


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (jpeg_from_a_phone(), "IMG_0042.jpg"),
        (png_from_a_phone(), "IMG_0042.png"),
        (webp_from_a_phone(), "IMG_0042.webp"),
    ],
    ids=["jpeg", "png", "webp"],
)
def test_a_phone_photo_is_stored_upright_with_no_location_comment_or_other_metadata(content, name):
    original = Image.open(io.BytesIO(content))
    assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test photo does carry GPS
    assert original.size == (120, 60)

    prepared = photo_prepare(upload(content, name))

    stored = Image.open(io.BytesIO(prepared.content))
    assert stored.format == "JPEG"
    # Upright: portrait, the red corner top-left, blue at the far corner.
    assert stored.size == (60, 120) == (prepared.width, prepared.height)
    assert_close(stored.getpixel((5, 5)), RED)
    assert_close(stored.getpixel((55, 5)), BLUE)
    assert_close(stored.getpixel((5, 115)), BLUE)
    # Nothing but pixels: no EXIF (GPS, camera, orientation), comments, XMP or profile.
    assert len(stored.getexif()) == 0
    for key in ("exif", "comment", "xmp", "icc_profile", "XML:com.adobe.xmp", "Comment"):
        assert key not in stored.info, key
    for needle in (b"Exif", b"PhoneMaker", b"Acacia", b"Secret Photographer", b"xmpmeta"):
        assert needle not in prepared.content, needle


def test_an_image_with_transparency_is_flattened_onto_white():
    picture = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
    picture.paste((*RED, 255), (0, 0, 20, 20))
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")

    stored = Image.open(io.BytesIO(photo_prepare(upload(buffer.getvalue(), "d.png")).content))

    assert stored.mode == "RGB"
    assert_close(stored.getpixel((5, 5)), RED)
    assert_close(stored.getpixel((35, 35)), (255, 255, 255), tolerance=8)


def test_a_very_large_photo_is_scaled_down_to_the_longest_side_limit():
    buffer = io.BytesIO()
    Image.new("RGB", (4000, 1000), BLUE).save(buffer, "JPEG")

    prepared = photo_prepare(upload(buffer.getvalue()))

    assert (prepared.width, prepared.height) == (photos.MAX_SIDE, photos.MAX_SIDE // 4)


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims enormous dimensions and holds no pixels at all."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


def decompression_bomb() -> bytes:
    """48 megapixels of one colour: a file of a few kilobytes that unpacks to 48 MB."""
    buffer = io.BytesIO()
    Image.new("L", (8000, 6000), 0).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_decompression_bomb_is_refused_before_its_pixels_are_decoded():
    bomb = decompression_bomb()
    assert len(bomb) < 200_000

    with pytest.raises(PhotoRejectedError) as refused:
        photo_prepare(upload(bomb, "bomb.png", "image/png"))

    assert str(refused.value) == photos.TOO_MANY_PIXELS


def test_an_image_beyond_pillows_own_limit_is_refused_as_too_large():
    with pytest.raises(PhotoRejectedError) as refused:
        photo_prepare(upload(_png_header_only(30_000, 30_000), "huge.png", "image/png"))

    assert str(refused.value) == photos.TOO_MANY_PIXELS


def test_the_pixel_limit_is_checked_locally_not_by_changing_pillows_global_limit():
    before = Image.MAX_IMAGE_PIXELS

    with pytest.raises(PhotoRejectedError):
        photo_prepare(upload(decompression_bomb(), "bomb.png", "image/png"))

    assert before == Image.MAX_IMAGE_PIXELS


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n",
        b"<html><script>alert(1)</script></html>",
        jpeg_from_a_phone()[:400],  # cut short: the header is there, the pixels are not
    ],
    ids=["pdf", "html", "truncated-jpeg"],
)
def test_a_file_that_is_not_a_readable_image_is_refused(content):
    with pytest.raises(PhotoRejectedError) as refused:
        photo_prepare(upload(content, "holiday.jpg"))

    assert str(refused.value) == photos.NOT_AN_IMAGE


def test_an_image_format_other_than_jpeg_png_or_webp_is_refused():
    buffer = io.BytesIO()
    upright_picture().save(buffer, "GIF")

    with pytest.raises(PhotoRejectedError) as refused:
        photo_prepare(upload(buffer.getvalue(), "cat.gif", "image/gif"))

    assert str(refused.value) == photos.NOT_AN_IMAGE


def test_a_file_over_ten_megabytes_is_refused_without_being_decoded():
    content = jpeg_from_a_phone()
    oversized = content + b"\0" * (photos.MAX_BYTES + 1 - len(content))

    with pytest.raises(PhotoRejectedError) as refused:
        photo_prepare(upload(oversized))

    assert str(refused.value) == photos.TOO_BIG


def test_an_empty_file_is_refused():
    with pytest.raises(PhotoRejectedError) as refused:
        photo_prepare(upload(b""))

    assert str(refused.value) == photos.EMPTY
