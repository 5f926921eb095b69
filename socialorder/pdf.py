"""The one place that calls WeasyPrint.

Templates live in ``templates/pdf/``; their CSS names DejaVu fonts explicitly
so that ң ө ү render the same on every machine.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation


def render_pdf(template: str, context: dict, *, language: str) -> bytes:
    """Render ``template`` to PDF bytes in ``language``."""
    return render_pdf_pages(template, context, language=language)[0]


def render_pdf_pages(template: str, context: dict, *, language: str) -> tuple[bytes, int]:
    """Render ``template`` to PDF bytes in ``language``, with the number of pages."""
    from weasyprint import HTML

    with translation.override(language):
        html = render_to_string(template, {**context, "LANGUAGE_CODE": language})
    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render()
    return document.write_pdf(), len(document.pages)
