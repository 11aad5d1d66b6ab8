# Two commands for a fresh machine (Python 3.11+): `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1:8000

.PHONY: run test setup lint lock messages messages-check clean

# Installs exactly the locked versions, each checked against its hashes (README, "Dependencies").
$(STAMP): requirements.lock requirements-dev.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $(STAMP)

setup: $(STAMP)

# Rewrites the lock files from requirements.txt and requirements-dev.txt, which people edit: every
# dependency, direct and transitive, pinned with the hashes of all its published files. pip-tools is
# a tool of this step only, so it is installed here and is not in the lock.
lock:
	test -x $(BIN)/pip-compile || $(BIN)/python -m pip install --quiet pip-tools
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes --strip-extras \
		--no-emit-index-url --no-emit-find-links --output-file requirements.lock requirements.txt
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes --strip-extras \
		--no-emit-index-url --no-emit-find-links --output-file requirements-dev.lock requirements-dev.txt

# Set up, migrate (which loads the catalogue), build the demo world as it stands today, print its logins,
# serve. DEBUG is off, as on a server, so that an error is the site's own page (404, 400…) and not
# Django's debug page; outside production whitenoise serves the static files from their folders
# (WHITENOISE_USE_FINDERS), so no collectstatic is needed. Another HOST needs its name in ALLOWED_HOSTS.
run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	DEBUG=0 ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost} $(BIN)/python manage.py runserver $(HOST)

# The whole suite on the default database (SQLite); DATABASE_URL=postgres://… runs it on PostgreSQL.
test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Chinese translations: locale/parts/*.po are the sources; the merged .po and .mo are committed
# so that a fresh machine needs no gettext tools.
messages:
	msgcat --use-first --sort-output locale/parts/*.po -o locale/zh_Hans/LC_MESSAGES/django.po
	msgfmt --check -o locale/zh_Hans/LC_MESSAGES/django.mo locale/zh_Hans/LC_MESSAGES/django.po

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-results

# Fails when a string in the code or templates has no Chinese translation in locale/parts/.
messages-check: $(STAMP)
	cp locale/zh_Hans/LC_MESSAGES/django.po /tmp/tracker-merged.po
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=tests --no-location --no-obsolete -v0
	missing=$$(msgattrib --untranslated --no-wrap locale/zh_Hans/LC_MESSAGES/django.po | grep -c '^msgid "[^"]' || true); \
	fuzzy=$$(msgattrib --only-fuzzy --no-wrap locale/zh_Hans/LC_MESSAGES/django.po | grep -c '^msgid "[^"]' || true); \
	msgattrib --untranslated --no-wrap locale/zh_Hans/LC_MESSAGES/django.po | grep '^msgid "[^"]' || true; \
	msgattrib --only-fuzzy --no-wrap locale/zh_Hans/LC_MESSAGES/django.po | grep '^msgid "[^"]' || true; \
	cp /tmp/tracker-merged.po locale/zh_Hans/LC_MESSAGES/django.po; \
	test "$$missing" = 0 -a "$$fuzzy" = 0 || { echo "untranslated: $$missing, fuzzy: $$fuzzy (add them to locale/parts/*.po, then make messages)"; exit 1; }
