"""docker-compose.yml read as data, and its Airflow services turned into local processes.

No Docker engine runs on CI, so the integration test starts the same topology
natively. What changes between a container and this machine is one override,
`LocalMapping`, and nothing else:

* hostnames: `postgres` and `redis` are 127.0.0.1; `airflow-apiserver:8080` is
  127.0.0.1 on a free port (set with AIRFLOW__API__PORT);
* credentials: the compose database `airflow:airflow@postgres/airflow` is this
  machine's `postgres` user (trust auth) on a fresh, uniquely named database;
  the Redis database number is a private one;
* paths: each container path of a compose volume is the host folder mounted
  there (`./dags` -> the repo's dags/, the data volume -> a temporary folder);
* the process's own: a private AIRFLOW_HOME and free ports for the scheduler's
  health check and the worker's and triggerer's log servers, so two runs on one
  machine never collide.

Every other variable, and every command, is taken from the compose file as is.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = PROJECT_ROOT / "docker-compose.yml"
SCHEMA_FILE = PROJECT_ROOT / "tests" / "vendor" / "compose_spec.json"
INIT_SERVICE = "airflow-init"
LONG_RUNNING = {
    "airflow-apiserver": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-triggerer": "triggerer",
    "airflow-worker": "celery worker",
}
CONTAINER_HOSTS = ("@postgres", "redis:6379", "airflow-apiserver", "/opt/caseaudit")

_VARIABLE = re.compile(
    r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
)


def load() -> dict[str, Any]:
    """The compose file with YAML anchors and merge keys resolved, as `docker compose` reads it."""
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def interpolate(text: str, variables: Mapping[str, str]) -> str:
    """Compose's interpolation: ${V}, ${V:-default}, ${V-default}, ${V:?error}, $$ -> $."""

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group("name", "op", "arg")
        value = variables.get(name)
        if op in (":-", ":?") and not value:
            value = None
        if value is not None:
            return value
        if op in (":?", "?"):
            raise ValueError(f"compose needs {name}: {arg}")
        return arg if op in (":-", "-") else ""

    return _VARIABLE.sub(replace, text)


@dataclass
class LocalMapping:
    """The one documented override from containers to this machine (see the module doc)."""

    database: str
    redis_db: int
    api_port: int
    airflow_home: Path
    data_dir: Path
    side_ports: Mapping[str, int] = field(default_factory=dict)

    def paths(self, volumes: list[str]) -> dict[str, str]:
        mounts = {}
        for volume in volumes:
            source, target = volume.split(":")[:2]
            host = PROJECT_ROOT / source if source.startswith(".") else self.data_dir
            mounts[target] = str(host.resolve())
        return mounts

    def rewrite(self, value: str, mounts: Mapping[str, str]) -> str:
        value = re.sub(
            r"(\w[\w+]*)://airflow:airflow@postgres(:5432)?/airflow",
            rf"\1://postgres@127.0.0.1:5432/{self.database}",
            value,
        )
        value = value.replace("redis://:@redis:6379/0", f"redis://127.0.0.1:6379/{self.redis_db}")
        value = value.replace("http://airflow-apiserver:8080", f"http://127.0.0.1:{self.api_port}")
        for target, host in sorted(mounts.items(), key=lambda kv: -len(kv[0])):
            value = re.sub(rf"{re.escape(target)}(?=/|$)", host, value)
        return value

    def own_variables(self) -> dict[str, str]:
        return {
            "AIRFLOW_HOME": str(self.airflow_home),
            "AIRFLOW__API__PORT": str(self.api_port),
            **{name: str(port) for name, port in self.side_ports.items()},
        }


@dataclass
class Service:
    name: str
    argv: list[str]
    environment: dict[str, str]


def service_argv(service: Mapping[str, Any]) -> list[str]:
    """What the container runs: the official image's entrypoint runs `airflow <command>`."""
    command = service["command"]
    command = shlex.split(command) if isinstance(command, str) else list(command)
    if "entrypoint" in service:
        return [service["entrypoint"], *command]
    return ["airflow", *command]


def native_services(
    compose: Mapping[str, Any], variables: Mapping[str, str], local: LocalMapping
) -> dict[str, Service]:
    """The init and long-running Airflow services as argv + environment for this machine."""
    services = {}
    for name in (INIT_SERVICE, *LONG_RUNNING):
        spec = compose["services"][name]
        mounts = local.paths(spec["volumes"])
        environment = {
            key: local.rewrite(interpolate(str(value), variables), mounts)
            for key, value in spec["environment"].items()
        }
        argv = [interpolate(arg, variables) for arg in service_argv(spec)]
        services[name] = Service(name, argv, {**environment, **local.own_variables()})
    return services


def process_environment(service: Service, venv_bin: Path) -> dict[str, str]:
    """The service's variables over a clean base: nothing Airflow or caseaudit leaks in."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AIRFLOW", "CASEAUDIT_", "_AIRFLOW")) and k != "PYTHONPATH"
    }
    base["PATH"] = f"{venv_bin}{os.pathsep}{base.get('PATH', '')}"
    return {**base, **service.environment}
