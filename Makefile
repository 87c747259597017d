# The two commands a newcomer needs: `make demo` and `make test`.
# `make demo PORT=8010` serves the demo on another port; every link it writes uses it.
PYTHON ?= python3
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint install

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

# The links the demo writes (invitations, topics, awards, password resets) point here.
demo: export SITE_URL = http://127.0.0.1:$(PORT)
demo: $(STAMP)
	@$(BIN)/python manage.py demo_port_check $(PORT)
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo --schools 2 --pupils-per-school 60 --events-per-pupil 40 --seed 1
	$(BIN)/python manage.py demo_logins
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
