"""Office files (DOCX, XLSX) are zip packages whose entries carry the time
they were written. Rewriting them with fixed times (and an optional change to
an entry) makes the same content give the same bytes, build after build."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def stable_zip(data: bytes, transform: Callable[[str, bytes], bytes] | None = None, mode: int = 0o644) -> bytes:
    """The same entries, in the same order, with fixed times and permissions."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if transform is not None:
                body = transform(info.filename, body)
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = mode << 16
            dst.writestr(fixed, body)
    return out.getvalue()
