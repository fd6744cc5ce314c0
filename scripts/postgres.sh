#!/usr/bin/env bash
# A private PostgreSQL cluster for the tests and the load benchmark: Debian's
# PostgreSQL (installed if missing), a new cluster in DIR owned by the
# `postgres` user (when run as root; initdb refuses root), listening on a
# free loopback port only, trust authentication, no fsync (test data), and
# TLS offered with a certificate for 127.0.0.1 signed by a CA made here
# (DIR/ca.pem, for clients that verify it).
#
# Usage: bash scripts/postgres.sh start DIR   # prints the cluster's URL
#        bash scripts/postgres.sh stop DIR
set -euo pipefail

command=${1:-}
dir=${2:-}
if [ -z "$command" ] || [ -z "$dir" ]; then
  echo "usage: bash scripts/postgres.sh start|stop DIR" >&2
  exit 2
fi

bin_dir() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case "$command" in
  start)
    if [ -z "$(bin_dir)" ] || [ ! -x "$(bin_dir)/initdb" ]; then
      echo "  postgres: installing Debian's postgresql" >&2
      sudo_cmd=""
      [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
      $sudo_cmd apt-get update -qq
      # The package's own cluster is not started (no init system is asked).
      DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    fi
    bin=$(bin_dir)
    mkdir -p "$dir"
    [ "$(id -u)" -ne 0 ] || chown postgres: "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    # A CA, and the server's certificate for 127.0.0.1 signed by it.
    (
      cd "$dir"
      openssl req -x509 -newkey rsa:2048 -nodes -days 7 -subj "/CN=harmony test CA" \
        -keyout ca.key -out ca.pem >/dev/null 2>&1
      openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
        -keyout data/server.key -out server.csr >/dev/null 2>&1
      printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >server.ext
      openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 7 \
        -extfile server.ext -out data/server.crt >/dev/null 2>&1
      chmod 600 data/server.key
      chmod 644 ca.pem
      [ "$(id -u)" -ne 0 ] || chown postgres: data/server.key data/server.crt
    )
    # A free port: try random ones until the server starts on one.
    for _ in $(seq 1 20); do
      port=$(( 20000 + RANDOM % 30000 ))
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        continue
      fi
      if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start \
          -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 -c ssl=on" \
          >/dev/null 2>&1; then
        echo "$port" >"$dir/port"
        echo "postgres://postgres@127.0.0.1:$port/postgres"
        exit 0
      fi
    done
    cat "$dir/server.log" >&2 || true
    echo "postgres: no free port found for the cluster" >&2
    exit 1
    ;;
  stop)
    bin=$(bin_dir)
    if [ -n "$bin" ] && [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: bash scripts/postgres.sh start|stop DIR" >&2
    exit 2
    ;;
esac
