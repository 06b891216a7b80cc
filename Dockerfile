# The image docker-compose.yml runs: the official Airflow image of the pinned
# version plus this project's dependencies. The project's own folders (dags/,
# pipelines/, which holds its SQL and suites) are mounted over /opt/caseaudit by compose;
# the copy here makes the image work without the mounts too.
FROM apache/airflow:3.3.2-python3.11

ENV PYTHONPATH=/opt/caseaudit \
    GX_ANALYTICS_ENABLED=false

COPY --chown=airflow:0 pyproject.toml constraints.txt /opt/caseaudit/
COPY --chown=airflow:0 pipelines /opt/caseaudit/pipelines
COPY --chown=airflow:0 dags /opt/caseaudit/dags

# Editable, so the mounted pipelines/ is the code that runs. The official image
# already has the Celery, FAB and PostgreSQL providers; constraints.txt pins the rest.
RUN pip install --no-cache-dir -c /opt/caseaudit/constraints.txt \
        "apache-airflow==3.3.2" -e /opt/caseaudit
