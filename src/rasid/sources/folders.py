"""`FolderSource`: new or changed files in a folder become reports."""

from __future__ import annotations

import fnmatch
import hashlib
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from rasid.config.models import FolderConfig
from rasid.models import Report
from rasid.sources.decode import BinaryContent
from rasid.sources.documents import UnreadableDocument, read_documents
from rasid.store.base import FileState

log = logging.getLogger("rasid.sources.folder")


@dataclass
class FolderScan:
    """Reports found in one scan, and the file states to remember once they are recorded."""

    reports: list[tuple[str, list[Report]]] = field(default_factory=list)
    states: dict[str, FileState] = field(default_factory=dict)
    unsettled: bool = False
    """Some files are still changing: scan again after `settle`."""


class FolderSource:
    """Reads a folder; never modifies or deletes a file."""

    def __init__(self, config: FolderConfig) -> None:
        self.config = config
        self.name = config.name
        self._observed: dict[str, tuple[int, int, float]] = {}
        """Files seen changing: size, mtime and when that was first seen (monotonic)."""

    def scan(self, known: dict[str, FileState]) -> FolderScan:
        """Read files that are new or changed since `known`; blocking, run it in a thread."""
        scan = FolderScan()
        root = self.config.path
        if not root.is_dir():
            raise FileNotFoundError(f"folder {root} does not exist")
        for path in sorted(self._files(root)):
            rel = path.relative_to(root).as_posix()
            try:
                st = path.stat()
            except OSError:
                continue
            previous = known.get(rel)
            if previous and previous.size == st.st_size and previous.mtime_ns == st.st_mtime_ns:
                continue
            if not self._settled(rel, st.st_size, st.st_mtime_ns):
                scan.unsettled = True
                continue
            self._observed.pop(rel, None)
            state = FileState(st.st_size, st.st_mtime_ns, "read")
            try:
                reports = self._read(path, rel, st.st_size)
            except (OSError, BinaryContent, UnreadableDocument) as exc:
                log.warning("file skipped source=%s file=%s reason=%r", self.name, rel, str(exc))
                scan.states[rel] = FileState(st.st_size, st.st_mtime_ns, f"skipped: {exc}")
                continue
            scan.reports.append((rel, reports))
            scan.states[rel] = state
        return scan

    def _settled(self, rel: str, size: int, mtime_ns: int) -> bool:
        """Whether a file has stopped changing: untouched for `settle`, or unchanged since a scan that long ago."""
        settle = self.config.settle
        if time.time() - mtime_ns / 1e9 >= settle:
            return True
        seen = self._observed.get(rel)
        now = time.monotonic()
        if seen is None or seen[:2] != (size, mtime_ns):
            self._observed[rel] = (size, mtime_ns, now)
            return settle == 0
        return now - seen[2] >= settle

    def _files(self, root: Path) -> list[Path]:
        candidates = root.rglob("*") if self.config.recursive else root.iterdir()
        return [
            p
            for p in candidates
            if p.is_file()
            and not p.name.startswith(".")
            and any(fnmatch.fnmatch(p.name, pat) for pat in self.config.patterns)
        ]

    def _read(self, path: Path, rel: str, size: int) -> list[Report]:
        if size > self.config.max_bytes:
            raise UnreadableDocument(f"larger than max_bytes ({size} > {self.config.max_bytes})")
        data = path.read_bytes()
        if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise BinaryContent("contains NUL bytes")
        digest = hashlib.sha256(data).hexdigest()[:16]
        reports = []
        for i, doc in enumerate(read_documents(path.name, data, time.time())):
            guid = doc.key or f"file:{rel}:{digest}:{i}"
            reports.append(
                Report(self.name, doc.title, doc.text, url=doc.url, guid=guid, published=doc.published, path=str(path))
            )
        return reports
