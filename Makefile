# 四链对接平台 — `make run` serves the site with demo data; `make test` runs the whole suite.
# Everything is installed into .venv/ (Python, via uv and uv.lock) and static/vendor/ (front-end assets,
# via npm and assets/package-lock.json); nothing needs to be installed by hand.

PYTHON ?= python3
UV_VERSION := 0.13.8
VENV := .venv
PY := $(VENV)/bin/python
UV := $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/bin/uv)
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)
RUN_ENV := DEBUG=$${DEBUG:-1}
HOST ?= 127.0.0.1
PORT ?= 8000
# The address e-mail links point at (SITE_URL): where `make run` serves (0.0.0.0 is reached as 127.0.0.1 here).
SITE_HOST := $(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST))

.PHONY: run test install lint check assets locale localenv migrate demo clean

$(CURDIR)/.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

# --compile-bytecode: the environment ships .pyc files, so no process (gunicorn workers, Celery, manage.py) compiles
# the modules it imports from source, also where Python may not write them (PYTHONDONTWRITEBYTECODE, read-only).
$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	touch $@

static/vendor/.stamp: assets/package.json assets/package-lock.json assets/build-fujian-map.js
	cd assets && npm ci --no-audit --no-fund --loglevel=error
	rm -rf static/vendor && mkdir -p static/vendor/bootstrap static/vendor/bootstrap-icons static/vendor/echarts static/vendor/htmx
	cp assets/node_modules/bootstrap/dist/css/bootstrap.min.css assets/node_modules/bootstrap/dist/css/bootstrap.min.css.map static/vendor/bootstrap/
	cp assets/node_modules/bootstrap/dist/js/bootstrap.bundle.min.js assets/node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map static/vendor/bootstrap/
	cp -r assets/node_modules/bootstrap-icons/font/bootstrap-icons.min.css assets/node_modules/bootstrap-icons/font/fonts static/vendor/bootstrap-icons/
	cp assets/node_modules/echarts/dist/echarts.min.js static/vendor/echarts/
	cp assets/node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
	node assets/build-fujian-map.js static/vendor/fujian/fujian-counties.json
	touch $@

locale/.stamp: $(VENV)/.synced $(wildcard locale/*/LC_MESSAGES/*.po */locale/*/LC_MESSAGES/*.po)
	$(RUN_ENV) $(PY) manage.py compile_locale
	touch $@

install: $(VENV)/.synced static/vendor/.stamp locale/.stamp

# .env.local (ignored by git): development mode, a generated SECRET_KEY and demo password, written once; SITE_URL
# follows HOST and PORT. manage.py, Celery and gunicorn of this checkout read it (ops/localenv.py).
localenv: $(VENV)/.synced
	@$(PY) -m ops.localenv --site-url http://$(SITE_HOST):$(PORT)

migrate: install localenv
	$(RUN_ENV) $(PY) manage.py migrate --noinput

demo: migrate
	$(RUN_ENV) $(PY) manage.py load_reference_data
	$(RUN_ENV) $(PY) manage.py seed_demo $(SEED_DEMO_ARGS)
	$(RUN_ENV) $(PY) manage.py seed_demo_orders
	$(RUN_ENV) $(PY) manage.py seed_demo_chains
	$(RUN_ENV) $(PY) manage.py seed_demo_devindex
	$(RUN_ENV) $(PY) manage.py seed_demo_events
	$(RUN_ENV) $(PY) manage.py seed_demo_challenges

# runserver that prints the demo accounts, their shared password and the addresses as its last lines.
run: SEED_DEMO_ARGS := --verbosity 0
run: demo
	$(RUN_ENV) $(PY) manage.py rundemo $(HOST):$(PORT)

lint: $(VENV)/.synced
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

check: install
	$(RUN_ENV) $(PY) manage.py makemigrations --check --dry-run
	$(RUN_ENV) $(PY) manage.py check

test: install lint check
	$(VENV)/bin/pytest

clean:
	rm -rf $(VENV) .tools static/vendor assets/node_modules staticfiles locale/*/LC_MESSAGES/*.mo */locale/*/LC_MESSAGES/*.mo locale/.stamp
