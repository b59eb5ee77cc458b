#!/usr/bin/env bash
# Starts and stops the services Liuhen's tests and demo run on: PostgreSQL 15
# and MinIO, both on 127.0.0.1, with their data under .liuhen/ in the
# repository (git-ignored).
#
# Usage:
#   scripts/services.sh up     start both (reuses what already runs) and
#                              write .liuhen/env
#   scripts/services.sh down   stop what `up` started
#   scripts/services.sh env    print .liuhen/env, for eval "$(... env)"
#   scripts/services.sh status tell what runs
#
# PostgreSQL: a LIUHEN_DATABASE_URL that answers is reused as it is. Otherwise
# the script runs a private cluster (superuser liuhen/liuhen, database liuhen)
# on port LIUHEN_PG_PORT (54329). As root the cluster belongs to the postgres
# OS user, because initdb refuses to run as root.
#
# MinIO: `minio server .liuhen/minio` on LIUHEN_MINIO_PORT (59329), console on
# the next port, root user and password fixed for development.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
state="$root/.liuhen"

readonly PG_PORT=${LIUHEN_PG_PORT:-54329}
readonly PG_USER=liuhen
readonly PG_PASSWORD=liuhen
readonly PG_DB=liuhen
readonly MINIO_PORT=${LIUHEN_MINIO_PORT:-59329}
readonly MINIO_CONSOLE_PORT=$((MINIO_PORT + 1))
readonly MINIO_USER=liuhen
readonly MINIO_PASSWORD=liuhen-dev-secret
readonly MINIO_BUCKET=liuhen-evidence
readonly ADMIN_TOKEN=liuhen-dev-admin-token

pg_bin=${LIUHEN_PG_BIN:-/usr/lib/postgresql/15/bin}
private_url="postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DB?sslmode=disable"

say() { printf 'services: %s\n' "$*"; }
fail() {
	printf 'services: %s\n' "$*" >&2
	exit 1
}

# --- PostgreSQL -------------------------------------------------------------

# as_pg_owner runs a command as the OS user that owns the private cluster.
as_pg_owner() {
	if ((EUID == 0)); then
		(cd / && runuser -u postgres -- "$@")
	else
		"$@"
	fi
}

# url_answers tells whether a PostgreSQL URL accepts a query.
url_answers() {
	"$pg_bin/pg_isready" -q -d "$1" -t 3 &&
		"$pg_bin/psql" "$1" -XAtqc 'select 1' >/dev/null 2>&1
}

# pg_data_dir prints where the private cluster lives: .liuhen/pg when the
# cluster's owner can reach it, else a directory under /var/tmp.
pg_data_dir() {
	if [[ -s $state/pgdir ]]; then
		cat "$state/pgdir"
		return
	fi
	local dir="$state/pg"
	if ((EUID == 0)); then
		id postgres >/dev/null 2>&1 ||
			fail "no postgres OS user; install PostgreSQL 15 with \`make deps\`"
		mkdir -p "$dir"
		chown postgres:postgres "$dir"
		chmod 700 "$dir"
		if ! as_pg_owner test -w "$dir"; then
			rmdir "$dir"
			local hash
			hash=$(printf '%s' "$root" | sha256sum | cut -c1-12)
			dir="/var/tmp/liuhen-$hash/pg"
			say "the postgres OS user cannot reach $state (a parent directory is private);" \
				"keeping the cluster in $dir instead" >&2
			mkdir -p "$dir"
			chown postgres:postgres "$dir" "$(dirname "$dir")"
			chmod 700 "$dir"
		fi
	fi
	echo "$dir" >"$state/pgdir"
	echo "$dir"
}

pg_init() {
	local dir=$1 pwfile
	[[ -s $dir/PG_VERSION ]] && return
	say "creating a PostgreSQL cluster in $dir"
	pwfile=$(mktemp)
	echo "$PG_PASSWORD" >"$pwfile"
	((EUID == 0)) && chown postgres "$pwfile"
	as_pg_owner "$pg_bin/initdb" -D "$dir" -U "$PG_USER" --pwfile="$pwfile" \
		--auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 \
		>"$state/pg-init.log" 2>&1 || {
		rm -f "$pwfile"
		fail "initdb failed; see $state/pg-init.log"
	}
	rm -f "$pwfile"
	# A development and test cluster: speed over durability, and room for
	# parallel test packages that each open a pool.
	as_pg_owner tee -a "$dir/postgresql.conf" >/dev/null <<-EOF
		listen_addresses = '127.0.0.1'
		port = $PG_PORT
		unix_socket_directories = ''
		max_connections = 300
		fsync = off
		synchronous_commit = off
		full_page_writes = off
	EOF
}

pg_start() {
	local dir=$1
	if as_pg_owner "$pg_bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
		say "PostgreSQL already runs on 127.0.0.1:$PG_PORT"
		return
	fi
	if "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 2; then
		fail "another server answers on 127.0.0.1:$PG_PORT; stop it or pick a free" \
			"port with LIUHEN_PG_PORT=NNNNN"
	fi
	local log="$dir/server.log"
	# -p: the port asked for now, whatever port the cluster was created with.
	as_pg_owner "$pg_bin/pg_ctl" -D "$dir" -l "$log" -o "-p $PG_PORT" -w -t 60 start \
		>/dev/null || {
		as_pg_owner tail -n 20 "$log" >&2 || true
		fail "PostgreSQL did not start; see $log"
	}
	say "PostgreSQL started on 127.0.0.1:$PG_PORT (log $log)"
}

pg_create_db() {
	local admin="postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/postgres?sslmode=disable"
	local exists
	exists=$("$pg_bin/psql" "$admin" -XAtqc \
		"select 1 from pg_database where datname = '$PG_DB'") ||
		fail "cannot connect to the private cluster as $PG_USER; remove $state and run again"
	[[ $exists == 1 ]] || "$pg_bin/psql" "$admin" -Xqc "create database $PG_DB" >/dev/null
}

# pg_up prints the database URL to use.
pg_up() {
	[[ -x $pg_bin/pg_ctl ]] ||
		fail "no PostgreSQL 15 in $pg_bin; run \`make deps\` or set LIUHEN_PG_BIN"
	if [[ -n ${LIUHEN_DATABASE_URL:-} && $LIUHEN_DATABASE_URL != "$private_url" ]]; then
		if url_answers "$LIUHEN_DATABASE_URL"; then
			say "PostgreSQL: reusing LIUHEN_DATABASE_URL" >&2
			echo "$LIUHEN_DATABASE_URL"
			return
		fi
		say "LIUHEN_DATABASE_URL does not answer; starting a private cluster instead" >&2
	fi
	local dir
	dir=$(pg_data_dir)
	pg_init "$dir" >&2
	pg_start "$dir" >&2
	pg_create_db
	echo "$private_url"
}

pg_down() {
	[[ -s $state/pgdir ]] || return 0
	local dir
	dir=$(cat "$state/pgdir")
	if as_pg_owner "$pg_bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
		as_pg_owner "$pg_bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
		say "PostgreSQL stopped"
	fi
}

# --- MinIO ------------------------------------------------------------------

minio_live() {
	curl -fs -o /dev/null --max-time 2 "http://127.0.0.1:$MINIO_PORT/minio/health/live"
}

minio_pid() {
	local pid
	[[ -s $state/minio.pid ]] || return 1
	pid=$(cat "$state/minio.pid")
	kill -0 "$pid" 2>/dev/null || return 1
	echo "$pid"
}

minio_up() {
	if minio_pid >/dev/null && minio_live; then
		say "MinIO already runs on 127.0.0.1:$MINIO_PORT"
		return
	fi
	if minio_live; then
		fail "another server answers on 127.0.0.1:$MINIO_PORT; stop it or pick a free" \
			"port with LIUHEN_MINIO_PORT=NNNNN"
	fi
	local bin
	bin=$("$root/scripts/deps.sh" --print-minio) || exit 1
	mkdir -p "$state/minio"
	# setsid: the server outlives the make or shell that started it.
	MINIO_ROOT_USER=$MINIO_USER MINIO_ROOT_PASSWORD=$MINIO_PASSWORD \
		MINIO_UPDATE=off MINIO_BROWSER=on \
		setsid "$bin" server "$state/minio" \
		--address "127.0.0.1:$MINIO_PORT" \
		--console-address "127.0.0.1:$MINIO_CONSOLE_PORT" \
		>"$state/minio.log" 2>&1 </dev/null &
	echo $! >"$state/minio.pid"
	minio_wait
	say "MinIO started on 127.0.0.1:$MINIO_PORT (console :$MINIO_CONSOLE_PORT," \
		"log $state/minio.log)"
}

minio_wait() {
	local i
	for i in $(seq 1 60); do
		minio_live && return
		if ! minio_pid >/dev/null; then
			tail -n 20 "$state/minio.log" >&2 || true
			fail "MinIO exited at start; see $state/minio.log"
		fi
		sleep 0.5
	done
	fail "MinIO did not answer /minio/health/live within 30 s; see $state/minio.log"
}

minio_down() {
	local pid i
	pid=$(minio_pid) || return 0
	kill "$pid"
	for i in $(seq 1 40); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.25
	done
	kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
	rm -f "$state/minio.pid"
	say "MinIO stopped"
}

# --- commands -----------------------------------------------------------------

write_env() {
	local url=$1 tmp="$state/env.tmp"
	cat >"$tmp" <<-EOF
		# Written by scripts/services.sh; load with: . .liuhen/env
		export LIUHEN_DATABASE_URL='$url'
		export LIUHEN_MINIO_ENDPOINT='127.0.0.1:$MINIO_PORT'
		export LIUHEN_MINIO_ACCESS_KEY='$MINIO_USER'
		export LIUHEN_MINIO_SECRET_KEY='$MINIO_PASSWORD'
		export LIUHEN_MINIO_BUCKET='$MINIO_BUCKET'
		export LIUHEN_ADMIN_TOKEN='$ADMIN_TOKEN'
	EOF
	mv "$tmp" "$state/env"
}

up() {
	mkdir -p "$state"
	chmod 755 "$state"
	local url
	url=$(pg_up)
	minio_up
	write_env "$url"
	say "wrote $state/env"
}

down() {
	minio_down
	pg_down
	rm -f "$state/env"
}

status() {
	if [[ -s $state/pgdir ]] &&
		as_pg_owner "$pg_bin/pg_ctl" -D "$(cat "$state/pgdir")" status >/dev/null 2>&1; then
		say "PostgreSQL runs on 127.0.0.1:$PG_PORT"
	else
		say "private PostgreSQL cluster is not running"
	fi
	if minio_pid >/dev/null; then
		say "MinIO runs on 127.0.0.1:$MINIO_PORT"
	else
		say "MinIO is not running"
	fi
}

case "${1:-}" in
up) up ;;
down) down ;;
status) status ;;
env)
	[[ -s $state/env ]] || fail "no $state/env; run \`make services\` first"
	cat "$state/env"
	;;
*) fail "usage: scripts/services.sh up|down|env|status" ;;
esac
