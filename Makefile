# Aegis: `make run` starts the platform with demo data, `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
PYTEST_WORKERS ?= 2

.PHONY: run test lint typecheck contracts pytest install browser clamav libmagic clean bench

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv

.venv/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet
	touch $@

install: .venv/.synced

run: install libmagic
	$(UV) run --frozen aegis run

# the benchmark on SQLite (docs/performance.md); the dataset is generated once per scale
BENCH_SCALE ?= 1
BENCH_ARGS ?=
bench: install libmagic
	test -f var/bench/scale-$(BENCH_SCALE).db || \
		$(UV) run --frozen python -m bench.scale --scale $(BENCH_SCALE)
	$(UV) run --frozen python -m bench.measure --scale $(BENCH_SCALE) $(BENCH_ARGS)

lint: install
	$(UV) run --frozen ruff check src tests migrations bench

typecheck: install
	$(UV) run --frozen mypy

contracts: install
	$(UV) run --frozen lint-imports

# bandit at every severity and confidence (configured in pyproject.toml); it warns again for
# every other expression of a statement that carries a nosec, which only hides its findings
security: install
	$(UV) run --frozen bandit -c pyproject.toml -r src migrations -q \
		--severity-level low --confidence-level low 2> >(grep -v "but no failed test" >&2)

browser:
	scripts/install-browser

libmagic:
	scripts/install-libmagic

clamav:
	scripts/install-clamav
	scripts/start-clamd >/dev/null

pytest: install browser clamav
	$(UV) run --frozen pytest -n $(PYTEST_WORKERS) -q

test: lint typecheck contracts security pytest

clean:
	rm -rf .venv .tools .mypy_cache .ruff_cache .pytest_cache
