# Helpers for scripts/test: make sure each backend the tests need is up on
# loopback, installing it when this is a fresh machine. Sourced, not run.

step() { printf '\n==> %s\n' "$*"; }

apt_install() {
  if [ -z "${APT_UPDATED:-}" ]; then
    apt-get update -qq
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

wait_for() { # description, command...
  local what=$1
  shift
  for _ in $(seq 1 100); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  echo "error: $what did not come up" >&2
  return 1
}

POSTGRES_URL="postgres://postgres:postgres@127.0.0.1:5432/postgres"

ensure_postgres() {
  step "postgresql on 127.0.0.1:5432"
  command -v pg_isready >/dev/null || apt_install postgresql postgresql-client
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    local version
    version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$version" ]; then
      apt_install postgresql
      version=$(ls /etc/postgresql | sort -V | tail -n 1)
    fi
    pg_ctlcluster --skip-systemctl-redirect "$version" main start
    wait_for postgresql pg_isready -q -h 127.0.0.1 -p 5432
  fi
  # A fresh Debian cluster asks for a password over TCP; give the superuser the
  # one in POSTGRES_URL. With trust authentication it is simply ignored.
  if ! psql "$POSTGRES_URL" -qtAc 'select 1' >/dev/null 2>&1; then
    su postgres -c "psql -qc \"alter user postgres password 'postgres'\"" >/dev/null
  fi
  psql "$POSTGRES_URL" -qtAc 'select 1' >/dev/null
}

REDIS_URL="redis://127.0.0.1:6379"

ensure_redis() {
  step "redis on 127.0.0.1:6379"
  command -v redis-server >/dev/null || apt_install redis-server redis-tools
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
      --logfile /tmp/mailkeep-test-redis.log
    wait_for redis redis-cli -h 127.0.0.1 -p 6379 ping
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

ensure_s3() {
  step "s3-compatible server (moto)"
  if [ -n "${MAILKEEP_TEST_S3_ENDPOINT:-}" ]; then
    S3_ENDPOINT=$MAILKEEP_TEST_S3_ENDPOINT
    return
  fi
  command -v moto_server >/dev/null || python3 -m pip install --quiet 'moto[server]'
  local port
  port=$(free_port)
  moto_server -H 127.0.0.1 -p "$port" >/tmp/mailkeep-test-moto.log 2>&1 &
  MOTO_PID=$!
  trap 'kill "$MOTO_PID" 2>/dev/null || true' EXIT
  S3_ENDPOINT="http://127.0.0.1:$port"
  wait_for moto curl -sf "$S3_ENDPOINT/"
}

# The end-to-end tests drive the server with Python's imaplib, the
# imapclient package and offlineimap, from a virtualenv kept under target/.
ensure_python_clients() {
  step "python imap clients"
  local venv=target/python
  if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
  fi
  "$venv/bin/python" -c 'import imapclient' 2>/dev/null \
    || "$venv/bin/pip" install --quiet 'imapclient==3.*'
  [ -x "$venv/bin/offlineimap" ] || "$venv/bin/pip" install --quiet 'offlineimap==8.0.3'
  PYTHON_CLIENTS="$(pwd)/$venv/bin/python"
}

# The real-client scenarios and the import test run Debian's mbsync (isync),
# fetchmail and curl; the tests fail, never skip, without them.
ensure_debian_clients() {
  step "mbsync, fetchmail and curl"
  local missing=()
  command -v mbsync >/dev/null || missing+=(isync)
  command -v fetchmail >/dev/null || missing+=(fetchmail)
  command -v curl >/dev/null || missing+=(curl)
  if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi
  mbsync --version
  fetchmail --version 2>&1 | head -n 1 || true
  curl --version | head -n 1
}
