#!/bin/sh
# Runs once, when the postgres image initialises an empty data directory: the services' role is an
# ordinary one, since row-level security on demands does not bind a superuser (the image makes
# POSTGRES_USER one). It owns the platform's database, so that dispatch's migration may create the
# trusted pg_trgm extension there.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres -v password="$PLATFORM_PASSWORD" <<'SQL'
CREATE ROLE platform LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB PASSWORD :'password';
CREATE DATABASE platform OWNER platform;
SQL
