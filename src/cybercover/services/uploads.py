"""The checks every uploaded file passes: type, bytes matching the type, size, name."""

from __future__ import annotations

import re

from cybercover.errors import Problem

__all__ = ["ALLOWED_UPLOADS", "check_upload"]

ALLOWED_UPLOADS = {
    "application/pdf": b"%PDF-",
    "image/png": b"\x89PNG\r\n\x1a\n",
    "image/jpeg": b"\xff\xd8\xff",
}
_SAFE_NAME = re.compile(r"[^\w.\-]+", re.UNICODE)


def check_upload(
    filename: str, content_type: str, data: bytes, max_bytes: int
) -> tuple[str, list[Problem]]:
    """The safe file name (its last part only, no path tricks) and every problem found:
    a type other than PDF/PNG/JPEG, bytes that do not match the type, empty, too large."""
    problems: list[Problem] = []
    magic = ALLOWED_UPLOADS.get(content_type)
    if magic is None:
        problems.append(
            Problem(
                "file",
                "content_type",
                "PDF・PNG・JPEG のみ受け付けます",
                "only PDF, PNG and JPEG files are accepted",
            )
        )
    elif not data.startswith(magic):
        problems.append(
            Problem(
                "file",
                "content_mismatch",
                "ファイルの内容が形式と一致しません",
                f"the file is not a {content_type} file",
            )
        )
    if not data:
        problems.append(Problem("file", "empty", "空のファイルです", "the file is empty"))
    elif len(data) > max_bytes:
        problems.append(
            Problem(
                "file",
                "too_large",
                f"{max_bytes:,}バイトを超えています",
                f"the file is larger than {max_bytes:,} bytes",
            )
        )
    safe = (
        _SAFE_NAME.sub("_", filename.replace("\\", "/").rsplit("/", 1)[-1]).strip("._")[:200]
        or "upload"
    )
    return safe, problems
