#!/usr/bin/env bash
# The Jixiao benchmark (issue 14): generates a province, then measures, each beside a baseline
# taken in the same run, and prints one table.
#
#   bash bench/run.sh                  # SPEC §17's province (100,058 projects); takes a while
#   bash bench/run.sh province-small   # the same shape with 100 projects (what CI runs)
#   JIXIAO_BIN=target/debug/jixiao REQUESTS=20 bash bench/run.sh province-small
#   BENCH_DB=postgres://postgres@127.0.0.1:5432/jixiao_bench bash bench/run.sh   # on PostgreSQL
#
# On PostgreSQL the database named in BENCH_DB is emptied and refilled (it is created when
# missing); the server's pool follows JIXIAO_DB_POOL_SIZE and JIXIAO_DB_STATEMENT_TIMEOUT.
# Needs: cargo, python3, curl, and sqlite3 or psql. Writes files only under $BENCH_DIR
# (default /tmp/jixiao-bench).
set -euo pipefail

SCALE="${1:-province}"
# Requests per load row: enough at 64 clients that p99 is not the threads' start-up.
if [ "$SCALE" = province ]; then
  REQUESTS="${REQUESTS:-1000}"
else
  REQUESTS="${REQUESTS:-200}"
fi
DIR="${BENCH_DIR:-/tmp/jixiao-bench}"
PORT="${BENCH_PORT:-8099}"
BASE="http://127.0.0.1:$PORT"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$DIR"
case "${BENCH_DB:-}" in
  postgres://*)
    DB_URL="$BENCH_DB"
    BACKEND=PostgreSQL
    DB_NAME="${DB_URL##*/}"
    DB_NAME="${DB_NAME%%\?*}"
    SERVER_URL="${DB_URL%/*}/postgres"
    if ! psql "$SERVER_URL" -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" | grep -q 1; then
      psql "$SERVER_URL" -qc "CREATE DATABASE \"$DB_NAME\""
    fi
    RESET=--reset
    # The audit log's key sits beside a SQLite file; for PostgreSQL keep it in $DIR too.
    export JIXIAO_AUDIT_KEY="$DIR/audit.key"
    rm -f "$JIXIAO_AUDIT_KEY"
    # Baselines: the same aggregate written by hand, in psql.
    sql() { psql "$DB_URL" -qAtc "$1" > /dev/null; }
    SQL_CLI=psql
    ;;
  "")
    DB="$DIR/province.db"
    rm -f "$DB" "$DB-wal" "$DB-shm"
    DB_URL="sqlite://$DB"
    BACKEND=SQLite
    RESET=
    sql() { sqlite3 "$DB" "$1" > /dev/null; }
    SQL_CLI=sqlite3
    ;;
  *)
    echo "BENCH_DB must be a postgres:// URL (or unset for SQLite)" >&2
    exit 2
    ;;
esac

cd "$ROOT"
# JIXIAO_BIN: a binary already built (CI passes its debug build); otherwise a release build.
BIN="${JIXIAO_BIN:-}"
if [ -z "$BIN" ]; then
  cargo build --release -p jixiao --quiet
  BIN="$ROOT/target/release/jixiao"
fi

now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.2f}')"; }

echo "## Jixiao benchmark ($SCALE, $BACKEND) on $(nproc) cores, $(uname -sr), $(date -u +%Y-%m-%dT%H:%MZ)"
echo
t0=$(now)
# shellcheck disable=SC2086
"$BIN" demo --scale "$SCALE" --no-serve $RESET --db "$DB_URL" | tail -n 2 | head -n 1
t1=$(now)
echo
echo "| step | seconds |"
echo "|---|---|"
echo "| generate the province | $(secs "$t0" "$t1") |"

# Baseline for the roll-up: the same figures written by hand in the sqlite3 CLI.
t0=$(now)
sql "SELECT rp.ancestor, COUNT(*), SUM(p.current_fen + p.carryover_fen + p.other_fen) FROM region_paths rp JOIN regions k ON k.code = rp.ancestor JOIN projects p ON p.region_code = rp.descendant WHERE k.parent_code = '990000000' AND p.fiscal_year = 2023 GROUP BY rp.ancestor;"
t1=$(now)
echo "| baseline: projects by prefecture, hand-written SQL in $SQL_CLI | $(secs "$t0" "$t1") |"
t0=$(now)
sql "SELECT region_code, grade, COUNT(*), SUM(total_x100) FROM evaluations WHERE conducted_year = 2024 AND kind = 'self' GROUP BY region_code, grade;"
t1=$(now)
echo "| baseline: grades by county, hand-written SQL in $SQL_CLI | $(secs "$t0" "$t1") |"
t0=$(now)
sql "SELECT t.object_kind, COUNT(*), SUM(t.total_fen) FROM targets t WHERE t.fiscal_year = 2023 AND t.state = 'approved' GROUP BY t.object_kind;"
t1=$(now)
echo "| baseline: the province's approved targets, hand-written SQL in $SQL_CLI | $(secs "$t0" "$t1") |"
# The report of year Y states Y's targets and monitoring and the evaluations conducted in Y
# (the generator's evaluations of 2023 are conducted in 2024): both years are measured.
for job in 990101000:county:2023 990101000:county:2024 990100000:prefecture:2023 \
  990000000:province:2023 990000000:province:2024; do
  IFS=: read -r code label year <<< "$job"
  t0=$(now)
  if ! "$BIN" report annual --year "$year" --format md --region "$code" --db "$DB_URL" \
    -o "$DIR/report-$label-$year.md" > /dev/null 2> "$DIR/report.err"; then
    cat "$DIR/report.err" >&2
    exit 1
  fi
  t1=$(now)
  echo "| annual report $year of the $label (CLI, md, process start included) | $(secs "$t0" "$t1") |"
done

# Imports (SQLite): a province's project list and one target form per file, on a fresh
# `jixiao init` database, beside `sqlite3 .import` of the same rows as CSV into a similar table.
# The files come from the deterministic generator crates/cli/examples/import_files.rs.
if [ "$BACKEND" = SQLite ]; then
  if [ "$SCALE" = province ]; then
    IMPORT_ROWS="${IMPORT_ROWS:-100000}" IMPORT_UNITS="${IMPORT_UNITS:-3000}" IMPORT_FORMS="${IMPORT_FORMS:-1000}"
  else
    IMPORT_ROWS="${IMPORT_ROWS:-1000}" IMPORT_UNITS="${IMPORT_UNITS:-100}" IMPORT_FORMS="${IMPORT_FORMS:-20}"
  fi
  IMP="$DIR/import"
  rm -rf "$IMP"
  # The generator's own speed is not measured: it runs as the debug build the tests made.
  cargo run --quiet -p jixiao --example import_files -- \
    "$IMP" "$IMPORT_ROWS" "$IMPORT_UNITS" "$IMPORT_FORMS" 2023 > /dev/null
  IMPORT_DB="sqlite://$IMP/import.db"
  "$BIN" init --region-code 990101000 --region-name 示范县 --password 'Bench#2023x' \
    --db "$IMPORT_DB" > /dev/null 2>&1
  timed_import() {
    local label="$1"
    shift
    local t0 t1
    t0=$(now)
    if ! "$BIN" import "$@" --year 2023 --db "$IMPORT_DB" > "$IMP/import.out" 2> "$IMP/import.err"; then
      cat "$IMP/import.err" >&2
      exit 1
    fi
    t1=$(now)
    echo "| $label | $(secs "$t0" "$t1") |"
  }
  timed_import "import a unit list of $IMPORT_UNITS rows (jixiao import units)" units "$IMP/units.xlsx"
  timed_import "import a project list of $IMPORT_ROWS rows (jixiao import projects, process start included)" \
    projects "$IMP/projects.xlsx"
  # The baseline table has the list's columns and the same unique key, its rowid the id.
  sqlite3 "$IMP/baseline.db" "CREATE TABLE projects (code TEXT NOT NULL, name TEXT NOT NULL, \
    unit_code TEXT NOT NULL, fiscal_year INTEGER NOT NULL, budget_type TEXT NOT NULL, \
    category TEXT NOT NULL, continuity TEXT NOT NULL, timing TEXT NOT NULL, \
    current_yuan INTEGER NOT NULL, carryover_yuan INTEGER NOT NULL, other_yuan INTEGER NOT NULL, \
    UNIQUE (fiscal_year, code));"
  t0=$(now)
  sqlite3 "$IMP/baseline.db" ".mode csv" ".import $IMP/projects.csv projects"
  t1=$(now)
  echo "| baseline: the same $IMPORT_ROWS rows as CSV, sqlite3 .import into a similar table | $(secs "$t0" "$t1") |"
  timed_import "import $IMPORT_FORMS target forms, one file each (one jixiao import targets call)" \
    targets "$IMP"/targets/*.xlsx
fi

"$BIN" serve --listen "127.0.0.1:$PORT" --db "$DB_URL" > "$DIR/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fs "$BASE/healthz" > /dev/null 2>&1 && break
  sleep 0.1
done

token() {
  curl -fs -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"Demo#2023\"}" "$BASE/api/v1/auth/login" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
cookie() {
  local jar="$DIR/jar.$1"
  rm -f "$jar"
  local csrf
  csrf=$(curl -fs -c "$jar" "$BASE/login" | grep -o 'name="csrf" value="[^"]*"' | head -n 1 | sed 's/.*value="//; s/"$//')
  curl -fs -b "$jar" -c "$jar" -o /dev/null \
    --data-urlencode "csrf=$csrf" --data-urlencode "next=/" \
    --data-urlencode "username=$1" --data-urlencode "password=Demo#2023" "$BASE/login"
  awk '$6 == "jixiao_sid" { print "Cookie: jixiao_sid=" $7 }' "$jar"
}
PROVINCE_TOKEN=$(token sheng_jxc)
COUNTY_TOKEN=$(token xian0101)
COUNTY_COOKIE=$(cookie xian0101)
PROVINCE_COOKIE=$(cookie sheng_jxc)

echo
echo "| request | clients | p50 ms | p99 ms | requests/s | failed |"
echo "|---|---|---|---|---|---|"
load() { python3 "$ROOT/bench/load.py" --base "$BASE" --requests "$REQUESTS" "$@"; }
load --label "baseline: GET /healthz" --path /healthz
load --label "county: GET /api/v1/projects (page 5)" --token "$COUNTY_TOKEN" --path "/api/v1/projects?year=2023&page=5"
load --label "county: GET /api/v1/targets (page 3)" --token "$COUNTY_TOKEN" --path "/api/v1/targets?year=2023&page=3&per_page=100"
load --label "county: GET /api/v1/evaluations" --token "$COUNTY_TOKEN" --path "/api/v1/evaluations?per_page=100"
load --label "county: GET /api/v1/monitoring-reports" --token "$COUNTY_TOKEN" --path "/api/v1/monitoring-reports?year=2023"
load --label "county: GET /api/v1/rectifications" --token "$COUNTY_TOKEN" --path "/api/v1/rectifications"
load --label "county: GET /api/v1/result-applications" --token "$COUNTY_TOKEN" --path "/api/v1/result-applications"
load --label "county: GET /projects (page)" --header "$COUNTY_COOKIE" --path "/projects?year=2023&page=3"
# Every list page a county reads (SPEC §16), at its default order, page 3 where it has one.
for list in "targets?year=2023&page=3" "ex-ante" "monitoring?year=2023&page=3" "evaluations?page=3" \
  "rectifications" "result-applications?page=3" "units" "agencies"; do
  load --label "county: GET /${list%%\?*} (page)" --header "$COUNTY_COOKIE" --path "/$list"
done
load --label "county: GET / (home)" --header "$COUNTY_COOKIE" --path "/"
load --label "county: GET /dashboard" --header "$COUNTY_COOKIE" --path "/dashboard?year=2023"
load --label "province: GET /api/v1/regions/rollup" --token "$PROVINCE_TOKEN" --path "/api/v1/regions/rollup?year=2023"
load --label "province: GET /regions (page)" --header "$PROVINCE_COOKIE" --path "/regions?year=2024"
load --label "province looks into a county: GET /api/v1/projects" --token "$PROVINCE_TOKEN" --header "X-Jixiao-Region: 990101000" --path "/api/v1/projects?year=2023&page=2"

echo
echo "| server | value |"
echo "|---|---|"
echo "| peak RSS (VmHWM) | $(awk '/VmHWM/ { printf "%.0f MB", $2 / 1024 }' /proc/$SERVER/status) |"
