"""Uploaded zip archives (.docx, .xlsx): their parts are read whole into memory, so a small
upload that unpacks to gigabytes (a "zip bomb") is refused before it is opened.

Plain Python (no Django): callers pass the limit, which comes from settings.
"""

from __future__ import annotations

import io
import zipfile


def unzipped_size(data: bytes) -> int:
    """The size an archive unpacks to, by its own directory (0 when it is not a zip: the
    reader of that format says what is wrong)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return 0


def too_large(data: bytes, limit: int) -> bool:
    """Whether the archive unpacks to more than ``limit`` bytes."""
    return unzipped_size(data) > limit
