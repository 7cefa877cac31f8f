PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

## run: the daemon on the shipped config.yaml (watches seeds/, prints alerts)
run: $(STAMP)
	$(BIN)/rasid run --config config.yaml

## test: the whole test suite
test: $(STAMP)
	$(BIN)/python -m pytest -q

## check: validate config.yaml and print its summary
check: $(STAMP)
	$(BIN)/rasid check --config config.yaml

## bench: the benchmarks under bench/, printing their figures
bench: $(STAMP)
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) state build src/*.egg-info .pytest_cache
