# credstack: the two commands are `make demo` and `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEMO_DB ?= ./credstack.db

.PHONY: install demo test lint bench eval clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'

demo: install
	CREDSTACK_DATABASE_URL=sqlite:///$(DEMO_DB) $(BIN)/credstack taxonomy load
	CREDSTACK_DATABASE_URL=sqlite:///$(DEMO_DB) $(BIN)/credstack demo seed --port $(PORT)
	CREDSTACK_DATABASE_URL=sqlite:///$(DEMO_DB) $(BIN)/credstack demo --port $(PORT)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

test: install lint
	$(BIN)/python -m pytest -n 2 --dist loadfile -q

bench: install
	$(BIN)/python bench/run.py

eval: install
	$(BIN)/python bench/eval_skills.py

clean:
	rm -rf $(VENV) credstack.db* credstack-data .pytest_cache .mypy_cache .ruff_cache
