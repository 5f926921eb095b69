"""Uploaded files: type checked by content, size limits, SHA-256, private storage.

Shared by every app that takes uploads. Files live in ``PRIVATE_MEDIA_ROOT``,
which no URL serves: views stream them after a permission check.
"""

import hashlib
import logging
import os
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

PDF, DOCX, XLSX, ODT, JPEG, PNG = "pdf", "docx", "xlsx", "odt", "jpeg", "png"
DOCUMENT_TYPES = frozenset({PDF, DOCX, XLSX, ODT})

CONTENT_TYPES = {
    PDF: "application/pdf",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ODT: "application/vnd.oasis.opendocument.text",
    JPEG: "image/jpeg",
    PNG: "image/png",
}


class PrivateStorage(FileSystemStorage):
    """Files under PRIVATE_MEDIA_ROOT (read on every use, so tests can move it); no URL."""

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no URL; serve them through a view.")


def private_storage() -> PrivateStorage:
    """The storage of every private upload (a callable, so migrations name no path)."""
    return PrivateStorage()


def detect_type(uploaded) -> str | None:
    """The file's type from its bytes, not its name: one of the constants above, or None."""
    uploaded.seek(0)
    head = uploaded.read(8)
    uploaded.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(uploaded) as archive:
                names = set(archive.namelist())
                if "word/document.xml" in names:
                    return DOCX
                if "xl/workbook.xml" in names:
                    return XLSX
                # Read a few bytes only: a crafted archive may inflate to gigabytes.
                if "mimetype" in names and archive.getinfo("mimetype").file_size <= 100:
                    with archive.open("mimetype") as entry:
                        if entry.read(100).strip() == CONTENT_TYPES[ODT].encode():
                            return ODT
        except zipfile.BadZipFile:
            return None
        finally:
            uploaded.seek(0)
    return None


def sha256_of(uploaded) -> str:
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in iter(lambda: uploaded.read(64 * 1024), b""):
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


def display_name(name: str) -> str:
    """The uploaded file's own name, for people to read (never used on disk)."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip() or "document"
    return name[:255]


def validate_upload(uploaded, *, allowed=DOCUMENT_TYPES, max_bytes=None) -> str:
    """Check size and content type; return the detected type or raise ValidationError."""
    max_bytes = max_bytes or settings.UPLOAD_MAX_BYTES
    if uploaded.size > max_bytes:
        raise ValidationError(
            _("The file is too large (%(size)s). The limit is %(limit)s."),
            code="too_large",
            params={"size": filesizeformat(uploaded.size), "limit": filesizeformat(max_bytes)},
        )
    kind = detect_type(uploaded)
    if kind not in allowed:
        names = ", ".join(sorted(k.upper() for k in allowed))
        raise ValidationError(
            _("This file type is not accepted. Upload one of: %(types)s."),
            code="wrong_type",
            params={"types": names},
        )
    return kind


def serve_private(field_file, *, file_type: str, filename: str, as_attachment=True):
    """Stream a stored upload after the view's permission check, typed by what its content
    was found to be (never guessed from the name) and with sniffing turned off."""
    from django.http import FileResponse

    response = FileResponse(
        open_private(field_file),
        as_attachment=as_attachment,
        filename=filename,
        content_type=CONTENT_TYPES.get(file_type, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def open_private(field_file):
    """Open a stored upload for streaming; a file missing on disk is a 404, not a 500."""
    try:
        return field_file.open("rb")
    except (FileNotFoundError, ValueError):
        logger.error("Stored file is missing: %s", field_file.name)
        raise Http404 from None
