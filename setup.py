"""The hot loops of the normalizer, the matcher and the dedup fingerprint in C; the rest of the
build is in pyproject.toml.

All are optional: without a C compiler rasid installs and runs on its Python path (see the
README's "Matching speed").
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("rasid.normalize._fold", ["src/rasid/normalize/_fold.c"], optional=True),
        Extension("rasid.match._scan", ["src/rasid/match/_scan.c"], optional=True),
        Extension("rasid.dedup._shingles", ["src/rasid/dedup/_shingles.c"], optional=True),
    ]
)
