# GaitCoach: `make run` sets up and starts the app, `make test` sets up and runs the tests.
PY := .venv/bin/python

.PHONY: run test test-second-python setup setup-dev package validate bench screenshot clean

run: setup
	$(PY) -m app

# The whole suite on .venv's Python, then the second supported version (3.11/3.12) on a subset;
# the second part runs even when the first failed (CI reports both), then the parts' times.
test: setup-dev
	@bash scripts/start_pulse.sh
	@s1=0; s2=0; t0=$$(date +%s); \
	echo "QT_QPA_PLATFORM=offscreen $(PY) -m pytest -ra $(PYTEST_ARGS)"; \
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -ra $(PYTEST_ARGS) || s1=$$?; t1=$$(date +%s); \
	bash scripts/test_second_python.sh $(PYTEST_ARGS_SECOND) || s2=$$?; t2=$$(date +%s); \
	echo "make test: whole suite $$((t1 - t0)) s (exit $$s1), second Python $$((t2 - t1)) s (exit $$s2)"; \
	[ $$s1 -eq 0 ] && [ $$s2 -eq 0 ]

test-second-python: setup-dev
	@bash scripts/start_pulse.sh
	@bash scripts/test_second_python.sh $(PYTEST_ARGS_SECOND)

setup:
	@bash scripts/bootstrap.sh runtime

# dist/GaitCoach (one-folder PyInstaller bundle) + archive; prints size and the self-test.
package: setup-dev
	$(PY) packaging/build.py --dist dist --archive --selftest

setup-dev:
	@bash scripts/bootstrap.sh dev

validate: setup-dev
	$(PY) -m tests.validation.make_table docs/VALIDATION.md

bench: setup
	$(PY) -m app bench

SHARED_DATA ?= ../shared/data
SCREENSHOT_SECONDS ?= 11
# The README's pictures on a virtual 1366x768 screen (the most common laptop): the real
# window on male_side.mp4 with default settings, then scripts/screenshot_*.py.
screenshot: setup-dev
	@mkdir -p docs/screenshots
	cfg=$$(mktemp -d) && GAITCOACH_CONFIG_DIR=$$cfg xvfb-run -a -s "-screen 0 1366x768x24" \
		$(PY) -m app --source $(SHARED_DATA)/male_side_run/male_side.mp4 \
		--exit-after $(SCREENSHOT_SECONDS) --screenshot docs/screenshots/main.png --no-save; \
		rc=$$?; rm -rf $$cfg; exit $$rc
	for s in sessions compare protocol plan two_views; do \
		xvfb-run -a -s "-screen 0 1366x768x24" $(PY) scripts/screenshot_$$s.py || exit 1; done
	@echo "wrote docs/screenshots/*.png"

clean:
	rm -rf .venv .venv-py3.* .pytest_cache
