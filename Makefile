# Counterpoint — everyday commands. Only Python >= 3.11 and make are needed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEV_ENV := DJANGO_DEBUG=1

.PHONY: lock totp run test test-unit test-integration stack lint format bench clean messages translations

# Dependencies come from the lock file, every file checked against its hash.
$(STAMP): requirements/dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements/dev.txt
	touch $(STAMP)

# The message catalogues (docs/i18n.md), compiled in pure Python: no GNU gettext needed to run.
MO := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))
translations: $(MO)
%.mo: %.po $(STAMP)
	$(VENV)/bin/pybabel -q compile -i $< -o $@

# After marking new strings: extract them into both catalogues (needs GNU gettext's xgettext),
# then write their French and Arabic.
MAKEMESSAGES = $(DEV_ENV) $(PY) manage.py makemessages -l fr -l ar --no-obsolete --add-location=file \
	--ignore=.venv --ignore=var --ignore=tests --ignore=benchmarks --ignore=docs
messages: $(STAMP)
	$(MAKEMESSAGES)
	$(MAKEMESSAGES) -d djangojs --ignore=static/admin

# After changing the dependencies in pyproject.toml: pin them again, with hashes.
lock: $(STAMP)
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 --universal -q -o requirements/dev.txt --custom-compile-command "make lock"
	$(VENV)/bin/uv pip compile pyproject.toml --generate-hashes --python-version 3.11 --universal -q -o requirements/base.txt --custom-compile-command "make lock"

# make run PORT=8001 serves elsewhere; links in e-mails and calendar files follow the port.
# E-mails are written to var/mail/ (one file each) instead of the terminal; without a broker a
# bulk import runs in a thread, so its page shows the progress bar advancing.
PORT ?= 8000
RUN_ENV = $(DEV_ENV) PORTAL_BACKGROUND_IN_PROCESS=1 PORTAL_WEBHOOK_ALLOW_HOSTS=127.0.0.1 PORTAL_BASE_URL=http://127.0.0.1:$(PORT) EMAIL_URL=$${EMAIL_URL:-filemail://$(CURDIR)/var/mail}
run: $(STAMP) translations
	$(RUN_ENV) $(PY) manage.py migrate --no-input -v0
	$(RUN_ENV) $(PY) manage.py seed_demo
	@echo "E-mails go to var/mail/. Serving http://127.0.0.1:$(PORT) — sign in with a demo login above."
	$(RUN_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

# Unit and browser lanes on SQLite with in-process tasks, then the integration lane on
# PostgreSQL, Redis and a real worker. Missing services or browser skip with the reason,
# unless REQUIRE_SERVICES=1 / REQUIRE_BROWSER=1.
test: $(STAMP) translations
	$(PY) -m pytest -m "not integration" -n auto
	PORTAL_TEST_LANE=integration $(PY) -m pytest -m integration tests/integration

# The current two-factor code of a demo account: make totp EMAIL=reviewer@demo.test
totp: $(STAMP)
	$(DEV_ENV) $(PY) manage.py demo_totp $(EMAIL)

test-unit: $(STAMP) translations
	$(PY) -m pytest -m "not integration and not browser"

stack: $(STAMP) translations
	DJANGO_DEBUG=$${DJANGO_DEBUG:-0} \
	DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-stack-local-secret-change-me-0123456789abcdefghijkl} \
	DJANGO_SECURE_SSL_REDIRECT=$${DJANGO_SECURE_SSL_REDIRECT:-0} \
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/counterpoint} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0} \
	sh -c '$(PY) -m scripts.ensure_database && $(PY) manage.py migrate --no-input && $(PY) manage.py collectstatic --no-input -v0 && $(VENV)/bin/honcho start -f Procfile'

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(DEV_ENV) $(PY) manage.py makemigrations --check --dry-run

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# PostgreSQL and Redis when they answer (BENCH_DATABASE_URL, BENCH_BROKER_URL; default the
# local ones), SQLite otherwise, and it says so. BENCH_ARGS=--quick for a smoke run.
bench: $(STAMP) translations
	$(PY) -m benchmarks.env -- $(PY) manage.py benchmark $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 var .pytest_cache
