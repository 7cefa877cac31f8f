"""Watch-lists' own examples: each must fire, or not, as its author said."""

from __future__ import annotations

from rasid.config.models import WatchList
from rasid.match.matcher import Matcher


def failing_examples(watchlists: list[WatchList], matcher: Matcher) -> list[tuple[tuple[str | int, ...], str]]:
    """(location, why) of every example the matcher gets wrong."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
    for i, wl in enumerate(watchlists):
        for j, example in enumerate(wl.tests):
            verdict = matcher.verdicts(example.text)[i]
            if verdict.fired == example.fires:
                continue
            if example.fires:
                why = "; ".join((verdict.reason, *verdict.notes))
                message = f"example should fire but does not ({why}): {example.text!r}"
            else:
                terms = "، ".join(dict.fromkeys(m.surface for m in verdict.matches))
                message = f"example should not fire but does (matched {terms}): {example.text!r}"
            problems.append((("watchlists", i, "tests", j), message))
    return problems
