"""Readable explanations of verdicts, with matched words highlighted."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from rasid.models import Match, Verdict

MAX_LINE = 240


def how(match: Match) -> str:
    """Why a match counts: alias, attached prefix, suffix."""
    reasons = []
    if match.spelling != match.term:
        reasons.append(f"alias {match.spelling}")
    if match.prefix:
        reasons.append(f"prefix {match.prefix}")
    if match.suffix:
        reasons.append(f"suffix {match.suffix}")
    if match.context:
        reasons.append(f"after {match.context}")
    if match.place:
        reasons.append(f"{match.place.kind} {match.place.area or '?'} #{match.place.id}")
    if match.confidence is not None:
        reasons.append(f"confidence {match.confidence:.2f} ({'; '.join(match.evidence)})")
    return ", ".join(reasons) or "exact"


def print_explanation(name: str, text: str, verdicts: list[Verdict], console: Console | None = None) -> None:
    """Each watch-list's verdict on `text`, its matches and the lines they stand in."""
    console = console or Console(highlight=False, soft_wrap=True)
    fired = [v for v in verdicts if v.fired]
    console.print(Text(f"{name}: {len(fired)} of {len(verdicts)} watch-lists fire", style="bold"))
    for verdict in verdicts:
        if not verdict.fired:
            console.print(Text(f"  ○ {verdict.watchlist}: does not fire ({verdict.reason})", style="dim"))
            for note in verdict.notes:
                console.print(Text(f"      {note}", style="dim"))
            continue
        console.print(Text(f"  ● {verdict.watchlist}: fires on {len(verdict.matches)} matches", style="bold green"))
        for m in verdict.matches:
            line_no = text.count("\n", 0, m.start) + 1
            console.print(f"    {m.kind:<8} {m.term}  «{m.surface}»  {how(m)}  line {line_no}", markup=False)
        for note in verdict.notes:
            console.print(Text(f"    not counted: {note}", style="dim"))
        for line in _highlighted_lines(text, verdict.matches):
            console.print(line)


_SENTENCE_ENDS = ".!?؟\n"


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """The bounds of the sentence around `[start, end)`."""
    left = max(text.rfind(ch, 0, start) for ch in _SENTENCE_ENDS) + 1
    rights = [i for i in (text.find(ch, end) for ch in _SENTENCE_ENDS) if i != -1]
    right = min(rights) + 1 if rights else len(text)
    return left, right


def _highlighted_lines(text: str, matches: tuple[Match, ...]) -> list[Text]:
    """Each sentence holding a match, once, with its matches highlighted."""
    by_sentence: dict[tuple[int, int], list[Match]] = {}
    for m in matches:
        by_sentence.setdefault(_sentence(text, m.start, m.end), []).append(m)
    out = []
    for (start, end), group in sorted(by_sentence.items()):
        while start < end and text[start].isspace():
            start += 1
        body = Text(text[start:end].replace("\n", " "))
        for m in group:
            body.stylize("bold reverse", m.start - start, m.end - start)
        if len(body) > MAX_LINE:
            first = min(m.start for m in group) - start
            cut = max(0, first - MAX_LINE // 2)
            body = body[cut : cut + MAX_LINE]
        out.append(Text("    │ ") + body)
    return out
