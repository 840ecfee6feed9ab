#!/usr/bin/env bash
# A throwaway Redis 7 server for tests, on 127.0.0.1 and a free port, its files in its own folder.
#
#   scripts/testenv/redis.sh start [--owner-pid PID]   prints shell assignments:
#       REDIS_TEST_DIR=…  REDIS_TEST_PORT=…  REDIS_TEST_URL=redis://127.0.0.1:PORT  REDIS_TEST_PIDFILE=…
#     so `eval "$(scripts/testenv/redis.sh start)"` sets them in a shell.
#   scripts/testenv/redis.sh stop DIR      stops the server (SHUTDOWN, waits for it) and deletes DIR
#   scripts/testenv/redis.sh restart DIR   stops the server and starts it again on the same port and
#                                          folder, keeping its data (for restart tests)
#
# Durability is on (appendonly yes, appendfsync always, no RDB snapshots): every write is in the
# AOF before the reply, so a restart keeps stream entries and consumer groups' pending lists.
# The default user needs no password; the ACL user `lakegate_password_user` (password
# `lakegate-secret`) lets tests log in with a password and check that it never leaks.
# With --owner-pid, `start` first stops servers left by owners that have died (a killed test run).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

REDIS_SERVER="${REDIS_SERVER:-/usr/bin/redis-server}"
PREFIX="${TMPDIR:-/tmp}/lakegate-redis."

# Sends one inline command over bash's /dev/tcp and prints the first line of the reply.
send_command() {
    local port="$1" command="$2" reply=""
    { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || return 1
    printf '%s\r\n' "$command" >&3
    read -r -t 2 reply <&3 || true
    exec 3>&- 3<&-
    printf '%s' "${reply%$'\r'}"
}

# PING until +PONG, up to 30 s.
wait_for_ping() {
    local port="$1" attempt
    for attempt in $(seq 1 300); do
        if [ "$(send_command "$port" PING)" = "+PONG" ]; then return 0; fi
        sleep 0.1
    done
    return 1
}

server_pid() {
    local dir="$1"
    [ -f "$dir/redis.pid" ] && cat "$dir/redis.pid" 2>/dev/null || true
}

# Running, and not a zombie waiting for a parent that does not reap it.
is_running() {
    local pid="$1" state
    kill -0 "$pid" 2>/dev/null || return 1
    state="$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || true)"
    [ -n "$state" ] && [ "$state" != "Z" ]
}

wait_for_exit() {
    local pid="$1" tenths="$2" attempt
    for attempt in $(seq 1 "$tenths"); do
        is_running "$pid" || return 0
        sleep 0.1
    done
    return 1
}

# SHUTDOWN over the socket: a test runner may start us with SIGTERM blocked, and Redis keeps the
# signal mask it inherits, so a signal alone may never arrive. SIGKILL as the last resort loses
# nothing: every write was fsynced to the AOF before its reply (appendfsync always).
stop_process() {
    local dir="$1" pid port
    pid="$(server_pid "$dir")"
    [ -n "$pid" ] || return 0
    port="$(sed -n 's/^port //p' "$dir/redis.conf" 2>/dev/null || true)"
    [ -n "$port" ] && send_command "$port" SHUTDOWN >/dev/null 2>&1 || true
    if ! wait_for_exit "$pid" 100; then
        kill -KILL "$pid" 2>/dev/null || true
        wait_for_exit "$pid" 100 || true
    fi
    rm -f "$dir/redis.pid"
}

stop_server() {
    local dir="$1"
    [ -d "$dir" ] || return 0
    stop_process "$dir"
    rm -rf "$dir"
}

# Starts redis-server with the folder's redis.conf; returns non-zero when it does not answer.
launch() {
    local dir="$1" port="$2"
    "$REDIS_SERVER" "$dir/redis.conf" >>"$dir/launch.log" 2>&1 || return 1
    wait_for_ping "$port"
}

print_assignments() {
    local dir="$1" port="$2"
    echo "REDIS_TEST_DIR=$dir"
    echo "REDIS_TEST_PORT=$port"
    echo "REDIS_TEST_URL=redis://127.0.0.1:$port"
    echo "REDIS_TEST_PIDFILE=$dir/redis.pid"
}

require_binary() {
    if [ ! -x "$REDIS_SERVER" ]; then
        echo "redis.sh: $REDIS_SERVER not found: install the Debian package redis-server (scripts/setup.sh does)" >&2
        exit 2
    fi
}

start() {
    close_inherited_fds
    local owner=""
    if [ "${1:-}" = "--owner-pid" ]; then owner="$2"; fi
    require_binary
    # Servers whose test run died without stopping them.
    for stale in "$PREFIX"*; do
        [ -f "$stale/owner.pid" ] || continue
        if ! kill -0 "$(cat "$stale/owner.pid")" 2>/dev/null; then stop_server "$stale"; fi
    done

    local dir port attempt
    dir="$(mktemp -d "${PREFIX}XXXXXX")"
    [ -n "$owner" ] && echo "$owner" >"$dir/owner.pid"
    for attempt in 1 2 3 4 5; do
        port="$(free_port)"
        cat >"$dir/redis.conf" <<CONF
bind 127.0.0.1
port $port
protected-mode no
daemonize yes
pidfile $dir/redis.pid
logfile $dir/server.log
dir $dir
appendonly yes
appendfsync always
save ""
user default on nopass ~* &* +@all
user lakegate_password_user on >lakegate-secret ~* &* +@all
CONF
        if launch "$dir" "$port"; then
            print_assignments "$dir" "$port"
            return 0
        fi
        stop_process "$dir"
    done
    echo "redis.sh: the server did not start; its log:" >&2
    cat "$dir/server.log" "$dir/launch.log" >&2 2>/dev/null || true
    stop_server "$dir"
    exit 1
}

restart() {
    close_inherited_fds
    local dir="$1" port
    require_binary
    [ -f "$dir/redis.conf" ] || { echo "redis.sh: $dir holds no test server" >&2; exit 2; }
    port="$(sed -n 's/^port //p' "$dir/redis.conf")"
    stop_process "$dir"
    if ! launch "$dir" "$port"; then
        echo "redis.sh: the server did not start again on port $port; its log:" >&2
        tail -n 30 "$dir/server.log" >&2 2>/dev/null || true
        exit 1
    fi
    print_assignments "$dir" "$port"
}

case "${1:-}" in
    start) shift; start "$@" ;;
    stop)
        [ -n "${2:-}" ] || { echo "usage: $0 stop DIR" >&2; exit 2; }
        stop_server "$2"
        ;;
    restart)
        [ -n "${2:-}" ] || { echo "usage: $0 restart DIR" >&2; exit 2; }
        restart "$2"
        ;;
    *) echo "usage: $0 start [--owner-pid PID] | stop DIR | restart DIR" >&2; exit 2 ;;
esac
