"""socialorder/uploads.py: types checked by content, size limits, hashes, private storage."""

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import translation

from socialorder import uploads

from .helpers import (
    docx_bytes,
    jpeg_bytes,
    make_zip,
    odt_bytes,
    pdf_bytes,
    png_bytes,
    tr,
    upload,
    xlsx_bytes,
)

FILES = {
    "pdf": ("terms.pdf", pdf_bytes),
    "docx": ("template.docx", docx_bytes),
    "xlsx": ("budget.xlsx", xlsx_bytes),
    "odt": ("terms.odt", odt_bytes),
    "png": ("logo.png", png_bytes),
    "jpeg": ("photo.jpg", jpeg_bytes),
}


@pytest.mark.parametrize("kind", sorted(FILES))
def test_the_type_is_read_from_the_content(kind):
    name, make = FILES[kind]
    assert uploads.detect_type(upload(name, make())) == kind


@pytest.mark.parametrize("kind", sorted(FILES))
def test_the_name_does_not_matter(kind):
    _name, make = FILES[kind]
    assert uploads.detect_type(upload("renamed.txt", make())) == kind


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("terms.pdf", b"This is plain text, not a PDF.\n"),
        ("terms.pdf", b""),
        ("terms.docx", make_zip({"readme.txt": b"just a zip"})),
        ("terms.docx", b"PK\x03\x04 not really a zip archive"),
        ("sheet.ods", odt_bytes(b"application/vnd.oasis.opendocument.spreadsheet")),
        ("page.html", b"<!doctype html><title>x</title>"),
    ],
)
def test_unknown_content_has_no_type(name, data):
    assert uploads.detect_type(upload(name, data)) is None


def test_detection_leaves_the_file_at_its_start():
    for _kind, (name, make) in FILES.items():
        uploaded = upload(name, make())
        uploaded.read(3)
        uploads.detect_type(uploaded)
        assert uploaded.tell() == 0


@pytest.mark.parametrize("kind", ["pdf", "docx", "xlsx", "odt"])
def test_documents_are_accepted(kind):
    name, make = FILES[kind]
    assert uploads.validate_upload(upload(name, make())) == kind


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_a_text_file_named_pdf_is_refused(language):
    with pytest.raises(ValidationError) as excinfo:
        uploads.validate_upload(upload("terms.pdf", b"Not a PDF at all\n", "application/pdf"))
    assert excinfo.value.code == "wrong_type"
    with translation.override(language):
        [message] = excinfo.value.messages
        expected = tr("This file type is not accepted. Upload one of: %(types)s.", language)
    assert message == expected % {"types": "DOCX, ODT, PDF, XLSX"}


@pytest.mark.parametrize("kind", ["png", "jpeg"])
def test_images_are_not_documents(kind):
    name, make = FILES[kind]
    with pytest.raises(ValidationError) as excinfo:
        uploads.validate_upload(upload(name, make()))
    assert excinfo.value.code == "wrong_type"


def test_images_are_accepted_where_allowed():
    allowed = {uploads.PNG, uploads.JPEG}
    assert uploads.validate_upload(upload("a.png", png_bytes()), allowed=allowed) == "png"
    with pytest.raises(ValidationError):
        uploads.validate_upload(upload("a.pdf", pdf_bytes()), allowed=allowed)


def test_the_size_limit_comes_from_settings(settings):
    data = pdf_bytes()
    settings.UPLOAD_MAX_BYTES = len(data)
    assert uploads.validate_upload(upload("terms.pdf", data)) == "pdf"

    settings.UPLOAD_MAX_BYTES = len(data) - 1
    with pytest.raises(ValidationError) as excinfo:
        uploads.validate_upload(upload("terms.pdf", data))
    assert excinfo.value.code == "too_large"
    with translation.override("ky"):
        [message] = excinfo.value.messages
    prefix = tr("The file is too large (%(size)s). The limit is %(limit)s.").split("%(size)s")[0]
    assert message.startswith(prefix)


def test_an_explicit_limit_wins_over_the_setting(settings):
    settings.UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    with pytest.raises(ValidationError) as excinfo:
        uploads.validate_upload(upload("terms.pdf", pdf_bytes()), max_bytes=10)
    assert excinfo.value.code == "too_large"


def test_too_large_is_checked_before_the_type(settings):
    settings.UPLOAD_MAX_BYTES = 5
    with pytest.raises(ValidationError) as excinfo:
        uploads.validate_upload(upload("notes.pdf", b"plain text, too long"))
    assert excinfo.value.code == "too_large"


def test_sha256_of_reads_the_whole_file_and_rewinds():
    data = docx_bytes()
    uploaded = upload("template.docx", data)
    assert uploads.sha256_of(uploaded) == hashlib.sha256(data).hexdigest()
    assert uploaded.tell() == 0


def test_private_storage_follows_the_setting_and_has_no_url(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "elsewhere"
    storage = uploads.private_storage()
    name = storage.save("competitions/terms.pdf", ContentFile(pdf_bytes()))
    assert (tmp_path / "elsewhere" / name).read_bytes() == pdf_bytes()
    with pytest.raises(ValueError, match="no URL"):
        storage.url(name)


def test_every_type_has_a_content_type():
    assert set(uploads.CONTENT_TYPES) == {"pdf", "docx", "xlsx", "odt", "png", "jpeg"}
    assert set(uploads.CONTENT_TYPES) >= uploads.DOCUMENT_TYPES
