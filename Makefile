# The two README commands: `make serve` and `make test`. Both set everything up first.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
CSV     ?= events.csv
HOST    ?= 127.0.0.1
PORT    ?= 8050

.PHONY: setup serve test lint bench chromium clean

setup: $(STAMP) chromium

$(STAMP): pyproject.toml
	bash scripts/make-venv.sh $(VENV) $(PY)
	touch $(STAMP)

chromium:
	@bash scripts/install-chromium.sh

serve: setup
	$(BIN)/tracker serve $(CSV) --host $(HOST) --port $(PORT)

test: setup
	$(BIN)/ruff check tracker dashboard tests bench
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
