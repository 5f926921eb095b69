"""Small helpers the competitions tests share: page text, translated messages, form data."""

import html
import io
import re
import struct
import zipfile
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from competitions.models import Competition


def text(response) -> str:
    """The page as a reader sees it: entities such as &#x27; decoded."""
    return html.unescape(response.content.decode())


def tr(msgid: str, language: str = "ky") -> str:
    """``msgid`` as the catalogue of ``language`` gives it."""
    with translation.override(language):
        return translation.gettext(msgid)


def pattern(msgid: str, language: str = "ky") -> re.Pattern:
    """The translated message with each %(name)s/%(name)d placeholder matching any text."""
    parts = re.split(r"%\(\w+\)[sd]", tr(msgid, language))
    return re.compile(".+?".join(re.escape(part) for part in parts))


def shows(response, msgid: str, language: str = "ky") -> bool:
    """The page shows ``msgid`` in ``language`` (placeholders filled with anything)."""
    return bool(pattern(msgid, language).search(text(response)))


def local_input(moment) -> str:
    """A datetime as the datetime-local widget posts it, in Bishkek time."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _formset(prefix, rows, fields, *, initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for name in fields:
            value = row.get(name, "")
            if value is not None and value != "":
                data[f"{prefix}-{index}-{name}"] = str(value)
    return data


CRITERION_FIELDS = (
    "id",
    "name_ky",
    "name_ru",
    "name_en",
    "description_ky",
    "description_ru",
    "description_en",
    "max_points",
    "weight",
    "order",
    "DELETE",
)
CHECKLIST_FIELDS = ("id", "name_ky", "name_ru", "name_en", "required", "order", "DELETE")


def new_criterion(**overrides) -> dict:
    return {
        "name_ky": "Долбоордун актуалдуулугу",
        "name_ru": "Актуальность проекта",
        "max_points": 10,
        "weight": "2",
        "order": 1,
        **overrides,
    }


def competition_data(*, state_body=None, regions=(), criteria=None, checklist=(), **overrides):
    """POST data of a new competition: every field valid, one criterion, unless overridden."""
    from .factories import in_days, service_area

    data = {
        "state_body": state_body.pk if state_body else "",
        "programme": "",
        "title_ky": "Карыларга үйдө кам көрүү",
        "title_ru": "Уход на дому за пожилыми",
        "title_en": "",
        "announcement_ky": "Гранттык сынак.",
        "announcement_ru": "Грантовый конкурс.",
        "announcement_en": "",
        "service_area": service_area().pk,
        "regions": [region.pk for region in regions],
        "total_budget": "1000000",
        "min_grant": "50000",
        "max_grant": "200000",
        "own_contribution_percent": "10",
        "deadline": local_input(in_days(40)),
        "duration_min_months": "3",
        "duration_max_months": "12",
        "eligibility_ky": "Коммерциялык эмес уюмдар.",
        "eligibility_ru": "Некоммерческие организации.",
        "eligibility_en": "",
        "pass_mark": "60",
        "reviews_per_application": "2",
        "quorum": "3",
        "appeal_days": "10",
        "contact_name": "Асанова Гүлнара",
        "contact_email": "grants@example.kg",
        "contact_phone": "",
    }
    data.update(overrides)
    data.update(
        _formset(
            "criteria",
            [new_criterion()] if criteria is None else list(criteria),
            CRITERION_FIELDS,
        )
    )
    data.update(_formset("checklist", list(checklist), CHECKLIST_FIELDS))
    return {key: value for key, value in data.items() if value is not None}


def edit_data(competition: Competition, *, criteria=None, checklist=None, **overrides):
    """POST data that re-submits ``competition`` as its edit form shows it, with overrides."""
    data = {
        "programme": competition.programme_id or "",
        "service_area": competition.service_area_id,
        "target_groups": [group.pk for group in competition.target_groups.all()],
        "regions": [region.pk for region in competition.regions.all()],
        "deadline": local_input(competition.deadline),
        "contact_phone": competition.contact_phone,
    }
    if not competition.is_frozen:
        data["state_body"] = competition.state_body_id
    for name in ("title", "announcement", "eligibility"):
        for language in ("ky", "ru", "en"):
            data[f"{name}_{language}"] = getattr(competition, f"{name}_{language}") or ""
    for name in (
        "total_budget",
        "min_grant",
        "max_grant",
        "own_contribution_percent",
        "duration_min_months",
        "duration_max_months",
        "pass_mark",
        "reviews_per_application",
        "quorum",
        "appeal_days",
        "contact_name",
        "contact_email",
    ):
        data[name] = str(getattr(competition, name))
    data.update(overrides)
    existing = [
        {name: getattr(criterion, name) for name in CRITERION_FIELDS if name != "DELETE"}
        for criterion in competition.criteria.all()
    ]
    initial = len(existing)
    rows = existing if criteria is None else criteria(existing)
    data.update(_formset("criteria", rows, CRITERION_FIELDS, initial=initial))
    items = [
        {name: getattr(item, name) for name in CHECKLIST_FIELDS if name != "DELETE"}
        for item in competition.checklist.all()
    ]
    initial = len(items)
    items = items if checklist is None else checklist(items)
    data.update(_formset("checklist", items, CHECKLIST_FIELDS, initial=initial))
    return data


# Real small files of each type, made here (the upload check reads their bytes)


def pdf_bytes() -> bytes:
    from .factories import PDF_BYTES

    return PDF_BYTES


def make_zip(members: dict[str, bytes], *, stored_first: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if stored_first:
            archive.writestr(
                zipfile.ZipInfo(stored_first), members.pop(stored_first), zipfile.ZIP_STORED
            )
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    return make_zip(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
            "_rels/.rels": b'<?xml version="1.0"?><Relationships/>',
            "word/document.xml": (
                b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                b'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Aryz</w:t></w:r></w:p>'
                b"</w:body></w:document>"
            ),
        }
    )


def xlsx_bytes() -> bytes:
    return make_zip(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
            "xl/workbook.xml": b'<?xml version="1.0"?><workbook/>',
            "xl/worksheets/sheet1.xml": b'<?xml version="1.0"?><worksheet/>',
        }
    )


def odt_bytes(mimetype: bytes = b"application/vnd.oasis.opendocument.text") -> bytes:
    return make_zip(
        {
            "mimetype": mimetype,
            "content.xml": b'<?xml version="1.0"?><office:document-content/>',
            "META-INF/manifest.xml": b'<?xml version="1.0"?><manifest:manifest/>',
        },
        stored_first="mimetype",
    )


def png_bytes() -> bytes:
    """A 1×1 white PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def jpeg_bytes() -> bytes:
    """The start and end markers of a JPEG/JFIF file around an APP0 segment."""
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0 + b"\xff\xd9"


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)
