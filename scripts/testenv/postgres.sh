#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server for tests, on 127.0.0.1 and a Unix socket in its own folder.
#
#   scripts/testenv/postgres.sh start [--owner-pid PID]   prints shell assignments:
#       PG_TEST_DIR=…  PG_TEST_PORT=…  PG_TEST_URL=postgresql://postgres@127.0.0.1:PORT/postgres?sslmode=disable
#       PG_TEST_SOCKET_DIR=…  PG_TEST_PIDFILE=…
#     so `eval "$(scripts/testenv/postgres.sh start)"` sets them in a shell.
#   scripts/testenv/postgres.sh stop DIR                 stops the server (immediate) and deletes DIR
#   scripts/testenv/postgres.sh down DIR                 stops the server cleanly, keeping its data
#   scripts/testenv/postgres.sh up DIR                   starts it again on the same port (for outage tests)
#
# Authentication: trust for every role, except the role `lakegate_password_user`, which must give
# its password (scram-sha-256) over TCP; tests use it to check that passwords never leak.
# Durability is off (fsync, synchronous_commit): this server holds nothing worth keeping.
# initdb refuses to run as root, so as root the server runs as the `postgres` OS user.
# With --owner-pid, `start` first stops servers left by owners that have died (a killed test run).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
PREFIX="${TMPDIR:-/tmp}/lakegate-pg."

as_server_user() {
    if [ "$(id -u)" = 0 ]; then
        if command -v runuser >/dev/null; then
            runuser -u postgres -- "$@"
        else
            setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"
        fi
    else
        "$@"
    fi
}

stop_server() {
    local dir="$1"
    [ -d "$dir" ] || return 0
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_server_user "$PG_BIN/pg_ctl" -D "$dir/data" stop -m immediate -w >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
}

launch() {
    local dir="$1" port="$2"
    as_server_user "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
        -o "-p $port -k $dir/socket -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" \
        >/dev/null 2>&1
}

# A clean (fast) shutdown writes out every committed transaction; `stop` need not.
down() {
    local dir="$1"
    [ -f "$dir/port" ] || { echo "postgres.sh: $dir holds no test server" >&2; exit 2; }
    as_server_user "$PG_BIN/pg_ctl" -D "$dir/data" stop -m fast -w >/dev/null
}

up() {
    close_inherited_fds
    local dir="$1"
    [ -f "$dir/port" ] || { echo "postgres.sh: $dir holds no test server" >&2; exit 2; }
    if ! launch "$dir" "$(cat "$dir/port")"; then
        echo "postgres.sh: the server did not start again; its log:" >&2
        tail -n 30 "$dir/server.log" >&2 || true
        exit 1
    fi
}

start() {
    close_inherited_fds
    local owner=""
    if [ "${1:-}" = "--owner-pid" ]; then owner="$2"; fi
    for tool in initdb pg_ctl postgres; do
        if [ ! -x "$PG_BIN/$tool" ]; then
            echo "postgres.sh: $PG_BIN/$tool not found: install PostgreSQL 15 (scripts/setup.sh installs the Debian package postgresql-15)" >&2
            exit 2
        fi
    done
    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
        echo "postgres.sh: running as root needs the OS user 'postgres' (the postgresql-15 package creates it)" >&2
        exit 2
    fi
    # Servers whose test run died without stopping them.
    for stale in "$PREFIX"*; do
        [ -f "$stale/owner.pid" ] || continue
        if ! kill -0 "$(cat "$stale/owner.pid")" 2>/dev/null; then stop_server "$stale"; fi
    done

    local dir
    dir="$(mktemp -d "${PREFIX}XXXXXX")"
    [ -n "$owner" ] && echo "$owner" >"$dir/owner.pid"
    mkdir -p "$dir/socket"
    [ "$(id -u)" = 0 ] && chown -R postgres: "$dir"
    if ! as_server_user "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --no-locale --no-sync \
        >"$dir/initdb.log" 2>&1; then
        cat "$dir/initdb.log" >&2
        rm -rf "$dir"
        exit 1
    fi
    cat >"$dir/data/pg_hba.conf" <<'HBA'
local all all                                  trust
host  all lakegate_password_user 127.0.0.1/32  scram-sha-256
host  all all                    127.0.0.1/32  trust
HBA
    local port attempt
    for attempt in 1 2 3 4 5; do
        port="$(free_port)"
        if launch "$dir" "$port"; then
            echo "$port" >"$dir/port"
            echo "PG_TEST_DIR=$dir"
            echo "PG_TEST_PORT=$port"
            echo "PG_TEST_SOCKET_DIR=$dir/socket"
            echo "PG_TEST_PIDFILE=$dir/data/postmaster.pid"
            echo "PG_TEST_URL='postgresql://postgres@127.0.0.1:$port/postgres?sslmode=disable'"
            return 0
        fi
    done
    echo "postgres.sh: the server did not start; its log:" >&2
    cat "$dir/server.log" >&2 || true
    stop_server "$dir"
    exit 1
}

case "${1:-}" in
    start) shift; start "$@" ;;
    stop)
        [ -n "${2:-}" ] || { echo "usage: $0 stop DIR" >&2; exit 2; }
        stop_server "$2"
        ;;
    down | up)
        [ -n "${2:-}" ] || { echo "usage: $0 $1 DIR" >&2; exit 2; }
        "$1" "$2"
        ;;
    *) echo "usage: $0 start [--owner-pid PID] | stop DIR | down DIR | up DIR" >&2; exit 2 ;;
esac
