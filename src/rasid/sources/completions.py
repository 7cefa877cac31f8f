"""Which files in a folder are complete: renamed or linked into it, or closed after writing.

Linux's inotify says so (IN_MOVED_TO, IN_CLOSE_WRITE, and IN_CREATE for a hard link, which
arrives whole), where the portable watcher (watchfiles) only says that something changed. A
folder source reads such a file at once instead of waiting for it to settle. Elsewhere, or when
inotify cannot be had, `CompletionWatch.open` returns None and files settle as before.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import struct
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

IN_CLOSE_WRITE = 0x00000008
IN_MOVED_TO = 0x00000080
IN_CREATE = 0x00000100
IN_ISDIR = 0x40000000
IN_Q_OVERFLOW = 0x00004000
IN_NONBLOCK = 0o4000
IN_CLOEXEC = 0o2000000
_EVENT = struct.Struct("iIII")
_READ_SIZE = 64 * 1024


class CompletionWatch:
    """An inotify descriptor on one or more directories, reporting complete files."""

    def __init__(self, libc: ctypes.CDLL, fd: int) -> None:
        self._libc = libc
        self._fd = fd
        self._dirs: dict[int, Path] = {}

    @classmethod
    def open(cls) -> CompletionWatch | None:
        """A new watch, or None where inotify is not available."""
        name = ctypes.util.find_library("c")
        if not name or not hasattr(os, "O_NONBLOCK"):
            return None
        try:
            libc = ctypes.CDLL(name, use_errno=True)
            fd = libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
        except (OSError, AttributeError):
            return None
        return cls(libc, fd) if fd >= 0 else None

    def fileno(self) -> int:
        return self._fd

    def add(self, directory: Path) -> bool:
        """Watch `directory` (not its subdirectories); whether that could be done."""
        wd = self._libc.inotify_add_watch(self._fd, os.fsencode(directory), IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE)
        if wd < 0:
            log.debug("inotify watch refused path=%s errno=%d", directory, ctypes.get_errno())
            return False
        self._dirs[wd] = directory
        return True

    def read(self, on_complete: Callable[[Path], None]) -> None:
        """Report each complete file among the pending events (call when the descriptor is readable)."""
        try:
            data = os.read(self._fd, _READ_SIZE)
        except BlockingIOError:
            return
        at = 0
        while at + _EVENT.size <= len(data):
            wd, mask, _, length = _EVENT.unpack_from(data, at)
            raw = data[at + _EVENT.size : at + _EVENT.size + length].rstrip(b"\0")
            at += _EVENT.size + length
            directory = self._dirs.get(wd)
            if directory is None or mask & (IN_ISDIR | IN_Q_OVERFLOW) or not raw:
                continue
            if mask & IN_CREATE and not _linked(directory / os.fsdecode(raw)):
                continue  # a new empty file being written: its close will say when it is complete
            on_complete(directory / os.fsdecode(raw))

    def close(self) -> None:
        os.close(self._fd)


def _linked(path: Path) -> bool:
    """Whether a file just created is a hard link to an existing file (it arrives whole)."""
    try:
        st = path.stat()
    except OSError:
        return False
    return st.st_nlink > 1 and st.st_size > 0
