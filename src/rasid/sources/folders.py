"""`FolderSource`: new or changed files in a folder become reports."""

from __future__ import annotations

import fnmatch
import hashlib
import logging
import os
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path

from rasid.config.models import FolderConfig
from rasid.models import ItemFailure, Report
from rasid.sources.decode import BinaryContent, is_binary
from rasid.sources.documents import UnreadableDocument, read_documents
from rasid.store.base import FileState

log = logging.getLogger("rasid.sources.folder")

BATCH_BYTES = 32_000_000
"""A scan reads files until this many bytes are read, and the daemon ingests them before the
scan reads more: many large files arriving together never sit in memory all at once."""
READ = "read"
SKIPPED = "skipped: "
"""Not a report (binary, over `max_bytes`, a link out of the folder): not read again until it changes."""
FAILED = "failed: "
"""Its content could not be read: counted as an item failure, not read again until it changes."""
UNREADABLE = "unreadable: "
"""The file could not be opened or read (permissions, say), or memory ran short: tried again at every scan."""
UNRECORDED = "unrecorded: "
"""Some of its reports could not be recorded: read again at every scan."""
RETRIED = (UNREADABLE, UNRECORDED)


class Skipped(Exception):
    """A file that is not a report by the folder's rules."""


@dataclass
class FolderScan:
    """Reports found in one scan, and the file states to remember once they are recorded."""

    reports: list[tuple[str, list[Report]]] = field(default_factory=list)
    states: dict[str, FileState] = field(default_factory=dict)
    failures: list[ItemFailure] = field(default_factory=list)
    """Files and saved-feed entries newly found unreadable (one that keeps failing alike is listed once)."""
    unsettled: bool = False
    """Some files are still changing: scan again after `settle`."""
    more: bool = False
    """The scan stopped at `BATCH_BYTES`: scan again, once these are recorded, for the rest."""


def display_name(name: str) -> str:
    """A file name as text that can be stored and logged: bytes that are not UTF-8 (a name in
    windows-1256, say) are written as `\\xNN`."""
    return os.fsencode(name).decode("utf-8", errors="backslashreplace")


class FolderSource:
    """Reads a folder; never modifies or deletes a file, never follows a link out of it unless
    `follow_links` is set."""

    def __init__(self, config: FolderConfig) -> None:
        self.config = config
        self.name = config.name
        self._observed: dict[str, tuple[int, int, float]] = {}
        """Files seen changing: size, mtime and when that was first seen (monotonic)."""
        self._complete: dict[str, tuple[int, int]] = {}
        """Files known complete (renamed in, or closed after writing): their size and mtime then."""

    def completed(self, path: Path) -> None:
        """`path` is complete as it stands now (`completions.CompletionWatch`): read it without
        waiting for it to settle, unless it changes again first. Thread-safe enough: one dict store."""
        try:
            st = path.stat()
            rel = display_name(path.relative_to(self.config.path).as_posix())
        except (OSError, ValueError):
            return
        self._complete[rel] = (st.st_size, st.st_mtime_ns)

    def scan(
        self, known: dict[str, FileState], budget: int = BATCH_BYTES, done: frozenset[str] = frozenset()
    ) -> FolderScan:
        """Read files that are new or changed since `known` (and those to try again), about
        `budget` bytes of them at most, passing over the files `done` earlier in this pass;
        blocking, run it in a thread. Each file is read on its own: one that fails is logged,
        listed in `failures` and remembered, and never stops the others."""
        scan = FolderScan()
        root = self.config.path
        if not root.is_dir():
            raise FileNotFoundError(f"folder {root} does not exist")
        real_root = os.path.realpath(root)
        spent = 0
        for name, path, st in self._files(str(root)):
            rel = display_name(name)
            if rel in done:
                continue
            previous = known.get(rel)
            if (
                previous
                and previous.size == st.st_size
                and previous.mtime_ns == st.st_mtime_ns
                and not previous.status.startswith(RETRIED)
            ):
                continue
            if not self._settled(rel, st.st_size, st.st_mtime_ns):
                scan.unsettled = True
                continue
            if spent >= budget:
                scan.more = True
                break
            self._observed.pop(rel, None)
            where = f"source={self.name} file={rel}"
            try:
                data = self._contents(name, path, real_root, st.st_size)
                spent += len(data)
                reports, failures = self._reports(path, rel, data, where)
            except Skipped as exc:
                log.warning("file skipped %s reason=%r", where, str(exc))
                scan.states[rel] = FileState(st.st_size, st.st_mtime_ns, f"{SKIPPED}{exc}")
                continue
            except (OSError, MemoryError) as exc:  # may pass: tried again
                reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
                status = f"{UNREADABLE}{reason}"
                if previous is None or previous.status != status:
                    log.warning("file unreadable, tried again at every scan %s error=%r", where, reason)
                    scan.failures.append(ItemFailure(rel, status))
                scan.states[rel] = FileState(st.st_size, st.st_mtime_ns, status)
                continue
            except (BinaryContent, UnreadableDocument) as exc:
                self._fail(scan, rel, where, st, str(exc))
                continue
            except Exception as exc:  # hostile content finds bugs anywhere: this file fails, the others go on
                log.debug("file failed %s", where, exc_info=True)
                self._fail(scan, rel, where, st, f"{type(exc).__name__}: {exc}")
                continue
            for failure in failures:
                log.warning("entry skipped %s item=%r error=%r", where, failure.item, failure.error)
                scan.failures.append(ItemFailure(f"{rel} {failure.item}", failure.error))
            scan.reports.append((rel, reports))
            scan.states[rel] = FileState(st.st_size, st.st_mtime_ns, READ)
        return scan

    @staticmethod
    def _fail(scan: FolderScan, rel: str, where: str, st: os.stat_result, error: str) -> None:
        log.warning("file failed %s error=%r", where, error)
        scan.failures.append(ItemFailure(rel, error))
        scan.states[rel] = FileState(st.st_size, st.st_mtime_ns, f"{FAILED}{error}")

    def _settled(self, rel: str, size: int, mtime_ns: int) -> bool:
        """Whether a file has stopped changing: untouched for `settle`, or unchanged since a scan that long ago."""
        settle = self.config.settle
        complete = self._complete.pop(rel, None) == (size, mtime_ns)
        if complete or time.time() - mtime_ns / 1e9 >= settle:
            return True
        seen = self._observed.get(rel)
        now = time.monotonic()
        if seen is None or seen[:2] != (size, mtime_ns):
            self._observed[rel] = (size, mtime_ns, now)
            return settle == 0
        return now - seen[2] >= settle

    def _files(self, root: str) -> list[tuple[str, str, os.stat_result]]:
        """The folder's files matching `patterns` (in subfolders too if `recursive`, entering no
        link to a folder), sorted: each as its name under the folder, its path and its stat."""
        found = []
        folders = [("", root)]
        while folders:
            prefix, folder = folders.pop()
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.name.startswith("."):
                        continue
                    try:
                        if self.config.recursive and entry.is_dir(follow_symlinks=False):
                            folders.append((prefix + entry.name + "/", entry.path))
                        elif entry.is_file() and any(fnmatch.fnmatch(entry.name, p) for p in self.config.patterns):
                            found.append((prefix + entry.name, entry.path, entry.stat()))
                    except OSError:  # gone since listed
                        continue
        return sorted(found, key=lambda f: f[0].split("/"))

    def _contents(self, name: str, path: str, real_root: str, size: int) -> bytes:
        """The file's bytes, read through one descriptor that is checked to be a regular file
        inside the folder (unless `follow_links`), so that a file swapped for a link between
        listing and reading is not followed either."""
        if size > self.config.max_bytes:
            raise Skipped(f"larger than max_bytes ({size} > {self.config.max_bytes})")
        flags = os.O_RDONLY | os.O_NONBLOCK
        target = path
        if not self.config.follow_links:
            # a plain file at the top needs no resolving (O_NOFOLLOW refuses it turned into a
            # link since); a link, or a file in a subfolder that may have become one, does
            plain = "/" not in name and not os.path.islink(path)
            target = os.path.join(real_root, name) if plain else os.path.realpath(path)
            if os.path.commonpath([real_root, target]) != real_root:
                raise Skipped("a link to a file outside the folder (follow_links is off)")
            flags |= os.O_NOFOLLOW
        fd = os.open(target, flags)
        with os.fdopen(fd, "rb") as f:
            opened = os.fstat(fd)
            if not stat.S_ISREG(opened.st_mode):
                raise Skipped("not a regular file")
            # read to the size it has (a buffer of max_bytes costs more than a small file), and
            # on to max_bytes should it have grown or have a size its file system does not know
            data = f.read(min(opened.st_size, self.config.max_bytes) + 1)
            if opened.st_size < len(data) <= self.config.max_bytes:
                data += f.read(self.config.max_bytes + 1 - len(data))
        if len(data) > self.config.max_bytes:
            raise Skipped(f"larger than max_bytes (over {self.config.max_bytes})")
        if is_binary(data):
            raise Skipped("binary: contains NUL bytes")
        return data

    def _reports(self, path: str, rel: str, data: bytes, where: str) -> tuple[list[Report], list[ItemFailure]]:
        digest = hashlib.sha256(data).hexdigest()[:16]
        documents, failures = read_documents(os.path.basename(path), data, time.time(), where)
        reports = [
            Report(
                self.name, doc.title, doc.text, url=doc.url, guid=doc.key or f"file:{rel}:{digest}:{i}",
                published=doc.published, path=display_name(str(path)),
            )  # fmt: skip
            for i, doc in enumerate(documents)
        ]
        return reports, failures
