#!/bin/sh
# The official postgres image's contract, as far as testcontainers and a compose healthcheck
# use it: on first start, a cluster whose superuser is POSTGRES_USER with POSTGRES_PASSWORD
# (scram over TCP from anywhere, trust on the local socket) and a database POSTGRES_DB.
set -eu
bin=/opt/postgresql/bin
: "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set}"
: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    password=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" > "$password"
    "$bin/initdb" --username="$POSTGRES_USER" --pwfile="$password" --auth-local=trust \
        --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 > /dev/null
    rm -f "$password"
    echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
    if [ "$POSTGRES_DB" != postgres ]; then
        echo "CREATE DATABASE \"$POSTGRES_DB\"" | "$bin/postgres" --single -D "$PGDATA" postgres > /dev/null
    fi
fi
# The socket where Debian's psql and pg_isready look, as in the official image.
exec "$bin/postgres" -D "$PGDATA" -c listen_addresses='*' \
    -c unix_socket_directories=/var/run/postgresql "$@"
