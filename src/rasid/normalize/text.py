"""`normalize()`: the matching form of a text, and the way back to original offsets."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field

from rasid.normalize.tables import DELETED, EXPANDING, FOLD, FOLD_HAMZA_SEATS, TRAILING_MARKS

_DELETE = re.compile(f"[{DELETED}]+|(?<= ) +|^ +")
_EXPANDING = re.compile(f"[{EXPANDING}]")
_DELETED_CHAR = re.compile(f"[{DELETED}]")
_TRAILING = re.compile(f"[{TRAILING_MARKS}]*")


@dataclass
class NormalizedText:
    """A text in matching form, able to map spans back to the original."""

    original: str
    text: str
    _folded: str | None = None
    _index: list[int] | None = None
    _run_starts: list[int] = field(default_factory=list)
    _run_totals: list[int] = field(default_factory=list)
    _runs_ready: bool = False

    def to_original(self, i: int) -> int:
        """The original offset of the normalized character at `i`."""
        if self._index is not None:
            return self._index[i] if i < len(self._index) else len(self.original)
        if not self._runs_ready:
            self._index_deletions()
        k = bisect_right(self._run_starts, i)
        return i + (self._run_totals[k - 1] if k else 0)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of normalized `[start, end)`, with the marks after its last letter."""
        o_start = self.to_original(start)
        o_end = self.to_original(end - 1) + 1
        o_end = _TRAILING.match(self.original, o_end).end()
        return o_start, o_end

    def _index_deletions(self) -> None:
        assert self._folded is not None
        total = 0
        for m in _DELETE.finditer(self._folded):
            self._run_starts.append(m.start() - total)
            total += m.end() - m.start()
            self._run_totals.append(total)
        self._runs_ready = True


def normalize(original: str, *, fold_hamza_seats: bool = False) -> NormalizedText:
    """Fold `original` for matching: marks and tatweel gone, letter forms and digits folded,
    Latin lowercased without accents, punctuation and whitespace runs as one space."""
    if _EXPANDING.search(original) is None:
        folded = original.lower().translate(FOLD)
        if fold_hamza_seats:
            folded = folded.translate(FOLD_HAMZA_SEATS)
        return NormalizedText(original, _DELETE.sub("", folded), _folded=folded)
    return _normalize_slowly(original, fold_hamza_seats)


def _normalize_slowly(original: str, fold_hamza_seats: bool) -> NormalizedText:
    """Character by character, for texts whose NFKC form is longer than they are."""
    out: list[str] = []
    index: list[int] = []
    for pos, ch in enumerate(original):
        for piece in unicodedata.normalize("NFKC", ch).lower():
            piece = piece.translate(FOLD)
            if fold_hamza_seats:
                piece = piece.translate(FOLD_HAMZA_SEATS)
            if _DELETED_CHAR.match(piece) or (piece == " " and (not out or out[-1] == " ")):
                continue
            out.append(piece)
            index.append(pos)
    return NormalizedText(original, "".join(out), _index=index)


def normalize_term(term: str, *, fold_hamza_seats: bool = False) -> str:
    """The matching form of a watch-list term, trimmed."""
    return normalize(term, fold_hamza_seats=fold_hamza_seats).text.strip()
