#!/usr/bin/env bash
# Runs a command with a PostgreSQL server for the tests.
#
#   scripts/test-postgres.sh go test ./quorum/...
#
# If a server answers at $QUORATE_TEST_POSTGRES (default
# postgres://postgres@127.0.0.1:5432/test?sslmode=disable), the command runs
# as is. Otherwise a disposable server is started from the local PostgreSQL
# binaries (/usr/lib/postgresql/*/bin): a fresh cluster in a temporary
# directory, trust authentication, listening on 127.0.0.1 on a free port.
# QUORATE_TEST_POSTGRES points the command at it, and the server and its
# files are removed when the command ends. QUORATE_TEST_POSTGRES=skip runs
# the command as is (PostgreSQL tests then skip themselves).
set -euo pipefail

if [[ $# -eq 0 ]]; then
	echo "usage: $0 command [args...]" >&2
	exit 2
fi

default_dsn='postgres://postgres@127.0.0.1:5432/test?sslmode=disable'
dsn="${QUORATE_TEST_POSTGRES:-$default_dsn}"

if [[ "$dsn" == skip ]]; then
	exec "$@"
fi

# The newest installed PostgreSQL.
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
isready=$(command -v pg_isready || echo "$pgbin/pg_isready")

if [[ -x "$isready" ]] && "$isready" -q -t 3 -d "$dsn"; then
	export QUORATE_TEST_POSTGRES="$dsn"
	exec "$@"
fi

if [[ -z "$pgbin" || ! -x "$pgbin/initdb" ]]; then
	echo "no PostgreSQL answers at the test DSN and no server binaries are installed in /usr/lib/postgresql/*/bin;" >&2
	echo "install them (apt-get install postgresql) or set QUORATE_TEST_POSTGRES to a server's DSN" >&2
	exit 1
fi

# As root, the cluster belongs to the postgres user (the server refuses root).
as_owner=()
if [[ $(id -u) -eq 0 ]]; then
	if ! id postgres >/dev/null 2>&1; then
		echo "running as root but there is no postgres user to own the disposable server" >&2
		exit 1
	fi
	as_owner=(runuser -u postgres --)
fi

tmp=$(mktemp -d -t quorate-pg.XXXXXX)
chmod 755 "$tmp"
mkdir "$tmp/data" "$tmp/run"
if [[ ${#as_owner[@]} -gt 0 ]]; then
	chown postgres: "$tmp/data" "$tmp/run"
fi
log="$tmp/run/server.log"

started=0
cleanup() {
	if [[ $started -eq 1 ]]; then
		"${as_owner[@]}" "$pgbin/pg_ctl" -D "$tmp/data" -m fast -w stop >/dev/null 2>&1 || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"${as_owner[@]}" "$pgbin/initdb" -D "$tmp/data" -U postgres -A trust --no-sync -E UTF8 >"$tmp/initdb.log" 2>&1 || {
	cat "$tmp/initdb.log" >&2
	exit 1
}

# A port nobody listens on; if another process takes it first, try again.
port_is_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for attempt in 1 2 3 4 5 6 7 8 9 10; do
	port=$((20000 + RANDOM % 40000))
	port_is_free "$port" || continue
	if "${as_owner[@]}" "$pgbin/pg_ctl" -D "$tmp/data" -l "$log" -w -t 60 \
		-o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$tmp/run" start >/dev/null; then
		started=1
		break
	fi
done
if [[ $started -ne 1 ]]; then
	echo "could not start a disposable PostgreSQL server; its log:" >&2
	cat "$log" >&2 || true
	exit 1
fi

"$pgbin/createdb" -h 127.0.0.1 -p "$port" -U postgres test
export QUORATE_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/test?sslmode=disable"
echo "started a disposable PostgreSQL at $QUORATE_TEST_POSTGRES (removed afterwards)" >&2

set +e
"$@"
status=$?
set -e
exit $status
