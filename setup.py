"""The normalizer's and the matcher's hot loops in C; the rest of the build is in pyproject.toml.

Both are optional: without a C compiler rasid installs and runs on its Python path (see the
README's "Matching speed").
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("rasid.normalize._fold", ["src/rasid/normalize/_fold.c"], optional=True),
        Extension("rasid.match._scan", ["src/rasid/match/_scan.c"], optional=True),
    ]
)
