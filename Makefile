# Salync — the two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)
PORT ?= 8000

.PHONY: install run test lint format bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $@

# Web + worker + scheduler on the embedded defaults (SQLite, local memory, file broker).
# Ctrl-C stops them together and exits 0: on a terminal, job control (set -m) gives honcho the
# terminal to itself, so make never sees the SIGINT; honcho's 130 means "stopped by SIGINT".
run: export DJANGO_SETTINGS_MODULE = salync.settings.local
run: SHELL := /bin/bash
run: install
	$(BIN)/python manage.py migrate --noinput
	@$(BIN)/python manage.py seed_demo > var/demo-login.txt
	@echo ""
	@echo "  Salync is starting at http://127.0.0.1:$(PORT)/"
	@echo "  Demo login  $$(sed -n 2p var/demo-login.txt)"
	@echo "              $$(sed -n 3p var/demo-login.txt)"
	@echo "  Stop with Ctrl-C."
	@echo ""
	@if [ -t 0 ]; then set -m; fi; \
	PORT=$(PORT) $(BIN)/honcho --procfile Procfile.dev start || [ $$? -eq 130 ]

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The benchmark suite (SPEC §6) on this machine's PostgreSQL and Redis, loaded by Debian's wrk
# (installed when missing): writes bench/results.md and bench/results.json. BENCH_ARGS=--quick
# for a short run that writes to var/bench/quick/ instead.
bench: install
	@command -v wrk >/dev/null || { apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk; }
	SALYNC_BENCH_COMMAND="make bench $(BENCH_ARGS)" $(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
