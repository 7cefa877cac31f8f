/* Scanner: the matcher's hot loop (rasid.match.matcher documents the rules).
 *
 * Keys live in tries whose transitions are one open-addressing hash table keyed by
 * (node, character). Each word start is tried once per proclitic chain it begins with, and
 * the term trie is walked from there, so a text is read a bounded number of times whatever
 * the number of terms. Hits are verified (prefix, suffix, apostrophe, punctuation, context),
 * mapped to original offsets, reduced to one per entry and span, longest first, weighed where
 * their watch-list checks evidence (as rasid.match.evidence.weigh does, which documents the
 * rules), and returned as `Match` objects grouped by watch-list.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <stdint.h>
#include <stdlib.h>

/* Flags of a character-table entry, as rasid.normalize.tables defines them. */
#define F_TRAILING (1u << 26)
#define F_BREAK (1u << 27)
#define F_APOSTROPHE (1u << 28)
#define F_WORD (1u << 29)

enum { SUFFIX_FIXED = 0, SUFFIX_SET = 1, SUFFIX_OPEN = 2 };
/* Kinds of the cue words before a place name, as rasid.match.matcher numbers them. */
enum { CUE_PREPOSITION = 0, CUE_PLACE = 1, CUE_DEFINITE_PLACE = 2 };

/* ---- tries ---------------------------------------------------------------------------- */

typedef struct {
    uint64_t *keys; /* (node << 21 | ch) + 1; 0 is empty */
    int32_t *children;
    size_t mask;
    int shift;
    size_t used;
    int32_t nodes;
    int32_t node_cap;
    int32_t *out_start; /* per node: first entry in outs, or -1 */
    int32_t *out_count;
    int32_t *outs;
    Py_ssize_t outs_len;
    Py_ssize_t outs_cap;
} Trie;

static inline size_t
slot_of(const Trie *t, uint64_t key)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ull) >> t->shift) & t->mask;
}

static inline int32_t
trie_next(const Trie *t, int32_t node, Py_UCS4 ch)
{
    uint64_t key = (((uint64_t)node << 21) | ch) + 1;
    size_t i = slot_of(t, key);
    for (;;) {
        uint64_t k = t->keys[i];
        if (k == key)
            return t->children[i];
        if (k == 0)
            return -1;
        i = (i + 1) & t->mask;
    }
}

static int
trie_init(Trie *t)
{
    memset(t, 0, sizeof(*t));
    t->mask = 1023;
    t->shift = 64 - 10;
    t->keys = PyMem_Calloc(t->mask + 1, sizeof(uint64_t));
    t->children = PyMem_Malloc((t->mask + 1) * sizeof(int32_t));
    t->node_cap = 1024;
    t->out_start = PyMem_Malloc(t->node_cap * sizeof(int32_t));
    t->out_count = PyMem_Calloc(t->node_cap, sizeof(int32_t));
    if (!t->keys || !t->children || !t->out_start || !t->out_count) {
        PyErr_NoMemory();
        return -1;
    }
    t->nodes = 1;
    t->out_start[0] = -1;
    return 0;
}

static void
trie_free(Trie *t)
{
    PyMem_Free(t->keys);
    PyMem_Free(t->children);
    PyMem_Free(t->out_start);
    PyMem_Free(t->out_count);
    PyMem_Free(t->outs);
    memset(t, 0, sizeof(*t));
}

static int
trie_grow_edges(Trie *t)
{
    size_t old_size = t->mask + 1;
    uint64_t *old_keys = t->keys;
    int32_t *old_children = t->children;
    size_t size = old_size * 2;
    t->keys = PyMem_Calloc(size, sizeof(uint64_t));
    t->children = PyMem_Malloc(size * sizeof(int32_t));
    if (!t->keys || !t->children) {
        PyMem_Free(old_keys);
        PyMem_Free(old_children);
        PyErr_NoMemory();
        return -1;
    }
    t->mask = size - 1;
    t->shift--;
    for (size_t i = 0; i < old_size; i++) {
        if (old_keys[i] == 0)
            continue;
        size_t j = slot_of(t, old_keys[i]);
        while (t->keys[j])
            j = (j + 1) & t->mask;
        t->keys[j] = old_keys[i];
        t->children[j] = old_children[i];
    }
    PyMem_Free(old_keys);
    PyMem_Free(old_children);
    return 0;
}

static int32_t
trie_child(Trie *t, int32_t node, Py_UCS4 ch)
{
    uint64_t key = (((uint64_t)node << 21) | ch) + 1;
    size_t i = slot_of(t, key);
    while (t->keys[i]) {
        if (t->keys[i] == key)
            return t->children[i];
        i = (i + 1) & t->mask;
    }
    if (t->nodes == t->node_cap) {
        int32_t cap = t->node_cap * 2;
        int32_t *start = PyMem_Realloc(t->out_start, cap * sizeof(int32_t));
        if (start)
            t->out_start = start;
        int32_t *count = PyMem_Realloc(t->out_count, cap * sizeof(int32_t));
        if (count)
            t->out_count = count;
        if (!start || !count) {
            PyErr_NoMemory();
            return -1;
        }
        t->node_cap = cap;
    }
    int32_t child = t->nodes++;
    t->out_start[child] = -1;
    t->out_count[child] = 0;
    t->keys[i] = key;
    t->children[i] = child;
    if (++t->used * 2 > t->mask + 1 && trie_grow_edges(t) < 0)
        return -1;
    return child;
}

/* Add `key` with the ids in `ids` (a sequence of ints) as its outputs. */
static int
trie_add(Trie *t, PyObject *key, PyObject *ids)
{
    int kind = PyUnicode_KIND(key);
    const void *data = PyUnicode_DATA(key);
    int32_t node = 0;
    for (Py_ssize_t i = 0; i < PyUnicode_GET_LENGTH(key); i++) {
        node = trie_child(t, node, PyUnicode_READ(kind, data, i));
        if (node < 0)
            return -1;
    }
    PyObject *seq = PySequence_Fast(ids, "trie outputs must be a sequence");
    if (seq == NULL)
        return -1;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(seq);
    if (t->outs_len + count > t->outs_cap) {
        Py_ssize_t cap = (t->outs_cap + count) * 2;
        int32_t *outs = PyMem_Realloc(t->outs, cap * sizeof(int32_t));
        if (!outs) {
            Py_DECREF(seq);
            PyErr_NoMemory();
            return -1;
        }
        t->outs = outs;
        t->outs_cap = cap;
    }
    if (t->out_count[node]) {
        Py_DECREF(seq);
        PyErr_Format(PyExc_ValueError, "key %R added twice", key);
        return -1;
    }
    t->out_start[node] = (int32_t)t->outs_len;
    t->out_count[node] = (int32_t)count;
    for (Py_ssize_t i = 0; i < count; i++) {
        long id = PyLong_AsLong(PySequence_Fast_GET_ITEM(seq, i));
        if (id == -1 && PyErr_Occurred()) {
            Py_DECREF(seq);
            return -1;
        }
        t->outs[t->outs_len++] = (int32_t)id;
    }
    Py_DECREF(seq);
    return 0;
}

/* ---- patterns and hits ------------------------------------------------------------------- */

#define NFIELDS 12 /* of the Match dataclass, in its order */

typedef struct {
    int32_t watchlist;
    int32_t uid; /* one per (watch-list, kind, term, place): duplicates of it on one span merge */
    uint64_t prefixes;
    uint64_t suffixes;
    int mode;
    int ends_in_space;
    int latin;
    int phrase;
    Py_ssize_t fixed_len;
    PyObject *fixed_suffix;
    PyObject *cues; /* None when the entry has no context words */
    PyObject *kind, *term, *spelling, *place;
    PyObject *confidence, *evidence; /* a settled prior, or None and () */
    int window;                      /* its matches are weighed with the words around them */
    int place_word;                  /* found only after a place word without the article */
    /* for weighing: */
    int32_t prior;            /* its spelling's prior (the entry's lowest for it), in hundredths */
    int doubted;              /* the name is doubtful: a preposition before it is no evidence */
    PyObject *prior_evidence; /* what the prior says */
    int32_t area;             /* its place's (country, first-level division), or -1 */
    int32_t country;          /* its place's country (a mention's: the country named), or -1 */
    int32_t term_id;          /* one per term */
    int titled;               /* a person's title or given name before it makes it a person's */
    int local;                /* its country named is no evidence for it, only its area */
} Pat;

typedef struct {
    int32_t watchlist;
    int32_t uid;
    int32_t pat;
    int32_t prefix;
    int32_t suffix; /* suffix id, or -1 */
    Py_ssize_t word_start, stem_end, end;
    Py_ssize_t o_start, o_end;
    PyObject *cue; /* owned, or NULL */
    int scan;      /* 0: plain text, 1: text with hamza seats folded */
} Hit;

typedef struct {
    Hit *items;
    Py_ssize_t len, cap;
} Hits;

static int
hits_push(Hits *h, Hit hit)
{
    if (h->len == h->cap) {
        Py_ssize_t cap = h->cap ? h->cap * 2 : 64;
        Hit *items = PyMem_Realloc(h->items, cap * sizeof(Hit));
        if (!items) {
            PyErr_NoMemory();
            return -1;
        }
        h->items = items;
        h->cap = cap;
    }
    h->items[h->len++] = hit;
    return 0;
}

static void
hits_clear(Hits *h)
{
    for (Py_ssize_t i = 0; i < h->len; i++)
        Py_XDECREF(h->items[i].cue);
    PyMem_Free(h->items);
}

/* ---- the scanner object ------------------------------------------------------------------ */

typedef struct {
    PyObject_HEAD
    Trie terms[2]; /* plain, hamza seats folded */
    Trie prefixes, suffixes, cues;
    Trie frames, frames_after; /* words before and after a name that make it a person's or an organisation's */
    PyObject *frame_labels;    /* what each frame says, by the frames' outputs */
    int person;                /* the frames' output that says a person's name */
    uint64_t in_prefixes;      /* the proclitics meaning «in», by prefix id */
    int32_t gains[6];          /* place word, preposition, area, country, neighbour, framed: hundredths */
    Py_ssize_t mentions;       /* the internal watch-list that finds countries named, or -1 */
    int32_t countries, areas;  /* how many ids `Pat.country` and `Pat.area` use */
    int *checked;              /* per watch-list: weigh its matches */
    double *minimum, *low, *high; /* per watch-list: min_confidence, and the confidences the words around decide */
    Pat *pats;
    Py_ssize_t npats;
    Py_ssize_t watchlists;
    Py_ssize_t max_prefix;
    PyObject *prefix_strs;
    PyObject *suffix_strs;
    PyObject *match_type;
    PyObject *context_cue;
    PyObject *sentence_ends; /* str: the original's characters that end a sentence */
    Py_UCS4 ends[16];        /* the same, read once */
    int nends;
    Py_ssize_t before_chars, before_words, after_chars;
    PyObject *table_obj;
    const uint32_t *table;
    Py_ssize_t offsets[NFIELDS]; /* of the Match type's slots, in its fields' order */
} Scanner;

typedef struct {
    int kind;
    const void *data;
    Py_ssize_t len;
} Str;

static inline Str
str_of(PyObject *s)
{
    Str out = {PyUnicode_KIND(s), PyUnicode_DATA(s), PyUnicode_GET_LENGTH(s)};
    return out;
}

/* A character of the normalized text, which reads as if one space followed its end, so keys
 * ending in a space end there too. */
static inline Py_UCS4
char_at(const Str *s, Py_ssize_t i)
{
    return i < s->len ? PyUnicode_READ(s->kind, s->data, i) : ' ';
}

static inline int
is_word(const Scanner *self, Py_UCS4 c)
{
    return c < 0x10000 ? (self->table[c] & F_WORD) != 0 : Py_UNICODE_ISALNUM(c);
}

static inline int
has_flag(const Scanner *self, Py_UCS4 c, uint32_t flag)
{
    return c < 0x10000 && (self->table[c] & flag);
}

typedef struct {
    Str text, original;
    const int32_t *index;
    Py_ssize_t index_len;
    Str plain; /* the text as normalized, hamza seats unfolded: where the words around a match are read */
} Doc;

static inline Py_ssize_t
to_original(const Doc *d, Py_ssize_t i)
{
    return i < d->index_len ? d->index[i] : d->original.len;
}

/* Whether the original has an apostrophe just before normalized position `i`. */
static int
apostrophe_before(const Scanner *self, const Doc *d, Py_ssize_t i)
{
    Py_ssize_t from = to_original(d, i - 1) + 1, to = to_original(d, i);
    for (Py_ssize_t k = from; k < to; k++)
        if (has_flag(self, PyUnicode_READ(d->original.kind, d->original.data, k), F_APOSTROPHE))
            return 1;
    return 0;
}

/* The original span of normalized [start, end), with the marks after its last letter. */
static void
span(const Scanner *self, const Doc *d, Py_ssize_t start, Py_ssize_t end, Py_ssize_t *o_start, Py_ssize_t *o_end)
{
    *o_start = to_original(d, start);
    Py_ssize_t e = to_original(d, end - 1) + 1;
    while (e < d->original.len && has_flag(self, PyUnicode_READ(d->original.kind, d->original.data, e), F_TRAILING))
        e++;
    *o_end = e;
}

static int
crosses_punctuation(const Scanner *self, const Doc *d, Py_ssize_t start, Py_ssize_t end)
{
    Py_ssize_t o_start, o_end;
    span(self, d, start, end, &o_start, &o_end);
    for (Py_ssize_t k = o_start; k < o_end; k++)
        if (has_flag(self, PyUnicode_READ(d->original.kind, d->original.data, k), F_BREAK))
            return 1;
    return 0;
}

static inline int
ends_sentence(const Scanner *self, Py_UCS4 c)
{
    for (int i = 0; i < self->nends; i++)
        if (self->ends[i] == c)
            return 1;
    return 0;
}

/* Where the words read before normalized `start` (original `o_start`) begin: before_chars
 * back, or after the last sentence end in the original between there and the match. */
static Py_ssize_t
window_start(const Scanner *self, const Doc *d, Py_ssize_t start, Py_ssize_t o_start)
{
    Py_ssize_t lo = start > self->before_chars ? start - self->before_chars : 0;
    for (Py_ssize_t k = o_start - 1, from = to_original(d, lo); k >= from; k--) {
        if (ends_sentence(self, PyUnicode_READ(d->original.kind, d->original.data, k))) {
            while (lo < start && to_original(d, lo) <= k)
                lo++;
            break;
        }
    }
    return lo;
}

/* The start of the word that ends at `end` (after skipping spaces back from it) no earlier than
 * `lo`, and that word's end in *word_end; `lo` when there is none. */
static Py_ssize_t
word_before(const Str *s, Py_ssize_t lo, Py_ssize_t end, Py_ssize_t *word_end)
{
    while (end > lo && Py_UNICODE_ISSPACE(PyUnicode_READ(s->kind, s->data, end - 1)))
        end--;
    *word_end = end;
    while (end > lo && !Py_UNICODE_ISSPACE(PyUnicode_READ(s->kind, s->data, end - 1)))
        end--;
    return end;
}

/* The output of the word at [start, end) of `s` in a trie of words (a cue's kind, a frame's
 * label), or -1. */
static int
word_kind(const Trie *t, const Str *s, Py_ssize_t start, Py_ssize_t end)
{
    int32_t node = 0;
    for (Py_ssize_t k = start; k < end && node >= 0; k++)
        node = trie_next(t, node, PyUnicode_READ(s->kind, s->data, k));
    return node >= 0 && t->out_count[node] ? t->outs[t->out_start[node]] : -1;
}

/* Whether a place word without the article stands before normalized `start`, alone or in a
 * chain of cue words, the nearest place word deciding (evidence.after_place_word). */
static int
after_place_word(const Scanner *self, const Doc *d, Py_ssize_t start)
{
    const Str *s = &d->plain;
    Py_ssize_t end, i = word_before(s, start > self->before_chars ? start - self->before_chars : 0, start, &end);
    if (self->before_words == 0 || i == end || word_kind(&self->cues, s, i, end) < 0)
        return 0; /* most names are not after a cue word: the sentence's end is not looked for */
    Py_ssize_t lo = window_start(self, d, start, to_original(d, start));
    int kind = -1;
    i = start;
    for (Py_ssize_t n = 0; n < self->before_words; n++) {
        i = word_before(s, lo, i, &end);
        int found = i == end ? -1 : word_kind(&self->cues, s, i, end);
        if (found < 0)
            break;
        if (kind != CUE_PLACE && kind != CUE_DEFINITE_PLACE)
            kind = found;
    }
    return kind == CUE_PLACE;
}

/* Check the patterns ending at `stem_end` and record the hits among them. */
static int
verify(Scanner *self, const Doc *d, PyObject *text, int scan, const Trie *trie, int32_t node,
       Py_ssize_t word_start, Py_ssize_t stem_start, Py_ssize_t stem_end, int32_t prefix, Hits *hits,
       PyObject *misses)
{
    const Str *s = &d->text;
    Py_ssize_t word_end = -1;
    int32_t suffix_id = -2; /* not looked up yet */
    for (int32_t k = 0; k < trie->out_count[node]; k++) {
        int32_t pi = trie->outs[trie->out_start[node] + k];
        const Pat *p = &self->pats[pi];
        if (!((p->prefixes >> prefix) & 1))
            continue;
        Py_ssize_t end, suffix_len;
        int32_t sid = -1;
        if (p->mode == SUFFIX_FIXED) {
            end = p->ends_in_space ? stem_end - 1 : stem_end;
            suffix_len = p->fixed_len;
        }
        else {
            if (word_end < 0) {
                word_end = stem_end;
                while (word_end < s->len && is_word(self, char_at(s, word_end)))
                    word_end++;
            }
            end = word_end;
            suffix_len = end - stem_end;
            if (p->mode == SUFFIX_SET) {
                if (suffix_id == -2) {
                    int32_t at = 0;
                    for (Py_ssize_t i = stem_end; i < word_end && at >= 0; i++)
                        at = trie_next(&self->suffixes, at, char_at(s, i));
                    suffix_id = at >= 0 && self->suffixes.out_count[at] ? self->suffixes.outs[self->suffixes.out_start[at]] : -1;
                }
                if (suffix_id < 0 || !((p->suffixes >> suffix_id) & 1))
                    continue;
                sid = suffix_id;
            }
        }
        if (p->latin && suffix_len && !apostrophe_before(self, d, end - suffix_len))
            continue;
        if (p->phrase && crosses_punctuation(self, d, stem_start, end))
            continue;
        if (p->place_word && !after_place_word(self, d, word_start))
            continue;
        PyObject *cue = NULL;
        if (p->cues != Py_None) {
            cue = PyObject_CallFunction(self->context_cue, "OnO", text, word_start, p->cues);
            if (cue == NULL)
                return -1;
            if (!PyUnicode_Check(cue)) {
                Py_DECREF(cue);
                PyErr_SetString(PyExc_TypeError, "context_cue must return a str");
                return -1;
            }
            if (PyUnicode_GET_LENGTH(cue) == 0) {
                Py_DECREF(cue);
                PyObject *id = PyLong_FromLong(pi);
                if (id == NULL || PyList_Append(misses, id) < 0) {
                    Py_XDECREF(id);
                    return -1;
                }
                Py_DECREF(id);
                continue;
            }
        }
        Hit hit = {p->watchlist, p->uid, pi, prefix, sid, word_start, stem_end, end, 0, 0, cue, scan};
        span(self, d, word_start, end, &hit.o_start, &hit.o_end);
        if (hits_push(hits, hit) < 0) {
            Py_XDECREF(cue);
            return -1;
        }
    }
    return 0;
}

static int
scan_text(Scanner *self, const Doc *d, PyObject *text, int scan, Hits *hits, PyObject *misses)
{
    const Trie *trie = &self->terms[scan];
    const Str *s = &d->text;
    if (trie->nodes <= 1)
        return 0;
    for (Py_ssize_t ws = 0; ws < s->len; ws++) {
        if (char_at(s, ws) == ' ' || (ws > 0 && is_word(self, char_at(s, ws - 1))))
            continue; /* keys start with no space; a word starts after any non-word character */
        int32_t pnode = 0;
        for (Py_ssize_t k = 0;; k++) {
            if (self->prefixes.out_count[pnode] && ws + k < s->len) {
                int32_t prefix = self->prefixes.outs[self->prefixes.out_start[pnode]];
                int32_t node = 0;
                for (Py_ssize_t j = ws + k; j <= s->len;) {
                    node = trie_next(trie, node, char_at(s, j));
                    if (node < 0)
                        break;
                    j++;
                    if (trie->out_count[node] &&
                        verify(self, d, text, scan, trie, node, ws, ws + k, j, prefix, hits, misses) < 0)
                        return -1;
                }
            }
            if (k == self->max_prefix || ws + k >= s->len)
                break;
            pnode = trie_next(&self->prefixes, pnode, char_at(s, ws + k));
            if (pnode < 0)
                break;
        }
    }
    return 0;
}

/* By watch-list, span (start, longest first), entry, pattern as compiled, then the shorter
 * prefix: the Python path orders them the same way. */
static int
compare_hits(const void *a, const void *b)
{
    const Hit *x = a, *y = b;
    if (x->watchlist != y->watchlist)
        return x->watchlist < y->watchlist ? -1 : 1;
    if (x->o_start != y->o_start)
        return x->o_start < y->o_start ? -1 : 1;
    if (x->o_end != y->o_end)
        return x->o_end > y->o_end ? -1 : 1;
    if (x->uid != y->uid)
        return x->uid < y->uid ? -1 : 1;
    if (x->pat != y->pat)
        return x->pat < y->pat ? -1 : 1;
    Py_ssize_t px = x->stem_end - x->word_start, py = y->stem_end - y->word_start; /* same pattern: same key */
    if (px != py)
        return px > py ? -1 : 1; /* a longer key span means a shorter prefix */
    return x->scan - y->scan;
}

/* ---- weighing evidence (rasid.match.evidence.weigh documents the rules) ------------------- */

enum { GAIN_PLACE_WORD, GAIN_PREPOSITION, GAIN_AREA, GAIN_COUNTRY, GAIN_NEIGHBOUR, FRAMED };
#define MAX_BEFORE_WORDS 8

/* A selected hit's weight: its confidence in hundredths and evidence when weighed here. */
typedef struct {
    int32_t confidence; /* -1: as its pattern gives them (a settled prior, or none) */
    PyObject *evidence; /* owned when weighed */
    int dropped;        /* below its watch-list's min_confidence */
} Weight;

/* What one watch-list's matches vouch for: per area and country, the pattern of the first
 * match that counted there, or -1; and per country the hit naming it, or -1. */
typedef struct {
    int32_t *areas, *nations;
    const Py_ssize_t *named;
} Seen;

/* Record a counted match of `pi` in `seen`; whether that added anything. */
static int
vouch(const Scanner *self, Seen *seen, int32_t pi)
{
    const Pat *p = &self->pats[pi];
    int added = 0;
    if (p->area >= 0 && seen->areas[p->area] < 0)
        seen->areas[p->area] = pi, added = 1;
    if (p->country >= 0 && seen->nations[p->country] < 0)
        seen->nations[p->country] = pi, added = 1;
    return added;
}

/* The words before normalized `start` (original `o_start`) that evidence._around reads, nearest
 * first, as [starts[i], ends[i]); how many. */
static int
words_before(const Scanner *self, const Doc *d, Py_ssize_t start, Py_ssize_t o_start, Py_ssize_t *starts,
             Py_ssize_t *ends)
{
    Py_ssize_t lo = window_start(self, d, start, o_start), i = start;
    int n = 0;
    while (n < self->before_words) {
        i = word_before(&d->plain, lo, i, &ends[n]);
        if (i == ends[n])
            break;
        starts[n++] = i;
    }
    return n;
}

/* The first word after normalized `stop` (original `o_end`) within after_chars, not across a
 * sentence's end, as [*first, *last) (empty when there is none). */
static void
word_after(const Scanner *self, const Doc *d, Py_ssize_t stop, Py_ssize_t o_end, Py_ssize_t *first, Py_ssize_t *last)
{
    const Str *s = &d->plain, *o = &d->original;
    Py_ssize_t limit = stop + self->after_chars < s->len ? stop + self->after_chars : s->len;
    Py_ssize_t f = stop;
    while (f < limit && Py_UNICODE_ISSPACE(PyUnicode_READ(s->kind, s->data, f)))
        f++;
    Py_ssize_t l = f;
    while (l < limit && !Py_UNICODE_ISSPACE(PyUnicode_READ(s->kind, s->data, l)))
        l++;
    for (Py_ssize_t k = o_end; l > f && k < to_original(d, f); k++)
        if (ends_sentence(self, PyUnicode_READ(o->kind, o->data, k)))
            l = f;
    *first = f;
    *last = l;
}

/* What the whole text says for the entry of `h` (evidence._text_evidence): the gain, with up to
 * two notes added to `notes`; -1 on error. */
static int32_t
text_evidence(const Scanner *self, PyObject *original, const Hit *hits, const Hit *h, const Seen *seen,
              PyObject **notes, int *n)
{
    const Pat *p = &self->pats[h->pat];
    int32_t gain = 0;
    int32_t a = p->area >= 0 ? seen->areas[p->area] : -1;
    if (a >= 0 && self->pats[a].term_id != p->term_id) {
        gain += self->gains[GAIN_AREA];
        if ((notes[(*n)++] = PyUnicode_FromFormat("%U of the same area named", self->pats[a].term)) == NULL)
            return -1;
    }
    if (p->country < 0 || p->local)
        return gain;
    Py_ssize_t named = seen->named[p->country];
    int32_t nation = seen->nations[p->country];
    if (named >= 0) {
        gain += self->gains[GAIN_COUNTRY];
        PyObject *surface = PyUnicode_Substring(original, hits[named].o_start, hits[named].o_end);
        notes[(*n)++] = surface ? PyUnicode_FromFormat("its country named (%U)", surface) : NULL;
        Py_XDECREF(surface);
    } else if (nation >= 0 && self->pats[nation].term_id != p->term_id) {
        gain += self->gains[GAIN_NEIGHBOUR];
        notes[(*n)++] = PyUnicode_FromFormat("%U of the same country named", self->pats[nation].term);
    } else
        return gain;
    return notes[*n - 1] ? gain : -1;
}

/* The note on a person's or an organisation's word just before `h` (the nearest of its `before`
 * words at starts/ends) or just after it (evidence._frame): 1 with *note set, 0 when there is
 * none, -1 on error. */
static int
frame_of(const Scanner *self, const Doc *d, PyObject *text, const Hit *h, int before, const Py_ssize_t *starts,
         const Py_ssize_t *ends, PyObject **note)
{
    const Str *s = &d->plain;
    Py_ssize_t first = before ? starts[0] : 0, last = before ? ends[0] : 0;
    int frame = before ? word_kind(&self->frames, s, first, last) : -1;
    const char *format = "after %U: %U";
    if (frame == self->person && !self->pats[h->pat].titled)
        frame = -1;
    if (frame < 0) {
        word_after(self, d, h->end, h->o_end, &first, &last);
        frame = last > first ? word_kind(&self->frames_after, s, first, last) : -1;
        format = "before %U: %U";
    }
    if (frame < 0)
        return 0;
    PyObject *word = PyUnicode_Substring(text, first, last);
    *note = word ? PyUnicode_FromFormat(format, word, PyTuple_GET_ITEM(self->frame_labels, frame)) : NULL;
    Py_XDECREF(word);
    return *note ? 1 : -1;
}

/* `confidence` with what the words around `h` say (evidence._read), its note added to `notes`
 * if any; -1 on error. */
static int32_t
read_around(const Scanner *self, const Doc *d, PyObject *text, const Hit *h, int32_t confidence, PyObject **notes,
            int *n)
{
    const Pat *p = &self->pats[h->pat];
    const Str *s = &d->plain;
    Py_ssize_t starts[MAX_BEFORE_WORDS], ends[MAX_BEFORE_WORDS];
    int before = words_before(self, d, h->word_start, h->o_start, starts, ends);
    int framed = frame_of(self, d, text, h, before, starts, ends, &notes[*n]);
    if (framed != 0) {
        (*n)++;
        return framed > 0 ? self->gains[FRAMED] : -1;
    }
    int kind = -1, cue = -1;
    for (int k = 0; k < before; k++) {
        int found = word_kind(&self->cues, s, starts[k], ends[k]);
        if (found < 0)
            break;
        if (kind != CUE_PLACE && kind != CUE_DEFINITE_PLACE)
            kind = found, cue = k;
    }
    if (kind < 0 && (self->in_prefixes >> h->prefix) & 1)
        kind = CUE_PREPOSITION;
    if (kind < 0 || (kind != CUE_PLACE && p->doubted))
        return confidence; /* في إطار; المدينة الهندية is the Indian city */
    PyObject *word = cue >= 0 ? PyUnicode_Substring(text, starts[cue], ends[cue])
                              : PyUnicode_FromFormat("%U (in)", PyTuple_GET_ITEM(self->prefix_strs, h->prefix));
    notes[*n] = word ? PyUnicode_FromFormat("after %U", word) : NULL;
    Py_XDECREF(word);
    if (notes[(*n)++] == NULL)
        return -1;
    confidence += self->gains[kind == CUE_PREPOSITION ? GAIN_PREPOSITION : GAIN_PLACE_WORD];
    return confidence < 100 ? confidence : 100;
}

/* A settled match of `h` made a person's or an organisation's name by the word before or after
 * it: its weight set to FRAMED with the note. 1 if so, 0 if not, -1 on error. */
static int
frame_settled(const Scanner *self, const Doc *d, PyObject *text, const Hit *h, Weight *weight)
{
    /* only the nearest word before is read: found within before_chars, it is words_before's
     * first unless a sentence ends between it and the match (then words_before decides) */
    Py_ssize_t starts[MAX_BEFORE_WORDS], ends[MAX_BEFORE_WORDS];
    Py_ssize_t start = h->word_start, lo = start > self->before_chars ? start - self->before_chars : 0;
    starts[0] = word_before(&d->plain, lo, start, &ends[0]);
    int before = self->before_words > 0 && starts[0] < ends[0];
    for (Py_ssize_t k = h->o_start - 1, from = to_original(d, starts[0]); before && k >= from; k--)
        if (ends_sentence(self, PyUnicode_READ(d->original.kind, d->original.data, k))) {
            before = words_before(self, d, start, h->o_start, starts, ends);
            break;
        }
    PyObject *note = NULL;
    int framed = frame_of(self, d, text, h, before, starts, ends, &note);
    if (framed <= 0)
        return framed;
    PyObject *own = self->pats[h->pat].evidence;
    Py_ssize_t n = PyTuple_GET_SIZE(own);
    PyObject *evidence = PyTuple_New(n + 1);
    if (evidence == NULL) {
        Py_DECREF(note);
        return -1;
    }
    for (Py_ssize_t k = 0; k < n; k++)
        PyTuple_SET_ITEM(evidence, k, Py_NewRef(PyTuple_GET_ITEM(own, k)));
    PyTuple_SET_ITEM(evidence, n, note);
    Py_XSETREF(weight->evidence, evidence);
    weight->confidence = self->gains[FRAMED];
    return 1;
}

/* Give the hits `sel[pending[i]]` of watch-list `w` their confidence and evidence (evidence._weigh_all). */
static int
weigh_pending(const Scanner *self, const Doc *d, PyObject *text, PyObject *original, const Hit *hits,
              const Py_ssize_t *sel, const Py_ssize_t *pending, Py_ssize_t np, Py_ssize_t w, const Seen *seen,
              Weight *out)
{
    for (Py_ssize_t i = 0; i < np; i++) {
        Weight *weight = &out[pending[i]];
        const Hit *h = &hits[sel[pending[i]]];
        const Pat *p = &self->pats[h->pat];
        PyObject *notes[3] = {NULL, NULL, NULL};
        int n = 0;
        int32_t gain = text_evidence(self, original, hits, h, seen, notes, &n);
        int32_t confidence = p->prior + gain < 100 ? p->prior + gain : 100;
        double c = confidence / 100.0;
        if (gain >= 0 && self->low[w] <= c && c < self->high[w])
            confidence = read_around(self, d, text, h, confidence, notes, &n);
        PyObject *evidence = NULL;
        if (gain >= 0 && confidence >= 0) {
            Py_ssize_t own = PyTuple_GET_SIZE(p->prior_evidence);
            evidence = PyTuple_New(own + n);
            for (Py_ssize_t k = 0; evidence && k < own; k++)
                PyTuple_SET_ITEM(evidence, k, Py_NewRef(PyTuple_GET_ITEM(p->prior_evidence, k)));
            for (int k = 0; evidence && k < n; k++)
                PyTuple_SET_ITEM(evidence, own + k, Py_NewRef(notes[k]));
        }
        for (int k = 0; k < n; k++)
            Py_XDECREF(notes[k]);
        if (evidence == NULL)
            return -1;
        Py_XSETREF(weight->evidence, evidence);
        weight->confidence = confidence;
    }
    return 0;
}

/* Weigh the selected hits sel[from:to] of checked watch-list `w` (evidence.weigh): their
 * weights in out[from:to]. `pending` has room for to - from. */
static int
weigh_list(const Scanner *self, const Doc *d, PyObject *text, PyObject *original, const Hit *hits,
           const Py_ssize_t *sel, Py_ssize_t from, Py_ssize_t to, Py_ssize_t w, Seen *seen, Py_ssize_t *pending,
           Weight *out)
{
    double minimum = self->minimum[w];
    for (int32_t i = 0; i < self->areas; i++)
        seen->areas[i] = -1;
    for (int32_t i = 0; i < self->countries; i++)
        seen->nations[i] = -1;
    Py_ssize_t np = 0;
    for (Py_ssize_t k = from; k < to; k++) {
        const Hit *h = &hits[sel[k]];
        const Pat *p = &self->pats[h->pat];
        if (p->confidence != Py_None) {
            /* settled by its prior, unless a person's or an organisation's name */
            int framed = PyFloat_AS_DOUBLE(p->confidence) >= minimum ? frame_settled(self, d, text, h, &out[k]) : 0;
            if (framed < 0)
                return -1;
            if ((framed ? out[k].confidence / 100.0 : PyFloat_AS_DOUBLE(p->confidence)) < minimum)
                out[k].dropped = 1;
            else if (p->place != Py_None)
                vouch(self, seen, h->pat);
        } else if (p->window)
            pending[np++] = k;
    }
    if (np == 0 || weigh_pending(self, d, text, original, hits, sel, pending, np, w, seen, out) < 0)
        return np == 0 ? 0 : -1;
    /* places that counted on their own evidence vouch for their neighbours in turn */
    int added = 0;
    for (Py_ssize_t i = 0; i < np; i++) {
        const Hit *h = &hits[sel[pending[i]]];
        if (out[pending[i]].confidence / 100.0 >= minimum && self->pats[h->pat].place != Py_None)
            added |= vouch(self, seen, h->pat);
    }
    if (added) {
        Py_ssize_t low = 0;
        for (Py_ssize_t i = 0; i < np; i++)
            if (out[pending[i]].confidence / 100.0 < minimum)
                pending[low++] = pending[i];
        if (weigh_pending(self, d, text, original, hits, sel, pending, low, w, seen, out) < 0)
            return -1;
        np = low;
    }
    for (Py_ssize_t i = 0; i < np; i++)
        if (out[pending[i]].confidence / 100.0 < minimum)
            out[pending[i]].dropped = 1;
    return 0;
}

/* The `Match` of `h`, with the weight given to it if any. */
static PyObject *
make_match(Scanner *self, PyObject *original, PyObject *texts[2], const Hit *h, const Weight *weight)
{
    const Pat *p = &self->pats[h->pat];
    PyTypeObject *type = (PyTypeObject *)self->match_type;
    PyObject *m = type->tp_alloc(type, 0);
    if (m == NULL)
        return NULL;
    PyObject *suffix;
    if (p->mode == SUFFIX_FIXED)
        suffix = Py_NewRef(p->fixed_suffix);
    else if (h->suffix >= 0)
        suffix = Py_NewRef(PyTuple_GET_ITEM(self->suffix_strs, h->suffix));
    else
        suffix = PyUnicode_Substring(texts[h->scan], h->stem_end, h->end);
    PyObject *values[NFIELDS] = {
        Py_NewRef(p->kind),
        Py_NewRef(p->term),
        PyUnicode_Substring(original, h->o_start, h->o_end),
        PyLong_FromSsize_t(h->o_start),
        PyLong_FromSsize_t(h->o_end),
        Py_NewRef(p->spelling),
        Py_NewRef(PyTuple_GET_ITEM(self->prefix_strs, h->prefix)),
        suffix,
        h->cue ? Py_NewRef(h->cue) : PyUnicode_New(0, 0),
        Py_NewRef(p->place),
        weight->confidence >= 0 ? PyFloat_FromDouble(weight->confidence / 100.0) : Py_NewRef(p->confidence),
        Py_NewRef(weight->confidence >= 0 ? weight->evidence : p->evidence),
    };
    int failed = 0;
    for (int i = 0; i < NFIELDS; i++) {
        if (values[i] == NULL)
            failed = 1;
        /* the new object's slots are empty: each takes its value's reference, as the slot's own
         * descriptor would (it is a frozen dataclass: its __setattr__ refuses) */
        *(PyObject **)((char *)m + self->offsets[i]) = values[i];
    }
    if (failed) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}

static PyObject *
Scanner_matches(Scanner *self, PyObject *args)
{
    PyObject *original, *text, *folded;
    Py_buffer index;
    if (!PyArg_ParseTuple(args, "UUOy*", &original, &text, &folded, &index))
        return NULL;
    if (folded != Py_None && (!PyUnicode_Check(folded) || PyUnicode_GET_LENGTH(folded) != PyUnicode_GET_LENGTH(text))) {
        PyBuffer_Release(&index);
        PyErr_SetString(PyExc_ValueError, "the folded text must be a str as long as the text");
        return NULL;
    }
    Doc d = {str_of(text), str_of(original), index.buf, index.len / (Py_ssize_t)sizeof(int32_t), str_of(text)};
    int valid = index.len == d.text.len * (Py_ssize_t)sizeof(int32_t);
    for (Py_ssize_t i = 0; valid && i < d.index_len; i++)
        valid = d.index[i] >= 0 && d.index[i] < d.original.len;
    if (!valid) {
        PyBuffer_Release(&index);
        PyErr_SetString(PyExc_ValueError, "offsets must hold one int32 per character of the text, each within the original");
        return NULL;
    }
    Hits hits = {NULL, 0, 0};
    PyObject *result = NULL, *lists = NULL, *dropped = NULL;
    PyObject *misses = PyList_New(0);
    PyObject *texts[2] = {text, folded};
    Py_ssize_t *sel = NULL, *pending = NULL, *named = NULL, nsel = 0;
    Weight *weights = NULL;
    Seen seen = {NULL, NULL, NULL};
    if (misses == NULL || scan_text(self, &d, text, 0, &hits, misses) < 0)
        goto done;
    if (folded != Py_None) {
        d.text = str_of(folded);
        if (scan_text(self, &d, folded, 1, &hits, misses) < 0)
            goto done;
    }
    if (hits.len > 1)
        qsort(hits.items, hits.len, sizeof(Hit), compare_hits);
    lists = PyList_New(self->watchlists);
    dropped = PyList_New(self->watchlists);
    sel = PyMem_Malloc((hits.len + 1) * sizeof(Py_ssize_t));
    if (lists == NULL || dropped == NULL || sel == NULL)
        goto error;
    for (Py_ssize_t w = 0; w < self->watchlists; w++) {
        PyObject *l = PyList_New(0), *below = PyList_New(0);
        if (l == NULL || below == NULL) {
            Py_XDECREF(l);
            Py_XDECREF(below);
            goto done;
        }
        PyList_SET_ITEM(lists, w, l);
        PyList_SET_ITEM(dropped, w, below);
    }
    /* one hit per entry and span, none inside a longer one of its watch-list */
    const Hit *cover = NULL, *previous = NULL;
    for (Py_ssize_t i = 0; i < hits.len; i++) {
        const Hit *h = &hits.items[i];
        if (previous && previous->watchlist != h->watchlist)
            cover = NULL;
        if (previous && previous->watchlist == h->watchlist && previous->uid == h->uid &&
            previous->o_start == h->o_start && previous->o_end == h->o_end)
            continue; /* the same entry on the same span: the first pattern listed stands */
        previous = h;
        if (cover && h->o_end <= cover->o_end && !(h->o_start == cover->o_start && h->o_end == cover->o_end))
            continue; /* inside a longer match of the same watch-list */
        if (cover == NULL || h->o_end > cover->o_end)
            cover = h;
        sel[nsel++] = i;
    }
    weights = PyMem_Calloc(nsel + 1, sizeof(Weight));
    if (weights == NULL)
        goto error;
    for (Py_ssize_t k = 0; k < nsel; k++)
        weights[k].confidence = -1;
    int weighs = 0;
    for (Py_ssize_t w = 0; w < self->watchlists; w++)
        weighs |= self->checked[w];
    if (weighs) {
        pending = PyMem_Malloc((nsel + 1) * sizeof(Py_ssize_t));
        named = PyMem_Malloc((self->countries + 1) * sizeof(Py_ssize_t));
        seen.areas = PyMem_Malloc((self->areas + 1) * sizeof(int32_t));
        seen.nations = PyMem_Malloc((self->countries + 1) * sizeof(int32_t));
        if (pending == NULL || named == NULL || seen.areas == NULL || seen.nations == NULL)
            goto error;
        for (int32_t c = 0; c < self->countries; c++)
            named[c] = -1;
        for (Py_ssize_t k = 0; k < nsel; k++) { /* the last mention of each country is the one reported */
            const Hit *h = &hits.items[sel[k]];
            if (h->watchlist == self->mentions && self->pats[h->pat].country >= 0)
                named[self->pats[h->pat].country] = sel[k];
        }
        seen.named = named;
        for (Py_ssize_t from = 0, to; from < nsel; from = to) {
            Py_ssize_t w = hits.items[sel[from]].watchlist;
            for (to = from; to < nsel && hits.items[sel[to]].watchlist == w; to++)
                ;
            if (self->checked[w] &&
                weigh_list(self, &d, text, original, hits.items, sel, from, to, w, &seen, pending, weights) < 0)
                goto done;
        }
    }
    for (Py_ssize_t k = 0; k < nsel; k++) {
        const Hit *h = &hits.items[sel[k]];
        if (h->watchlist == self->mentions)
            continue; /* read above; nobody asks for their matches */
        PyObject *m = make_match(self, original, texts, h, &weights[k]);
        if (m == NULL)
            goto done;
        int appended = PyList_Append(PyList_GET_ITEM(weights[k].dropped ? dropped : lists, h->watchlist), m);
        Py_DECREF(m);
        if (appended < 0)
            goto done;
    }
    result = PyTuple_Pack(3, lists, misses, dropped);
    goto done;
error:
    PyErr_NoMemory();
done:
    Py_XDECREF(lists);
    Py_XDECREF(dropped);
    Py_XDECREF(misses);
    if (weights)
        for (Py_ssize_t k = 0; k < nsel; k++)
            Py_XDECREF(weights[k].evidence);
    PyMem_Free(weights);
    PyMem_Free(sel);
    PyMem_Free(pending);
    PyMem_Free(named);
    PyMem_Free(seen.areas);
    PyMem_Free(seen.nations);
    hits_clear(&hits);
    PyBuffer_Release(&index);
    return result;
}

/* ---- construction ---------------------------------------------------------------------- */

static int
add_keys(Trie *t, PyObject *keys)
{
    PyObject *seq = PySequence_Fast(keys, "keys must be a sequence of (key, ids)");
    if (seq == NULL)
        return -1;
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq); i++) {
        PyObject *key, *ids;
        if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(seq, i), "UO", &key, &ids) || trie_add(t, key, ids) < 0) {
            Py_DECREF(seq);
            return -1;
        }
    }
    Py_DECREF(seq);
    return 0;
}

/* A trie of `words` (a tuple of str) whose outputs are their positions. */
static int
add_words(Trie *t, PyObject *words)
{
    if (PyTuple_GET_SIZE(words) > 64) {
        PyErr_SetString(PyExc_ValueError, "at most 64 prefixes and 64 suffixes");
        return -1;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(words); i++) {
        if (!PyUnicode_Check(PyTuple_GET_ITEM(words, i))) {
            PyErr_SetString(PyExc_TypeError, "prefixes and suffixes must be str");
            return -1;
        }
        PyObject *id = PyLong_FromSsize_t(i);
        PyObject *ids = id ? PyTuple_Pack(1, id) : NULL;
        Py_XDECREF(id);
        if (ids == NULL || trie_add(t, PyTuple_GET_ITEM(words, i), ids) < 0) {
            Py_XDECREF(ids);
            return -1;
        }
        Py_DECREF(ids);
    }
    return 0;
}

static int
read_pattern(PyObject *item, Pat *p)
{
    unsigned long long prefixes, suffixes;
    if (!PyArg_ParseTuple(item, "iiKKipppUOUUUOOOppipO!iiipp", &p->watchlist, &p->uid, &prefixes, &suffixes,
                          &p->mode, &p->ends_in_space, &p->latin, &p->phrase, &p->fixed_suffix, &p->cues, &p->kind,
                          &p->term, &p->spelling, &p->place, &p->confidence, &p->evidence, &p->window,
                          &p->place_word, &p->prior, &p->doubted, &PyTuple_Type, &p->prior_evidence, &p->area,
                          &p->country, &p->term_id, &p->titled, &p->local))
        return -1;
    if (p->confidence != Py_None && !PyFloat_Check(p->confidence)) {
        PyErr_SetString(PyExc_TypeError, "a settled confidence must be a float");
        return -1;
    }
    p->prefixes = prefixes;
    p->suffixes = suffixes;
    p->fixed_len = PyUnicode_GET_LENGTH(p->fixed_suffix);
    Py_INCREF(p->fixed_suffix);
    Py_INCREF(p->cues);
    Py_INCREF(p->kind);
    Py_INCREF(p->term);
    Py_INCREF(p->spelling);
    Py_INCREF(p->place);
    Py_INCREF(p->confidence);
    Py_INCREF(p->evidence);
    Py_INCREF(p->prior_evidence);
    return 0;
}

static void
Scanner_dealloc(Scanner *self)
{
    for (int i = 0; i < 2; i++)
        trie_free(&self->terms[i]);
    trie_free(&self->prefixes);
    trie_free(&self->suffixes);
    trie_free(&self->cues);
    for (Py_ssize_t i = 0; i < self->npats; i++) {
        Pat *p = &self->pats[i];
        Py_XDECREF(p->fixed_suffix);
        Py_XDECREF(p->cues);
        Py_XDECREF(p->kind);
        Py_XDECREF(p->term);
        Py_XDECREF(p->spelling);
        Py_XDECREF(p->place);
        Py_XDECREF(p->confidence);
        Py_XDECREF(p->evidence);
        Py_XDECREF(p->prior_evidence);
    }
    PyMem_Free(self->pats);
    trie_free(&self->frames);
    trie_free(&self->frames_after);
    Py_XDECREF(self->frame_labels);
    PyMem_Free(self->checked);
    PyMem_Free(self->minimum);
    PyMem_Free(self->low);
    PyMem_Free(self->high);
    Py_XDECREF(self->prefix_strs);
    Py_XDECREF(self->suffix_strs);
    Py_XDECREF(self->match_type);
    Py_XDECREF(self->context_cue);
    Py_XDECREF(self->sentence_ends);
    Py_XDECREF(self->table_obj);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static const char *FIELDS[NFIELDS] = {"kind",   "term",    "surface", "start", "end",        "spelling",
                                      "prefix", "suffix",  "context", "place", "confidence", "evidence"};

static PyObject *
Scanner_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"table", "keys", "folded_keys", "patterns", "prefixes", "suffixes", "watchlists",
                             "max_prefix", "match_type", "context_cue", "sentence_ends", "window", "cues",
                             "weighing", NULL};
    PyObject *table, *keys, *folded_keys, *patterns, *prefixes, *suffixes, *match_type, *context_cue, *sentence_ends,
        *cues, *frames, *frames_after, *frame_labels, *lists;
    Py_ssize_t watchlists, max_prefix, before_chars, before_words, after_chars, mentions;
    unsigned long long in_prefixes;
    int32_t gains[6], countries, areas;
    int person;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "SOOOO!O!nnO!OU(nnn)O(OOO!iK(iiiiii)Onii)", kwlist, &table, &keys,
                                     &folded_keys, &patterns, &PyTuple_Type, &prefixes, &PyTuple_Type, &suffixes,
                                     &watchlists, &max_prefix, &PyType_Type, &match_type, &context_cue,
                                     &sentence_ends, &before_chars, &before_words, &after_chars, &cues, &frames,
                                     &frames_after, &PyTuple_Type, &frame_labels, &person, &in_prefixes, &gains[0], &gains[1],
                                     &gains[2], &gains[3], &gains[4], &gains[5], &lists, &mentions, &countries,
                                     &areas))
        return NULL;
    if (before_chars < 0 || before_words < 0 || after_chars < 0 || before_words > MAX_BEFORE_WORDS) {
        PyErr_SetString(PyExc_ValueError, "window sizes must not be negative, nor words before more than 8");
        return NULL;
    }
    if (countries < 0 || areas < 0) {
        PyErr_SetString(PyExc_ValueError, "the numbers of countries and areas must not be negative");
        return NULL;
    }
    if (PyBytes_GET_SIZE(table) != 0x10000 * 4) {
        PyErr_SetString(PyExc_ValueError, "the character table must hold 65536 uint32 entries");
        return NULL;
    }
    Scanner *self = (Scanner *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    self->table_obj = Py_NewRef(table);
    self->table = (const uint32_t *)PyBytes_AS_STRING(table);
    self->prefix_strs = Py_NewRef(prefixes);
    self->suffix_strs = Py_NewRef(suffixes);
    self->match_type = Py_NewRef(match_type);
    self->context_cue = Py_NewRef(context_cue);
    self->sentence_ends = Py_NewRef(sentence_ends);
    self->nends = (int)PyUnicode_GET_LENGTH(sentence_ends);
    if (self->nends > 16) {
        PyErr_SetString(PyExc_ValueError, "at most 16 sentence ends");
        goto fail;
    }
    for (int i = 0; i < self->nends; i++)
        self->ends[i] = PyUnicode_READ_CHAR(sentence_ends, i);
    self->before_chars = before_chars;
    self->before_words = before_words;
    self->after_chars = after_chars;
    self->watchlists = watchlists;
    self->max_prefix = max_prefix;
    self->frame_labels = Py_NewRef(frame_labels);
    self->person = person;
    self->in_prefixes = in_prefixes;
    for (int i = 0; i < 6; i++)
        self->gains[i] = gains[i];
    self->mentions = mentions;
    self->countries = countries;
    self->areas = areas;
    self->checked = PyMem_Calloc(watchlists + 1, sizeof(int));
    self->minimum = PyMem_Calloc(watchlists + 1, sizeof(double));
    self->low = PyMem_Calloc(watchlists + 1, sizeof(double));
    self->high = PyMem_Calloc(watchlists + 1, sizeof(double));
    if (!self->checked || !self->minimum || !self->low || !self->high) {
        PyErr_NoMemory();
        goto fail;
    }
    PyObject *per_list = PySequence_Fast(lists, "weighing's lists must be a sequence");
    if (per_list == NULL)
        goto fail;
    if (PySequence_Fast_GET_SIZE(per_list) != watchlists) {
        Py_DECREF(per_list);
        PyErr_SetString(PyExc_ValueError, "weighing needs (checked, minimum, low, high) for every watch-list");
        goto fail;
    }
    for (Py_ssize_t w = 0; w < watchlists; w++)
        if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(per_list, w), "pddd", &self->checked[w], &self->minimum[w],
                              &self->low[w], &self->high[w])) {
            Py_DECREF(per_list);
            goto fail;
        }
    Py_DECREF(per_list);
    for (int i = 0; i < NFIELDS; i++) {
        PyObject *slot = PyObject_GetAttrString(match_type, FIELDS[i]);
        if (slot == NULL)
            goto fail;
        int ok = Py_IS_TYPE(slot, &PyMemberDescr_Type) && ((PyMemberDescrObject *)slot)->d_member->type == T_OBJECT_EX;
        if (ok)
            self->offsets[i] = ((PyMemberDescrObject *)slot)->d_member->offset;
        Py_DECREF(slot);
        if (!ok) {
            PyErr_Format(PyExc_TypeError, "the match type must keep %s in a slot", FIELDS[i]);
            goto fail;
        }
    }
    if (trie_init(&self->terms[0]) < 0 || trie_init(&self->terms[1]) < 0 || trie_init(&self->prefixes) < 0 ||
        trie_init(&self->suffixes) < 0 || trie_init(&self->cues) < 0 || trie_init(&self->frames) < 0 ||
        trie_init(&self->frames_after) < 0)
        goto fail;
    if (add_keys(&self->terms[0], keys) < 0 || add_keys(&self->terms[1], folded_keys) < 0 ||
        add_words(&self->prefixes, prefixes) < 0 || add_words(&self->suffixes, suffixes) < 0 ||
        add_keys(&self->cues, cues) < 0 || add_keys(&self->frames, frames) < 0 ||
        add_keys(&self->frames_after, frames_after) < 0)
        goto fail;
    PyObject *seq = PySequence_Fast(patterns, "patterns must be a sequence");
    if (seq == NULL)
        goto fail;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    self->pats = PyMem_Calloc(n ? n : 1, sizeof(Pat));
    if (self->pats == NULL) {
        Py_DECREF(seq);
        PyErr_NoMemory();
        goto fail;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (read_pattern(PySequence_Fast_GET_ITEM(seq, i), &self->pats[i]) < 0) {
            Py_DECREF(seq);
            goto fail;
        }
        self->npats = i + 1;
        const Pat *p = &self->pats[i];
        if (p->watchlist < 0 || p->watchlist >= watchlists || p->area >= areas || p->country >= countries) {
            Py_DECREF(seq);
            PyErr_SetString(PyExc_ValueError, "a pattern's watch-list, area or country is out of range");
            goto fail;
        }
    }
    Py_DECREF(seq);
    for (int t = 0; t < 2; t++)
        for (Py_ssize_t i = 0; i < self->terms[t].outs_len; i++)
            if (self->terms[t].outs[i] < 0 || self->terms[t].outs[i] >= n) {
                PyErr_SetString(PyExc_ValueError, "a key names a pattern that does not exist");
                goto fail;
            }
    return (PyObject *)self;
fail:
    Py_DECREF(self);
    return NULL;
}

static PyMethodDef Scanner_methods[] = {
    {"matches", (PyCFunction)Scanner_matches, METH_VARARGS,
     "matches(original, text, folded, offsets) -> (matches per watch-list, missed pattern ids, matches per\n"
     "watch-list dropped below its min_confidence)"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject ScannerType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "rasid.match._scan.Scanner",
    .tp_basicsize = sizeof(Scanner),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Compiled keys and patterns of a Matcher.",
    .tp_new = Scanner_new,
    .tp_dealloc = (destructor)Scanner_dealloc,
    .tp_methods = Scanner_methods,
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_scan", NULL, -1, NULL};

PyMODINIT_FUNC
PyInit__scan(void)
{
    if (PyType_Ready(&ScannerType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    if (PyModule_AddObjectRef(m, "Scanner", (PyObject *)&ScannerType) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
