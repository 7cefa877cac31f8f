"""What `verbs: true` adds on real news: the verb forms it finds, and the words it takes for them.

    python bench/eval_verbs.py CORPUS [--show 40]

The corpus is NewsFANE's format (token<TAB>tag per line, clitics split, a blank line between
sentences), cut into documents as `eval_places.py` cuts it, with its split clitics joined back
to their words as news writes them (و يقصف ون ها: ويقصفونها; left split, أسرت ها, her family,
would read as a verb). A watch-list of event verbs, each
written as analysts write them (the past tense), is matched with `verbs` off and on; every word
only the second finds is listed with its count, for reading: a conjugation of the keyword's
verb, or another word with the same letters (a false positive).
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

from eval_places import documents

from rasid.config import WatchList
from rasid.match import Matcher

VERBS = (
    "قصف قتل اعتقل هاجم استهدف اغتال اختطف نزح اقتحم حاصر دمر أطلق انسحب سيطر فجر أصاب هجر"
    " اشتبك انفجر أسر"
).split()


_ENCLITIC = re.compile(r" (ه|ها|هم|هما|هن|كم|كما|كن|نا|ني)(?= |$)")
_PROCLITIC = re.compile(r"(?<![^ ])(و|ف|ب|ل|س) ")


def joined(text: str) -> str:
    """Split clitics back on their words: pronouns after, conjunctions and prepositions before."""
    for _ in range(2):  # chains: و س يقصف
        text = _PROCLITIC.sub(r"\1", text)
    for _ in range(2):  # ون ها
        text = _ENCLITIC.sub(r"\1", text)
    return text


def found(matcher: Matcher, text: str) -> set[tuple[int, int, str]]:
    (verdict,) = matcher.verdicts(text)
    return {(m.start, m.end, m.term) for m in verdict.matches}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--show", type=int, default=40, help="how many of the added words to list")
    args = parser.parse_args()
    docs = documents(args.corpus)
    plain = Matcher([WatchList(name="events", keywords=list(VERBS))])
    verbs = Matcher([WatchList(name="events", keywords=list(VERBS), verbs=True)])
    before = after = 0
    added: Counter[tuple[str, str]] = Counter()
    for doc in docs:
        text = joined(doc.text)
        old, new = found(plain, text), found(verbs, text)
        before += len(old)
        after += len(new)
        for start, end, term in new - old:
            added[term, text[start:end]] += 1
    print(f"{len(docs)} documents, {len(VERBS)} verbs: {before} matches without verb forms, {after} with them")
    print(f"words only verb forms find: {sum(added.values())} ({len(added)} distinct)")
    for (term, word), count in added.most_common(args.show):
        print(f"  {count:4}  {term:8} {word}")


if __name__ == "__main__":
    main()
