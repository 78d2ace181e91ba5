# Two commands for a new user: `make demo` (the whole graph on the embedded default) and `make test`.
# Both create .venv and install the pinned dependencies (constraints.txt) when needed.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium
# dockerd and debootstrap for the container test (tests/e2e/test_containers.py): Debian's packages.
DOCKERD := /usr/sbin/dockerd
DEBOOTSTRAP := /usr/sbin/debootstrap
# checkov pins versions (boto3, packaging) that clash with the project's, so it gets a venv of its own.
CHECKOV := .venv-checkov/bin/checkov
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: setup postgres demo test check dev app docs docs-site bench lock clean source-stop check-connection

$(INSTALLED): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(INSTALLED)

# The source database's server binaries (initdb, pg_ctl): Debian's postgresql package when none is installed.
POSTGRES := $(shell pg_config --bindir 2>/dev/null || ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tail -1)

setup: $(INSTALLED) postgres

postgres:
	@[ -n "$(POSTGRES)" ] && [ -x "$(POSTGRES)/initdb" ] || ( \
		$(SUDO) apt-get install -y -q postgresql || ($(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q postgresql))

# Debian's Chromium for the UI test (Playwright drives it; it downloads no browser of its own).
$(CHROMIUM):
	$(SUDO) apt-get install -y -q chromium || ($(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium)

demo: setup  ## generate, land, load, transform and check the whole graph; prints row counts per table
	$(BIN)/python -m customer360 demo

$(DOCKERD) $(DEBOOTSTRAP):
	$(SUDO) apt-get install -y -q docker.io debootstrap || ($(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q docker.io debootstrap)

$(CHECKOV): constraints-checkov.txt
	$(PYTHON) -m venv .venv-checkov
	.venv-checkov/bin/python -m pip install --quiet -c constraints-checkov.txt checkov
	touch $(CHECKOV)

test: setup $(CHROMIUM) $(CHECKOV) $(DOCKERD) $(DEBOOTSTRAP)  ## unit, integration and end-to-end tests (the UI in headless Chromium, the image in containers)
	$(BIN)/python -m pytest -n 2 --dist loadfile --durations=25

check: setup $(CHECKOV)  ## the quick loop while you work: ruff, the import contracts, then the unit tests on both cores
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -m unit -n 2 -q

dev: setup  ## the Dagster UI on http://127.0.0.1:$C360_PORT (default 3000) with workspace.yaml
	$(BIN)/python -m customer360 dev

app: setup  ## the Customer 360 app (Streamlit) on http://127.0.0.1:$C360_APP_PORT (default 8501), as C360_APP_ROLE
	$(BIN)/python -m customer360.app

docs: setup  ## dbt docs of this home's warehouse (C360_HOME/dbt-docs); fails at once when there is none
	$(BIN)/python -m customer360 docs

docs-site: setup  ## the documentation site (docs/, mkdocs-material) on http://127.0.0.1:8000, rebuilt on every edit
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --strict -a 127.0.0.1:8000

bench: setup  ## the whole graph from an empty home at C360_CUSTOMERS/C360_MONTHS (default 50000/18), per stage
	$(BIN)/python benchmarks/run_graph.py

lock:  ## re-resolve dependencies and rewrite constraints.txt
	rm -rf $(VENV).lock && $(PYTHON) -m venv $(VENV).lock
	$(VENV).lock/bin/python -m pip install --quiet -e '.[dev]'
	$(VENV).lock/bin/python -m pip freeze --exclude-editable > constraints.txt && rm -rf $(VENV).lock

source-stop:  ## stop the source PostgreSQL that `make dev` left running
	$(BIN)/python -m customer360 source-stop

check-connection: setup  ## can the configured credentials reach the object store and the warehouse; what do they see
	$(BIN)/python -m customer360 check-connection

clean:  ## stop the source PostgreSQL; remove the warehouse, lake, source cluster and Dagster home (C360_HOME, default .c360)
	$(BIN)/python -m customer360 clean
