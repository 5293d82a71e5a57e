# SummitBot. `make run` and `make test` set everything up themselves (a virtualenv in .venv).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
export HF_HUB_OFFLINE ?= 1

.PHONY: run setup setup-dev index test test-fast lint eval bench clean

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PIP) install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

setup: $(VENV)/.runtime
setup-dev: $(VENV)/.dev

## run: build the index if needed, then the Discord bot (DISCORD_TOKEN set) or the console
run: setup
	$(PY) bot.py index
	$(PY) bot.py start

index: setup
	$(PY) bot.py index

## test: the whole suite (unit, integration with the real model, end-to-end)
test: setup-dev
	$(PY) -m pytest

## test-fast: unit tests only (no model, no servers)
test-fast: setup-dev
	$(PY) -m pytest -m "not slow"

lint: setup-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

eval: setup
	$(PY) bot.py eval

bench: setup-dev
	$(PY) -m bench

clean:
	rm -rf .index .pytest_cache .ruff_cache .mypy_cache
