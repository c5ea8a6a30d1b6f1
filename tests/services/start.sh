#!/usr/bin/env bash
# The servers the test suite talks to for real: PostgreSQL (storage tests, faults, load),
# Redis (shared rate limits), nginx with brotli_static (deploy/nginx.conf in front of the app)
# and wrk (the load test). Installed only where missing, started only when not running (nginx
# is started by the tests themselves); without root, says exactly what is missing and stops.
set -euo pipefail

missing=()
command -v pg_ctlcluster >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v wrk >/dev/null || missing+=(wrk)
[[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
[[ -f /usr/lib/nginx/modules/ngx_http_brotli_static_module.so ]] \
  || missing+=(libnginx-mod-http-brotli-static)
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "The tests need these Debian packages: ${missing[*]} (sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "PostgreSQL is not running on 127.0.0.1:5432: start it, or set TEST_POSTGRES_URL" >&2
    exit 1
  fi
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if [[ -z "${TEST_POSTGRES_URL:-}" ]] \
  && ! psql -h 127.0.0.1 -U postgres -d test -Atc 'select 1' >/dev/null 2>&1 \
  && [[ $(id -u) -eq 0 ]]; then
  # A PostgreSQL we just installed: let the tests' role in over loopback, make their database.
  hba=$(runuser -u postgres -- psql -Atc 'show hba_file')
  sed -i '1i host all postgres 127.0.0.1/32 trust\nhost all postgres ::1/128 trust' "$hba"
  runuser -u postgres -- psql -qc 'select pg_reload_conf()' >/dev/null
  runuser -u postgres -- createdb test 2>/dev/null || true
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no
  for _ in $(seq 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
fi
