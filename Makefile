# Relais: the two commands a newcomer needs are `make try` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DOMAINS := $(basename $(notdir $(wildcard locales/*.cfg)))

.PHONY: try test install i18n compile lint bench clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) compile

## try: set up and start Relais in the terminal (SQLite, sample directory, no Telegram needed)
try: install
	$(BIN)/relais try

## test: set up and run the whole test suite
test: install
	$(BIN)/python -m pytest

## compile: compile the gettext catalogs (.po -> .mo)
compile: $(STAMP)
	@for d in $(DOMAINS); do $(BIN)/pybabel -q compile -D $$d -d locales >/dev/null || exit 1; done

## i18n: extract strings, update every domain's catalogs, fill English from the source, compile
i18n: $(STAMP)
	@for d in $(DOMAINS); do \
	  $(BIN)/pybabel -q extract -F locales/$$d.cfg -k __ -k N_ --no-wrap --sort-by-file \
	    --project=Relais -o locales/$$d.pot . || exit 1; \
	  for lang in fr en; do \
	    if [ -f locales/$$lang/LC_MESSAGES/$$d.po ]; then \
	      $(BIN)/pybabel -q update --no-fuzzy-matching --no-wrap -D $$d -l $$lang -i locales/$$d.pot -d locales || exit 1; \
	    else \
	      $(BIN)/pybabel -q init --no-wrap -D $$d -l $$lang -i locales/$$d.pot -d locales || exit 1; \
	    fi; \
	  done; \
	done
	$(BIN)/python locales/fill_english.py
	$(MAKE) --no-print-directory compile

lint: $(STAMP)
	$(BIN)/ruff check .

bench: install
	@for script in benchmarks/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) relais-try.db* locales/*/LC_MESSAGES/*.mo
