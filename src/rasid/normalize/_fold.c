/* fold(text, table): the matching form of a text and each of its characters' original offset.
 *
 * `table` holds one uint32 per BMP code point (see rasid.normalize.tables.char_table): the folded
 * code point in the low 21 bits, and flags. Texts that need NFKC or a context-dependent lowercase
 * return None, and normalize() takes its Python path.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

/* The folded code point and flags of a character-table entry, as rasid.normalize.tables defines them. */
#define CP_MASK 0x1FFFFFu
#define F_DELETE (1u << 24)
#define F_SLOW (1u << 25)

static PyObject *
fold(PyObject *module, PyObject *args)
{
    PyObject *text;
    Py_buffer table;
    if (!PyArg_ParseTuple(args, "Uy*", &text, &table))
        return NULL;
    if (table.len != 0x10000 * 4) {
        PyBuffer_Release(&table);
        PyErr_SetString(PyExc_ValueError, "the character table must hold 65536 uint32 entries");
        return NULL;
    }
    const uint32_t *tab = table.buf;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (n > INT32_MAX) {
        PyBuffer_Release(&table);
        Py_RETURN_NONE; /* offsets are int32: the Python path takes it */
    }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_UCS4 *out = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(Py_UCS4));
    int32_t *index = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(int32_t));
    PyObject *result = NULL;
    if (out == NULL || index == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t m = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c < 0x10000) {
            uint32_t v = tab[c];
            if (v & F_SLOW) {
                result = Py_NewRef(Py_None);
                goto done;
            }
            if (v & F_DELETE)
                continue;
            c = v & CP_MASK;
        }
        else if (Py_UNICODE_ISUPPER(c) || Py_UNICODE_ISTITLE(c)) {
            result = Py_NewRef(Py_None);
            goto done;
        }
        if (c == ' ' && m && out[m - 1] == ' ')
            continue;
        out[m] = c;
        index[m] = (int32_t)i;
        m++;
    }
    PyObject *folded = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, out, m);
    PyObject *offsets = folded ? PyBytes_FromStringAndSize((const char *)index, m * (Py_ssize_t)sizeof(int32_t)) : NULL;
    if (offsets != NULL)
        result = PyTuple_Pack(2, folded, offsets);
    Py_XDECREF(folded);
    Py_XDECREF(offsets);
done:
    PyMem_Free(out);
    PyMem_Free(index);
    PyBuffer_Release(&table);
    return result;
}

static PyMethodDef methods[] = {
    {"fold", fold, METH_VARARGS,
     "fold(text, table) -> (folded, offsets) | None: the matching form of `text` and, as int32 "
     "bytes, the original offset of each of its characters; None when `text` needs NFKC."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_fold", NULL, 0, methods};

PyMODINIT_FUNC
PyInit__fold(void)
{
    return PyModule_Create(&module);
}
