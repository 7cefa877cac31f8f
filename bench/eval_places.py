"""Recall and precision of gazetteer places on an annotated corpus (token<TAB>BIO-tag per line).

    python bench/eval_places.py CORPUS [--country SY]

The corpus (NewsFANE's format: clitics split, a blank line between sentences) is cut into
documents of about 300 tokens at sentence ends; each is matched through the library as `rasid
match --json` does. A match is right when it overlaps a gold geographic token; recall is the
share of gold geographic tokens a match covers. Lists measured: every country's places
(`{within: <country>}` for each), one country's, Syria + Iraq as alerts (the share of fired
documents with a true place, and the share of the true alerts without evidence checks still
fired with them), and hand-typed lists of the corpus' own gold place names (all of them, and
those that are places in most of their uses; as typed, and with `evidence: true`), with the
share of their own names' gold mentions they find.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path

from rasid.config import WatchList
from rasid.match import Matcher, gazetteer_with
from rasid.models import Match

GEOGRAPHIC = frozenset(
    "Nation Population-Center State-or-Province GPE-Cluster Continent Water-Body County-or-District"
    " Land-Region-Natural".split()
)
DOC_TOKENS = 300
MARKS = "\ufeff\u200e"


@dataclass
class Document:
    text: str = ""
    gold: list[tuple[int, int]] = field(default_factory=list)
    """Character spans of gold geographic tokens."""
    names: list[str] = field(default_factory=list)
    """Gold geographic names (their tokens joined), for the hand-typed list."""


def documents(path: Path) -> list[Document]:
    """The corpus cut into documents of about `DOC_TOKENS` tokens, ending at sentence ends."""
    docs: list[Document] = []
    doc, tokens, name = Document(), 0, ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip().lstrip(MARKS).strip(MARKS)
        if not line:
            name = _flush_name(doc, name)
            if tokens >= DOC_TOKENS:
                docs.append(doc)
                doc, tokens = Document(), 0
            continue
        token, _, tag = line.partition("\t")
        token = token.strip(MARKS).strip()
        if not token:
            continue
        start = len(doc.text) + (1 if doc.text else 0)
        doc.text += (" " if doc.text else "") + token
        tokens += 1
        tag = tag.strip()
        geographic = tag[2:] in GEOGRAPHIC
        if geographic:
            doc.gold.append((start, start + len(token)))
        if geographic and tag.startswith("I-") and name:
            name += " " + token
        else:
            name = _flush_name(doc, name)
            name = token if geographic else ""
    _flush_name(doc, name)
    if doc.text:
        docs.append(doc)
    return docs


def _flush_name(doc: Document, name: str) -> str:
    if name:
        doc.names.append(name)
    return ""


def name_spans(doc: Document) -> list[tuple[str, int, int]]:
    """Each gold name of `doc` with its span (the names are in text order, whole tokens)."""
    out, pos = [], 0
    padded = f" {doc.text} "
    for name in doc.names:
        at = padded.find(f" {name} ", pos)
        if at < 0:
            continue
        out.append((name, at, at + len(name)))
        pos = at + len(name)
    return out


@dataclass
class Score:
    right: int = 0
    wrong: int = 0
    covered: int = 0
    gold: int = 0

    def line(self, label: str) -> str:
        precision = self.right / max(1, self.right + self.wrong)
        recall = self.covered / max(1, self.gold)
        return f"{label:<34} recall {recall:.3f}  precision {precision:.3f}  ({self.right} right, {self.wrong} wrong)"


def _right(m: Match, gold: list[tuple[int, int]]) -> bool:
    return any(m.start < e and s < m.end for s, e in gold)


def score(matcher: Matcher, docs: list[Document]) -> tuple[Score, list[tuple[bool, bool]]]:
    """Match-level scores, and per document (fired, fired with a true place)."""
    total, alerts = Score(), []
    for doc in docs:
        (verdict,) = matcher.verdicts(doc.text)
        places = [m for m in verdict.matches if m.kind == "place"] if verdict.fired else []
        for m in places:
            if _right(m, doc.gold):
                total.right += 1
            else:
                total.wrong += 1
        total.gold += len(doc.gold)
        total.covered += sum(any(m.start < e and s < m.end for m in places) for s, e in doc.gold)
        alerts.append((verdict.fired, any(_right(m, doc.gold) for m in places)))
    return total, alerts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--country", default="SY", help="ISO code of the one-country list")
    args = parser.parse_args()
    docs = documents(args.corpus)
    gazetteer = gazetteer_with([])
    countries = sorted({p.name: p for p in gazetteer.places if p.kind == "country"}.values(), key=lambda p: p.country)
    within = [{"within": p.name} for p in countries if gazetteer.within(p.name)[:1] == [p]]
    print(f"{len(docs)} documents, {sum(len(d.gold) for d in docs)} gold geographic tokens, {len(within)} countries")

    def run(label: str, places: list[object], **options: object) -> list[tuple[bool, bool]]:
        matcher = Matcher([WatchList(name=label, places=places, **options)], gazetteer)
        total, alerts = score(matcher, docs)
        print(total.line(label))
        return alerts

    def run_listed(label: str, names: list[str], **entry: object) -> None:
        """A hand-typed list, with the recall of its own names' gold mentions too."""
        matcher = Matcher([WatchList(name=label, places=[{"name": n, **entry} for n in names])], gazetteer)
        total, _ = score(matcher, docs)
        listed, found, mentions = set(names), 0, 0
        for doc in docs:
            spans = [(s, e) for n, s, e in name_spans(doc) if n in listed]
            if spans:
                (verdict,) = matcher.verdicts(doc.text)
                mentions += len(spans)
                found += sum(any(m.start < e and s < m.end for m in verdict.matches) for s, e in spans)
        print(f"{total.line(label)}; its names' mentions found {found / max(1, mentions):.3f}")

    run("world (within every country)", within)
    code = args.country.upper()
    home = next(p.name for p in countries if p.country == code)
    run(f"one country ({{within: {home}}})", [{"within": home}])
    syiq = [{"gazetteer": "SY"}, {"gazetteer": "IQ"}]
    today = run("Syria + Iraq, no evidence checks", [{**p, "evidence": False} for p in syiq])
    now = run("Syria + Iraq", syiq)
    for label, alerts in (("no evidence checks", today), ("with evidence", now)):
        fired = sum(f for f, _ in alerts)
        true = sum(t for _, t in alerts)
        print(f"Syria + Iraq alerts, {label:<20} fired on {fired / len(docs):.0%} of documents, alert precision {true / max(1, fired):.3f}")
    kept = sum(t and n for (_, t), (_, n) in zip(today, now)) / max(1, sum(t for _, t in today))
    print(f"true alerts kept with evidence: {kept:.3f}")
    names = sorted({n for d in docs for n in d.names if len(n.replace(" ", "")) >= 2})
    places = mostly_places(docs, names)
    for entry, how in (({}, ""), ({"evidence": True}, ", evidence: true")):
        run_listed(f"hand-typed ({len(names)} gold names{how})", names, **entry)
        run_listed(f"hand-typed ({len(places)} mostly places{how})", places, **entry)


def mostly_places(docs: list[Document], names: list[str]) -> list[str]:
    """The gold names that are places in most of the corpus' uses of them: what a user would
    list (not الشعب or المدينة, tagged a place a few times among many other uses)."""
    tagged: dict[str, int] = {}
    for d in docs:
        for n in d.names:
            tagged[n] = tagged.get(n, 0) + 1
    text = " " + " ".join(d.text for d in docs) + " "
    return [n for n in names if 2 * tagged.get(n, 0) > text.count(f" {n} ")]


if __name__ == "__main__":
    main()
