# The two commands of the README: `make run` and `make test`.
# Everything else here is a step of those two, or a tool for developers.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
DEBIAN_RUN_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0
# fonts-noto-core: Thai, Lao, Burmese and Khmer faces for the browser's
# screenshots, as tablets have them (the PDFs use the package's own fonts)
DEBIAN_TEST_PACKAGES := $(DEBIAN_RUN_PACKAGES) chromium chromium-driver poppler-utils \
	libharfbuzz-subset0 libnss3-tools fonts-noto-core
BABEL_KEYWORDS := -k _l -k lazy_gettext -k N_

.PHONY: run test catalogs compile-catalogs update-catalogs lint run-packages system-packages

run: run-packages $(VENV)/.installed compile-catalogs
	$(BIN)/screening init
	@echo "Serving on http://127.0.0.1:$(PORT) (Ctrl-C stops it)"
	$(BIN)/gunicorn --workers 2 --threads 4 --no-control-socket --bind 127.0.0.1:$(PORT) --access-logfile - wsgi:app

test: system-packages $(VENV)/.installed-test compile-catalogs
	$(BIN)/pytest -n auto $(PYTEST_ARGS)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

# Install the Debian packages the app (run-packages) or the tests
# (system-packages) need: only when run as root and only what is missing.
run-packages:
	@$(MAKE) --no-print-directory system-packages DEBIAN_TEST_PACKAGES="$(DEBIAN_RUN_PACKAGES)"

system-packages:
	@missing=""; for package in $(DEBIAN_TEST_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "ok installed" \
			|| missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
		else \
			echo "Missing Debian packages (install them as root):$$missing"; \
		fi; \
	fi

compile-catalogs: | $(VENV)/bin/python
	$(BIN)/pybabel -q compile -d translations

# For developers: after changing interface text, refresh the catalogs, then
# translate what is new in translations/*/LC_MESSAGES/messages.po.
update-catalogs:
	$(BIN)/pybabel extract -F babel.cfg $(BABEL_KEYWORDS) -c "Translators:" \
		--add-location=file --sort-output --project=screening --version=0.1.0 \
		--msgid-bugs-address="screening maintainers" --copyright-holder="screening authors" \
		-o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations \
		--no-fuzzy-matching --ignore-obsolete --width=88

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
