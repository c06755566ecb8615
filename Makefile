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

.PHONY: run test install lint check assets locale migrate demo clean

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

migrate: install
	$(RUN_ENV) $(PY) manage.py migrate --noinput

demo: migrate
	$(RUN_ENV) $(PY) manage.py load_reference_data
	$(RUN_ENV) $(PY) manage.py seed_demo
	$(RUN_ENV) $(PY) manage.py seed_demo_orders
	$(RUN_ENV) $(PY) manage.py seed_demo_chains
	$(RUN_ENV) $(PY) manage.py seed_demo_devindex
	$(RUN_ENV) $(PY) manage.py seed_demo_events
	$(RUN_ENV) $(PY) manage.py seed_demo_challenges

run: demo
	@echo "四链对接平台: http://$(HOST):$(PORT)/  (管理后台 /admin/)"
	$(RUN_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

lint: $(VENV)/.synced
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: install
	$(RUN_ENV) $(PY) manage.py makemigrations --check --dry-run
	$(RUN_ENV) $(PY) manage.py check

test: install lint check
	$(VENV)/bin/pytest

clean:
	rm -rf $(VENV) .tools static/vendor assets/node_modules staticfiles locale/*/LC_MESSAGES/*.mo */locale/*/LC_MESSAGES/*.mo locale/.stamp
