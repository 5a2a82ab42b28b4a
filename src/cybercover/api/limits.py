"""One size and depth limit for every request body read as JSON (docs/operations.md,
"JSON limits").

Python's ``json`` module parses arrays and objects by recursion: ten thousand ``[`` made
``POST /api/v1/rating`` die with ``RecursionError`` (a 500). :class:`JsonLimits` reads the
body first, so that no handler sees one that is

- larger than ``max_json_bytes``: ``413`` problem JSON (``/problems/body-too-large``),
  from ``Content-Length`` before a byte is read, else as soon as the bytes streamed in
  pass the limit;
- nested deeper than ``max_json_depth`` (arrays and objects, strings skipped):
  ``400`` problem JSON (``/problems/json-too-deep``);
- not UTF-8, or with a NUL byte, when it is not a form: ``400``
  (``/problems/json-not-utf8``). RFC 8259 asks for UTF-8, and ``json.loads`` would
  otherwise take UTF-16 or UTF-32, whose bytes the depth count cannot read;

then hands the body on unchanged. "Read as JSON" is every body but ``multipart/…``:
``/rating`` decodes its body as JSON whatever its ``Content-Type`` says, so a form or an
unlabelled body is counted too (a browser's form has its brackets and quotes
percent-encoded: depth 0). Uploads (``multipart/form-data``) keep their own limit
(``max_upload_bytes``, read by the handlers); a multipart body must start with its
boundary, as the form parser needs anyway, so that one labelled multipart cannot carry
JSON past the count.

Pure ASGI, like the other middlewares of ``api/``: no task per request.
"""

from __future__ import annotations

import re
from array import array
from itertools import accumulate

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cybercover.api.problems import problem

__all__ = ["JsonLimits", "json_depth"]

# A JSON string from its opening quote to its closing one (or to the end of the body):
# a backslash takes the byte after it, as in JSON. Written so that the first, greedy way
# through always matches: no backtracking, whatever the bytes.
_STRING = re.compile(rb'"[^"\\]*(?:\\.?[^"\\]*)*(?:"|\Z)', re.DOTALL)
_BRACKETS = b"[]{}"
_NOT_BRACKETS = bytes(b for b in range(256) if b not in _BRACKETS)
_SIGNS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")  # +1 and -1 as signed bytes
_MULTIPART = "multipart/"
_FORM = "application/x-www-form-urlencoded"


def json_depth(body: bytes) -> int:
    """How deep arrays and objects nest in ``body`` (UTF-8 JSON), brackets inside strings
    not counted; ``[[1], {"a": "]]"}]`` is 2. O(n), no recursion: a regular expression
    drops the strings and ``bytes.translate`` keeps the brackets, both in C.

    For text that is not JSON the count never falls short of what a parser would reach
    before it gave up: both read the same tokens up to the first error."""
    signs = _STRING.sub(b"", body).translate(_SIGNS, _NOT_BRACKETS)
    return max(0, max(accumulate(array("b", signs)), default=0))


class JsonLimits:
    """Refuse a body larger than ``max_bytes`` (413) or deeper than ``max_depth`` (400)
    with problem JSON; otherwise replay it to the app unchanged."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, max_depth: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_depth = max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        media = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media.startswith(_MULTIPART):
            await self._multipart(scope, receive, send)
            return
        length = headers.get("content-length", "")
        if (
            scope["method"] in ("GET", "HEAD", "OPTIONS")
            and not length
            and "transfer-encoding" not in headers
        ):
            await self.app(scope, receive, send)  # a read without a body: nothing to hold
            return
        if length.isascii() and length.isdigit() and int(length) > self.max_bytes:
            await self._too_large(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: nobody to answer
                return
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if media != _FORM and not _utf8_without_nul(body):
            await problem(
                400,
                "json-not-utf8",
                "JSONはUTF-8で送ってください / JSON must be UTF-8",
                "本文がUTF-8ではないか、NUL文字を含みます / the body is not UTF-8 "
                "(RFC 8259) or holds a NUL byte",
            )(scope, receive, send)
            return
        # no more openers than the limit: no need to count (most bodies)
        openers = body.count(b"[") + body.count(b"{")
        if openers > self.max_depth and json_depth(body) > self.max_depth:
            await problem(
                400,
                "json-too-deep",
                "JSONの入れ子が深すぎます / JSON nested too deeply",
                f"配列とオブジェクトの入れ子は{self.max_depth}段までです / arrays and "
                f"objects may be nested at most {self.max_depth} deep",
                limit=self.max_depth,
            )(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _multipart(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass an upload through, once its first bytes (after line breaks) are ``-``,
        the start of its boundary."""
        held: list[Message] = []
        start = b""
        while not start:
            message = await receive()
            held.append(message)
            if message["type"] != "http.request":
                break
            start = message.get("body", b"").lstrip(b"\r\n")[:1]
            if not message.get("more_body", False):
                break
            if sum(len(m.get("body", b"")) for m in held) > self.max_bytes:
                start = b"\r"  # a megabyte of line breaks is no upload
        if start not in (b"", b"-"):
            await problem(
                400,
                "malformed-multipart",
                "アップロードの形式が正しくありません / Malformed upload",
                "multipart/form-data の本文は境界文字列で始まる必要があります / a "
                "multipart/form-data body must start with its boundary",
            )(scope, receive, send)
            return

        async def replay() -> Message:
            return held.pop(0) if held else await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        await problem(
            413,
            "body-too-large",
            "リクエストが大きすぎます / Request body too large",
            f"本文は{self.max_bytes:,}バイトまでです / a request body may have at most "
            f"{self.max_bytes:,} bytes",
            limit=self.max_bytes,
        )(scope, receive, send)


def _utf8_without_nul(body: bytes) -> bool:
    if b"\x00" in body:
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:  # after the body: what the server says next (a disconnect)
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
