"""Time the receipt PDF of an application (WeasyPrint through socialorder/pdf.py).

Usage:

    .venv/bin/python benchmarks/receipts.py --receipts 50

Renders the receipt template for a synthetic submitted version with many
attached documents, ``--receipts`` times, in Kyrgyz, and reports the time per
PDF, the pages and the peak memory of the process. Needs no database.
"""

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialorder.settings")
os.environ.setdefault("DEBUG", "1")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--receipts", type=int, default=50)
    parser.add_argument("--documents", type=int, default=12)
    args = parser.parse_args()

    import django

    django.setup()
    import io

    from django.utils import timezone
    from pypdf import PdfReader

    from socialorder.pdf import render_pdf

    snapshot = {
        "project": {"title": "Үйдө кам көрүү: жалгыз басты улгайган адамдарга көмөк"},
        "totals": {"requested": "750000.00"},
        "attachments": [
            {"document": f"Документ № {i}", "file_name": f"документ-{i}.pdf", "sha256": "ab" * 32}
            for i in range(args.documents)
        ],
    }
    competition = SimpleNamespace(
        reference="SSO-2026-0001",
        title="Жалгыз басты улгайган адамдарга үйдө социалдык кызмат көрсөтүү",
        state_body=SimpleNamespace(name="Эмгек жана социалдык өнүгүү министрлиги"),
    )
    application = SimpleNamespace(
        reference="SSO-2026-0001-A001",
        organization=SimpleNamespace(name="«Бирге» коомдук фонду", inn="02301201510011"),
        competition=competition,
    )
    version = SimpleNamespace(
        number=1, submitted_at=timezone.now(), sha256="cd" * 32, snapshot=snapshot
    )
    context = {"version": version, "application": application}

    render_pdf("pdf/application_receipt.html", context, language="ky")  # fonts, caches
    timings = []
    pages = 0
    for _ in range(args.receipts):
        start = time.perf_counter()
        pdf = render_pdf("pdf/application_receipt.html", context, language="ky")
        timings.append((time.perf_counter() - start) * 1000)
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{args.receipts} receipts, {args.documents} documents each, {pages} page(s), "
        f"{len(pdf) / 1024:.0f} KiB: median {statistics.median(timings):.0f} ms, "
        f"max {max(timings):.0f} ms, peak memory {peak_mib:.0f} MiB"
    )


if __name__ == "__main__":
    main()
