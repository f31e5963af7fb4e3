# GaitCoach: `make run` sets up and starts the app, `make test` sets up and runs the tests.
PY := .venv/bin/python

.PHONY: run test setup setup-dev validate bench screenshot clean

run: setup
	$(PY) -m app

test: setup-dev
	@bash scripts/start_pulse.sh
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -ra $(PYTEST_ARGS)

setup:
	@bash scripts/bootstrap.sh runtime

setup-dev:
	@bash scripts/bootstrap.sh dev

validate: setup-dev
	$(PY) -m tests.validation.make_table docs/VALIDATION.md

bench: setup
	$(PY) -m app bench

clean:
	rm -rf .venv .pytest_cache
