# Two commands do all the set-up: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install demo test lint typecheck unit bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# The 2018 event-stream incident, offline. depscan exits 1 because it finds it; anything else fails.
demo: install
	@$(BIN)/depscan lockfile examples/event-stream-2018 --offline; status=$$?; \
	if [ $$status -ne 1 ]; then echo "demo: expected exit 1 (findings), got $$status" >&2; exit 1; fi

lint: install
	$(BIN)/ruff check scanner tests benchmarks

typecheck: install
	$(BIN)/mypy scanner

unit: install
	$(BIN)/python -m pytest -q

test: lint typecheck unit

bench: install
	$(BIN)/python benchmarks/bench_lockfile.py

clean:
	rm -rf $(VENV) build dist *.egg-info
