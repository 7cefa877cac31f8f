PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.runtime
TOOLS := $(VENV)/.tools

.PHONY: run test check bench reference docs verify-unit clean

# what running needs: rasid, its dependencies and its C extensions
$(RUNTIME): pyproject.toml setup.py src/rasid/normalize/_fold.c src/rasid/match/_scan.c src/rasid/dedup/_shingles.c
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(RUNTIME)

# and what the tests and benchmarks need
$(TOOLS): $(RUNTIME)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(TOOLS)

## run: the daemon on the shipped config.yaml (watches seeds/, prints alerts)
run: $(RUNTIME)
	$(BIN)/rasid run --config config.yaml

## test: the whole test suite (rasid's modules compiled first: the tests start `rasid` hundreds
## of times, and where PYTHONDONTWRITEBYTECODE is set each start would compile them again)
test: $(TOOLS)
	$(BIN)/python -m compileall -q src >/dev/null
	$(BIN)/python -m pytest -q -n 3 --dist load

## check: validate config.yaml and print its summary
check: $(RUNTIME)
	$(BIN)/rasid check --config config.yaml

## bench: the benchmarks under bench/, printing their figures
bench: $(TOOLS)
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

## verify-unit: systemd-analyze verify and security on deploy/rasid.service
verify-unit: $(RUNTIME)
	@sed "s|/opt/rasid/bin/rasid|$(CURDIR)/$(BIN)/rasid|" deploy/rasid.service > $(VENV)/rasid.service
	@out=$$(systemd-analyze verify $(VENV)/rasid.service 2>&1); if [ -n "$$out" ]; then echo "$$out"; exit 1; fi
	@systemd-analyze security --offline=true deploy/rasid.service | tail -1

## reference: regenerate the configuration reference in docs/configuration.md from the config models
reference: $(RUNTIME)
	$(BIN)/python -c 'import pathlib; from rasid.config.reference import reference_markdown as r; p = pathlib.Path("docs/configuration.md"); s = p.read_text(); a, b = "<!-- reference:start -->\n", "<!-- reference:end -->"; p.write_text(s.split(a)[0] + a + r() + b + s.split(b)[1])'

## docs: build the documentation site into site/ (mkdocs build --strict)
docs: $(TOOLS)
	$(BIN)/mkdocs build --strict --site-dir site

clean:
	rm -rf $(VENV) state build site src/*.egg-info .pytest_cache
