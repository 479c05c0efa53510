# The two commands of the README: `make demo` and `make test`. Each sets up what it needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lab bench validate clean system-build system-test

demo: system-build $(STAMP)
	$(BIN)/pmworkbook build examples/demo-portfolio.yaml --out outputs

test: system-test $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

validate: $(STAMP)
	$(BIN)/pmworkbook validate examples/demo-portfolio.yaml

lab: system-build $(STAMP)
	$(BIN)/jupyter lab notebooks $$([ "$$(id -u)" = 0 ] && echo --allow-root)

bench: system-build $(STAMP)
	$(BIN)/python bench/throughput.py --clients 20

system-build:
	@scripts/system-packages.sh build

system-test:
	@scripts/system-packages.sh test

# Reinstalled whenever the dependency list changes.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dask]'
	touch $@

clean:
	rm -rf outputs
