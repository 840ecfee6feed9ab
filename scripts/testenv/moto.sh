#!/usr/bin/env bash
# A throwaway S3 server for tests: moto_server (from the project's .venv) on 127.0.0.1, a free port.
#
#   scripts/testenv/moto.sh start [--owner-pid PID] [--auth]   prints shell assignments:
#       MOTO_TEST_DIR=…  MOTO_TEST_PORT=…  MOTO_TEST_URL=http://127.0.0.1:PORT
#     and with --auth also MOTO_TEST_ACCESS_KEY_ID=… MOTO_TEST_SECRET_ACCESS_KEY=…
#     so `eval "$(scripts/testenv/moto.sh start)"` sets them in a shell.
#   scripts/testenv/moto.sh stop DIR                            stops the server and deletes DIR
#
# Without --auth moto accepts any credentials. With --auth it checks every request's signature
# (moto recomputes it with botocore) against an IAM user created here, whose access key is printed;
# wrong keys or secrets get InvalidAccessKeyId / SignatureDoesNotMatch.
# With --owner-pid, `start` first stops servers left by owners that have died (a killed test run).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${LAKEGATE_VENV:-$ROOT/.venv}"
MOTO="$VENV/bin/moto_server"
PYTHON="$VENV/bin/python"
PREFIX="${TMPDIR:-/tmp}/lakegate-moto."

stop_server() {
    local dir="$1" pid
    [ -d "$dir" ] || return 0
    if [ -f "$dir/server.pid" ]; then
        pid="$(cat "$dir/server.pid")"
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -9 "$pid" 2>/dev/null || true
        fi
    fi
    rm -rf "$dir"
}

start() {
    close_inherited_fds
    local owner="" auth=""
    while [ $# -gt 0 ]; do
        case "$1" in
            --owner-pid) owner="$2"; shift 2 ;;
            --auth) auth=1; shift ;;
            *) echo "moto.sh: unknown option $1" >&2; exit 2 ;;
        esac
    done
    if [ ! -x "$MOTO" ] || [ ! -x "$PYTHON" ]; then
        echo "moto.sh: $MOTO not found: run scripts/setup.sh (it installs moto[server] into .venv)" >&2
        exit 2
    fi
    for stale in "$PREFIX"*; do
        [ -f "$stale/owner.pid" ] || continue
        if ! kill -0 "$(cat "$stale/owner.pid")" 2>/dev/null; then stop_server "$stale"; fi
    done

    local dir port attempt pid
    dir="$(mktemp -d "${PREFIX}XXXXXX")"
    [ -n "$owner" ] && echo "$owner" >"$dir/owner.pid"
    for attempt in 1 2 3 4 5; do
        port="$(free_port)"
        # Auth mode: the first three actions (creating the IAM user, its policy and key below)
        # go unchecked, every later one needs a valid signature.
        if [ -n "$auth" ]; then
            INITIAL_NO_AUTH_ACTION_COUNT=3 setsid "$MOTO" -H 127.0.0.1 -p "$port" </dev/null >"$dir/server.log" 2>&1 &
        else
            setsid "$MOTO" -H 127.0.0.1 -p "$port" </dev/null >"$dir/server.log" 2>&1 &
        fi
        pid=$!
        echo "$pid" >"$dir/server.pid"
        # Python starts slowly on a loaded machine: wait up to 60 s for the port to answer.
        if "$PYTHON" - "$port" "$pid" <<'PY'
import os, sys, time, urllib.request
port, pid = sys.argv[1], int(sys.argv[2])
deadline = time.time() + 60
while time.time() < deadline:
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit(1)
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/data.json", timeout=2).read()
        sys.exit(0)
    except Exception:
        time.sleep(0.1)
sys.exit(1)
PY
        then
            break
        fi
        kill "$pid" 2>/dev/null || true
        pid=""
    done
    if [ -z "$pid" ]; then
        echo "moto.sh: moto_server did not start; its log:" >&2
        cat "$dir/server.log" >&2 || true
        stop_server "$dir"
        exit 1
    fi
    echo "MOTO_TEST_DIR=$dir"
    echo "MOTO_TEST_PORT=$port"
    echo "MOTO_TEST_URL=http://127.0.0.1:$port"
    if [ -n "$auth" ]; then
        if ! "$PYTHON" - "$port" >"$dir/keys" 2>"$dir/keys.err" <<'PY'
import json, sys, boto3
iam = boto3.client("iam", endpoint_url=f"http://127.0.0.1:{sys.argv[1]}", region_name="us-east-1",
                   aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
iam.create_user(UserName="lakegate-test")
iam.put_user_policy(UserName="lakegate-test", PolicyName="all-s3", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
key = iam.create_access_key(UserName="lakegate-test")["AccessKey"]
print(f"MOTO_TEST_ACCESS_KEY_ID={key['AccessKeyId']}")
print(f"MOTO_TEST_SECRET_ACCESS_KEY={key['SecretAccessKey']}")
PY
        then
            echo "moto.sh: cannot create the IAM user for --auth:" >&2
            cat "$dir/keys.err" >&2
            stop_server "$dir"
            exit 1
        fi
        cat "$dir/keys"
    fi
}

case "${1:-}" in
    start) shift; start "$@" ;;
    stop)
        [ -n "${2:-}" ] || { echo "usage: $0 stop DIR" >&2; exit 2; }
        case "$2" in "$PREFIX"*) stop_server "$2" ;; *) echo "moto.sh: $2 is not a moto test folder" >&2; exit 2 ;; esac
        ;;
    *) echo "usage: $0 start [--owner-pid PID] [--auth] | stop DIR" >&2; exit 2 ;;
esac
