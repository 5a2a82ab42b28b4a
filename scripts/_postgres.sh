# Sourced by test.sh: start a throw-away PostgreSQL on loopback for the integration tests
# and export CYBERCOVER_TEST_POSTGRES_URL; stopped and removed when the shell exits.
# Installs Debian's postgresql when it is missing.
pg_bin=""
find_pg_bin() { pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1); }
find_pg_bin
if [ -z "$pg_bin" ]; then
  echo "== installing postgresql (Debian)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
  find_pg_bin
fi
[ -n "$pg_bin" ] || { echo "PostgreSQL is not available" >&2; exit 1; }

# a free loopback port, so that two runs (or a server left behind) never collide
pg_port=${CYBERCOVER_TEST_PG_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')}
pg_dir=$(mktemp -d /tmp/cybercover-pg.XXXXXX)
as_pg=()
if [ "$(id -u)" = "0" ]; then
  chown postgres "$pg_dir"
  as_pg=(runuser -u postgres --)
fi
"${as_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w \
  -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
stop_postgres() {
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
trap stop_postgres EXIT
"${as_pg[@]}" "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres cybercover_test
export CYBERCOVER_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$pg_port/cybercover_test"
export CYBERCOVER_TEST_PG_BIN="$pg_bin"  # tests/faults start their own clusters with these programs
echo "== PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port"
