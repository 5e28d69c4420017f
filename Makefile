# The two commands: `make run` and `make test`. Each creates .venv when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# The any-day run: the non-browser suite once more, on SQLite, with the clock moved to DATE.
DATE ?= 2031-01-02
# Parallel test workers (pytest-xdist); 0 runs the suite in one process.
WORKERS ?= auto
INSTANCE ?= instance
PYTEST := $(BIN)/pytest -n $(WORKERS)

.PHONY: run test test-anyday lint install clean translations screenshots reset-demo debian-tools

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "politirad needs Python 3.11 or newer")'
	@echo "creating $(VENV)"
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip >$(VENV)/install.log 2>&1 \
		|| { tail -n 20 $(VENV)/install.log; echo "upgrading pip failed; the whole log: $(VENV)/install.log"; exit 1; }

# pip's whole log goes to .venv/install.log; only a failure shows its end.
$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	@echo "installing politirad into $(VENV) (log: $(VENV)/install.log)"
	@$(BIN)/pip install -e . >>$(VENV)/install.log 2>&1 \
		|| { tail -n 20 $(VENV)/install.log; echo "the install failed; the whole log: $(VENV)/install.log"; exit 1; }
	@touch $@

$(VENV)/.installed-test: $(BIN)/python setup.cfg pyproject.toml
	@echo "installing politirad with its test tools into $(VENV) (log: $(VENV)/install.log)"
	@$(BIN)/pip install -e '.[test]' >>$(VENV)/install.log 2>&1 \
		|| { tail -n 20 $(VENV)/install.log; echo "the install failed; the whole log: $(VENV)/install.log"; exit 1; }
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed

# The English catalogue, compiled from the .po in the tree (.mo files are not in git).
translations: $(VENV)/.installed
	@$(BIN)/pybabel -q compile -d web/translations -D messages

run: $(VENV)/.installed translations
	@$(BIN)/politirad db upgrade
	@$(BIN)/politirad demo load --if-empty --quiet
	@$(BIN)/politirad run --host $(HOST) --port $(PORT)

# Start the demo afresh: the SQLite database and the documents of the instance folder go,
# the next `make run` loads the demo again. Never touches a DATABASE_URL.
reset-demo:
	@if [ -n "$$DATABASE_URL" ]; then echo "DATABASE_URL is set: reset-demo only deletes the demo's SQLite file"; exit 1; fi
	@rm -rf $(INSTANCE)/politirad.sqlite3 $(INSTANCE)/politirad.sqlite3-wal $(INSTANCE)/politirad.sqlite3-shm \
		$(INSTANCE)/politirad.sqlite3.scheduler.lock $(INSTANCE)/documents
	@echo "the demo database is gone; make run loads the demo afresh"

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Debian's chromium (the browser tests) and faketime (the any-day run), installed when
# missing and this is root with apt-get. Without them the suite says what did not run;
# under CI=true their tests fail instead.
debian-tools:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v faketime >/dev/null 2>&1 || missing="$$missing faketime"; \
	if [ -n "$$missing" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's$$missing (log: $(VENV)/apt.log)"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; } \
			>>$(VENV)/apt.log 2>&1 || echo "could not install$$missing; see $(VENV)/apt.log"; \
	fi

test: lint translations debian-tools
	$(BIN)/politirad workflows check
	$(PYTEST)
	@$(MAKE) --no-print-directory test-anyday

test-anyday: $(VENV)/.installed-test translations debian-tools
	@if ! command -v faketime >/dev/null 2>&1; then \
		if [ "$$CI" = true ]; then echo "faketime is missing: CI must run the suite at $(DATE)"; exit 1; fi; \
		echo "note: the any-day run did not run: faketime is missing (as root: apt-get install -y faketime)"; \
	else \
		echo "the non-browser suite on SQLite once more, with the clock at $(DATE) 09:30"; \
		TEST_DATABASES=sqlite faketime '$(DATE) 09:30:00' $(PYTEST) -q --ignore=tests/browser; \
	fi

# The README's screenshots: the browser tests' council cycle, writing into docs/screenshots.
screenshots: $(VENV)/.installed-test translations debian-tools
	POLITIRAD_SCREENSHOTS=docs/screenshots TEST_DATABASES=sqlite $(BIN)/pytest -n 0 -q \
		tests/browser/test_council_cycle.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
