# Starts a throwaway PostgreSQL server for tests: initdb into a temp dir, loopback only, a free
# port, trust auth, stopped by stop_postgres. Installs Debian's server package when missing.
# Exports SUNDIAL_TEST_DATABASE_URL (an admin URL; each test creates its own database).

pg_bin_dir() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

ensure_postgres_installed() {
    if [ -z "$(pg_bin_dir)" ]; then
        echo "== installing PostgreSQL (Debian package postgresql)"
        local sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
    fi
}

free_port() {
    local port
    for _ in $(seq 1 100); do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    return 1
}

# Runs a command as the server's owner: initdb and postgres refuse to run as root. From /,
# because the postgres user may not be allowed into the current directory.
as_pg_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

start_postgres() {
    ensure_postgres_installed
    local bin
    bin=$(pg_bin_dir)
    PG_TMP=$(mktemp -d /tmp/sundial-pg.XXXXXX)
    [ "$(id -u)" -eq 0 ] && chown postgres: "$PG_TMP"
    PG_PORT=$(free_port)
    as_pg_owner "$bin/initdb" -D "$PG_TMP/data" -A trust -U postgres --no-sync -E UTF8 >"$PG_TMP/initdb.log"
    as_pg_owner "$bin/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w -t 60 start \
        -o "-p $PG_PORT -k $PG_TMP -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=on" >/dev/null
    export SUNDIAL_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
    echo "== PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT ($PG_TMP)"
}

stop_postgres() {
    [ -n "${PG_TMP:-}" ] || return 0
    as_pg_owner "$(pg_bin_dir)/pg_ctl" -D "$PG_TMP/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_TMP"
}
