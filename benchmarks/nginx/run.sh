#!/usr/bin/env bash
# Start or stop the benchmark's nginx on 127.0.0.1, pinned to CPU core 0.
#
#   benchmarks/nginx/run.sh start PORT [PREFIX]   install nginx if missing, then start it
#   benchmarks/nginx/run.sh stop [PREFIX]         stop it (graceful, then forced)
#
# PREFIX (default: ${TMPDIR:-/tmp}/tether-bench-nginx) holds the config, the pid file,
# the log and the served files: /small (13 bytes) and /10mb (10 MiB, made at start).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
action="${1:-}"

find_nginx() {
    command -v nginx || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true
}

ensure_nginx() {
    if [ -z "$(find_nginx)" ]; then
        echo "nginx not found: installing it with apt-get" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        apt-get install -y -qq nginx-light >&2 || apt-get install -y -qq nginx >&2
    fi
    find_nginx
}

case "$action" in
start)
    port="${2:?usage: run.sh start PORT [PREFIX]}"
    prefix="${3:-${TMPDIR:-/tmp}/tether-bench-nginx}"
    nginx="$(ensure_nginx)"
    mkdir -p "$prefix/www"
    printf 'Hello, world!' > "$prefix/www/small"
    if [ ! -s "$prefix/www/10mb" ]; then
        head -c 10485760 /dev/urandom > "$prefix/www/10mb"
    fi
    sed -e "s|@PREFIX@|$prefix|g" -e "s|@PORT@|$port|g" \
        "$here/nginx.conf.template" > "$prefix/nginx.conf"
    taskset -c 0 "$nginx" -p "$prefix" -c "$prefix/nginx.conf" -e "$prefix/error.log"
    # Wait until it accepts connections.
    for _ in $(seq 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "nginx on 127.0.0.1:$port (pid $(cat "$prefix/nginx.pid"), core 0)"
            exit 0
        fi
        sleep 0.05
    done
    echo "nginx did not start; see $prefix/error.log" >&2
    exit 1
    ;;
stop)
    prefix="${2:-${TMPDIR:-/tmp}/tether-bench-nginx}"
    [ -f "$prefix/nginx.pid" ] || exit 0
    pid="$(cat "$prefix/nginx.pid")"
    nginx="$(find_nginx)"
    "$nginx" -p "$prefix" -c "$prefix/nginx.conf" -e "$prefix/error.log" -s quit || kill "$pid" || true
    for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || exit 0
        sleep 0.05
    done
    kill -9 "$pid" 2>/dev/null || true
    ;;
*)
    echo "usage: run.sh start PORT [PREFIX] | run.sh stop [PREFIX]" >&2
    exit 2
    ;;
esac
