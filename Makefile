# Two commands on a fresh machine: `make run` and `make test` (both set up .venv first).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
SCENARIO ?= scenarios/china-2026.yaml
OUT ?= out/china-2026

.PHONY: run test setup lint clean chromium docs

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/siteplan run $(SCENARIO) -o $(OUT) --force
	$(VENV)/bin/siteplan map $(OUT) -o $(OUT)/map.png
	$(VENV)/bin/siteplan report $(OUT) -o $(OUT)/report.html

# the report test renders in headless Chromium (Debian's package); skipped if it cannot be had
chromium:
	@command -v chromium >/dev/null 2>&1 || (command -v apt-get >/dev/null 2>&1 && \
	  (apt-get install -y -q chromium >/dev/null 2>&1 || \
	   (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1)) \
	  || echo "chromium not installed: the browser test will be skipped")

# every core (pytest-xdist): one test file per worker at a time, the slowest first (conftest.py)
test: $(STAMP) chromium
	$(PY) -m pytest -n logical --dist loadfile

# docs/data-format.md is generated from the input and outputs registries (a test checks it)
docs: $(STAMP)
	$(PY) -m siteplan.datadoc

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests

clean:
	rm -rf out .pytest_cache
