#!/usr/bin/env bash
# Load test of the reference server (redkit-server) with wrk: product by id and category page with
# the query cache on and off, and POST /api/queues/emails/jobs. Prints one Markdown table on stdout
# (progress and diagnostics go to stderr), so `server-load.sh > result.md` gives a pasteable table.
#
# Each of the two server runs is `redkit serve` with an embedded Redis and an embedded PostgreSQL
# (no REDIS_URL / DATABASE_URL), 100,000 seeded products, any free port, and an `api` rate limit
# high enough never to deny. See docs/performance.md ("Reference server under load").
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: redkit-bench/load/server-load.sh [options]

  --rounds R            measured rounds per scenario; the table shows medians (default 3)
  --duration S          seconds per measured wrk run (default 20)
  --warmup S            seconds of discarded warm-up per scenario and server run (default 20:
                        with less, the JIT is still speeding the server up during the rounds)
  --threads T           wrk threads (default 2)
  --connections C       wrk connections (default 32)
  --timeout S           wrk request timeout in seconds; slower responses count as errors (default 10)
  --hot-set N           product ids drawn uniformly from 1..N (default 1000)
  --pages P             category pages rotated over per category, 1..P (default 5)
  --page-size S         products per category page (default 20)
  --worker-concurrency W  REDKIT_WORKER_CONCURRENCY of the server (default 8, the server's own; 0 = no worker)
  --ratelimit RATE      REDKIT_RATELIMIT_API of the server (default "1000000000/1m;algorithm=gcra")
  --port P              port of the server (default 0 = any free port)
  --min-hit-ratio X     fail when a cached read scenario's hit ratio is below X (default 0.95)
  --startup-timeout S   seconds to wait for "listening" (default 300)
  --keep                keep the work directory (server logs, raw wrk output) even on success
  --quick               smoke check: --duration 3 --warmup 2 (unless given)
  -h, --help            this help

Needs wrk, curl and jq (installed with apt-get when missing and running as root), a JDK 17+ and
Maven (./redkit builds redkit-server/target/redkit-server.jar when it is stale).
Exit codes: 0 all checks passed; 1 a check failed (non-2xx responses, socket errors, rate-limit
denials, cache not hitting, server did not stop with exit code 0); 2 bad usage or missing tools.
EOF
}

rounds=3 duration= warmup= threads=2 connections=32 timeout=10 hot_set=1000 pages=5 page_size=20
worker_concurrency=8 ratelimit="1000000000/1m;algorithm=gcra" port=0 min_hit_ratio=0.95
startup_timeout=300 keep=false quick=false
args=("$@")
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --timeout) timeout="$2"; shift 2 ;;
    --hot-set) hot_set="$2"; shift 2 ;;
    --pages) pages="$2"; shift 2 ;;
    --page-size) page_size="$2"; shift 2 ;;
    --worker-concurrency) worker_concurrency="$2"; shift 2 ;;
    --ratelimit) ratelimit="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --min-hit-ratio) min_hit_ratio="$2"; shift 2 ;;
    --startup-timeout) startup_timeout="$2"; shift 2 ;;
    --keep) keep=true; shift ;;
    --quick) quick=true; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "server-load: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
if $quick; then duration="${duration:-3}"; warmup="${warmup:-2}"; fi
duration="${duration:-20}"; warmup="${warmup:-20}"
for v in rounds duration warmup threads connections timeout hot_set pages page_size worker_concurrency port startup_timeout; do
  if ! [[ "${!v}" =~ ^[0-9]+$ ]]; then echo "server-load: --${v//_/-} must be a whole number: '${!v}'" >&2; exit 2; fi
done
if [ "$rounds" -lt 1 ] || [ "$duration" -lt 1 ] || [ "$threads" -lt 1 ] || [ "$connections" -lt "$threads" ] \
   || [ "$hot_set" -lt 1 ] || [ "$hot_set" -gt 100000 ] || [ "$pages" -lt 1 ] || [ "$page_size" -lt 1 ] || [ "$page_size" -gt 100 ]; then
  echo "server-load: need rounds, duration, threads >= 1, connections >= threads, 1 <= hot-set <= 100000, pages >= 1, 1 <= page-size <= 100" >&2
  exit 2
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
load_dir="$root/redkit-bench/load"
say() { echo "server-load: $*" >&2; }
die() { echo "server-load: FAILED: $*" >&2; exit 1; }

# ---- (a) tools -----------------------------------------------------------------------------
apt_updated=false
need() { # need <command> <debian package>
  command -v "$1" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "$1 is missing: apt-get install -y $2"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >&2; then
      $apt_updated || { DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 && apt_updated=true; }
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >&2
    fi
    command -v "$1" >/dev/null 2>&1 && return 0
  fi
  echo "server-load: '$1' is missing: install the Debian/Ubuntu package '$2' (sudo apt-get install $2)" \
       "or put '$1' on PATH, then run again" >&2
  exit 2
}
need wrk wrk
need curl curl
need jq jq
need java default-jre-headless
need setsid util-linux

# ---- (b) the server jar --------------------------------------------------------------------
# ./redkit rebuilds the jar (mvn package of redkit-server and the modules it needs, tests
# skipped) only when it is missing or older than the sources; --help then just prints the usage.
say "checking the server jar (./redkit builds it when stale) ..."
(cd "$root" && ./redkit --help >/dev/null) || die "./redkit --help failed: the server jar could not be built"
jar="$root/redkit-server/target/redkit-server.jar"
[ -f "$jar" ] || die "no $jar after ./redkit --help"

work="$(mktemp -d "${TMPDIR:-/tmp}/redkit-load.XXXXXX")"
# both runs use this copy, so a rebuild by someone else during the run cannot change the server
cp "$jar" "$work/redkit-server.jar"
results="$work/results.tsv"   # scenario cache round rps p50_us p99_us non2xx socket_errors hit_ratio cpu_ms_per_request
: >"$results"

# ---- processes and clean-up ----------------------------------------------------------------
server_pid=""      # the server JVM (own session: a Ctrl-C at the terminal reaches only this script)
server_extra=""    # its embedded redis-server and postgres, for a forced clean-up
failed=false

ours() { # true when pid $1 is alive and belongs to this run (its command line or cwd is under $work)
  local p="$1"
  kill -0 "$p" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qF "$work" && return 0
  case "$(readlink "/proc/$p/cwd" 2>/dev/null)" in "$work"/*) return 0 ;; esac
  return 1
}

collect_extra() { # the embedded servers the JVM started: its child processes and the postmaster
  local p pidfile
  server_extra=""
  for p in $(pgrep -P "$server_pid" 2>/dev/null || true); do server_extra="$server_extra $p"; done
  for pidfile in "$work"/tmp-*/redkit-pg-*/data/postmaster.pid; do
    [ -f "$pidfile" ] && server_extra="$server_extra $(head -n1 "$pidfile")"
  done
  return 0
}

clk_tck="$(getconf CLK_TCK 2>/dev/null || echo 100)"
server_ticks() { # CPU time (user + system, in clock ticks) used so far by the JVM, its Redis and PostgreSQL
  local pids="$server_pid" p t=0 v pm pidfile
  pids="$pids $(pgrep -P "$server_pid" 2>/dev/null | tr '\n' ' ')"
  for pidfile in "$work"/tmp-*/redkit-pg-*/data/postmaster.pid; do
    [ -f "$pidfile" ] || continue
    pm="$(head -n1 "$pidfile")"
    pids="$pids $pm $(pgrep -P "$pm" 2>/dev/null | tr '\n' ' ')"   # the postmaster and its backends
  done
  for p in $pids; do
    # fields after the ")" closing the command name: utime and stime are the 12th and 13th
    v="$(sed -E 's/.*\) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $12 + $13 }')" && t=$((t + ${v:-0}))
  done
  echo "$t"
}

stop_server() { # SIGTERM, wait; returns the exit code of the server (or 137 when it had to be killed)
  local pid="$server_pid" rc=0 i
  [ -n "$pid" ] || return 0
  collect_extra
  if kill -0 "$pid" 2>/dev/null; then
    say "stopping the server (SIGTERM to $pid) ..."
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 600; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      say "the server did not stop within 60 s of SIGTERM: killing it and its embedded Redis and PostgreSQL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  wait "$pid" 2>/dev/null || rc=$?
  server_pid=""
  kill_leftovers
  return "$rc"
}

kill_leftovers() { # embedded servers the JVM did not stop itself (only if the JVM died abruptly)
  local p left="" i
  for p in $server_extra; do ours "$p" && left="$left $p"; done
  if [ -n "$left" ]; then
    say "LEAK: processes of the stopped server still running:$left (stopping them)"
    kill -INT $left 2>/dev/null || true   # PostgreSQL: fast shutdown; Redis: exits
    for ((i = 0; i < 50; i++)); do
      local alive=""
      for p in $left; do ours "$p" && alive="$alive $p"; done
      [ -z "$alive" ] && break
      sleep 0.1
    done
    for p in $left; do ours "$p" && kill -KILL "$p" 2>/dev/null || true; done
    failed=true
  fi
  server_extra=""
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_server || true
  if [ "$rc" != 0 ] || $keep || $failed; then
    say "work directory kept: $work (server logs, raw wrk output)"
  else
    rm -rf "$work"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT
trap 'say "terminated"; exit 143' TERM

# ---- server --------------------------------------------------------------------------------
base_url=""
start_server() { # start_server true|false
  local cache="$1" log="$work/server-cache-$1.log" i line
  mkdir -p "$work/tmp-$cache"
  say "starting the server with REDKIT_QUERY_CACHE=$cache (embedded Redis and PostgreSQL, seeding 100,000 products) ..."
  # a clean environment: no REDIS_URL / DATABASE_URL / other REDKIT_* from the caller's shell
  env -i PATH="$PATH" HOME="${HOME:-/root}" LANG="${LANG:-C.UTF-8}" ${JAVA_HOME:+JAVA_HOME="$JAVA_HOME"} \
      TMPDIR="$work/tmp-$cache" PORT="$port" HOST=127.0.0.1 \
      REDKIT_QUERY_CACHE="$cache" REDKIT_RATELIMIT_API="$ratelimit" REDKIT_WORKER_CONCURRENCY="$worker_concurrency" \
      setsid java ${JAVA_OPTS:-} -Djava.io.tmpdir="$work/tmp-$cache" -jar "$work/redkit-server.jar" serve \
      </dev/null >"$log" 2>&1 &
  server_pid=$!
  for ((i = 0; i < startup_timeout * 10; i++)); do
    line="$(grep -m1 'Redkit server listening on http://' "$log" || true)"
    [ -n "$line" ] && break
    if ! kill -0 "$server_pid" 2>/dev/null; then
      tail -n 30 "$log" >&2
      server_pid=""
      die "the server exited before listening (log above, full log in $log)"
    fi
    sleep 0.1
  done
  [ -n "$line" ] || { tail -n 30 "$log" >&2; die "no 'listening' line within ${startup_timeout} s (log: $log)"; }
  base_url="$(sed -E 's#.*(http://[^/ ]+)/.*#\1#' <<<"$line")"
  collect_extra
  say "listening at $base_url (server pid $server_pid; embedded servers:${server_extra:- none seen})"
  # the queue and the dashboard's data are for admins: log in as the embedded database's demo admin
  admin_cookie="$(curl -sS -D - -o /dev/null -H 'Content-Type: application/json' \
      -d '{"email":"demo@redkit.dev","password":"redkit-demo-password"}' "$base_url/api/auth/login" \
      | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p' | head -n1)"
  [ -n "$admin_cookie" ] || die "could not log in as the demo admin at $base_url/api/auth/login"
}
admin_cookie=""
admin_curl() { curl -H "Cookie: $admin_cookie" -H "Origin: $base_url" "$@"; }

# ---- wrk -----------------------------------------------------------------------------------
scenario_title() {
  case "$1" in
    product) echo "GET /api/products/{id}, id uniform in 1..$hot_set" ;;
    category) echo "GET /api/products?category=..&page=1..$pages&size=$page_size (8 categories)" ;;
    enqueue) echo "POST /api/queues/emails/jobs (email job)" ;;
    floor) echo "GET /health/live (no database, cache or rate limit: the floor)" ;;
  esac
}

run_wrk() { # run_wrk <scenario> <seconds> <label>; sets r_rps r_p50 r_p99 r_non2xx r_sock r_cpu
  local scenario="$1" secs="$2" label="$3" out="$work/wrk-$3.txt" script extra=() rc=0 line
  case "$scenario" in
    product) script=product.lua; extra=(-- "$hot_set") ;;
    category) script=category.lua; extra=(-- "$pages" "$page_size") ;;
    enqueue) script=enqueue.lua ;;
    floor) script=live.lua ;;
  esac
  local ticks0 ticks1
  ticks0="$(server_ticks)"
  REDKIT_COOKIE="$admin_cookie" REDKIT_ORIGIN="$base_url" wrk -t"$threads" -c"$connections" -d"${secs}s" --timeout "${timeout}s" --latency \
      -s "$load_dir/$script" "$base_url" "${extra[@]}" >"$out" 2>&1 || rc=$?
  ticks1="$(server_ticks)"
  line="$(grep '^REDKIT-RESULT ' "$out" || true)"
  if ! kill -0 "$server_pid" 2>/dev/null; then
    grep -v ' io.redkit.server.access ' "$work/server-cache-$cache_now.log" | tail -n 15 >&2
    die "the server stopped during $label (it was not this script: last lines of its log above)"
  fi
  if [ "$rc" != 0 ] || [ -z "$line" ]; then cat "$out" >&2; die "wrk failed ($label, exit $rc; output above)"; fi
  field() { sed -E "s/.* $1=([0-9.]+).*/\1/" <<<"$line"; }
  r_rps="$(field rps)"; r_p50="$(field p50_us)"; r_p99="$(field p99_us)"; r_non2xx="$(field non2xx)"
  r_sock=$(( $(field connect) + $(field read) + $(field write) + $(field timeout) ))
  r_cpu="$(awk -v d=$((ticks1 - ticks0)) -v hz="$clk_tck" -v n="$(field requests)" 'BEGIN { printf "%.3f", (n > 0 ? d * 1000 / hz / n : 0) }')"
  # wrk's own line, checked as well: it is printed only when some response was 4xx/5xx
  local printed
  printed="$(sed -nE 's/^ *Non-2xx or 3xx responses: *([0-9]+).*/\1/p' "$out")"
  if [ "${printed:-0}" != "$r_non2xx" ]; then die "wrk printed 'Non-2xx or 3xx responses: $printed' but done() counted $r_non2xx ($out)"; fi
  say "$(printf '%-28s %8.0f req/s  p50 %7.2f ms  p99 %7.2f ms  non-2xx %s  socket errors %s  server CPU %s ms/req' \
        "$label" "$r_rps" "$(us_to_ms "$r_p50")" "$(us_to_ms "$r_p99")" "$r_non2xx" "$r_sock" "$r_cpu")"
  if [ "$r_non2xx" != 0 ]; then
    status_breakdown >&2
    failed=true
    say "NON-2xx RESPONSES in $label: $r_non2xx (breakdown by route and status above; raw output in $out)"
  fi
  if [ "$r_sock" != 0 ]; then
    failed=true
    say "SOCKET ERRORS in $label: $r_sock ($(grep -m1 'Socket errors' "$out" || true))"
  fi
}

thousands() { printf '%.0f' "$1" | sed -E ':a;s/^([0-9]+)([0-9]{3})/\1,\2/;ta'; }
us_to_ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }

status_breakdown() { # the server's own count of non-2xx responses, by route and status
  curl -fsS "$base_url/metrics" 2>/dev/null \
    | grep '^http_server_requests_seconds_count' | grep -v 'status="2' || echo "(no non-2xx in /metrics)"
}

cache_counts() { # "<from cache> <from database>" of the products' query cache
  admin_curl -fsS "$base_url/api/cache/stats" | jq -r '.caches[0] | "\(.queriesFromCache // 0) \(.queriesFromDatabase // 0)"'
}

check_x_cache() { # check_x_cache <path> <expected on the second request>
  local path="$1" want="$2" i status got
  for i in 1 2; do
    read -r status got < <(curl -sS -o /dev/null -D - "$base_url$path" \
      | tr -d '\r' | awk 'NR == 1 { s = $2 } tolower($1) == "x-cache:" { x = $2 } END { print s, x }')
  done
  [ "$status" = 200 ] || die "GET $path answered $status (expected 200)"
  [ "$got" = "$want" ] || die "GET $path twice: second answer has X-Cache: ${got:-none}, expected $want — the cache is not doing what this run measures"
  say "GET $path twice: 200, X-Cache: $got"
}

prime() { # every URL of the read scenarios once, in order (fills the cache in the cache-on run)
  local codes bad
  say "priming: GET /api/products/1..$hot_set and the $((8 * pages)) category pages once each ..."
  codes="$(curl -sS -w '\nHTTP-STATUS %{http_code}\n' "$base_url/api/products/[1-$hot_set]" \
    "$base_url/api/products?category={books,electronics,garden,home,kitchen,outdoors,sports,toys}&page=[1-$pages]&size=$page_size" \
    | sed -n 's/^HTTP-STATUS //p')"
  bad="$(grep -cv '^200$' <<<"$codes" || true)"
  [ "$bad" = 0 ] || die "priming: $bad of $(wc -l <<<"$codes") requests did not answer 200 ($(sort <<<"$codes" | uniq -c | tr -s ' \n' ' '))"
  [ "$(wc -l <<<"$codes")" = $((hot_set + 8 * pages)) ] || die "priming: expected $((hot_set + 8 * pages)) responses, got $(wc -l <<<"$codes")"
}

denied_api() { admin_curl -fsS "$base_url/api/ratelimits" | jq -r '[.policies[] | select(.name == "api") | .denied][0] // 0'; }

# ---- (c) the two runs ----------------------------------------------------------------------
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
started_at="$(date -u '+%Y-%m-%d %H:%M UTC')"

measure_rounds() { # measure_rounds <scenario>: warm-up, then the rounds, recorded as run with the cache on
  local s="$1" r
  if [ "$warmup" -gt 0 ]; then run_wrk "$s" "$warmup" "warmup-$s"; fi
  for ((r = 1; r <= rounds; r++)); do
    run_wrk "$s" "$duration" "$s-round-$r"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$s" "on" "$r" "$r_rps" "$r_p50" "$r_p99" "$r_non2xx" "$r_sock" "-" "$r_cpu" >>"$results"
  done
}

measure_run() { # measure_run true|false
  local cache="$1" onoff scenarios s r hr before after
  [ "$cache" = true ] && onoff=on || onoff=off
  scenarios=(product category)
  cache_now="$cache"
  start_server "$cache"
  redis_version="$(sed -nE 's/.*started embedded Redis ([^ ]+) .*/\1/p' "$work/server-cache-$cache.log" | head -n1)"
  prime
  say "warm-up: ${warmup} s per read scenario (discarded)"
  if [ "$warmup" -gt 0 ]; then
    for s in "${scenarios[@]}"; do run_wrk "$s" "$warmup" "warmup-$s-cache-$onoff"; done
  fi
  if [ "$cache" = true ]; then
    check_x_cache "/api/products/$(( (hot_set + 1) / 2 ))" HIT
    check_x_cache "/api/products?category=books&page=1&size=$page_size" HIT
  else
    check_x_cache "/api/products/$(( (hot_set + 1) / 2 ))" BYPASS
    check_x_cache "/api/products?category=books&page=1&size=$page_size" BYPASS
  fi
  for ((r = 1; r <= rounds; r++)); do
    for s in "${scenarios[@]}"; do
      hr="-"
      if [ "$cache" = true ]; then before="$(cache_counts)"; fi
      run_wrk "$s" "$duration" "$s-cache-$onoff-round-$r"
      if [ "$cache" = true ]; then
        after="$(cache_counts)"
        hr="$(awk -v b="$before" -v a="$after" 'BEGIN { split(b, x, " "); split(a, y, " ");
               h = y[1] - x[1]; m = y[2] - x[2]; if (h + m > 0) printf "%.4f", h / (h + m); else print "-" }')"
        say "  hit ratio over the round: $hr"
        if [ "$hr" = "-" ] || awk -v h="$hr" -v m="$min_hit_ratio" 'BEGIN { exit !(h < m) }'; then
          failed=true
          say "LOW HIT RATIO in $s round $r: $hr (minimum $min_hit_ratio)"
        fi
      fi
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$s" "$onoff" "$r" "$r_rps" "$r_p50" "$r_p99" "$r_non2xx" "$r_sock" "$hr" "$r_cpu" >>"$results"
    done
  done
  # the floor (no database, cache or rate limit) runs in the cache-on run after the reads: no read
  # of either run can be faster than it, so it bounds the cached/uncached ratio this machine allows
  if [ "$cache" = true ]; then measure_rounds floor; fi
  # the enqueue scenario runs once, in the cache-on run, after all reads: the worker drains the
  # jobs it adds, and that work must not overlap the read scenarios of one run but not the other
  if [ "$cache" = true ]; then
    measure_rounds enqueue
    emails_after="$(admin_curl -fsS "$base_url/api/queues" | jq -c '.queues[] | select(.name == "emails") | .counts')"
    say "emails queue right after the enqueue rounds: $emails_after"
  fi
  local denied
  denied="$(denied_api)"
  [ "$denied" = 0 ] || { failed=true; say "RATE LIMIT DENIED $denied /api requests (REDKIT_RATELIMIT_API=$ratelimit)"; }
  local rc=0
  stop_server || rc=$?
  [ "$rc" = 0 ] || { failed=true; say "the server exited with $rc after SIGTERM (expected 0)"; }
  # warnings and errors the server logged, grouped without their time stamps
  grep -E '^[0-9:.]+ (ERROR|WARN) ' "$work/server-cache-$cache.log" | cut -d' ' -f2- | sort | uniq -c | sort -rn | head -n 5 \
    | sed 's/^/server-load: server log: /' >&2 || true
}

emails_after=""
cache_now=""
redis_version=""
measure_run true
measure_run false
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---- (e) the table -------------------------------------------------------------------------
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { awk -F'\t' -v s="$1" -v c="$2" -v k="$3" '$1 == s && $2 == c { print $k }' "$results"; }
sum() { awk '{ t += $1 } END { print t + 0 }'; }

commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
dirty="$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo ", uncommitted changes in the tree" || true)"
wrk_version="$( (wrk -v 2>&1 || true) | head -n1 | awk '{ print $1, $2 }')"
java_version="$(java -version 2>&1 | head -n1 | sed -E 's/.*"([^"]+)".*/\1/')"
command_line="redkit-bench/load/server-load.sh${args[*]:+ ${args[*]}}"

{
  echo "Server load, $started_at, commit $commit$dirty: \`$command_line\`"
  echo
  echo "wrk: $threads threads, $connections connections, ${duration} s per run after ${warmup} s of warm-up per scenario, medians of $rounds rounds;" \
       "hot set N = $hot_set product ids; category pages 1..$pages of $page_size products over 8 categories;" \
       "server: embedded Redis ${redis_version:-?} and PostgreSQL, worker concurrency $worker_concurrency, REDKIT_RATELIMIT_API=$ratelimit;" \
       "$wrk_version, Java $java_version, $(nproc) CPUs, load average $load_before before and $load_after after."
  echo
  echo "| scenario | query cache | requests/s | p50 ms | p99 ms | non-2xx | socket errors | hit ratio | server CPU ms/req | cached / uncached |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  for s in product category floor enqueue; do
    for c in on off; do
      [ -n "$(col "$s" "$c" 4)" ] || continue
      rps="$(col "$s" "$c" 4 | median)"; p50="$(col "$s" "$c" 5 | median)"; p99="$(col "$s" "$c" 6 | median)"
      non2xx="$(col "$s" "$c" 7 | sum)"; sock="$(col "$s" "$c" 8 | sum)"; cpu="$(col "$s" "$c" 10 | median)"
      hr="$(col "$s" "$c" 9 | awk '$1 != "-"' | median)"
      if [ "$hr" = nan ]; then hr="-"; else hr="$(awk -v h="$hr" 'BEGIN { printf "%.2f%%", h * 100 }')"; fi
      ratio="-"
      if [ "$s" != enqueue ] && [ "$s" != floor ] && [ "$c" = on ] && [ -n "$(col "$s" off 4)" ]; then
        ratio="$(awk -v a="$rps" -v b="$(col "$s" off 4 | median)" 'BEGIN { printf "%.2fx", a / b }')"
      fi
      printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$(scenario_title "$s")" \
        "$(case "$s" in enqueue|floor) echo "n/a (run with it on)" ;; *) echo "$c" ;; esac)" \
        "$(thousands "$rps")" "$(us_to_ms "$p50")" "$(us_to_ms "$p99")" \
        "$non2xx" "$sock" "$hr" "$(awk -v v="$cpu" 'BEGIN { printf "%.2f", v }')" "$ratio"
    done
  done
  echo
  if [ -n "$emails_after" ]; then
    echo "emails queue right after the enqueue rounds (worker concurrency $worker_concurrency): \`$emails_after\`"
    echo
  fi
  echo "Server CPU = user + system time of the server's JVM, Redis and PostgreSQL processes during the run, per request (wrk's own CPU not included)."
  echo
  echo "Per round:"
  echo
  echo '```'
  while IFS=$'\t' read -r s c r rps p50 p99 n2 so hr cpu; do
    printf '%-8s cache %-3s round %s  %8.1f req/s  p50 %7.2f ms  p99 %7.2f ms  non-2xx %s  socket errors %s  hit ratio %-6s  server CPU %s ms/req\n' \
      "$s" "$c" "$r" "$rps" "$(us_to_ms "$p50")" "$(us_to_ms "$p99")" "$n2" "$so" "$hr" "$cpu"
  done <"$results"
  echo '```'
}

floor_rps="$(col floor on 4 | median)"
for s in product category; do
  on="$(col "$s" on 4 | median)"; off="$(col "$s" off 4 | median)"
  awk -v a="$on" -v b="$off" -v f="$floor_rps" -v s="$s" 'BEGIN { r = a / b; printf "server-load: %s: cached/uncached %.2fx (target at least 5x: %s); the floor allows at most %.2fx\n", s, r, (r >= 5 ? "met" : "NOT met"), f / b }' >&2
done
if $failed; then die "some checks failed (see the messages above); the figures are not valid"; fi
say "all checks passed"
