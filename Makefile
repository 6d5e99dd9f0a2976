# The two README commands: `make serve` and `make test`. Both set everything up first.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
CSV     ?= events.csv
HOST    ?= 127.0.0.1
PORT    ?= 8050
CODE    := tracker dashboard tests bench scripts

.PHONY: setup serve test test-fast lint format bench chromium screenshot clean

setup: $(STAMP) chromium

$(STAMP): pyproject.toml
	bash scripts/make-venv.sh $(VENV) $(PY)
	touch $(STAMP)

chromium:
	@bash scripts/install-chromium.sh

serve: setup
	$(BIN)/tracker serve $(CSV) --host $(HOST) --port $(PORT)

# Formatting, lint rules and the layer contracts (pyproject.toml's [tool.importlinter]).
lint: setup
	$(BIN)/ruff format --check $(CODE)
	$(BIN)/ruff check $(CODE)
	$(BIN)/lint-imports

# Everything: unit, CLI, property and kill tests, image exports and Playwright in Chromium.
test: lint
	$(BIN)/python -m pytest

# A quick loop while working: no browser, no image rendering, no property or kill tests.
test-fast: lint
	$(BIN)/python -m pytest -m "not browser and not chromium and not slow" -n 2 -q

format: setup
	$(BIN)/ruff format $(CODE)
	$(BIN)/ruff check --fix $(CODE)

bench: setup
	$(BIN)/python -m bench

# The README's pictures (docs/*.png), from the shipped events.csv.
screenshot: setup
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
