"""Arabic clitics in matching form (after normalization: ة is ه, أ إ آ are ا)."""

from __future__ import annotations

from itertools import product

ARTICLE = "ال"
MIN_STEM = 3
"""A term shorter than this matches only as a whole word, without clitics."""
MAX_PREFIX = 5
CONTEXT_WINDOW = 3
"""How many words before a match are searched for a context cue."""

_CONJUNCTIONS = ("", "و", "ف")
_PREPOSITIONS = ("", "ب", "ك", "ل")


def _chains(articles: tuple[str, ...], prepositions: tuple[str, ...] = _PREPOSITIONS) -> frozenset[str]:
    out = set()
    for conj, prep, art in product(_CONJUNCTIONS, prepositions, articles):
        out.add(conj + ("لل" if prep == "ل" and art == ARTICLE else prep + art))
    return frozenset(out)


PREFIXES = _chains(("", ARTICLE))
"""Before a term without the article: و ف ب ك ل ال and chains such as وبال، فلل."""
VERB_PREFIXES = frozenset({"س", "وس", "فس"})
"""The future marker, before keywords only."""
KEYWORD_PREFIXES = PREFIXES | VERB_PREFIXES
NONE = frozenset({""})
"""No proclitic, or no suffix."""
PREFIXES_NO_ARTICLE = _chains(("",))
"""Before a checked name without the article: و ف ب ك ل and their chains, never ال (المالي is not مالي)."""
PREFIXES_BEFORE_ARTICLE = _chains(("",), ("", "ب", "ك"))
"""Before a term written with its article: وال، بال ... (لل is handled by the bare form)."""
PREFIXES_REPLACING_ARTICLE = frozenset({"لل", "ولل", "فلل"})
"""Before a term's article-less form: للقنيطرة is ل + القنيطرة."""
PREFIXES_WITHOUT_ARTICLE = _chains(("",), ("", "ب", "ك")) | PREFIXES_REPLACING_ARTICLE
"""Before the bare form of a name whose article may be dropped: منطقة جيدور حوران."""

PRONOUNS = ("ه", "ها", "هم", "هما", "هن", "ك", "كم", "كما", "كن", "نا", "ي")
SUFFIXES = frozenset(
    {"", "ات", "ون", "ين", "ان", "ه", "ا", *PRONOUNS}
    | {"ات" + p for p in PRONOUNS}
    | {"ا" + p for p in PRONOUNS}
)
"""After a keyword: plurals, dual, feminine, tanween alif, pronouns and their combinations."""
STEM_SUFFIXES = frozenset({"ات", "تان", "تين", *("ت" + p for p in PRONOUNS), *("ات" + p for p in PRONOUNS)})
"""After the stem of a keyword that ends in ة: مجزرة -> مجزرتهم، مجزرات."""
PAST_SUFFIXES = frozenset({"", "ت", "ا", "وا", "تم", "تن", "نا", "ن", "تا", "تما", *PRONOUNS, "وه", "وها", "وهم"})
"""After a verb's past tense: قصفت، قصفوا، قصفتم، قصفنا، قصفن، قصفتا, or an object pronoun
(قصفها، قصفوه). (The scanner tells apart at most 64 suffixes in all.)"""
PAST_SUFFIXES_SHE = PAST_SUFFIXES | {"ت" + p for p in PRONOUNS}
"""Also قصفتها، قصفتهم: for a verb whose letters with ة are no everyday noun (أسرته is his
family, إصابتهم their injury)."""
PRESENT_SUFFIXES = frozenset({"", "ون", "ين", "ان", "ن", "وا", "ا", *PRONOUNS})
"""After its present tense with the person's letter: يقصفون، تقصفين، يقصفان، يقصفن، لن يقصفوا، يقصفها."""
PERSONS = "يتنا"
"""The letter before the present tense: he, she or you, we, I (أ is ا once folded)."""
PAST_PREFIXES = frozenset(_CONJUNCTIONS)
"""Before a past tense: وقصف، فقصفت."""
PRESENT_PREFIXES = frozenset(c + f for c in _CONJUNCTIONS for f in ("", "س", "ل"))
"""Before a present tense: the future's س and the ل of purpose, after و or ف (وسيقصف، فلنقصف)."""
LATIN_POSSESSIVE = "s"
"""After a Latin alias, only with an apostrophe before it: Daraa's."""


def strip_prefix(word: str, words: frozenset[str]) -> str | None:
    """`word` or `word` less a proclitic chain, if that is in `words`."""
    if word in words:
        return word
    for n in range(1, min(MAX_PREFIX, len(word) - 1) + 1):
        if word[:n] in PREFIXES and word[n:] in words:
            return word[n:]
    return None
