#!/usr/bin/env bash
# A throwaway clamd (ClamAV) for tests, on a Unix socket in its own folder and on 127.0.0.1.
#
#   scripts/testenv/clamd.sh start [--owner-pid PID]   prints shell assignments:
#       CLAMD_TEST_DIR=…  CLAMD_TEST_SOCKET=…  CLAMD_TEST_PORT=…  CLAMD_TEST_PIDFILE=…
#       CLAMD_TEST_DB_VERSION=…  CLAMD_TEST_STREAM_MAX=…  CLAMD_TEST_MAX_FILE_SIZE=…
#     so `eval "$(scripts/testenv/clamd.sh start)"` sets them in a shell.
#   scripts/testenv/clamd.sh stop DIR                 stops the server and deletes DIR
#
# The signature database is ours, generated here: never the system's /var/lib/clamav, never
# freshclam (no network). It is one unsigned container, daily.cud (sigtool --unsigned), so that
# clamd's VERSION reports a database version and date; being unsigned, clamd names its
# signatures with the suffix ".UNOFFICIAL":
#   Eicar-Test-Signature   a file that is exactly the 68-byte EICAR test string (an MD5 hash
#                          signature, .hdb: it matches inside an archive only once clamd has
#                          opened the archive); kept as hex here so that no scanner flags this script
#   Lakegate.Test.Marker   the bytes LAKEGATE-TEST-MALWARE-MARKER anywhere in a file (a body
#                          signature, .ndb)
# Limits are small so tests can cross them cheaply: a stream over StreamMaxLength gets
# "INSTREAM size limit exceeded. ERROR"; a file over MaxFileSize (but under StreamMaxLength) gets
# "Heuristics.Limits.Exceeded.MaxFileSize FOUND" (AlertExceedsMax).
# clamd runs as the calling user (no User line): as root inside a container that is root.
# With --owner-pid, `start` first stops servers left by owners that have died (a killed test run).
set -euo pipefail

CLAMD="${CLAMD:-/usr/sbin/clamd}"
SIGTOOL="${SIGTOOL:-sigtool}"
PREFIX="${TMPDIR:-/tmp}/lakegate-clamd."
DB_VERSION=4711
# Benchmarks raise the limits (CLAMD_STREAM_MAX, CLAMD_MAX_FILE_SIZE, in bytes) to scan big files.
STREAM_MAX=${CLAMD_STREAM_MAX:-$((5 * 1024 * 1024))}
MAX_FILE_SIZE=${CLAMD_MAX_FILE_SIZE:-$((4 * 1024 * 1024))}
EICAR_HEX=58354f2150254041505b345c505a58353428505e2937434329377d2445494341522d5354414e444152442d414e544956495255532d544553542d46494c452124482b482a
MARKER=LAKEGATE-TEST-MALWARE-MARKER

# The pid in DIR/clamd.pid, only while it is still that folder's clamd (pids get reused).
server_pid() {
    local dir="$1" pid cmdline
    [ -f "$dir/clamd.pid" ] || return 1
    pid="$(cat "$dir/clamd.pid")"
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
    # Read whole, not through `| grep -q`: under pipefail an early grep exit fails the pipeline.
    cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
    [[ "$cmdline" == *"$dir/clamd.conf"* ]] || return 1
    echo "$pid"
}

# True while PID runs (a zombie left unreaped by a container's init has exited).
alive() {
    local stat
    kill -0 "$1" 2>/dev/null || return 1
    stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
    stat="${stat##*) }"
    [ "${stat%% *}" != Z ]
}

stop_server() {
    local dir="$1" pid i
    [ -d "$dir" ] || return 0
    if pid="$(server_pid "$dir")"; then
        kill -TERM "$pid" 2>/dev/null || true
        for i in $(seq 1 50); do
            alive "$pid" || break
            sleep 0.1
        done
        if alive "$pid"; then
            kill -KILL "$pid" 2>/dev/null || true
            for i in $(seq 1 50); do
                alive "$pid" || break
                sleep 0.1
            done
        fi
    fi
    # A dying clamd may still write its log: try again rather than leave the folder behind.
    for i in 1 2 3; do
        rm -rf "$dir" 2>/dev/null && return 0
        sleep 0.2
    done
    rm -rf "$dir"
}

free_port() {
    if command -v python3 >/dev/null; then
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
    else
        echo $((20000 + RANDOM % 40000))
    fi
}

# The server must not keep the caller's descriptors (a test runner's pipes and sockets) open.
close_inherited_fds() {
    local fd
    for fd in /proc/$$/fd/*; do
        fd="${fd##*/}"
        case "$fd" in 0 | 1 | 2 | 255) ;; *) eval "exec $fd>&-" 2>/dev/null || true ;; esac
    done
}

# PING over TCP through bash's /dev/tcp; true when clamd answers PONG.
ping_tcp() {
    local port="$1" reply=""
    exec 3<>"/dev/tcp/127.0.0.1/$port" 2>/dev/null || return 1
    printf 'zPING\0' >&3
    IFS= read -r -d '' -t 2 reply <&3 || true
    exec 3>&- 3<&-
    [ "$reply" = PONG ]
}

hex_of() { printf '%s' "$1" | od -An -tx1 -v | tr -d ' \n'; }
# The bytes a hex string spells (printf's \xHH escapes; a % among them is output, not a format).
bytes_of() { printf "$(printf '%s' "$1" | sed 's/../\\x&/g')"; }

make_database() {
    local dir="$1" work="$1/dbbuild"
    mkdir -p "$work" "$dir/db"
    local eicar_md5
    eicar_md5="$(bytes_of "$EICAR_HEX" | md5sum | cut -d' ' -f1)"
    echo "$eicar_md5:68:Eicar-Test-Signature" >"$work/daily.hdb"
    echo "Lakegate.Test.Marker:0:*:$(hex_of "$MARKER")" >"$work/daily.ndb"
    echo "Lakegate test signatures, generated by scripts/testenv/clamd.sh for tests only." >"$work/COPYING"
    # sigtool reads the builder's name from standard input.
    if ! (cd "$work" && echo lakegate-tests | "$SIGTOOL" --build=daily.cud --unsigned --no-cdiff \
        --cvd-version="$DB_VERSION" --datadir="$work" >"$dir/sigtool.log" 2>&1); then
        echo "clamd.sh: sigtool could not build the test database; its output:" >&2
        cat "$dir/sigtool.log" >&2
        return 1
    fi
    mv "$work/daily.cud" "$dir/db/daily.cud"
    rm -rf "$work"
}

write_config() {
    local dir="$1" port="$2"
    cat >"$dir/clamd.conf" <<CONF
Foreground yes
LogFile $dir/clamd.log
LogTime yes
LocalSocket $dir/clamd.sock
LocalSocketMode 600
TCPSocket $port
TCPAddr 127.0.0.1
DatabaseDirectory $dir/db
TemporaryDirectory $dir/tmp
MaxThreads 4
StreamMaxLength $STREAM_MAX
MaxFileSize $MAX_FILE_SIZE
MaxScanSize $((4 * MAX_FILE_SIZE))
AlertExceedsMax yes
ScanArchive yes
CommandReadTimeout 30
SelfCheck 3600
CONF
}

start() {
    close_inherited_fds
    local owner=""
    if [ "${1:-}" = "--owner-pid" ]; then owner="$2"; fi
    if [ ! -x "$CLAMD" ]; then
        echo "clamd.sh: $CLAMD not found: install the Debian package clamav-daemon (scripts/setup.sh does)" >&2
        exit 2
    fi
    if ! command -v "$SIGTOOL" >/dev/null; then
        echo "clamd.sh: sigtool not found: install the Debian package clamav (scripts/setup.sh does)" >&2
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
    mkdir -p "$dir/tmp"
    if ! make_database "$dir"; then
        rm -rf "$dir"
        exit 1
    fi

    local port attempt pid deadline
    for attempt in 1 2 3 4 5; do
        port="$(free_port)"
        write_config "$dir" "$port"
        rm -f "$dir/clamd.sock" "$dir/clamd.log"
        setsid "$CLAMD" -c "$dir/clamd.conf" </dev/null >"$dir/clamd.out" 2>&1 &
        pid=$!
        echo "$pid" >"$dir/clamd.pid"
        # Loading two signatures takes a second; a loaded machine gets a minute.
        deadline=$((SECONDS + 60))
        while [ "$SECONDS" -lt "$deadline" ]; do
            alive "$pid" || break
            # A taken port is only logged: clamd goes on with its Unix socket alone.
            grep -q "Cannot bind" "$dir/clamd.log" 2>/dev/null && break
            if [ -S "$dir/clamd.sock" ] && ping_tcp "$port"; then
                echo "CLAMD_TEST_DIR=$dir"
                echo "CLAMD_TEST_SOCKET=$dir/clamd.sock"
                echo "CLAMD_TEST_PORT=$port"
                echo "CLAMD_TEST_PIDFILE=$dir/clamd.pid"
                echo "CLAMD_TEST_DB_VERSION=$DB_VERSION"
                echo "CLAMD_TEST_STREAM_MAX=$STREAM_MAX"
                echo "CLAMD_TEST_MAX_FILE_SIZE=$MAX_FILE_SIZE"
                return 0
            fi
            sleep 0.1
        done
        # Exited, could not bind (the port was taken meanwhile) or never answered: try another port.
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    echo "clamd.sh: clamd did not start; its output and log:" >&2
    cat "$dir/clamd.out" "$dir/clamd.log" >&2 2>/dev/null || true
    stop_server "$dir"
    exit 1
}

case "${1:-}" in
    start) shift; start "$@" ;;
    stop)
        [ -n "${2:-}" ] || { echo "usage: $0 stop DIR" >&2; exit 2; }
        case "$2" in
            "$PREFIX"*) stop_server "$2" ;;
            *) echo "clamd.sh: $2 is not a folder this script made" >&2; exit 2 ;;
        esac
        ;;
    *) echo "usage: $0 start [--owner-pid PID] | stop DIR" >&2; exit 2 ;;
esac
