"""Changes to a watch-list that would have kept it from firing on a false positive, each
checked the way `rasid diff-config` checks a change: run over the archive, it must no longer
fire on that report, and it says which other reports it would stop alerting on."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from rasid.config.models import CustomPlace, Term, WatchList
from rasid.match import build_matcher
from rasid.models import Match
from rasid.replay import Fired, diff, replay
from rasid.store.base import ArchivedReport

PLACE_CUES = ["مدينة", "بلدة", "قرية", "ريف", "محافظة", "منطقة", "في"]
"""What a place named by a common word or a person's name is required to follow (`context`)."""
NEAR_WORDS = 10
"""The `near` offered when a report's place and keyword stand farther apart than this."""
_WORD = re.compile(r"[\w\u0600-\u06ff]+")

FixKind = Literal["exclude_near", "context", "near"]


@dataclass(frozen=True)
class Fix:
    """One change, what it looks like in the YAML, and what it does to the archive."""

    kind: FixKind
    change: str
    """The change as YAML to write into the watch-list."""
    prevents: bool
    """Whether the watch-list, changed, no longer fires on the report."""
    also_dropped: list[Fired]
    """Other archived reports the changed watch-list no longer fires on."""
    fired_before: int
    """Archived reports the watch-list fired on as it is."""


def candidates(watchlist: WatchList, text: str, matches: Iterable[Match]) -> list[tuple[FixKind, WatchList, str]]:
    """Each change worth checking: the phrase a match stood in (`exclude_near`), a place cue
    for a place without one (`context`), and a distance between place and keyword (`near`)."""
    out: list[tuple[FixKind, WatchList, str]] = []
    matched = list(matches)
    for m in matched:
        for phrase in _phrases(text, m):
            if phrase not in watchlist.exclude_near:
                changed = watchlist.model_copy(update={"exclude_near": [*watchlist.exclude_near, phrase]})
                out.append(("exclude_near", changed, f"exclude_near: [{', '.join([*watchlist.exclude_near, phrase])}]"))
    for m in matched:
        if m.kind != "place":
            continue
        entries = list(watchlist.places)
        for i, entry in enumerate(entries):
            named = entry if isinstance(entry, str) else entry.name if isinstance(entry, Term) else None
            if named is None or named.rstrip("*") != m.term or (isinstance(entry, Term) and entry.context):
                continue
            term = entry if isinstance(entry, Term) else Term(name=entry)
            entries[i] = term.model_copy(update={"context": PLACE_CUES})
            changed = watchlist.model_copy(update={"places": entries})
            out.append(("context", changed, f"places: [... {{name: {m.term}, context: [{', '.join(PLACE_CUES)}]}} ...]"))
            break
    apart = _words_apart(text, matched)
    if apart is not None and apart > NEAR_WORDS and (watchlist.near is None or watchlist.near > NEAR_WORDS):
        out.append(("near", watchlist.model_copy(update={"near": NEAR_WORDS}), f"near: {NEAR_WORDS}"))
    return _unique(out)


def checked_fixes(
    watchlist: WatchList, report: ArchivedReport, archive: list[ArchivedReport], custom_places: list[CustomPlace] | None = None
) -> list[Fix]:
    """The candidates for `watchlist` firing on `report`, each checked on it and over `archive`
    (`replay` and `diff`, as `rasid diff-config` runs them), those that prevent it first."""
    text = report.text
    places = custom_places or []
    (verdict,) = build_matcher([watchlist], places).verdicts(text)
    if not verdict.fired:
        return []
    before = replay(build_matcher([watchlist], places), archive)
    fired = [f.report for f in before[watchlist.name]]  # only these can be dropped: a fix only takes matches away
    out = []
    for kind, changed, change in candidates(watchlist, text, verdict.matches):
        matcher = build_matcher([changed], places)
        (after,) = matcher.verdicts(text)
        (difference,) = diff({watchlist.name: before[watchlist.name]}, replay(matcher, fired))
        others = [f for f in difference.dropped if f.report.id != report.id]
        out.append(Fix(kind, change, not after.fired, others, len([r for r in fired if r.id != report.id])))
    return sorted(out, key=lambda f: not f.prevents)


def _phrases(text: str, m: Match) -> list[str]:
    """The matched word with the word after it (a name's second part, an idiom's other word),
    then with the word before it."""
    after = _WORD.search(text, m.end)
    before = [w for w in _WORD.finditer(text, max(0, m.start - 40), m.start)]
    out = []
    if after is not None and text[m.end : after.start()].strip() == "":
        out.append(f"{m.surface} {after.group()}")
    if before and text[before[-1].end() : m.start].strip() == "":
        out.append(f"{before[-1].group()} {m.surface}")
    return out


def _words_apart(text: str, matches: list[Match]) -> int | None:
    """How many words separate the closest place and keyword, if both were matched."""
    places = [m for m in matches if m.kind == "place"]
    keywords = [m for m in matches if m.kind == "keyword"]
    if not places or not keywords:
        return None
    return min(
        len(_WORD.findall(text[min(p.end, k.end) : max(p.start, k.start)])) for p in places for k in keywords
    )


def _unique(found: list[tuple[FixKind, WatchList, str]]) -> list[tuple[FixKind, WatchList, str]]:
    seen: set[str] = set()
    return [c for c in found if not (c[2] in seen or seen.add(c[2]))]  # type: ignore[func-returns-value]
