# Everyday commands. `make help` lists them; each is a thin wrapper a newcomer can read.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON := .venv/bin/python
MANAGE := $(PYTHON) manage.py
MYSQL_URL ?= mysql://root@127.0.0.1:3306/bookstore
# Extra pytest arguments: make test ARGS="-k seed -x"
ARGS ?=

.PHONY: help install run test test-mysql lint format migrate seed messages check ci css

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

install: ## System packages, .venv and requirements (script/bootstrap)
	./script/bootstrap

css: ## Rebuild static/vendor/bootstrap/bootstrap.used.{css,js} after a template change (needs npm)
	npm ci --no-audit --no-fund && npm run build:css && npm run build:js

run: ## Migrate, load demo data and serve on http://127.0.0.1:8000/ (script/run)
	./script/run

test: ## Whole test suite on SQLite, or on DATABASE_URL when set (script/test)
	./script/test $(ARGS)

test-mysql: ## Whole test suite on MariaDB/MySQL at MYSQL_URL
	DATABASE_URL=$(MYSQL_URL) ./script/test $(ARGS)

lint: install ## ruff, the apps' layers, migrations in sync, Dockerfile, compose file and shell scripts
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports
	$(MANAGE) makemigrations --check --dry-run
	.venv/bin/hadolint Dockerfile
	.venv/bin/check-jsonschema --schemafile ../shared/schemas/compose-spec.json docker-compose.yml
	.venv/bin/shellcheck script/bootstrap script/run script/test .ci/run deploy/docker/entrypoint.sh

format: install ## Fix what ruff can and format the code
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

migrate: install ## Apply database migrations
	$(MANAGE) migrate

seed: migrate ## Load the demo accounts and listings (idempotent)
	$(MANAGE) seed_demo

messages: install ## Update the Spanish catalogue (locale/es) and compile all catalogues
	$(MANAGE) makemessages --locale es --ignore .venv --ignore staticfiles --ignore media
	$(MANAGE) compilemessages --ignore .venv

check: install ## Django system checks, and the production checks (check --deploy) with a production-like environment
	$(MANAGE) check
	DEBUG=false SECRET_KEY="$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		ALLOWED_HOSTS=bookstore.example.com CSRF_TRUSTED_ORIGINS=https://bookstore.example.com \
		SITE_URL=https://bookstore.example.com $(MANAGE) check --deploy --fail-level WARNING

ci: ## Everything CI runs (.ci/run), on MariaDB
	bash .ci/run

.PHONY: bench
bench: ## Load test on MariaDB + Redis with gunicorn and wrk (bench/README.md); BENCH_ARGS="--listings 1000000"
	$(PYTHON) bench/run.py $(BENCH_ARGS)
