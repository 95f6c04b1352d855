# tebiki — two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench lint install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## run: set up, check the catalog and open the catalog browser
run: $(STAMP)
	$(BIN)/tebiki catalog validate
	$(BIN)/tebiki browse

## test: lint and the whole test suite
test: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/pytest -q

## bench: performance goals, printed as a table of ratios
bench: $(STAMP)
	$(BIN)/python -m tebiki.bench

lint: $(STAMP)
	$(BIN)/ruff check src tests

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
