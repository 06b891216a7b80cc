# Two commands for a new user: `make run` (one small synthetic audit through
# Airflow) and `make test`. Everything else here serves those two.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
DATA := $(CURDIR)/data
DEMO_LANDING := $(DATA)/landing
DEMO_FROM := 2006-09-04
DEMO_TO := 2006-09-18
DEMO_DATES := 2006-09-04 2006-09-11 2006-09-18
DEMO_AREAS := WAR,STA,WME,WMD,LEI,NOT

export AIRFLOW_HOME := $(CURDIR)/airflow_home
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export AIRFLOW__CORE__UNIT_TEST_MODE := False
export GX_ANALYTICS_ENABLED := False
export CASEAUDIT_DATA := $(DATA)
# the demo's nights expect its six areas (production: all 42, the default)
export CASEAUDIT_EXPECTED_AREAS := $(DEMO_AREAS)

.PHONY: run test lint bench fuzz airflow-db airflow clean

$(BIN)/caseaudit: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

airflow-db: $(BIN)/caseaudit
	$(BIN)/airflow db migrate > /dev/null
	$(BIN)/airflow pools set caseaudit_warehouse 1 "one DuckDB writer at a time" > /dev/null

run: airflow-db
	rm -rf $(DEMO_LANDING)
	$(BIN)/caseaudit generate --out $(DEMO_LANDING) --from $(DEMO_FROM) --to $(DEMO_TO) \
		--every 7 --areas $(DEMO_AREAS) --scale 0.05 --seed 2006 --readings
	# no Deadline Alert under `dags test`: it crashes on one (apache/airflow#73428)
	for day in $(DEMO_DATES); do \
		CASEAUDIT_PUBLISH_WITHIN_MINUTES=0 $(BIN)/airflow dags test nightly_case_audit $$day > $(DATA)/airflow-$$day.log 2>&1 \
			|| { tail -40 $(DATA)/airflow-$$day.log; exit 1; }; \
		echo "nightly_case_audit $$day: done (log: $(DATA)/airflow-$$day.log)"; \
	done
	$(BIN)/caseaudit show --as-of $(DEMO_TO)

# the Airflow UI on the embedded default; standalone starts its parts by the name `airflow`
airflow: airflow-db
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/airflow standalone

test: $(BIN)/caseaudit
	bash scripts/ensure-test-services
	$(BIN)/python -m pytest

# national-scale benchmark (issue 7), not part of `make test`: 20 to 50 minutes on 2 cores, by machine;
# writes docs/benchmarks.md (see benchmarks/README.md)
BENCH_ARGS ?= --backfill-scale 0.05 --steps generate,floor,shape,run,steady,quarter,backfill,airflow,page
bench: $(BIN)/caseaudit
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

# the readers under many more generated bad inputs than `make test` tries (about 20 minutes)
FUZZ_EXAMPLES ?= 5000
fuzz: $(BIN)/caseaudit
	CASEAUDIT_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q tests/ingest/test_fuzz.py

lint: $(BIN)/caseaudit
	$(BIN)/ruff check pipelines dags tests benchmarks
	$(BIN)/ruff format --check pipelines dags tests benchmarks
	$(BIN)/sqlfluff lint pipelines/warehouse/sql/staging pipelines/warehouse/sql/outcomes \
		pipelines/warehouse/sql/marts pipelines/warehouse/sql/schema
	$(BIN)/sqlfluff lint --templater placeholder pipelines/ingest/sql pipelines/validate/sql \
		pipelines/warehouse/sql/audit pipelines/warehouse/sql/load pipelines/warehouse/sql/reference \
		pipelines/warehouse/sql/sampling pipelines/publish/sql
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf $(DATA) $(AIRFLOW_HOME)
