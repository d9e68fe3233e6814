# Two commands for a fresh clone: `make run` and `make test`.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test bench clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test,meaning]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/sidenote

test: $(STAMP)
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) benchmarks/import_bench.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
