"""docker-compose.yml: valid Compose, the official shape, and what the integration test runs."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest

from tests.integration import compose

VARIABLES = {"CASEAUDIT_CASE_KEY_SECRET": "compose-test-secret"}


@pytest.fixture(scope="module")
def spec() -> dict:
    return compose.load()


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft201909Validator:
    schema = json.loads(compose.SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft201909Validator.check_schema(schema)
    return jsonschema.Draft201909Validator(schema)


def _local(tmp_path: Path) -> compose.LocalMapping:
    return compose.LocalMapping(
        database="caseaudit_it_x",
        redis_db=7,
        api_port=18080,
        airflow_home=tmp_path / "home",
        data_dir=tmp_path / "data",
    )


def test_compose_file_is_valid_against_the_compose_schema(spec, validator) -> None:
    assert [e.message for e in validator.iter_errors(spec)] == []


def test_the_schema_check_catches_a_misspelt_key(spec, validator) -> None:
    broken = copy.deepcopy(spec)
    broken["services"]["airflow-worker"]["comand"] = "celery worker"
    assert any("comand" in e.message for e in validator.iter_errors(broken))


def test_stack_has_the_official_shape(spec) -> None:
    services = spec["services"]
    assert set(services) == {"postgres", "redis", compose.INIT_SERVICE, *compose.LONG_RUNNING}
    assert services["postgres"]["image"] == "postgres:16"
    assert services["redis"]["image"].startswith("redis:")
    for name, command in compose.LONG_RUNNING.items():
        assert services[name]["command"] == command, name
        assert services[name]["depends_on"][compose.INIT_SERVICE] == {
            "condition": "service_completed_successfully"
        }
    common = spec["x-airflow-common"]
    for name in (compose.INIT_SERVICE, *compose.LONG_RUNNING):
        environment = services[name]["environment"]
        assert environment.items() >= common["environment"].items(), name
        assert services[name]["volumes"] == common["volumes"], name
    env = common["environment"]
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "false"
    targets = {v.split(":")[1] for v in common["volumes"]}
    assert targets == {f"/opt/caseaudit/{d}" for d in ("dags", "pipelines", "data")}


def test_init_migrates_creates_the_admin_and_the_pool(spec) -> None:
    script = spec["services"][compose.INIT_SERVICE]["command"][-1]
    steps = [step.strip() for step in script.split("&&")]
    assert steps[0] == "airflow db migrate"
    assert steps[1].startswith("airflow users create --role Admin")
    assert steps[2].startswith("airflow pools set caseaudit_warehouse 1 ")


def test_interpolation_follows_compose() -> None:
    variables = {"SET": "x", "EMPTY": ""}
    assert compose.interpolate("${SET:-d} ${EMPTY:-d} ${EMPTY-d} ${UNSET-d} $$HOME", variables) == (
        "x d  d $HOME"
    )
    with pytest.raises(ValueError, match="set the secret"):
        compose.interpolate("${UNSET:?set the secret}", variables)


def test_compose_needs_the_case_key_secret(spec, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="HMAC secret"):
        compose.native_services(spec, {}, _local(tmp_path))


def test_native_services_keep_every_compose_variable_and_command(spec, tmp_path: Path) -> None:
    local = _local(tmp_path)
    services = compose.native_services(spec, VARIABLES, local)
    for name, command in compose.LONG_RUNNING.items():
        service = services[name]
        assert service.argv == ["airflow", *command.split()]
        compose_keys = set(spec["services"][name]["environment"])
        assert set(service.environment) == compose_keys | set(local.own_variables()), name
        for value in service.environment.values():
            assert not any(host in value for host in compose.CONTAINER_HOSTS), (name, value)
    env = services["airflow-scheduler"].environment
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == (
        "postgresql+psycopg2://postgres@127.0.0.1:5432/caseaudit_it_x"
    )
    assert (
        env["AIRFLOW__CELERY__RESULT_BACKEND"]
        == "db+postgresql+psycopg2://postgres@127.0.0.1:5432/caseaudit_it_x"
    )
    assert env["AIRFLOW__CELERY__BROKER_URL"] == "redis://127.0.0.1:6379/7"
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://127.0.0.1:18080/execution/"
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == str(compose.PROJECT_ROOT / "dags")
    assert env["CASEAUDIT_DATA"] == str((tmp_path / "data").resolve())
    assert env["CASEAUDIT_CASE_KEY_SECRET"] == "compose-test-secret"
    assert env["AIRFLOW__CORE__FERNET_KEY"] == ""
    init = services[compose.INIT_SERVICE]
    assert init.argv[:2] == ["/bin/bash", "-c"]
    assert '"${_AIRFLOW_WWW_USER_USERNAME:-airflow}"' in init.argv[2]
