/* A report's shingles, MinHash and LSH band keys in one pass: what fingerprints.py computes
 * with numpy, bit for bit (a test compares the two), at a tenth of the cost. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BANDS 21
#define ROWS 3
#define PERMUTATIONS (BANDS * ROWS)
#define K1 0x9E3779B1u
#define K2 0x85EBCA77u

static uint32_t crc_table[256];

static void
crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

/* zlib's crc32 of `n` bytes */
static uint32_t
crc32_of(const unsigned char *p, Py_ssize_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (Py_ssize_t i = 0; i < n; i++)
        c = crc_table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

static uint32_t
fmix32(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x85EBCA6Bu;
    h ^= h >> 13;
    h *= 0xC2B2AE35u;
    return h ^ (h >> 16);
}

static int
compare_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

static PyObject *
fingerprint(PyObject *self, PyObject *args)
{
    PyObject *words;
    Py_buffer a_buf, b_buf;
    if (!PyArg_ParseTuple(args, "O!y*y*", &PyList_Type, &words, &a_buf, &b_buf))
        return NULL;
    PyObject *result = NULL;
    uint32_t *hashes = NULL;
    if (a_buf.len != PERMUTATIONS * 4 || b_buf.len != PERMUTATIONS * 4) {
        PyErr_SetString(PyExc_ValueError, "permutations must be 63 uint32 values each");
        goto done;
    }
    Py_ssize_t n = PyList_GET_SIZE(words);
    hashes = PyMem_Malloc((size_t)(n > 0 ? n : 1) * sizeof(uint32_t));
    if (hashes == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *word = PyList_GET_ITEM(words, i);
        if (!PyUnicode_Check(word)) {
            PyErr_SetString(PyExc_TypeError, "words must be str");
            goto done;
        }
        Py_ssize_t size;
        const char *utf8 = PyUnicode_AsUTF8AndSize(word, &size);
        if (utf8 == NULL)
            goto done;
        hashes[i] = crc32_of((const unsigned char *)utf8, size);
    }
    /* shingles, in place: each run of three words, or all the words if fewer */
    Py_ssize_t count;
    if (n < 3) {
        uint64_t sum = 0;
        for (Py_ssize_t i = 0; i < n; i++)
            sum += hashes[i];
        hashes[0] = (uint32_t)sum;
        count = n > 0 ? 1 : 0;
    } else {
        for (Py_ssize_t i = 0; i + 2 < n; i++)
            hashes[i] = hashes[i] * K1 + hashes[i + 1] * K2 + hashes[i + 2];
        count = n - 2;
    }
    qsort(hashes, (size_t)count, sizeof(uint32_t), compare_u32);
    Py_ssize_t distinct = 0;
    for (Py_ssize_t i = 0; i < count; i++)
        if (distinct == 0 || hashes[i] != hashes[distinct - 1])
            hashes[distinct++] = hashes[i];

    PyObject *keys = PyTuple_New(distinct ? BANDS : 0);
    if (keys == NULL)
        goto done;
    if (distinct) {
        const uint32_t *a = a_buf.buf, *b = b_buf.buf;
        uint32_t mins[PERMUTATIONS];
        for (int k = 0; k < PERMUTATIONS; k++)
            mins[k] = 0xFFFFFFFFu;
        for (Py_ssize_t i = 0; i < distinct; i++) {
            uint32_t mixed = fmix32(hashes[i]);
            for (int k = 0; k < PERMUTATIONS; k++) {
                uint32_t v = a[k] * mixed + b[k];
                if (v < mins[k])
                    mins[k] = v;
            }
        }
        for (int band = 0; band < BANDS; band++) {
            unsigned char row[ROWS * 8];
            memset(row, 0, sizeof row);
            for (int r = 0; r < ROWS; r++) {
                uint32_t v = mins[band * ROWS + r];
                for (int byte = 0; byte < 4; byte++)
                    row[r * 8 + byte] = (unsigned char)(v >> (8 * byte));
            }
            uint64_t key = ((uint64_t)band << 32) | crc32_of(row, sizeof row);
            PyObject *item = PyLong_FromUnsignedLongLong(key);
            if (item == NULL) {
                Py_DECREF(keys);
                goto done;
            }
            PyTuple_SET_ITEM(keys, band, item);
        }
    }
    /* little-endian uint32, as numpy's "<u4" */
    PyObject *packed = PyBytes_FromStringAndSize(NULL, distinct * 4);
    if (packed == NULL) {
        Py_DECREF(keys);
        goto done;
    }
    unsigned char *out = (unsigned char *)PyBytes_AS_STRING(packed);
    for (Py_ssize_t i = 0; i < distinct; i++)
        for (int byte = 0; byte < 4; byte++)
            out[i * 4 + byte] = (unsigned char)(hashes[i] >> (8 * byte));
    result = Py_BuildValue("(NN)", packed, keys);
done:
    PyMem_Free(hashes);
    PyBuffer_Release(&a_buf);
    PyBuffer_Release(&b_buf);
    return result;
}

static PyMethodDef methods[] = {
    {"fingerprint", fingerprint, METH_VARARGS,
     "fingerprint(words, a, b) -> (shingles, band_keys): the sorted distinct 32-bit shingle "
     "hashes as little-endian bytes, and the 21 LSH band keys of their MinHash under the "
     "permutations h -> a*h + b (63 uint32 each, native order); no keys for no words."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_shingles", NULL, 0, methods};

PyMODINIT_FUNC
PyInit__shingles(void)
{
    crc_init();
    return PyModule_Create(&module);
}
