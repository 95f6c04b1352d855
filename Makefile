# tebiki — two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

MANAGE := $(BIN)/python -m tebiki.web
HOST   ?= 127.0.0.1:8000

.PHONY: run test bench lint install clean demo-password browse

# pip's output goes to .venv/install.log and is shown only when the installation fails.
$(STAMP): pyproject.toml
	@echo "installing tebiki into $(VENV) (about a minute; log in $(VENV)/install.log) …"
	@$(PYTHON) -m venv $(VENV)
	@( $(BIN)/pip install --quiet --upgrade pip && $(BIN)/pip install --quiet -e ".[dev]" ) > $(VENV)/install.log 2>&1 \
		|| { cat $(VENV)/install.log; exit 1; }
	@touch $(STAMP)

install: $(STAMP)

## run: set up, load the demo organisation (サンプル商事) and serve the web app on http://$(HOST)/ (HOST=… to change)
## It prints, last, the address, the demo sign-in and the link to start your own organisation; runserver's banner
## is dropped (its errors and the request log still show).
run: $(STAMP)
	@$(BIN)/tebiki catalog validate > /dev/null
	@$(MANAGE) migrate --noinput -v0
	@$(MANAGE) createcachetable -v0
	@$(MANAGE) demo --addr $(HOST)
	@$(MANAGE) runserver $(HOST) > /dev/null

## demo-password: print a new password for the demo sign-in
demo-password: $(STAMP)
	$(MANAGE) demo --reset-password

## browse: the catalog browser in the terminal
browse: $(STAMP)
	$(BIN)/tebiki browse

## test: lint, the whole suite on SQLite, then the database tests again on PostgreSQL (when a server can run)
test: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/pytest -q
	BIN=$(BIN) tools/test-postgres

## bench: performance goals, printed as a table of ratios
bench: $(STAMP)
	$(BIN)/python -m tebiki.bench

lint: $(STAMP)
	$(BIN)/ruff check src tests

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
