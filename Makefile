# tebiki — two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

MANAGE := $(BIN)/python -m tebiki.web
HOST   ?= 127.0.0.1:8000

.PHONY: run test bench lint install clean demo-password browse mutation

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

## test: lint, then the whole suite on SQLite and, alongside it, the database tests on PostgreSQL (when a server can run)
test: $(STAMP)
	$(BIN)/ruff check src tests bench
	BIN=$(BIN) tools/test-all

## bench: performance goals, printed as a table of ratios
bench: $(STAMP)
	$(BIN)/python -m bench

## mutation: mutation testing (mutmut) over core/ and agent/rules.py; slow, not part of `make test`.
##   Narrow it with ONLY, e.g. `make mutation ONLY='tebiki.core.figures*'`; survivors are listed in docs/testing.md.
mutation: $(STAMP)
	$(BIN)/mutmut run --max-children $(or $(JOBS),2) $(ONLY)
	$(BIN)/mutmut results

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info mutants
