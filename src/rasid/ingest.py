"""`Ingestor`: new reports examined, filed under their stories and recorded, a batch at a time;
`Ingestion`: the same from the event loop.

The `Ingestor` blocks: `Ingestion` calls it off the loop, one thread hop per batch rather than
per report, and on SQLite one transaction per batch (each report in a savepoint of its own).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from rasid.dedup import Candidate, StoryMatch, guid_key, revision_key, unpack_shingles
from rasid.metrics import Metrics
from rasid.models import ItemFailure, Report
from rasid.pipeline import Examined, Pipeline, Plan
from rasid.delivery.payload import burst_document
from rasid.store import QueuedAlert, Silence, Store, StoryInfo

log = logging.getLogger("rasid.daemon")

BATCH = 64
"""Reports recorded in one transaction: enough to spread its cost, few enough that the
delivery and status readers of a SQLite state wait a few tens of milliseconds at most."""
SILENCES_EVERY = 2.0
"""Seconds between reads of the silences in force."""
FOREVER_QUIET = datetime.max.replace(tzinfo=timezone.utc)
"""`quiet_before` for a backlog taken in without alerting, whatever its reports' dates."""


def quiet_before(now: float, max_age: float, backfill: bool) -> datetime:
    """Reports published before this moment are recorded without alerting: older than
    `max_age`, or any, for a `backfill` taken in quietly."""
    return FOREVER_QUIET if backfill else datetime.fromtimestamp(now - max_age, timezone.utc)


@dataclass(frozen=True)
class Filed:
    """What ingesting one report did: its plan once recorded, nothing for a report seen before,
    or why it could not be recorded (it is not marked seen: its source brings it again)."""

    report: Report
    examined: Examined | None = None
    plan: Plan | None = None
    failure: ItemFailure | None = None


@dataclass(frozen=True)
class Edited:
    """A report its source gave before under the same guid, its title or text changed since."""

    examined: Examined


class Ingestor:
    """Turns reports into recorded reports, stories and queued alerts, with the pipeline and
    settings of one config (a reload makes a new one; the store stays)."""

    def __init__(
        self,
        store: Store,
        pipeline: Pipeline,
        metrics: Metrics,
        clock: Callable[[], float],
        dedup_window: float,
        archive: bool,
    ) -> None:
        self.store = store
        self.pipeline = pipeline
        self.metrics = metrics
        self.clock = clock
        self.dedup_window = dedup_window
        self.archive = archive
        self._silences_read: tuple[float, list[Silence]] = (float("-inf"), [])
        self._bursting_read: tuple[float, frozenset[str]] = (float("-inf"), frozenset())

    def examine(self, reports: list[Report]) -> list[Examined | Edited | Filed]:
        """Each report cut to its bounds and examined; one whose guid its source gave before, with
        the same title and text, is that item again and passed over unexamined (a `Filed` without
        a plan: a feed repeats its entries at every poll, this is most), one whose title or text
        changed is `Edited`, and one that cannot be examined is a failed `Filed`."""
        guid_keys = {id(r): guid_key(r) for r in reports if r.guid}
        revisions = {id(r): revision_key(r.bounded()) for r in reports if r.guid}
        seen = self.store.seen_keys([*guid_keys.values(), *revisions.values()])
        out: list[Examined | Edited | Filed] = []
        for report in reports:
            given_before = guid_keys.get(id(report)) in seen
            if given_before and revisions[id(report)] in seen:
                out.append(Filed(report))
                continue
            try:
                examined = self.pipeline.examine(_bounded(report))
            except Exception as exc:  # a bug met on hostile input: this report, not the batch
                out.append(_failed(report, exc))
                continue
            out.append(Edited(examined) if given_before else examined)
        return out

    def record(self, examined: list[Examined | Edited | Filed], quiet_before: datetime | None) -> list[Filed]:
        """File and record examined reports, in one batch; reports published before `quiet_before`
        (a backlog) are recorded without alerting. A report that fails is rolled back alone; a
        batch that cannot be committed fails every report it would have recorded. Only a store
        that cannot be reached (`ConnectionError`) stops them all."""
        filed: list[Filed] = []
        try:
            with self.store.batch():
                for item in examined:
                    if isinstance(item, Filed):
                        filed.append(item)
                    elif isinstance(item, Edited):
                        filed.append(self._record_edit(item.examined, quiet_before))
                    else:
                        filed.append(self._record_one(item, quiet_before))
        except ConnectionError:
            raise
        except Exception as exc:  # the batch could not begin or commit: none of it was recorded
            log.debug("batch not recorded, the traceback", exc_info=True)
            return [item if isinstance(item, Filed) else _failed(_report_of(item), exc) for item in examined]
        for f in filed:
            if f.examined is not None and f.plan is not None:
                self._announce(f.examined, f.plan)
        return filed

    def _record_one(self, examined: Examined, quiet_before: datetime | None) -> Filed:
        report = examined.report
        backlog = _backlog(report, quiet_before)
        try:
            with self.store.ingest_lock(examined.keys, examined.fingerprint.band_keys):
                plan = self._plan(examined, not backlog)
                if plan is None:
                    return Filed(report, examined)
                recorded = self.store.record_report(
                    report, examined.keys, plan.queued, self.clock(), plan.story, self.archive, plan.documents
                )
        except ConnectionError:
            raise
        except Exception as exc:
            log.debug("report not recorded, the traceback source=%s item=%r", report.source, _item(report), exc_info=True)
            return _failed(report, exc)
        if recorded and self.pipeline.bursts and not backlog:
            try:
                self._check_bursts(examined)
            except ConnectionError:
                raise
            except Exception as exc:  # the report is recorded: a burst not told is logged, not a lost report
                log.error("burst check failed source=%s error=%s: %s", report.source, type(exc).__name__, exc)
        return Filed(report, examined, plan if recorded else None)

    def _record_edit(self, examined: Examined, quiet_before: datetime | None) -> Filed:
        """An edited report: it alerts the watch-lists its new text fires and its text before did
        not (and its story has not alerted), recorded as a revision filed under the story, not
        as another source of it; any other edit is only remembered, so it is not examined again."""
        report = examined.report
        revision = revision_key(report)
        try:
            with self.store.ingest_lock(examined.keys, examined.fingerprint.band_keys):
                if self.store.seen_keys([revision]):  # another instance took this edit in meanwhile
                    return Filed(report, examined)
                known = [k for k in self.store.find_reports([guid_key(report)]) if k.source == report.source]
                if not known:
                    return Filed(report, examined)
                original = known[0]
                plan = self._edit_plan(examined, original.report_id, original.story_id, not _backlog(report, quiet_before))
                if plan is None:
                    self.store.add_keys(original.report_id, [revision])
                    return Filed(report, examined)
                recorded = self.store.record_report(
                    report, [revision], plan.queued, self.clock(), plan.story, self.archive, plan.documents
                )
        except ConnectionError:
            raise
        except Exception as exc:
            log.debug("edit not recorded, the traceback source=%s item=%r", report.source, _item(report), exc_info=True)
            return _failed(report, exc)
        return Filed(report, examined, plan if recorded else None)

    def _edit_plan(self, examined: Examined, report_id: int, story_id: str | None, alerting: bool) -> Plan | None:
        """The plan of an edit that makes watch-lists fire which the text it replaced did not;
        None for any other (also when the archive no longer has the text it replaced)."""
        text_keys = [k for k in examined.keys if k.startswith("text:")]
        if story_id is None or not alerting or self.store.seen_keys(text_keys):  # a text seen before: not news
            return None
        before = self.store.archived_report(str(report_id))
        if before is None:
            return None
        story = self.store.story_info(story_id)
        fired = [v for v in self.pipeline.newly_fired(examined, before.text) if v.watchlist not in story.alerted]
        if not fired:
            return None
        now = self.clock()
        edit = Examined(examined.report, [revision_key(examined.report)], fired, examined.fingerprint)
        return self.pipeline.plan(
            edit, StoryMatch(story_id, report_id, 1.0, 1.0), story, datetime.fromtimestamp(now, timezone.utc), True,
            self._silences(now), self._bursting(now), edit=True,
        )  # fmt: skip

    def _plan(self, examined: Examined, alerting: bool) -> Plan | None:
        """The plan for a new report (reads the store); None for one seen before.

        A report whose guid, URL or text is known is the same item again when it comes from
        the same source, and an exact copy of that story when it comes from another."""
        report = examined.report
        known = self.store.find_reports(examined.keys)
        if known:
            same_item = [k for k in known if k.source == report.source or k.story_id is None]
            if same_item:
                self.store.add_keys(same_item[0].report_id, examined.keys)
                return None
            match: StoryMatch | None = StoryMatch(known[0].story_id or "", known[0].report_id, 1.0, 1.0)
        else:
            rows = self.store.similar_reports(examined.fingerprint.band_keys, self.clock() - self.dedup_window)
            candidates = [Candidate(rid, sid, unpack_shingles(blob)) for rid, sid, blob in rows]
            self.metrics.dedup_candidates.observe(len(candidates))
            match = self.pipeline.same_story(examined, candidates)
        story = self.store.story_info(match.story_id) if match else StoryInfo(0, frozenset())
        now = self.clock()
        return self.pipeline.plan(
            examined, match, story, datetime.fromtimestamp(now, timezone.utc), alerting, self._silences(now), self._bursting(now)
        )

    def _bursting(self, now: float) -> frozenset[str]:
        """The watch-lists within a burst's window, read with the silences (`SILENCES_EVERY`)."""
        if not self.pipeline.bursts:
            return frozenset()
        if now - self._bursting_read[0] >= SILENCES_EVERY or now < self._bursting_read[0]:
            within = {name: b.within for name, b in self.pipeline.bursts.items()}
            self._bursting_read = (now, frozenset(self.store.bursting(now, within)))
        return self._bursting_read[1]

    def _check_bursts(self, examined: Examined) -> None:
        """After a report firing watch-lists that watch for bursts: queue a `burst` event for
        each that now has enough outlets."""
        now = self.clock()
        for verdict in examined.verdicts:
            burst = self.pipeline.bursts.get(verdict.watchlist)
            if burst is None:
                continue
            stories = self.store.burst(verdict.watchlist, burst.outlets, burst.within, now)
            if stories is None:
                continue
            outlets = len({s.source for story in stories for s in story.sources if s.seen >= now - burst.within})
            document = burst_document(
                verdict.watchlist, outlets, burst.within,
                [{"id": s.id, "title": s.title, "outlets": list(dict.fromkeys(x.source for x in s.sources))} for s in stories],
                datetime.fromtimestamp(now, timezone.utc),
            )  # fmt: skip
            notifiers = self.pipeline.routes.get(verdict.watchlist, ())
            self.store.enqueue([QueuedAlert(document["id"], n, document) for n in notifiers], now)
            self._bursting_read = (float("-inf"), frozenset())  # read again: its alerts are urgent from now
            log.warning("burst watchlist=%s outlets=%d within=%.0fs stories=%d", verdict.watchlist, outlets, burst.within, len(stories))

    def _silences(self, now: float) -> list[Silence]:
        """The silences in force, read again every `SILENCES_EVERY` seconds (a silence added by
        `rasid silence add` holds within that, on every instance)."""
        if now - self._silences_read[0] >= SILENCES_EVERY or now < self._silences_read[0]:
            self._silences_read = (now, self.store.silences(now))
        return self._silences_read[1]

    def _announce(self, examined: Examined, plan: Plan) -> None:
        """Count and log a recorded report."""
        report = examined.report
        self.metrics.reports.labels(report.source).inc()
        for verdict in examined.verdicts:
            self.metrics.matches.labels(verdict.watchlist).inc(len(verdict.matches))
        silenced = {d["id"]: d["silenced"]["id"] for d in plan.documents if "silenced" in d}
        for alert in plan.alerts:
            if alert.id in silenced:
                log.info("alert silenced alert=%s watchlist=%s story=%s silence=%s", alert.id, alert.watchlist, alert.story_id, silenced[alert.id])
                continue
            self.metrics.alerts.labels(alert.watchlist).inc()
            log.info(
                "alert queued alert=%s watchlist=%s story=%s source=%s notifiers=%s",
                alert.id, alert.watchlist, alert.story_id, report.source, ",".join(alert.notifiers) or "-",
            )  # fmt: skip
        if plan.edit:
            log.info("report edited story=%s source=%s item=%r", plan.story.story_id, report.source, _item(report))
        elif not plan.story.new_story:
            log.info(
                "story carried again story=%s source=%s similarity=%s updates=%s",
                plan.story.story_id, report.source, plan.story.similarity, ",".join(plan.updates) or "-",
            )  # fmt: skip


@dataclass
class Ingested:
    """What ingesting reports did, report by report."""

    filed: list[Filed] = field(default_factory=list)

    @property
    def new(self) -> int:
        return sum(1 for f in self.filed if f.plan is not None)

    @property
    def alerts(self) -> int:
        return sum(len(f.plan.alerts) for f in self.filed if f.plan is not None)

    @property
    def queued(self) -> int:
        return sum(len(f.plan.queued) for f in self.filed if f.plan is not None)

    @property
    def failed(self) -> list[ItemFailure]:
        """Reports that could not be recorded (not marked seen: they come again)."""
        return [f.failure for f in self.filed if f.failure is not None]


class Ingestion:
    """Reports from every source through one `Ingestor` (replaced when the config is), from the
    event loop: examined off the loop, and recorded one batch at a time, since each batch meets
    the story index as the previous one left it; `queued()` is told when alerts were queued."""

    def __init__(self, ingestor: Ingestor, queued: Callable[[], None]) -> None:
        self.ingestor = ingestor
        self.queued = queued
        self._recording = asyncio.Lock()

    async def ingest(self, reports: list[Report], quiet_before: datetime | None = None) -> Ingested:
        """Record each report once, file it under its story and queue its alerts, `BATCH` reports
        at a time. Reports published before `quiet_before` (a backlog) are recorded without
        alerting. One that fails is returned in `failed` (for the caller to log and count), is
        not marked seen, and never stops the others (only a store that cannot be reached stops
        them all). `Ingested.filed` follows the order of `reports`."""
        result = Ingested()
        ingestor = self.ingestor
        for start in range(0, len(reports), BATCH):
            examined = await asyncio.to_thread(ingestor.examine, reports[start : start + BATCH])
            async with self._recording:
                result.filed += await asyncio.to_thread(ingestor.record, examined, quiet_before)
        if result.queued:
            self.queued()
        return result


def _backlog(report: Report, quiet_before: datetime | None) -> bool:
    """Whether a report is taken in without alerting: published before `quiet_before`."""
    return quiet_before is not None and (
        quiet_before == FOREVER_QUIET or (report.published is not None and report.published < quiet_before)
    )


def _report_of(item: Examined | Edited) -> Report:
    return item.examined.report if isinstance(item, Edited) else item.report


def _bounded(report: Report) -> Report:
    """`report` cut to its bounds; a cut text is logged (a title is a display line, cut silently)."""
    bounded = report.bounded()
    if len(bounded.text) < len(report.text):
        log.warning(
            "report cut source=%s item=%r chars=%d kept=%d",
            report.source, _item(report), len(report.text), len(bounded.text),
        )  # fmt: skip
    return bounded


def _item(report: Report) -> str:
    """How a report is named in failures and logs."""
    return report.guid or report.url or report.path or report.title[:100]


def _failed(report: Report, exc: Exception) -> Filed:
    return Filed(report, failure=ItemFailure(_item(report), f"{type(exc).__name__}: {exc}"[:500]))
