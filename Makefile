# Lesson Loop. `make run` serves the demo school; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
BENCH_NODE_STAMP := bench/node_modules/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: help setup system-deps run serve-cluster test test-fast lint format bench vendor clean

help:
	@echo "make run     set up, migrate, load the demo school, serve on http://$(HOST):$(PORT)"
	@echo "make serve-cluster  the same behind nginx: 2 instances, live, reports (docs/production.md)"
	@echo "make test    set up (Debian packages, venv, npm) and run every test, SQLite and PostgreSQL"
	@echo "make lint    ruff, mypy, and the PWA's JSDoc types (tsc)"
	@echo "make bench   benchmarks, written to BENCHMARKS.md"
	@echo "make vendor  rebuild pwa/vendor/yjs.js and tus.js from the locked npm packages (then commit them)"

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

# Benchmark peers (pouchdb-server); its native leveldown build is not needed in memory.
$(BENCH_NODE_STAMP): bench/package.json bench/package-lock.json
	cd bench && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $(BENCH_NODE_STAMP)

setup: $(STAMP)

system-deps:
	scripts/system-deps.sh

run: setup
	scripts/run.sh $(HOST) $(PORT)

# nginx on 127.0.0.1:CLUSTER_PORT in front of INSTANCES gunicorn instances, a live-channel
# instance, a reports instance and a reminders worker; config and logs in instance/cluster.
CLUSTER_PORT ?= 8080
INSTANCES ?= 2
serve-cluster: system-deps setup
	$(BIN)/flask --app wsgi db upgrade
	$(BIN)/flask --app wsgi demo --if-empty
	$(BIN)/python scripts/cluster.py --port $(CLUSTER_PORT) --instances $(INSTANCES)

test: system-deps setup $(NODE_STAMP)
	$(BIN)/pytest

test-fast: setup
	$(BIN)/pytest -m "not browser" -x

lint: setup $(NODE_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	node_modules/.bin/tsc -p jsconfig.json

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Yjs for the PWA: one ES module made from the locked npm package, committed so that `make run`
# needs no npm (tests/test_vendor.py checks that rebuilding gives the same bytes).
VENDOR_YJS = node_modules/.bin/esbuild scripts/vendor-yjs.js --bundle --format=esm --minify \
	--legal-comments=none --log-level=warning \
	--banner:js="// @ts-nocheck Yjs $$(node -p "require('yjs/package.json').version") (MIT License, Kevin Jahns), bundled by make vendor from package-lock.json: do not edit."

VENDOR_OUT ?= pwa/vendor/yjs.js
# tus-js-client for the photo uploads (issue 16), bundled the same way for the browser.
VENDOR_TUS = node_modules/.bin/esbuild scripts/vendor-tus.js --bundle --format=esm --minify \
	--platform=browser --legal-comments=none --log-level=warning \
	--banner:js="// @ts-nocheck tus-js-client $$(node -p "require('tus-js-client/package.json').version") (MIT License, Transloadit), bundled by make vendor from package-lock.json: do not edit."
VENDOR_TUS_OUT ?= pwa/vendor/tus.js

vendor: $(NODE_STAMP)
	$(VENDOR_YJS) --outfile=$(VENDOR_OUT)
	$(VENDOR_TUS) --outfile=$(VENDOR_TUS_OUT)

bench: system-deps setup $(NODE_STAMP) $(BENCH_NODE_STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
