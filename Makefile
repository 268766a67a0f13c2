# The README's commands. `make run` and `make test` work on a fresh machine with Python 3.11+.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run serve test test-sqlite test-postgres lint format bench translations screenshots clean

run: $(VENV)/.installed  ## set up, migrate the SQLite database, load demo data once, serve
	$(FLASK) db upgrade
	$(FLASK) demo --if-empty
	$(FLASK) run --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-dev  ## the whole suite on SQLite, then on PostgreSQL when TEST_DATABASE_URL is set
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$$TEST_DATABASE_URL" ]; then $(MAKE) --no-print-directory test-postgres; \
	else echo "TEST_DATABASE_URL is not set: PostgreSQL run skipped (CI sets it)."; fi

test-sqlite: $(VENV)/.installed-dev  ## tests marked postgres run in the PostgreSQL pass only
	env -u TEST_DATABASE_URL $(PY) -m pytest -m "not postgres" $(PYTEST_ARGS)

test-postgres: $(VENV)/.installed-dev
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

bench: $(VENV)/.installed-dev  ## the ratios of bench/README.md; e.g. BENCH_ARGS="--only P1,P2 --big 200000"
	$(PY) -m bench.ratios $(BENCH_ARGS)

translations: $(VENV)/.installed-dev  ## extract strings, update the catalogues, compile them
	$(VENV)/bin/pybabel extract -F meetups/translations/babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k _ln:1,2 \
		--add-comments=TRANSLATORS: --project=Meute --copyright-holder="Meute contributors" \
		--msgid-bugs-address="" -o meetups/translations/messages.pot .
	$(VENV)/bin/pybabel update -i meetups/translations/messages.pot -d meetups/translations \
		--ignore-pot-creation-date
	$(VENV)/bin/pybabel compile -d meetups/translations --statistics

screenshots: $(VENV)/.installed-dev  ## the README's screenshots, from the demo data, into docs/screenshots/
	env -u TEST_DATABASE_URL MEETUPS_SCREENSHOTS_DIR=docs/screenshots $(PY) -m pytest tests/e2e/test_screenshots.py -q

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache
