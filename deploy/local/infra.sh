# Infrastructure of the local stack: apt packages, a private Postgres cluster, the dev Kafka
# cluster and Kannel with fakesmsc, all on loopback, all under one state folder.
#
# Sourced by deploy/local/stack and deploy/local/test. Every port is chosen free at start, and all
# files live in $STATE_DIR, so two copies can run on one machine side by side.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# LibreOffice Writer and the CJK fonts render the forms and briefings as PDF (OFFICE_CONVERTER).
APT_PACKAGES=(curl pkg-config procps util-linux librdkafka-dev libpq-dev postgresql kannel kannel-extras
  libjs-bootstrap5 libjs-chart.js libreoffice-writer-nogui fonts-noto-cjk)

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

ensure_packages() { # [package...], by default APT_PACKAGES
  local missing=() wanted=("$@")
  [ ${#wanted[@]} -gt 0 ] || wanted=("${APT_PACKAGES[@]}")
  for package in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    command -v apt-get >/dev/null || die "apt-get not found; install ${missing[*]} by hand"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  command -v swift >/dev/null || die "swift not found on PATH (Swift 6.2 or later is needed)"
}

# What the browser tests of the web platform need: Debian's Chromium and CJK fonts, and Playwright
# from PyPI (it drives /usr/bin/chromium; `playwright install` is never run). The document tests
# also open the platform's Excel files with LibreOffice Calc and read the PDFs with poppler.
BROWSER_APT_PACKAGES=(chromium fonts-noto-cjk libreoffice-calc-nogui poppler-utils)
PLAYWRIGHT_VERSION=1.65.2
SCHEMATHESIS_VERSION=4.32.5
# The suite's Python tools: Playwright drives Chromium, schemathesis fuzzes the OpenAPI documents.
ensure_test_tools() {
  ensure_packages "${BROWSER_APT_PACKAGES[@]}"
  command -v python3 >/dev/null || ensure_packages python3 python3-pip
  python3 -c 'import playwright.sync_api' 2>/dev/null || pip_install "playwright==$PLAYWRIGHT_VERSION"
  [ "$(schemathesis --version 2>/dev/null)" = "schemathesis, version $SCHEMATHESIS_VERSION" ] \
    || pip_install "schemathesis==$SCHEMATHESIS_VERSION"
}

pip_install() { # requirement
  log "installing $1 from PyPI"
  python3 -m pip install --quiet --disable-pip-version-check "$1" 2>/dev/null \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages "$1" \
    || die "installing $1 failed"
}

# A free TCP port on 127.0.0.1, starting from a random point so parallel runs rarely meet.
free_port() {
  local port=$((20000 + RANDOM % 30000))
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}

# COUNT distinct free ports, for programs that bind them only later (two picks may coincide).
free_ports() {
  local ports=() port
  while [ "${#ports[@]}" -lt "$1" ]; do
    port=$(free_port)
    [[ " ${ports[*]} " == *" $port "* ]] || ports+=("$port")
  done
  echo "${ports[@]}"
}

wait_for() { # description timeout-seconds command...
  local what=$1 limit=$2; shift 2
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt "$deadline" ] || die "timed out waiting for $what"
    sleep 0.2
  done
}

# MARK: Postgres

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)

start_postgres() {
  [ -n "$PG_BIN" ] || PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  local data="$STATE_DIR/postgres"
  # Postgres refuses to run as root; its files belong to the postgres user, which must be able to
  # reach them. A state folder it cannot reach (under /root, say) moves its data to /tmp.
  mkdir -p "$data"
  chown postgres:postgres "$data"
  if ! su postgres -s /bin/sh -c "test -w '$data'"; then
    data=$(mktemp -d /tmp/platform-postgres.XXXXXX)
    chown postgres:postgres "$data"
    echo "$data" > "$STATE_DIR/postgres.path"
  fi
  POSTGRES_DATA=$data
  POSTGRES_PORT=$(free_port)
  export POSTGRES_HOST=127.0.0.1 POSTGRES_PORT POSTGRES_USER=platform POSTGRES_PASSWORD=platform POSTGRES_DATABASE=platform
  export POSTGRES_DATA POSTGRES_BIN_DIR=$PG_BIN
  log "starting Postgres on 127.0.0.1:$POSTGRES_PORT ($data)"
  su postgres -s /bin/sh -c "'$PG_BIN/initdb' -D '$data/db' -U postgres -A trust -E UTF8 --locale=C.UTF-8" >"$STATE_DIR/postgres-init.log" 2>&1 \
    || { cat "$STATE_DIR/postgres-init.log" >&2; die "initdb failed"; }
  su postgres -s /bin/sh -c "'$PG_BIN/pg_ctl' -D '$data/db' -l '$data/postgres.log' -w -t 60 start \
    -o \"-p $POSTGRES_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories='$data' -c max_connections=300 \
    -c shared_buffers=256MB -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track_planning=on\"" >/dev/null \
    || { cat "$data/postgres.log" >&2; die "Postgres did not start"; }
  # The services connect as an ordinary role: row-level security does not bind superusers.
  "$PG_BIN/psql" -h 127.0.0.1 -p "$POSTGRES_PORT" -U postgres -d postgres -qAt -v ON_ERROR_STOP=1 >/dev/null <<SQL
CREATE ROLE platform LOGIN PASSWORD 'platform' NOSUPERUSER NOBYPASSRLS;
CREATE DATABASE platform OWNER platform;
-- The load benchmark flushes its preloaded data before measuring.
GRANT pg_checkpoint TO platform;
SQL
  # The load benchmark says which statements a journey costs (pg_stat_statements, read and reset).
  "$PG_BIN/psql" -h 127.0.0.1 -p "$POSTGRES_PORT" -U postgres -d platform -qAt -v ON_ERROR_STOP=1 >/dev/null <<SQL
CREATE EXTENSION pg_stat_statements;
GRANT pg_read_all_stats TO platform;
GRANT EXECUTE ON FUNCTION pg_stat_statements_reset(oid, oid, bigint) TO platform;
SQL
}

# A fast restart (open connections are cut), as after a crash or a failover; used by the fault harness.
restart_postgres() {
  su postgres -s /bin/sh -c "'$PG_BIN/pg_ctl' -D '$POSTGRES_DATA/db' -l '$POSTGRES_DATA/postgres.log' -m fast -w -t 60 restart" >/dev/null
}

stop_postgres() {
  [ -n "${POSTGRES_DATA:-}" ] || return 0
  su postgres -s /bin/sh -c "'$PG_BIN/pg_ctl' -D '$POSTGRES_DATA/db' -m fast -w stop" >/dev/null 2>&1 || true
  case "$POSTGRES_DATA" in /tmp/platform-postgres.*) rm -rf "$POSTGRES_DATA" ;; esac
}

# MARK: Dev Kafka cluster

start_kafka() {
  local binary=$1
  rm -f "$STATE_DIR/kafka.bootstrap" "$STATE_DIR/kafka.control"
  log "starting the dev Kafka cluster (librdkafka mock, 3 brokers)"
  setsid "$binary" --brokers 3 --bootstrap-file "$STATE_DIR/kafka.bootstrap" --control-file "$STATE_DIR/kafka.control" \
    >"$STATE_DIR/kafka.log" 2>&1 &
  echo $! > "$STATE_DIR/kafka.pid"
  wait_for "the dev Kafka cluster" 30 test -s "$STATE_DIR/kafka.control"
  KAFKA_BOOTSTRAP_SERVERS=$(cat "$STATE_DIR/kafka.bootstrap")
  KAFKA_DEV_CONTROL_URL=$(cat "$STATE_DIR/kafka.control")
  export KAFKA_BOOTSTRAP_SERVERS KAFKA_DEV_CONTROL_URL
}

stop_kafka() { stop_pidfile "$STATE_DIR/kafka.pid"; }

# MARK: Kannel (bearerbox + smsbox) with fakesmsc as the phone network

start_kannel() {
  local dir="$STATE_DIR/kannel"
  mkdir -p "$dir"
  local admin_port smsbox_port smsc_port sendsms_port
  read -r admin_port smsbox_port smsc_port sendsms_port <<<"$(free_ports 4)"
  export KANNEL_USER=platform KANNEL_PASSWORD=platform-sms
  export KANNEL_SENDSMS_URL="http://127.0.0.1:$sendsms_port/cgi-bin/sendsms"
  export KANNEL_ADMIN_URL="http://127.0.0.1:$admin_port" KANNEL_ADMIN_PASSWORD=platform-admin
  export FAKESMSC_LOG="$dir/fakesmsc.log"
  export KANNEL_SMSC_PORT=$smsc_port
  cat > "$dir/kannel.conf" <<CONF
group = core
admin-port = $admin_port
admin-password = $KANNEL_ADMIN_PASSWORD
admin-allow-ip = "127.0.0.1"
smsbox-port = $smsbox_port
box-allow-ip = "127.0.0.1"
log-file = "$dir/bearerbox.log"
log-level = 1
access-log = "$dir/access.log"
dlr-storage = internal
sms-resend-retry = -1
# Messages accepted but not yet delivered survive a restart of bearerbox.
store-type = file
store-location = "$dir/bearerbox.store"

group = smsc
smsc = fake
smsc-id = fake
port = $smsc_port
connect-allow-ip = "127.0.0.1"

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = $smsbox_port
sendsms-port = $sendsms_port
sendsms-interface = 127.0.0.1
log-file = "$dir/smsbox.log"
log-level = 1
mo-recode = true
# Delivery reports are HTTP calls to the notifier: retried while it restarts.
http-request-retry = 10
http-queue-delay = 2

group = sendsms-user
username = $KANNEL_USER
password = $KANNEL_PASSWORD
concatenation = true
max-messages = 5

group = sms-service
keyword = default
catch-all = true
omit-empty = true
text = ""
CONF
  echo "$smsbox_port" > "$dir/smsbox.port"
  log "starting Kannel (bearerbox, smsbox, fakesmsc)"
  start_kannel_processes
}

# Starts bearerbox, smsbox and fakesmsc on the configuration start_kannel wrote (again after
# stop_kannel, for the fault harness).
start_kannel_processes() {
  local dir="$STATE_DIR/kannel"
  setsid /usr/sbin/bearerbox "$dir/kannel.conf" >>"$dir/bearerbox.out" 2>&1 &
  echo $! > "$dir/bearerbox.pid"
  wait_for "Kannel's bearerbox" 30 bash -c "exec 3<>/dev/tcp/127.0.0.1/$(cat "$dir/smsbox.port")"
  start_smsbox
  start_fakesmsc
}

# smsbox alone is Kannel's HTTP side, the part the notifier talks to.
start_smsbox() {
  local dir="$STATE_DIR/kannel"
  setsid /usr/sbin/smsbox "$dir/kannel.conf" >>"$dir/smsbox.out" 2>&1 &
  echo $! > "$dir/smsbox.pid"
  local sendsms_port=${KANNEL_SENDSMS_URL#http://127.0.0.1:}
  wait_for "Kannel's smsbox" 30 bash -c "exec 3<>/dev/tcp/127.0.0.1/${sendsms_port%%/*}"
}

stop_smsbox() { stop_pidfile "$STATE_DIR/kannel/smsbox.pid"; }

# fakesmsc plays the phone network; it logs each message it receives. Its own messages (-m) are
# kept to one, a day apart, so that it stays quiet.
start_fakesmsc() {
  local dir="$STATE_DIR/kannel"
  setsid stdbuf -oL -eL /usr/lib/kannel/test/fakesmsc -H 127.0.0.1 -r "$KANNEL_SMSC_PORT" -i 86400 -m 1 "10000 10001 text quiet" \
    >>"$FAKESMSC_LOG" 2>&1 &
  echo $! > "$dir/fakesmsc.pid"
}

# Senders stop before the phone network: fakesmsc's protocol has no acknowledgements, so a message
# bearerbox writes to a fakesmsc that is being stopped would count as sent and never be logged.
# fakesmsc drains and logs what bearerbox wrote before it closed, then is stopped.
# bearerbox takes about ten seconds to stop cleanly and writes its store as it goes; killed before
# that, it replays messages it had already handed to fakesmsc when it starts again (seen as one SMS
# received twice in the fault drill), so it is given thirty.
stop_kannel() {
  local dir="$STATE_DIR/kannel"
  stop_smsbox
  stop_pidfile "$dir/bearerbox.pid" 30
  sleep 1
  stop_pidfile "$dir/fakesmsc.pid"
}

# stop_pidfile FILE [SECONDS]: SIGTERM, then SIGKILL after SECONDS (10) if the process is still there.
stop_pidfile() {
  local file=$1 seconds=${2:-10}
  [ -f "$file" ] || return 0
  local pid; pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 $((seconds * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

# MARK: Whole infrastructure

BIN_DIR=""

PLATFORM_PRODUCTS=(intake dispatch handling notifier reporting portal dev-kafka-cluster platform-stack platformctl load-benchmark fault-harness
  reporting-benchmark)

# debug by default; deploy/local/benchmark builds release.
BUILD_CONFIGURATION=${BUILD_CONFIGURATION:-debug}

# `swift build` without its per-file progress lines; fails when the build fails, and when a target
# imports a module it does not declare in Package.swift.
quiet_build() {
  (cd "$ROOT" && swift build -c "$BUILD_CONFIGURATION" --explicit-target-dependency-import-check error "$@" 2>&1 \
    | { grep -vE '^\[[0-9]+/[0-9]+\] (Compiling|Write|Wrapping|Emitting|Linking|Planning)' || true; }; exit "${PIPESTATUS[0]}")
}

# Builds the platform's own executables (a plain `swift build` would also build every executable of
# every dependency), and with --build-tests the test targets as well.
build_platform() {
  log "building the platform ($BUILD_CONFIGURATION)"
  local product
  for product in "${PLATFORM_PRODUCTS[@]}"; do
    quiet_build --product "$product" || die "building $product failed"
  done
  if [ "${1:-}" = "--build-tests" ]; then
    quiet_build --build-tests || die "building the tests failed"
  fi
  BIN_DIR=$(cd "$ROOT" && swift build -c "$BUILD_CONFIGURATION" --show-bin-path)
  export PLATFORM_BIN_DIR=$BIN_DIR
}

start_infrastructure() {
  mkdir -p "$STATE_DIR"
  export PLATFORM_STATE_DIR=$STATE_DIR
  start_postgres
  start_kafka "$BIN_DIR/dev-kafka-cluster"
  start_kannel
}

# Service processes of this run (their environment names this state folder) that a test or the
# stack started and did not stop, for example because a test run ended early.
stop_leftover_services() {
  local pid pids=()
  for pid in $(pgrep -f "/(intake|dispatch|handling|notifier|reporting|portal)( |\$)" || true); do
    tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -qx "PLATFORM_STATE_DIR=$STATE_DIR" && pids+=("$pid")
  done
  [ ${#pids[@]} -gt 0 ] || return 0
  log "stopping ${#pids[@]} leftover service processes"
  kill -TERM "${pids[@]}" 2>/dev/null || true
  sleep 2
  kill -KILL "${pids[@]}" 2>/dev/null || true
}

stop_infrastructure() {
  stop_leftover_services
  stop_kannel
  stop_kafka
  stop_postgres
}
