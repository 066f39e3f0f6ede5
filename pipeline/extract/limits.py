"""Enforcing `ResourceLimits`: a page over a limit raises `OverLimit` naming the page and the
limit, before the work it would blow up is done.

The content size is measured with pikepdf, before pdfium parses the page (pdfium inflates every
content stream when it loads a page): Flate streams are inflated chunk by chunk and counting
stops at the limit, so a decompression bomb never occupies more than one chunk of memory.
"""

from __future__ import annotations

import base64
import os
import resource
import signal
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium

from pipeline.extract.pdf import page_text
from pipeline.extract.settings import ResourceLimits

MB = 1 << 20
INFLATE_CHUNK = 1 * MB  # memory one inflate step may take while a stream is measured
_FLATE = "/FlateDecode"


class OverLimit(Exception):
    """A page or worker past one of the `ResourceLimits`; the message is what an operator
    reads: which page, which limit and the option that changes it."""

    def __init__(self, page: int, message: str) -> None:
        super().__init__(f"page {page}: {message}")  # page: 1-based


def _filters(stream: pikepdf.Stream) -> list[str]:
    """The names of the stream's filters, in the order they decode ("/FlateDecode")."""
    filters = stream.get("/Filter")
    if filters is None:
        return []
    return [str(f) for f in filters] if isinstance(filters, pikepdf.Array) else [str(filters)]


def _ascii85(data: bytes) -> bytes:
    return base64.a85decode(data.strip().removeprefix(b"<~").removesuffix(b"~>"))


def _ascii_hex(data: bytes) -> bytes:
    digits = b"".join(data.split()).split(b">")[0]
    return bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode("ascii"))


# Filters whose output is no longer than their input: decoded in full, cheaply, before inflating
# (reportlab writes its content streams as ASCII85 over Flate).
_SHRINKING = {"/ASCII85Decode": _ascii85, "/ASCIIHexDecode": _ascii_hex}


def _inflated_size(stream: pikepdf.Stream, ceiling: int) -> int:
    """The stream's decoded size, or a number past `ceiling` as soon as it is known to be."""
    filters, pending = _filters(stream), stream.read_raw_bytes()
    try:
        while filters and filters[0] in _SHRINKING:
            pending = _SHRINKING[filters.pop(0)](pending)
        if filters and filters != [_FLATE]:  # LZW, RunLength: rare in content streams
            return len(stream.read_bytes())
    except (ValueError, pikepdf.DataDecodingError):
        return 0  # a damaged stream: pdfium reads what it can, as it does for the whole page
    if not filters:
        return len(pending)
    inflater, size = zlib.decompressobj(), 0
    while pending and size <= ceiling:
        try:
            size += len(inflater.decompress(pending, INFLATE_CHUNK))
        except zlib.error:
            break  # a damaged stream: pdfium reads what it can, as it does for the whole page
        pending = inflater.unconsumed_tail
    return size


def _content_streams(page: pikepdf.Page) -> Iterator[pikepdf.Stream]:
    """The page's content streams and those of the form XObjects it draws, each once (forms
    may nest and refer to each other)."""
    contents = page.obj.get("/Contents")
    todo: list[pikepdf.Object] = list(contents) if isinstance(contents, pikepdf.Array) else []
    if isinstance(contents, pikepdf.Stream):
        todo.append(contents)
    todo += list(_form_xobjects(page.obj))
    seen: set[tuple[int, int]] = set()
    while todo:
        stream = todo.pop()
        if not isinstance(stream, pikepdf.Stream) or stream.objgen in seen:
            continue
        if stream.objgen != (0, 0):
            seen.add(stream.objgen)
        yield stream
        todo += list(_form_xobjects(stream))


def _form_xobjects(holder: pikepdf.Object) -> Iterator[pikepdf.Object]:
    resources = holder.get("/Resources")
    xobjects = resources.get("/XObject") if isinstance(resources, pikepdf.Dictionary) else None
    if not isinstance(xobjects, pikepdf.Dictionary):
        return
    for _, xobject in xobjects.items():
        if isinstance(xobject, pikepdf.Stream) and xobject.get("/Subtype") == "/Form":
            yield xobject


class ContentCheck:
    """Measures pages of one PDF against `max_page_content_mb` before anything parses them."""

    def __init__(self, path: Path, limits: ResourceLimits) -> None:
        # opened by descriptor: pikepdf cannot take a file name that is not UTF-8
        self.file = open(os.open(path, os.O_RDONLY), "rb")  # noqa: SIM115 (closed in __exit__)
        try:
            self.pdf = pikepdf.open(self.file)
        except BaseException:
            self.file.close()
            raise
        self.ceiling = int(limits.max_page_content_mb * MB)
        self.limit_mb = limits.max_page_content_mb
        self.over: list[OverLimit] = []  # the pages found over the limit, in the order checked

    def __enter__(self) -> ContentCheck:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pdf.close()
        self.file.close()

    def check(self, index: int) -> None:
        """Raises OverLimit when page `index` (0-based) decodes to more than the limit."""
        size = 0
        for stream in _content_streams(self.pdf.pages[index]):
            size += _inflated_size(stream, self.ceiling - size)
            if size > self.ceiling:
                self.over.append(
                    OverLimit(
                        index + 1,
                        f"its content streams decompress to more than the limit of "
                        f"{self.limit_mb:g} MB (--max-page-content-mb); not read",
                    )
                )
                raise self.over[-1]

    def page_text(self, document: pdfium.PdfDocument, index: int) -> str:
        """The text of page `index` (0-based) of the same PDF opened by pdfium; empty for a page
        over the limit, which pdfium never loads (loading a page parses its content)."""
        try:
            self.check(index)
        except OverLimit:
            return ""
        page = document[index]
        try:
            textpage = page.get_textpage()
            try:
                return page_text(textpage)
            finally:
                textpage.close()
        finally:
            page.close()


def check_chars(page: int, chars: int, limits: ResourceLimits) -> None:
    """Raises OverLimit when a page (1-based) holds more characters than the limit."""
    if chars > limits.max_page_chars:
        raise OverLimit(
            page,
            f"{chars} characters, over the limit of {limits.max_page_chars} "
            "(--max-page-chars); not read",
        )


@contextmanager
def page_time_limit(page: int, limits: ResourceLimits) -> Iterator[None]:
    """Raises OverLimit in the block when it runs past `max_page_seconds`. Needs the main thread
    (signals); elsewhere (a dask worker's thread) the block runs without a time limit."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise OverLimit(
            page,
            f"reading it took longer than the limit of {limits.max_page_seconds:g} s "
            "(--max-page-seconds)",
        )

    previous = signal.signal(signal.SIGALRM, expire)
    try:  # the timer starts inside: however soon it fires, the handler is put back
        signal.setitimer(signal.ITIMER_REAL, limits.max_page_seconds)
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def out_of_memory(page: int, limits: ResourceLimits) -> OverLimit:
    return OverLimit(
        page,
        f"reading it needed more than the worker's memory limit of "
        f"{limits.max_worker_memory_mb} MB (--max-worker-memory-mb)",
    )


def _data_size() -> int:
    """Bytes of private writable memory this process maps now (Linux's VmData; 0 elsewhere)."""
    try:
        with open("/proc/self/status") as status:
            line = next(line for line in status if line.startswith("VmData:"))
    except (OSError, StopIteration):
        return 0
    return int(line.split()[1]) * 1024


def limit_memory(limits: ResourceLimits) -> None:
    """Cap this process's data memory at what it holds now plus `max_worker_memory_mb`: past it
    an allocation fails (MemoryError) instead of the machine swapping. For page workers.

    RLIMIT_DATA rather than RLIMIT_AS: the address space counts the arenas malloc reserves
    without using them, so a cap on it would be too loose or too tight by tens of MB."""
    cap = _data_size() + limits.max_worker_memory_mb * MB
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (cap, hard))


def worker_died(pages: range, limits: ResourceLimits) -> str:
    """The line for pages whose worker was killed twice while reading them."""
    one = len(pages) == 1
    span = f"page {pages[0] + 1}" if one else f"pages {pages[0] + 1}-{pages[-1] + 1}"
    return (
        f"{span}: the worker reading {'it' if one else 'them'} was killed (out of memory past "
        f"the limit of {limits.max_worker_memory_mb} MB (--max-worker-memory-mb), or a crash "
        "in pdfium)"
    )
