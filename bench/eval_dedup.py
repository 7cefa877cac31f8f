"""Precision and recall of near-duplicate detection on the labelled set, across thresholds.

    python bench/eval_dedup.py

Pairs: every two copies of one story are duplicates; every two originals of different stories,
and a sample of copies of different stories, are not; hard negatives are different stories on
one topic (same places, same words), also with a shared background paragraph.
Stream: all copies in random order, each joining the story of the most similar earlier copy
that shares an LSH band, as the daemon does; scored by pair counting over the final grouping.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from dedup_variants import labelled_pairs, stories, stream_grouping  # noqa: E402

from rasid.config.models import DedupConfig  # noqa: E402
from rasid.dedup import fingerprint, similarity  # noqa: E402


def main() -> None:
    positives, negatives, hard = labelled_pairs()
    docs = {id(d): d for pair in positives + negatives + hard for d in pair}
    fps = {k: fingerprint(d.title, d.text) for k, d in docs.items()}

    def scored(pairs: list) -> list[tuple[bool, float, float]]:
        out = []
        for a, b in pairs:
            fa, fb = fps[id(a)], fps[id(b)]
            out.append((bool(set(fa.band_keys) & set(fb.band_keys)), *similarity(fa.shingles, fb.shingles)))
        return out

    pos, neg, hrd = scored(positives), scored(negatives), scored(hard)
    print(f"stories: {len(stories())}; duplicate pairs: {len(pos)}; different-story pairs: {len(neg)}; hard negatives: {len(hrd)}")
    print(f"highest hard-negative Jaccard {max(j for _, j, _ in hrd):.2f}, containment {max(c for _, _, c in hrd):.2f}")
    print(f"{'similarity':>10} {'containment':>11} {'precision':>9} {'recall':>7} {'hard merged':>11} {'stream P':>8} {'stream R':>8}")
    default = DedupConfig()
    for threshold in (0.2, 0.3, 0.4, 0.5, 0.6):
        for containment in (default.containment,):
            dup = lambda s: s[0] and (s[1] >= threshold or s[2] >= containment)  # noqa: E731
            tp = sum(map(dup, pos))
            fp = sum(map(dup, neg))
            merged = sum(map(dup, hrd))
            sp, sr = stream(threshold, containment)
            mark = "  <- default" if (threshold, containment) == (default.similarity, default.containment) else ""
            print(f"{threshold:>10.2f} {containment:>11.2f} {tp / max(1, tp + fp):>9.3f} {tp / len(pos):>7.3f} {merged:>11d} {sp:>8.3f} {sr:>8.3f}{mark}")


def stream(threshold: float, containment: float) -> tuple[float, float]:
    tp, fp, fn = stream_grouping(threshold, containment)
    return tp / max(1, tp + fp), tp / max(1, tp + fn)


if __name__ == "__main__":
    main()
