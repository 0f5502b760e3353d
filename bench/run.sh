#!/usr/bin/env bash
# bench/run.sh - the benchmark of README "Performance": builds libiotmqtt.a (release, through
# CMake) and the two benchmark programs, starts a private mosquitto on a free loopback port, runs every scenario
# BENCH_RUNS times back to back (iotmqtt, then libmosquitto, in the same run), measures the
# footprint, and prints a Markdown table: medians and min-max, ratios against libmosquitto
# computed run by run, the README's targets and pass/miss.
#
#   bench/run.sh                 full run (BENCH_RUNS=5, BENCH_N=100000, 10 s idle)
#   bench/run.sh --ci            small N, 1 run: asserts 0 loss / duplicates / wrong payloads
#                                (not speed); prints "N passed, M failed"; non-zero exit on failure
# Options:
#   --lib PATH --hal PATH        use this libiotmqtt.a / libhal_posix.a instead of building them
#   --build-dir DIR              CMake build directory (default: <repo>/build/bench)
#   --tls-lib PATH [--tls-hal PATH]   also measure the footprint of a TLS libiotmqtt.a
#   --out FILE                   also write the Markdown report to FILE
#   --plot FILE                  also draw msg/s and CPU per message as an SVG (bench/plot_svg.awk)
#   --raw FILE                   keep the raw RESULT lines in FILE
# Environment: BENCH_RUNS, BENCH_N, BENCH_IDLE_S (seconds of Yield(h, 200), default 10),
#   BENCH_CYCLES (Construct/Destroy cycles, default 50), CC.
# Exit status: non-zero when a run lost, duplicated or corrupted a message or failed; a missed
# speed/size target is reported in the table, not in the exit status.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

ci=0 lib="" hal="" build="$root/build/bench" tls_lib="" tls_hal="" out="" raw="" plot=""
while [ $# -gt 0 ]; do
  case "$1" in
    --ci) ci=1; shift ;;
    --lib) lib=$2; shift 2 ;;
    --hal) hal=$2; shift 2 ;;
    --build-dir) build=$2; shift 2 ;;
    --tls-lib) tls_lib=$2; shift 2 ;;
    --tls-hal) tls_hal=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --raw) raw=$2; shift 2 ;;
    --plot) plot=$2; shift 2 ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

if [ $ci = 1 ]; then
  runs=${BENCH_RUNS:-1}; n=${BENCH_N:-2000}; idle_s=${BENCH_IDLE_S:-1}; cycles=${BENCH_CYCLES:-5}
else
  runs=${BENCH_RUNS:-5}; n=${BENCH_N:-100000}; idle_s=${BENCH_IDLE_S:-10}; cycles=${BENCH_CYCLES:-50}
fi
CC=${CC:-cc}
work=$(mktemp -d)
broker_pid=""
cleanup() {
  if [ -n "$broker_pid" ]; then kill "$broker_pid" 2>/dev/null; wait "$broker_pid" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT
log() { echo "run.sh: $*" >&2; }

for tool in mosquitto "$CC" size nm; do
  command -v "$tool" >/dev/null || { log "$tool not found (apt-get install mosquitto libmosquitto-dev binutils)"; exit 1; }
done
[ -f /usr/include/mosquitto.h ] || { log "mosquitto.h not found (apt-get install libmosquitto-dev)"; exit 1; }

# ----- build ------------------------------------------------------------------------------------
if [ -z "$lib" ] || [ -z "$hal" ]; then
  log "building libiotmqtt.a (release) and libhal_posix.a in $build"
  cmake -S "$root" -B "$build" -DIOTMQTT_CARGO_PROFILE=release >"$work/cmake.log" 2>&1 &&
    cmake --build "$build" -j2 --target iotmqtt_cargo hal_posix >>"$work/cmake.log" 2>&1 ||
    { cat "$work/cmake.log" >&2; log "build failed"; exit 1; }
  lib=$build/cargo/release/libiotmqtt.a
  hal=$build/libhal_posix.a
fi
[ -f "$lib" ] && [ -f "$hal" ] || { log "missing $lib or $hal"; exit 1; }
case "$lib" in */release/*) ;; *) log "note: $lib is not a release build; figures are not representative" ;; esac

cflags=(-O2 -std=c99 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L)
"$CC" "${cflags[@]}" -I"$root/include" -I"$root/hal/posix" "$here/bench_iotmqtt.c" -o "$work/bench_iotmqtt" \
  "$lib" "$hal" -Wl,--gc-sections -Wl,--wrap=HAL_TCP_Read -Wl,--wrap=HAL_TCP_Write -lpthread -ldl -lm \
  || { log "bench_iotmqtt does not build"; exit 1; }
"$CC" "${cflags[@]}" "$here/bench_mosquitto.c" -o "$work/bench_mosquitto" -lmosquitto \
  || { log "bench_mosquitto does not build"; exit 1; }

# ----- broker -----------------------------------------------------------------------------------
. "$root/tests/scripts/servers.sh"
if start_mosquitto "$work"; then
  broker_pid=$mosquitto_pid port=$mosquitto_port
else
  broker_pid=$mosquitto_pid
  cat "$work/mosquitto.log" >&2 2>/dev/null; log "mosquitto did not start"; exit 1
fi

# ----- scenarios --------------------------------------------------------------------------------
results=$work/results
: > "$results"
passed=0 failed=0
# The broker's CPU (user+sys clock ticks) around each run: near 100 % of one core means the
# broker, not the client, sets the throughput.
clk_tck=$(getconf CLK_TCK)
broker_ticks() { awk '{ print $14 + $15 }' "/proc/$broker_pid/stat" 2>/dev/null || echo 0; }
scenarios=(
  "q0_64|flow --qos 0 --size 64 --n $n"
  "q0_1k|flow --qos 0 --size 1024 --n $n"
  "q1_64|flow --qos 1 --size 64 --n $n"
  "q1_1k|flow --qos 1 --size 1024 --n $n"
  "cycles|cycles --cycles $cycles"
  "idle|idle --seconds $idle_s"
)
for entry in "${scenarios[@]}"; do
  id=${entry%%|*}
  args=${entry#*|}
  for r in $(seq 1 "$runs"); do
    impls="iotmqtt mosquitto"
    # The idle scenario also measures its floor: the HAL's own reads with no MQTT around them.
    [ "$id" = idle ] && impls="$impls floor"
    for impl in $impls; do
      bin=$impl run_args=$args
      [ "$impl" = floor ] && bin=iotmqtt run_args="idle-floor ${args#idle }"
      b0=$(broker_ticks) w0=$(date +%s.%N)
      # shellcheck disable=SC2086
      line=$(timeout 600 "$work/bench_$bin" $run_args --port "$port" 2>"$work/stderr")
      rc=$?
      busy=$(awk -v a="$b0" -v b="$(broker_ticks)" -v s="$w0" -v e="$(date +%s.%N)" -v hz="$clk_tck" \
        'BEGIN { if (e > s) printf "%.0f", 100 * (b - a) / hz / (e - s) }')
      if [ $rc -eq 0 ] && [ -n "$line" ]; then
        passed=$((passed + 1))
        echo "RUN id=$id run=$r broker_busy_pct=$busy ${line#RESULT }" >> "$results"
        log "ok   $impl $id run $r"
      else
        failed=$((failed + 1))
        echo "RUN id=$id run=$r impl=$impl failed=1 ${line#RESULT }" >> "$results"
        log "FAIL $impl $id run $r (exit $rc): ${line:-no result}"
        sed 's/^/    /' "$work/stderr" >&2
      fi
    done
  done
done
[ -n "$raw" ] && cp "$results" "$raw"

if [ $ci = 1 ]; then
  cat "$results"
  echo "$passed passed, $failed failed"
  [ $failed -eq 0 ]
  exit $?
fi

# ----- statistics -------------------------------------------------------------------------------
# values ID IMPL KEY: one value per run, in run order
values() {
  awk -v id="$1" -v impl="$2" -v key="$3" '
    { ok = 0; v = ""
      for (i = 1; i <= NF; i++) {
        split($i, kv, "=")
        if (kv[1] == "id" && kv[2] == id) ok++
        if (kv[1] == "impl" && kv[2] == impl) ok++
        if (kv[1] == key) v = kv[2]
        if (kv[1] == "failed") ok = -9
      }
      if (ok == 2 && v != "") print v }' "$results"
}
# stat: reads numbers on stdin, prints "median min max" (nothing when empty)
stat() {
  sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    print m, v[1], v[NR] }'
}
# fmt FORMAT "median min max" -> "median (min–max)"
fmt() {
  local f=$1; shift
  [ $# -ge 3 ] || { echo "n/a"; return; }
  if [ "$2" = "$3" ] || [ "$runs" -le 1 ]; then printf "$f" "$1"; else printf "$f ($f–$f)" "$1" "$2" "$3"; fi
}
cell() { fmt "$4" $(values "$1" "$2" "$3" | stat); }   # cell ID IMPL KEY FORMAT
# ratio ID KEY_A IMPL_A KEY_B IMPL_B: per-run ratio A/B, "median min max"
ratio() {
  paste <(values "$1" "$3" "$2") <(values "$1" "$5" "$4") |
    awk 'NF == 2 && $2 + 0 != 0 { print $1 / $2 }' | stat
}
verdict() {  # verdict VALUE OP LIMIT -> pass / MISS
  awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN { ok = (op == "ge") ? (v >= l) : (v <= l); print (v == "" ? "n/a" : ok ? "pass" : "MISS") }'
}
first() { echo "$1"; }

cpu_model=$(awk -F': *' '/model name/ { print $2; exit }' /proc/cpuinfo)
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$root" diff --quiet HEAD 2>/dev/null || commit="$commit (+ uncommitted changes)"
mosq_version=$(mosquitto -h 2>&1 | awk 'NR == 1 { print $3 }')
libmosq_version=$(dpkg-query -W -f '${Version}' libmosquitto1 2>/dev/null || echo "?")

report() {
  echo "## Performance"
  echo
  echo "Generated by \`bench/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'); $runs runs of every scenario back to back," \
       "N = $n messages per flow run, medians with min–max; ratios are computed run by run against libmosquitto" \
       "$libmosq_version measured in the same run (the same flow in \`bench/bench_mosquitto.c\`)."
  echo
  echo "- CPU: $cpu_model ($(nproc) cores visible, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end)"
  echo "- \`uname -a\`: $(uname -a)"
  echo "- commit: $commit; broker: mosquitto $mosq_version on 127.0.0.1, private"
  echo "- flow: subscribe to \`/bench/<pk>/<dn>/data\`, publish N messages (4-byte sequence number + pattern) while fewer than W are" \
       "outstanding, otherwise \`IOT_MQTT_Yield(h, 1)\` / \`mosquitto_loop(m, 1, 1)\`; W = 256 (QoS0), 16 (QoS1);" \
       "caller buffers 4096 B, static."
  echo
  local r64 r1k c64 q1r q1r1k heap_lim
  echo "| figure | iotmqtt | libmosquitto | iotmqtt / libmosquitto | target | |"
  echo "|---|---|---|---|---|---|"
  r64=$(ratio q0_64 msgs_per_s iotmqtt msgs_per_s mosquitto)
  echo "| QoS0 64 B msg/s | $(cell q0_64 iotmqtt msgs_per_s %.0f) | $(cell q0_64 mosquitto msgs_per_s %.0f) | $(fmt %.2f $r64) | ≥ 1.2 × libmosquitto | $(verdict "$(first $r64)" ge 1.2) |"
  r1k=$(ratio q0_1k msgs_per_s iotmqtt msgs_per_s mosquitto)
  echo "| broker CPU during the QoS0 64 B run, % of one core | $(cell q0_64 iotmqtt broker_busy_pct %.0f) | $(cell q0_64 mosquitto broker_busy_pct %.0f) | | (reported: near 100 % the broker sets the pace) | |"
  echo "| QoS0 1 KiB msg/s | $(cell q0_1k iotmqtt msgs_per_s %.0f) | $(cell q0_1k mosquitto msgs_per_s %.0f) | $(fmt %.2f $r1k) | (reported) | |"
  q1r=$(paste <(values q1_64 iotmqtt msgs_per_s) <(values q1_64 iotmqtt qos1_ceiling_msgs_per_s) | awk 'NF == 2 && $2 > 0 { print $1 / $2 }' | stat)
  echo "| QoS1 64 B msg/s, W 16 | $(cell q1_64 iotmqtt msgs_per_s %.0f) | $(cell q1_64 mosquitto msgs_per_s %.0f) | $(fmt %.2f $(ratio q1_64 msgs_per_s iotmqtt msgs_per_s mosquitto)) | ≥ 0.85 × W / mean Yield(h,1): ceiling $(cell q1_64 iotmqtt qos1_ceiling_msgs_per_s %.0f), reached $(fmt %.2f $q1r) | $(verdict "$(first $q1r)" ge 0.85) |"
  q1r1k=$(paste <(values q1_1k iotmqtt msgs_per_s) <(values q1_1k iotmqtt qos1_ceiling_msgs_per_s) | awk 'NF == 2 && $2 > 0 { print $1 / $2 }' | stat)
  echo "| QoS1 1 KiB msg/s, W 16 | $(cell q1_1k iotmqtt msgs_per_s %.0f) | $(cell q1_1k mosquitto msgs_per_s %.0f) | $(fmt %.2f $(ratio q1_1k msgs_per_s iotmqtt msgs_per_s mosquitto)) | (reported) ceiling $(cell q1_1k iotmqtt qos1_ceiling_msgs_per_s %.0f), reached $(fmt %.2f $q1r1k) | |"
  echo "| mean \`Yield(h, 1)\` / \`mosquitto_loop(1)\` in the QoS1 64 B flow, ms | $(cell q1_64 iotmqtt mean_yield_ms %.3f) | $(cell q1_64 mosquitto mean_yield_ms %.3f) | | Yield keeps its contract: it returns once \`HAL_UptimeMs()\` has advanced by 1, so on a millisecond clock it lasts up to 1 ms plus the last read's overrun; libmosquitto's loop returns as soon as it has handled its socket | |"
  echo "| \`HAL_TCP_Read\` / \`HAL_TCP_Write\` calls per message, QoS0 64 B | $(cell q0_64 iotmqtt tcp_reads_per_msg %.3f) / $(cell q0_64 iotmqtt tcp_writes_per_msg %.3f) | | | (reported) | |"
  echo "| \`HAL_TCP_Read\` / \`HAL_TCP_Write\` calls per message, QoS1 64 B | $(cell q1_64 iotmqtt tcp_reads_per_msg %.3f) / $(cell q1_64 iotmqtt tcp_writes_per_msg %.3f) | | | (reported) | |"
  c64=$(ratio q0_64 cpu_per_10k_s iotmqtt cpu_per_10k_s mosquitto)
  echo "| CPU (user+sys) per 10 000 msgs, QoS0 64 B, s | $(cell q0_64 iotmqtt cpu_per_10k_s %.4f) | $(cell q0_64 mosquitto cpu_per_10k_s %.4f) | $(fmt %.2f $c64) | ≤ 0.3 × libmosquitto | $(verdict "$(first $c64)" le 0.3) |"
  echo "| CPU per 10 000 msgs, QoS0 1 KiB, s | $(cell q0_1k iotmqtt cpu_per_10k_s %.4f) | $(cell q0_1k mosquitto cpu_per_10k_s %.4f) | $(fmt %.2f $(ratio q0_1k cpu_per_10k_s iotmqtt cpu_per_10k_s mosquitto)) | (reported) | |"
  echo "| CPU per 10 000 msgs, QoS1 64 B, s | $(cell q1_64 iotmqtt cpu_per_10k_s %.4f) | $(cell q1_64 mosquitto cpu_per_10k_s %.4f) | $(fmt %.2f $(ratio q1_64 cpu_per_10k_s iotmqtt cpu_per_10k_s mosquitto)) | (reported) | |"
  echo "| CPU per 10 000 msgs, QoS1 1 KiB, s | $(cell q1_1k iotmqtt cpu_per_10k_s %.4f) | $(cell q1_1k mosquitto cpu_per_10k_s %.4f) | $(fmt %.2f $(ratio q1_1k cpu_per_10k_s iotmqtt cpu_per_10k_s mosquitto)) | (reported) | |"
  local worst
  worst=$(values q0_64 iotmqtt malloc_pub_per_msg | stat)
  echo "| \`HAL_Malloc\` calls per message, QoS0 publish | $(cell q0_64 iotmqtt malloc_pub_per_msg %.3f) | n/a (libc malloc) | | ≤ 1 (V2.10: 0) | $(verdict "$(echo $worst | cut -d' ' -f3)" le 1) |"
  worst=$(values q1_64 iotmqtt malloc_pub_per_msg | stat)
  echo "| \`HAL_Malloc\` calls per message, QoS1 publish | $(cell q1_64 iotmqtt malloc_pub_per_msg %.3f) ($(cell q1_64 iotmqtt malloc_pub_bytes_per_msg %.0f) B) | n/a | | ≤ 2 (V2.10: 5) | $(verdict "$(echo $worst | cut -d' ' -f3)" le 2) |"
  worst=$( (values q0_64 iotmqtt malloc_recv_per_msg; values q1_64 iotmqtt malloc_recv_per_msg; values q0_1k iotmqtt malloc_recv_per_msg; values q1_1k iotmqtt malloc_recv_per_msg) | stat)
  echo "| \`HAL_Malloc\` calls per message, receive (incl. acks), QoS0 / QoS1 | $(cell q0_64 iotmqtt malloc_recv_per_msg %.3f) / $(cell q1_64 iotmqtt malloc_recv_per_msg %.3f) | n/a | | ≤ 1 | $(verdict "$(echo $worst | cut -d' ' -f3)" le 1) |"
  heap_lim=$(paste <(values q1_1k iotmqtt peak_heap_bytes) <(values q1_1k iotmqtt inflight_bytes) | awk 'NF == 2 { print $1 - ($2 + 4096) }' | stat)
  echo "| peak heap (\`HAL_Malloc\` bytes outstanding), QoS1 1 KiB, W 16 | $(cell q1_1k iotmqtt peak_heap_bytes %.0f) B (idle client: $(cell q1_1k iotmqtt heap_during %.0f) B) | n/a | | ≤ in-flight packet bytes ($(cell q1_1k iotmqtt inflight_bytes %.0f) B) + 4 KB; V2.10: 18.8 KB | $(verdict "$(echo $heap_lim | cut -d' ' -f3)" le 0) |"
  echo "| peak heap, QoS0 64 B, W 256 | $(cell q0_64 iotmqtt peak_heap_bytes %.0f) B | n/a | | (reported) | |"
  echo "| heap left after Destroy | $(cell q1_1k iotmqtt heap_after_destroy %.0f) B | n/a | | 0 | $(verdict "$( (values q0_64 iotmqtt heap_after_destroy; values q1_1k iotmqtt heap_after_destroy) | stat | cut -d' ' -f3)" le 0) |"
  echo "| peak RSS, QoS1 1 KiB flow, KiB | $(cell q1_1k iotmqtt maxrss_kb %.0f) | $(cell q1_1k mosquitto maxrss_kb %.0f) | $(fmt %.2f $(ratio q1_1k maxrss_kb iotmqtt maxrss_kb mosquitto)) | (reported) | |"
  echo "| QoS1 64 B round trip p50 / p99, µs | $(cell q1_64 iotmqtt lat_p50_us %.0f) / $(cell q1_64 iotmqtt lat_p99_us %.0f) | $(cell q1_64 mosquitto lat_p50_us %.0f) / $(cell q1_64 mosquitto lat_p99_us %.0f) | | (reported) | |"
  echo "| QoS1 1 KiB round trip p50 / p99, µs | $(cell q1_1k iotmqtt lat_p50_us %.0f) / $(cell q1_1k iotmqtt lat_p99_us %.0f) | $(cell q1_1k mosquitto lat_p50_us %.0f) / $(cell q1_1k mosquitto lat_p99_us %.0f) | | (reported) | |"
  echo "| connect (Construct → CONNACK) mean / max of $cycles cycles, ms | $(cell cycles iotmqtt connect_mean_ms %.3f) / $(cell cycles iotmqtt connect_max_ms %.3f) | $(cell cycles mosquitto connect_mean_ms %.3f) / $(cell cycles mosquitto connect_max_ms %.3f) | | (reported) | |"
  worst=$(values cycles iotmqtt destroy_max_ms | stat)
  echo "| Destroy mean / max of $cycles cycles, ms | $(cell cycles iotmqtt destroy_mean_ms %.3f) / $(cell cycles iotmqtt destroy_max_ms %.3f) | $(cell cycles mosquitto destroy_mean_ms %.3f) / $(cell cycles mosquitto destroy_max_ms %.3f) | | ≤ 5 ms (V2.10: 200 ms) | $(verdict "$(echo $worst | cut -d' ' -f3)" le 5) |"
  local wk cpu
  wk=$(values idle iotmqtt wakeups | stat); cpu=$(values idle iotmqtt cpu_ms | stat)
  echo "| idle ${idle_s} s of \`Yield(h, 200)\`: wake-ups (voluntary context switches) | $(cell idle iotmqtt wakeups %.0f) ($(cell idle iotmqtt tcp_reads %.0f) \`HAL_TCP_Read\` calls) | $(cell idle mosquitto wakeups %.0f) | | ≤ $((idle_s * 5)) | $(verdict "$(first $wk)" le $((idle_s * 5))) |"
  echo "| idle ${idle_s} s: CPU, ms | $(cell idle iotmqtt cpu_ms %.2f) | $(cell idle mosquitto cpu_ms %.2f) | | ≤ $(awk -v s="$idle_s" 'BEGIN { printf "%.1f", 3 * s / 10 }') (floor on this machine, the HAL's $((idle_s * 5)) reads alone, no MQTT: $(cell idle floor cpu_ms %.2f)) | $(verdict "$(first $cpu)" le "$(awk -v s="$idle_s" 'BEGIN { print 3 * s / 10 }')") |"
  local bad
  bad=$(awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); if ((kv[1] == "loss" || kv[1] == "dup" || kv[1] == "wrong" || kv[1] == "failed") && kv[2] + 0 != 0) n++ } } END { print n + 0 }' "$results")
  echo "| runs with loss, duplicates, wrong payloads or failures | $passed runs passed, $failed failed | | | 0 | $([ "$bad" = 0 ] && [ $failed = 0 ] && echo pass || echo MISS) |"
  echo
  "$here/footprint.sh" --lib "$lib" --hal "$hal" ${tls_lib:+--tls-lib "$tls_lib"} ${tls_hal:+--tls-hal "$tls_hal"} --work "$work/footprint" 2>/dev/null
}

# The rows plot_svg.awk draws: medians with min-max, targets as marks.
plot_rows() {
  local g id label impl med
  for metric in "msgs_per_s|Messages per second (higher is better)" \
                "cpu_per_10k_s|Client CPU (user+sys) per 10 000 messages, s (lower is better)"; do
    printf 'panel\t%s\n' "${metric#*|}"
    for g in "q0_64|QoS0 64 B, W 256" "q0_1k|QoS0 1 KiB, W 256" "q1_64|QoS1 64 B, W 16" "q1_1k|QoS1 1 KiB, W 16"; do
      id=${g%%|*}; label=${g#*|}
      for impl in iotmqtt mosquitto; do
        printf 'bar\t%s\t%s\t%s\n' "$label" "$([ $impl = iotmqtt ] && echo iotmqtt || echo libmosquitto)" \
          "$(values "$id" "$impl" "${metric%%|*}" | stat | tr ' ' '\t')"
      done
      med=$(values "$id" mosquitto "${metric%%|*}" | stat | cut -d' ' -f1)
      case "${metric%%|*}:$id" in
        msgs_per_s:q0_64) printf 'mark\t%s\ttarget 1.2 × libmosquitto\n' "$(awk -v m="$med" 'BEGIN { print 1.2 * m }')" ;;
        msgs_per_s:q1_*) printf 'mark\t%s\ttarget 0.85 × W / mean Yield(h,1)\n' \
          "$(values "$id" iotmqtt qos1_ceiling_msgs_per_s | stat | awk '{ print 0.85 * $1 }')" ;;
        cpu_per_10k_s:q0_64) printf 'mark\t%s\ttarget 0.3 × libmosquitto\n' "$(awk -v m="$med" 'BEGIN { print 0.3 * m }')" ;;
      esac
    done
  done
  printf 'note\tbench/run.sh, %s, %s runs × N = %s, commit %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" "$runs" "$n" "$commit"
  printf 'note\t%s, %s cores; private mosquitto %s on 127.0.0.1\n' "$cpu_model" "$(nproc)" "$mosq_version"
}

report > "$work/report.md"
if [ -n "$plot" ]; then
  plot_rows | awk -f "$here/plot_svg.awk" > "$plot" && log "plot written to $plot"
fi
cat "$work/report.md"
[ -n "$out" ] && cp "$work/report.md" "$out"
echo
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
