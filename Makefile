# The two commands of the README: `make demo` and `make test`. Each sets up what it needs.
# The venv's interpreter: the system's own python3 where there is one (why: scripts/venv-python.sh).
PYTHON ?= $(shell scripts/venv-python.sh)
VENV ?= .venv
BIN := $(VENV)/bin
# One stamp per interpreter: another PYTHON=... makes the venv again on it.
STAMP := $(VENV)/.installed$(subst /,-,$(PYTHON))

.PHONY: demo test test-slow check lab workshop rate bench validate install clean system-build system-test

demo: system-build $(STAMP)
	$(BIN)/pmworkbook build examples/demo-portfolio.yaml --out outputs
	$(BIN)/pmworkbook status examples/demo-portfolio.yaml --week 2027-W05 --out outputs

test: system-test $(STAMP)
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

# The fault-injection tests (workers and builds killed, full and read-only disks): CI runs them too.
test-slow: system-test $(STAMP)
	$(BIN)/python -m pytest -m slow $(PYTEST_ARGS)

# Static checks, run by CI before the tests: lint, types, and the generated portfolio format is current.
check: $(STAMP)
	$(BIN)/ruff check lib tests bench scripts
	$(BIN)/mypy
	$(BIN)/python -m pmworkbook.portfolio.reference --check

validate: $(STAMP)
	$(BIN)/pmworkbook validate examples/demo-portfolio.yaml

# The apps, served from this folder so that the files under outputs/ open from the page:
# the workshop and the rating form as pages without code (Voila), or all notebooks in JupyterLab.
# PORTFOLIO=my-portfolio.yaml edits another portfolio than the demo; LAB_LANGUAGE=zh|pl|ru|en opens JupyterLab
# in that language (default: the clients' language when they all share one; Settings → Language switches).
APP_ARGS = $(if $(PORTFOLIO),--portfolio $(PORTFOLIO))
LAB_ARGS = $(APP_ARGS) $(if $(LAB_LANGUAGE),--language $(LAB_LANGUAGE))
workshop: system-build $(STAMP)
	$(BIN)/python -m pmworkbook.apps.server workshop $(APP_ARGS)

rate: system-build $(STAMP)
	$(BIN)/python -m pmworkbook.apps.server rate $(APP_ARGS)

lab: system-build $(STAMP)
	$(BIN)/python -m pmworkbook.apps.server lab $(LAB_ARGS)

bench: system-build $(STAMP)
	$(BIN)/python bench/throughput.py --clients 20

system-build:
	@scripts/system-packages.sh build

system-test:
	@scripts/system-packages.sh test

install: system-build $(STAMP)

# Reinstalled whenever the dependency list changes.
$(STAMP): pyproject.toml
	scripts/venv.sh "$(PYTHON)" "$(VENV)"
	touch $@

clean:
	rm -rf outputs
