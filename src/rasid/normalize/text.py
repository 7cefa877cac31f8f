"""`normalize()`: the matching form of a text, and the way back to original offsets.

Folding maps one character to one character, so it keeps offsets. Deleting marks and
collapsing whitespace are recorded as runs; offsets are mapped back only when asked.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate

from rasid.normalize.tables import (
    COMMON_FOLDS,
    DELETED,
    EXPANDING,
    FOLD_HAMZA_SEATS,
    FOLDS,
    RARE_FOLDS,
    TRAILING_MARKS,
    char_table,
)

try:
    from rasid.normalize._fold import fold as _native_fold
except ImportError:  # built without a C compiler: the Python path below does the same
    _native_fold = None

_DELETE = re.compile(f"([{DELETED}])")
_DELETED_CHAR = re.compile(f"[{DELETED}]")
_EXTRA_SPACES = re.compile(" ( +)")
_EXPANDING = re.compile(f"[{EXPANDING}]")
_RARE = re.compile("[" + "".join(re.escape(ch) for ch in RARE_FOLDS) + "]")
_TRAILING = re.compile(f"[{TRAILING_MARKS}]*")


@dataclass
class _Deletions:
    """Runs removed from a text, kept as the pieces of `re.split` until offsets are needed."""

    parts: list[str]
    starts: list[int] = field(default_factory=list)
    totals: list[int] = field(default_factory=list)
    ready: bool = False

    def to_before(self, i: int) -> int:
        """The offset, before the deletions, of the character now at `i`."""
        if not self.ready:
            kept = list(map(len, self.parts[0::2]))
            gone = list(map(len, self.parts[1::2]))
            self.starts = list(accumulate(kept[: len(gone)]))
            self.totals = list(accumulate(gone))
            self.ready = True
        k = bisect_right(self.starts, i)
        return i + (self.totals[k - 1] if k else 0)


@dataclass
class NormalizedText:
    """A text in matching form, able to map spans back to the original."""

    original: str
    text: str
    _layers: list[_Deletions] = field(default_factory=list)
    _index: Sequence[int] | None = None

    def to_original(self, i: int) -> int:
        """The original offset of the normalized character at `i`."""
        if self._index is not None:
            return self._index[i] if i < len(self._index) else len(self.original)
        for layer in reversed(self._layers):
            i = layer.to_before(i)
        return i

    def offsets(self) -> memoryview:
        """The original offset of every normalized character, as int32."""
        if isinstance(self._index, memoryview):
            return self._index
        index = self._index if self._index is not None else [self.to_original(i) for i in range(len(self.text))]
        return memoryview(array("i", index))

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of normalized `[start, end)`, with the marks after its last letter."""
        o_start = self.to_original(start)
        o_end = self.to_original(end - 1) + 1
        return o_start, _TRAILING.match(self.original, o_end).end()


def normalize(original: str, *, fold_hamza_seats: bool = False) -> NormalizedText:
    """Fold `original` for matching: marks and tatweel gone, letter forms and digits folded,
    Latin lowercased without accents, punctuation and whitespace runs as one space."""
    if _native_fold is not None and not fold_hamza_seats:
        folded = _native_fold(original, char_table())
        if folded is not None:
            return NormalizedText(original, folded[0], _index=memoryview(folded[1]).cast("i"))
    lowered = original.lower()
    if len(lowered) != len(original) or _EXPANDING.search(original):
        return _normalize_slowly(original, fold_hamza_seats)
    folded = lowered
    for ch, to in COMMON_FOLDS:
        folded = folded.replace(ch, to)
    if _RARE.search(folded):
        folded = _RARE.sub(lambda m: RARE_FOLDS[m.group()], folded)
    if fold_hamza_seats:
        for ch, to in FOLD_HAMZA_SEATS:
            folded = folded.replace(ch, to)
    layers = []
    parts = _DELETE.split(folded)
    text = "".join(parts[0::2]) if len(parts) > 1 else folded
    if len(parts) > 1:
        layers.append(_Deletions(parts))
    if "  " in text:
        parts = _EXTRA_SPACES.split(text)
        text = " ".join(parts[0::2])
        layers.append(_Deletions(_with_kept_space(parts)))
    return NormalizedText(original, text, layers)


def _with_kept_space(parts: list[str]) -> list[str]:
    """`re.split` on ' ( +)' drops the kept space too: put it back on the kept pieces."""
    return [p + " " if i % 2 == 0 and i < len(parts) - 1 else p for i, p in enumerate(parts)]


def _normalize_slowly(original: str, fold_hamza_seats: bool) -> NormalizedText:
    """Character by character, for texts whose NFKC or lowercase form is longer than they are."""
    out: list[str] = []
    index: list[int] = []
    seats = dict(FOLD_HAMZA_SEATS) if fold_hamza_seats else {}
    for pos, ch in enumerate(original):
        for piece in unicodedata.normalize("NFKC", ch).lower():
            piece = FOLDS.get(piece, piece)
            piece = seats.get(piece, piece)
            if _DELETED_CHAR.match(piece) or (piece == " " and out and out[-1] == " "):
                continue
            out.append(piece)
            index.append(pos)
    return NormalizedText(original, "".join(out), _index=index)


def normalize_term(term: str, *, fold_hamza_seats: bool = False) -> str:
    """The matching form of a watch-list term, trimmed."""
    return _normalized_term(term, fold_hamza_seats)


@lru_cache(maxsize=1 << 17)
def _normalized_term(term: str, fold_hamza_seats: bool) -> str:
    """One cache whichever way the option is passed (a config's check and its compilation
    normalize every term alike)."""
    if _native_fold is not None and not fold_hamza_seats:
        folded = _native_fold(term, char_table())
        if folded is not None:
            return str(folded[0]).strip()  # the offsets are not needed
    return normalize(term, fold_hamza_seats=fold_hamza_seats).text.strip()
