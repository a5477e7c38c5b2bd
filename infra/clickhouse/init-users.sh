#!/bin/bash
# First start of the ClickHouse container (docker-entrypoint-initdb.d): one user per service, passwords from the
# environment (.env), each with its role as default. The roles' grants and the row policies per province come from
# the migrations (packages/warehouse/migrations/0007_access_and_roles.sql), which `docker compose`'s migrate step
# applies as the administrator.
set -euo pipefail
for service in ingest estimator alerter reporter api data_team; do
  variable="CLICKHOUSE_${service^^}_PASSWORD"
  password="${!variable:?$variable must be set}"
  clickhouse client --user "$CLICKHOUSE_USER" --password "$CLICKHOUSE_PASSWORD" --multiquery --query "
    CREATE ROLE IF NOT EXISTS cp_${service};
    CREATE USER IF NOT EXISTS ${service} IDENTIFIED WITH sha256_password BY '${password//\'/\'\'}'
      DEFAULT ROLE cp_${service} DEFAULT DATABASE ${CLICKHOUSE_DB};
    GRANT cp_${service} TO ${service};"
done
