#!/usr/bin/env bash
# The Jixiao benchmark (issue 14): generates a province, then measures, each beside a baseline
# taken in the same run, and prints one table.
#
#   bash bench/run.sh                  # SPEC §17's province (100,058 projects); takes a while
#   bash bench/run.sh province-small   # the same shape with 100 projects (what CI runs)
#   JIXIAO_BIN=target/debug/jixiao REQUESTS=20 bash bench/run.sh province-small
#
# Needs: cargo, python3, curl, sqlite3. Writes only under $BENCH_DIR (default /tmp/jixiao-bench).
set -euo pipefail

SCALE="${1:-province}"
REQUESTS="${REQUESTS:-200}"
DIR="${BENCH_DIR:-/tmp/jixiao-bench}"
PORT="${BENCH_PORT:-8099}"
BASE="http://127.0.0.1:$PORT"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$DIR"
DB="$DIR/province.db"
rm -f "$DB" "$DB-wal" "$DB-shm"

cd "$ROOT"
# JIXIAO_BIN: a binary already built (CI passes its debug build); otherwise a release build.
BIN="${JIXIAO_BIN:-}"
if [ -z "$BIN" ]; then
  cargo build --release -p jixiao --quiet
  BIN="$ROOT/target/release/jixiao"
fi

now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.2f}')"; }

echo "## Jixiao benchmark ($SCALE) on $(nproc) cores, $(uname -sr), $(date -u +%Y-%m-%dT%H:%MZ)"
echo
t0=$(now)
"$BIN" demo --scale "$SCALE" --no-serve --db "sqlite://$DB" | tail -n 2 | head -n 1
t1=$(now)
echo
echo "| step | seconds |"
echo "|---|---|"
echo "| generate the province | $(secs "$t0" "$t1") |"

# Baseline for the roll-up: the same figures written by hand in the sqlite3 CLI.
t0=$(now)
sqlite3 "$DB" "SELECT rp.ancestor, COUNT(*), SUM(p.current_fen + p.carryover_fen + p.other_fen) FROM region_paths rp JOIN regions k ON k.code = rp.ancestor JOIN projects p ON p.region_code = rp.descendant WHERE k.parent_code = '990000000' AND p.fiscal_year = 2023 GROUP BY rp.ancestor;" > /dev/null
t1=$(now)
echo "| baseline: projects by prefecture, hand-written SQL in sqlite3 | $(secs "$t0" "$t1") |"
t0=$(now)
sqlite3 "$DB" "SELECT region_code, grade, COUNT(*), SUM(total_x100) FROM evaluations WHERE conducted_year = 2024 AND kind = 'self' GROUP BY region_code, grade;" > /dev/null
t1=$(now)
echo "| baseline: grades by county, hand-written SQL in sqlite3 | $(secs "$t0" "$t1") |"
for fmt in md; do
  t0=$(now)
  "$BIN" report annual --year 2024 --format "$fmt" --region 990101000 --db "sqlite://$DB" -o "$DIR/report.$fmt" > /dev/null 2>&1
  t1=$(now)
  echo "| annual report of a county (CLI, $fmt, process start included) | $(secs "$t0" "$t1") |"
done

"$BIN" serve --listen "127.0.0.1:$PORT" --db "sqlite://$DB" > "$DIR/serve.log" 2>&1 &
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
load --label "county: GET /projects (page)" --header "$COUNTY_COOKIE" --path "/projects?year=2023&page=3"
load --label "county: GET /dashboard" --header "$COUNTY_COOKIE" --path "/dashboard?year=2023"
load --label "province: GET /api/v1/regions/rollup" --token "$PROVINCE_TOKEN" --path "/api/v1/regions/rollup?year=2023"
load --label "province: GET /regions (page)" --header "$PROVINCE_COOKIE" --path "/regions?year=2024"
load --label "province looks into a county: GET /api/v1/projects" --token "$PROVINCE_TOKEN" --header "X-Jixiao-Region: 990101000" --path "/api/v1/projects?year=2023&page=2"

echo
echo "| server | value |"
echo "|---|---|"
echo "| peak RSS (VmHWM) | $(awk '/VmHWM/ { printf "%.0f MB", $2 / 1024 }' /proc/$SERVER/status) |"
