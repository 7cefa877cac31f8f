"""`FolderScanning`: watched folders read as files arrive and on schedule, their files' state and
the folder's health kept."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from rasid.ingest import Ingested, Ingestion, quiet_before
from rasid.jobs import Jobs
from rasid.models import ItemFailure
from rasid.source_health import SourceHealth
from rasid.sources.completions import CompletionWatch
from rasid.sources.folders import BATCH_BYTES, UNRECORDED, FolderSource
from rasid.sources.health import with_item_outcome
from rasid.store import Store

log = logging.getLogger("rasid.daemon")

ONCE_SETTLE_LIMIT = 30.0
"""`rasid once` waits this long at most for files still being written."""

Watched = tuple[Path, bool]
"""A folder's path and whether its subfolders are watched too."""


class FolderScanning:
    """Scans folders (the ones in force: `folders()`), a batch of files at a time, each batch
    recorded before the next is read; watches them (inotify, and renames and closes after
    writing) so that a complete file is read at once."""

    def __init__(
        self,
        store: Store,
        ingestion: Ingestion,
        health: SourceHealth,
        jobs: Jobs,
        clock: Callable[[], float],
        folders: Callable[[], list[FolderSource]],
    ) -> None:
        self.store = store
        self.ingestion = ingestion
        self.health = health
        self.jobs = jobs
        self.clock = clock
        self.folders = folders
        self._locks: dict[str, asyncio.Lock] = {}
        self._watchers: dict[tuple[str, Watched], asyncio.Task[None]] = {}
        self._completions_due: set[str] = set()
        """Folders with files newly complete, a scan for them already asked for."""

    async def scan(self, folder: FolderSource, rescan: bool = True) -> bool:
        """Read new and changed files, a batch of at most `BATCH_BYTES` at a time, each batch
        recorded before the next is read; returns whether some are still being written."""
        async with self._locks.setdefault(folder.name, asyncio.Lock()):
            known = await asyncio.to_thread(self.store.file_states, folder.name)
            backfill = not known and folder.config.backfill == "skip"
            quiet = quiet_before(self.clock(), folder.config.max_age, backfill)
            done: set[str] = set()
            failures: list[ItemFailure] = []
            unrecorded: list[ItemFailure] = []
            read = 0
            unsettled = False
            while True:
                try:
                    scan = await asyncio.to_thread(folder.scan, known, BATCH_BYTES, frozenset(done))
                except Exception as exc:  # the folder gone, or a bug met on hostile input: counted, not the job
                    error = str(exc) if isinstance(exc, OSError) else f"{type(exc).__name__}: {exc}"
                    log.warning("folder scan failed source=%s error=%r", folder.name, error)
                    await self._note(folder, error=error)
                    return False
                ingested = await self.ingestion.ingest([r for _, reports in scan.reports for r in reports], quiet)
                filed = iter(ingested.filed)
                for rel, reports in scan.reports:
                    of_file = Ingested([next(filed) for _ in reports])
                    unrecorded += of_file.failed
                    if of_file.failed:  # read again at the next scan, for the reports not recorded
                        first = of_file.failed[0]
                        scan.states[rel] = dataclasses.replace(scan.states[rel], status=f"{UNRECORDED}{first.error}")
                    log.info(
                        "file read source=%s file=%s reports=%d new=%d alerts=%d failed=%d",
                        folder.name, rel, len(reports), of_file.new, of_file.alerts, len(of_file.failed),
                    )  # fmt: skip
                await asyncio.to_thread(self.store.save_file_states, folder.name, scan.states)
                done.update(scan.states)
                failures += scan.failures
                read += sum(len(r) for _, r in scan.reports)
                unsettled |= scan.unsettled
                if not scan.more:
                    break
                known = await asyncio.to_thread(self.store.file_states, folder.name)
            self.health.log_failures(folder.name, [("report not recorded", unrecorded)])  # files say their own failures
            await self._note(folder, new_items=read, failures=failures + unrecorded)
        if unsettled and rescan:
            asyncio.get_running_loop().call_later(folder.config.settle, self.rescan, folder)
        return unsettled

    async def scan_settled(self, folder: FolderSource) -> None:
        """Scan until no file is still being written, or give up on those after `ONCE_SETTLE_LIMIT`."""
        deadline = time.monotonic() + ONCE_SETTLE_LIMIT
        while await self.scan(folder, rescan=False):
            if time.monotonic() > deadline:
                log.warning("files still being written left for the next run source=%s", folder.name)
                return
            await asyncio.sleep(max(folder.config.settle, 0.05))

    def rescan(self, folder: FolderSource) -> None:
        """Scan `folder` now, beside its schedule."""
        self.jobs.run_now(f"folder:{folder.name}", partial(self.scan, folder))

    async def _note(
        self, folder: FolderSource, new_items: int = 0, error: str | None = None, failures: list[ItemFailure] | None = None
    ) -> None:
        """Keep a folder's scans in the same table as feeds' polls, for `rasid sources`, and
        announce the folder turning unhealthy or recovering."""
        previous = await asyncio.to_thread(self.store.feed_state, folder.name)
        now = self.clock()
        if error:
            state = dataclasses.replace(previous, last_poll=now, last_status=error, errors=previous.errors + 1, new_items=0)
        else:
            state = dataclasses.replace(previous, last_poll=now, last_success=now, last_status="ok", errors=0, new_items=new_items)
            state = with_item_outcome(state, failures or [], new_items > 0, now)
        state = await self.health.check(folder.name, folder.config.alert_after, state, [])
        state = dataclasses.replace(state, next_poll=now + folder.config.interval)
        await asyncio.to_thread(self.store.save_feed_state, folder.name, state)

    def watch(self, stop: asyncio.Event) -> None:
        """Watchers for exactly the folders in force that ask for one; a watcher outlives reloads
        that keep its folder's path."""
        wanted = {f.name: (f.config.path, f.config.recursive) for f in self.folders() if f.config.watch}
        for key in list(self._watchers):
            if key not in wanted.items():
                self._watchers.pop(key).cancel()
        for key in wanted.items():
            if key not in self._watchers:
                self._watchers[key] = asyncio.get_running_loop().create_task(self._watch(*key, stop))

    async def unwatch(self) -> None:
        watchers = list(self._watchers.values())
        for watcher in watchers:
            watcher.cancel()
        await asyncio.gather(*watchers, return_exceptions=True)

    async def _watch(self, name: str, where: Watched, stop: asyncio.Event) -> None:
        """Scan a folder as soon as something changes in it (inotify); scans on schedule go on too.
        Each scan is of the folder then in force."""
        from watchfiles import awatch

        path, recursive = where
        loop = asyncio.get_running_loop()
        completions = CompletionWatch.open()  # files renamed in or closed after writing: read at once
        if completions is not None:
            for directory in [path, *(p for p in path.rglob("*") if p.is_dir())] if recursive else [path]:
                completions.add(directory)
            loop.add_reader(completions.fileno(), completions.read, partial(self._completed, name))
        try:
            async for _ in awatch(path, recursive=recursive, stop_event=stop, debounce=200, step=50):
                folder = self._folder(name)
                if folder is not None:
                    self.rescan(folder)
        except (OSError, RuntimeError) as exc:
            log.warning("folder watch unavailable, scanning on schedule only source=%s error=%r", name, str(exc))
        finally:
            if completions is not None:
                loop.remove_reader(completions.fileno())
                completions.close()

    def _completed(self, name: str, path: Path) -> None:
        """A file of folder `name` is complete: it is read by a scan started now (one for a burst)."""
        folder = self._folder(name)
        if folder is None:
            return
        folder.completed(path)
        if name not in self._completions_due:
            self._completions_due.add(name)
            asyncio.get_running_loop().call_soon(self._rescan_completed, folder)

    def _rescan_completed(self, folder: FolderSource) -> None:
        self._completions_due.discard(folder.name)
        self.rescan(folder)

    def _folder(self, name: str) -> FolderSource | None:
        return next((f for f in self.folders() if f.name == name), None)
