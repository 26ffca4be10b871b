# The two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTEST_ARGS ?=
# The suite runs on one pytest-xdist worker per core, at most 8 (each has a Redis database of
# its own, tests/conftest.py); PYTEST_WORKERS=0 runs it in one process.
PYTEST_WORKERS ?= auto
PYTEST := $(PY) -m pytest -n $(PYTEST_WORKERS) --maxprocesses 8

.PHONY: run test test-browser browser-deps serve lint format check messages install migrate demo clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(VENV)/bin/activate
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

run: demo
	@$(PY) manage.py ensure_admin
	@echo "Serving on http://127.0.0.1:$(PORT)/  (admin: http://127.0.0.1:$(PORT)/admin/)"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# The browser journeys need Chromium; without it they are left out, loudly.
CHROMIUM_MISSING := !!! Chromium not found: browser tests SKIPPED. Install with \
	apt-get install chromium chromium-driver fonts-noto-cjk (then make test-browser)

# Without a CJK font Chromium draws boxes for Chinese: the screenshots are useless.
CJK_FONTS_MISSING := !!! No Chinese (CJK) font found: browser screenshots will show boxes instead \
	of Chinese. Install with apt-get install fonts-noto-cjk

# axe-core (the accessibility checks of the browser tests), from the npm registry at
# the version pinned in tests/browser/axe/package-lock.json.
AXE_DIR := tests/browser/axe
$(AXE_DIR)/node_modules/axe-core/axe.min.js: $(AXE_DIR)/package.json $(AXE_DIR)/package-lock.json
	cd $(AXE_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

browser-deps: $(AXE_DIR)/node_modules/axe-core/axe.min.js

test: install
	@if command -v chromium >/dev/null 2>&1; then $(MAKE) --no-print-directory browser-deps; fi
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	@if command -v chromium >/dev/null 2>&1; then \
		if [ -z "$$(fc-list :lang=zh family 2>/dev/null)" ]; then echo "$(CJK_FONTS_MISSING)"; fi; \
		echo "$(PYTEST) $(PYTEST_ARGS)"; \
		$(PYTEST) $(PYTEST_ARGS); status=$$?; \
		if [ -z "$$(fc-list :lang=zh family 2>/dev/null)" ]; then echo "$(CJK_FONTS_MISSING)"; fi; \
		exit $$status; \
	else \
		echo "$(CHROMIUM_MISSING)"; \
		$(PYTEST) -m "not browser" $(PYTEST_ARGS); status=$$?; \
		echo "$(CHROMIUM_MISSING)"; \
		exit $$status; \
	fi

test-browser: install browser-deps
	@if [ -z "$$(fc-list :lang=zh family 2>/dev/null)" ]; then echo "$(CJK_FONTS_MISSING)"; fi
	$(PYTEST) -m browser $(PYTEST_ARGS)

# Production-style serving with gunicorn (set DJANGO_DEBUG=0, DJANGO_SECRET_KEY, …).
serve: install
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py migrate --noinput
	$(VENV)/bin/gunicorn config.wsgi:application --config deploy/gunicorn.conf.py \
		--bind 127.0.0.1:$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: install
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --no-wrap --ignore=bench --ignore=.venv --ignore=tests
	$(PY) manage.py compilemessages -l zh_Hans --ignore=.venv

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
