# SummitBot. `make run` and `make test` set everything up themselves (a virtualenv in .venv).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
PY     := $(VENV)/bin/python
export HF_HUB_OFFLINE ?= 1
# The locked dependency trees (hashes for every file; `make lock` refreshes them from
# requirements.txt and requirements-dev.txt).
LOCK     ?= requirements.lock
DEV_LOCK ?= requirements-dev.lock
# torch's CPU build comes from PyTorch's CPU-only index when it answers within 3 s; otherwise pip
# takes the locked +cpu wheel from wherever it finds one, or else torch as it did before the lock.
# TORCH_INDEX= opts out (torch as pip finds it: on Linux x86-64 from PyPI, the CUDA build).
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu
# `make lock` runs pip-compile from its own small virtualenv.
LOCK_VENV ?= .venv-lock
PIP_TOOLS := pip-tools==7.6.2

.PHONY: run venv setup setup-dev lock index test test-fast lint eval bench clean

## venv: a working virtualenv in $(VENV) (Python >= 3.11 with pip), rebuilt when it is broken
venv:
	@sh scripts/venv.sh "$(PYTHON)" "$(VENV)"

$(VENV)/.runtime: $(LOCK) scripts/deps.py
	$(PY) scripts/deps.py install $(LOCK) --torch-index '$(TORCH_INDEX)'
	touch $@

$(VENV)/.dev: $(DEV_LOCK) scripts/deps.py
	$(PY) scripts/deps.py install $(DEV_LOCK) --torch-index '$(TORCH_INDEX)'
	touch $@ $(VENV)/.runtime

# The venv is checked (and repaired) first; a second make then sees the stamps as they are now.
setup: venv
	@$(MAKE) --no-print-directory $(VENV)/.runtime
setup-dev: venv
	@$(MAKE) --no-print-directory $(VENV)/.dev

## lock: refresh requirements.lock and requirements-dev.lock (UPGRADE=1: newest releases)
lock:
	test -x $(LOCK_VENV)/bin/pip-compile || \
	  { $(PYTHON) -m venv $(LOCK_VENV) && $(LOCK_VENV)/bin/python -m pip install --quiet $(PIP_TOOLS); }
	$(PYTHON) scripts/deps.py lock --torch-index '$(TORCH_INDEX)' \
	  --pip-compile $(LOCK_VENV)/bin/pip-compile $(if $(UPGRADE),--upgrade)

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
