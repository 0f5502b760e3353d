#!/usr/bin/env bash
# Usage: run_guider_tests.sh emulator TEST_TLS_CLIENT EMULATOR_BIN
#        run_guider_tests.sh stub TEST_TLS_CLIENT
# HTTPS pre-authentication (FEATURE_MQTT_DIRECT = n builds, either TLS backend).
#  emulator: the platform emulator (--https, --mqtts, its own generated CA) checks the signed
#            request; success then MQTT over TLS with iotId/iotToken and securemode=-1; a reconnect
#            fetches a fresh token; wrong secret -> 401, unknown device -> 5001, internal failure
#            -> 500, a CA that did not sign the server -> refused with the reason.
#  stub:     tests/tls/auth_stub.py (certificates from gen_certs.sh) for the replies the emulator
#            does not give: 460, 6200 (also as a string), another code, malformed JSON, a missing
#            field, HTTP 503, chunked, split into tiny writes, truncated, closed, too slow.
# Every outcome is asserted from the return code and its log line.
set -u
here=$(cd "$(dirname "$0")" && pwd)
mode=$1
client=$2
. "$here/common.sh"
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill $p 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"' EXIT
PK=yfTuLfBJTiL
DN=TestDeviceForDemo
DS=fSCl9Ns5YPnYN8Ocg0VEel1kXFnRlV6c
AUTH=iot-auth.cn-shanghai.aliyuncs.com

start_emulator() { # NAME EXTRA_ARGS... ; sets https, mqtts
  local name=$1
  shift
  "$emulator" --device "$PK:$DN:$DS" --https 127.0.0.1:0 --mqtts 127.0.0.1:0 \
    --generate-certs "$work/$name-certs" --log "$work/$name.log" "$@" \
    > "$work/$name.stdout" 2> "$work/$name.stderr" &
  pids+=($!)
  for _ in $(seq 1 200); do grep -q '^READY ' "$work/$name.stdout" 2>/dev/null && break; sleep 0.05; done
  https=$(sed -n 's/^READY .*https=\([^ ]*\).*/\1/p' "$work/$name.stdout")
  mqtts=$(sed -n 's/^READY .*mqtts=\([^ ]*\).*/\1/p' "$work/$name.stdout")
  [ -n "$https" ] && [ -n "$mqtts" ] || { echo "emulator did not start:"; cat "$work/$name.stderr"; exit 1; }
}

# emu_log_count NAME REGEX
emu_log_count() { grep -cE -- "$2" "$work/$1.log"; }
expect_emu() { # NAME REGEX MIN_COUNT
  local n
  n=$(emu_log_count "$1" "$2")
  if [ "$n" -ge "$3" ]; then passed=$((passed + 1)); else
    failed=$((failed + 1)); echo "FAIL $case_name: emulator log has $n lines matching $2 (want >= $3)"
    tail -20 "$work/$1.log" | sed 's/^/    | /'
  fi
}

if [ "$mode" = emulator ]; then
  emulator=$3
  start_emulator emu
  redirect="$AUTH=$https,*.aliyuncs.com=$mqtts"
  ca=$work/emu-certs/ca.pem

  run_case connect 0 "$redirect" "$client" connect "$ca"
  expect_log "HTTPS pre-authentication of $PK.$DN succeeded"
  expect_log "client_id=$PK\.$DN\|securemode=-1,timestamp=2524608000000,signmethod=hmacsha1,gw=0,ext=0\|"
  expect_log "host=$PK\.iot-as-mqtt\.cn-shanghai\.aliyuncs\.com port=${mqtts##*:} "
  expect_log "publish during Yield took"
  expect_no_log "$DS"
  expect_emu emu "^AUTH-OK device=$PK/$DN signmethod=hmacsha1" 1
  expect_emu emu "^ACCEPT device=$PK/$DN .*transport=tls securemode=-1 auth=token" 2

  before=$(emu_log_count emu '^AUTH-OK ')
  run_case reauth 0 "$redirect" "$client" reauth "$ca"
  after=$(emu_log_count emu '^AUTH-OK ')
  # IOT_SetupConnInfo, then the reconnect after the takeover: a fresh token each time.
  if [ $((after - before)) -ge 2 ]; then passed=$((passed + 1)); else
    failed=$((failed + 1)); echo "FAIL reauth: $((after - before)) AUTH-OK, want >= 2"; fi
  expect_log "HTTPS pre-authentication of $PK.$DN succeeded"
  expect_emu emu '^TAKEOVER ' 1

  run_case wrong_secret 0 "$redirect" env IOTMQTT_TEST_DS=wrongsecret "$client" setup "$ca" -1
  expect_log 'code 401 \(request auth error\)'
  expect_emu emu '^AUTH-FAIL rule=wrong-signature code=401' 1

  run_case unknown_device 0 "$redirect" env IOTMQTT_TEST_DN=NoSuchDevice "$client" setup "$ca" -1
  expect_log 'code 5001 \(meta device not found\)'
  expect_emu emu '^AUTH-FAIL rule=unknown-device code=5001' 1

  run_case wrong_ca 0 "$redirect" "$client" setup "$work/emu-certs/server.pem" -1
  expect_log 'HTTPS pre-authentication of .*: cannot open TLS'
  expect_log 'self.signed certificate|unable to get local issuer certificate|certificate verif'

  start_emulator emu500 --test-internal-failure
  run_case internal_failure 0 "$AUTH=$https,*.aliyuncs.com=$mqtts" "$client" setup "$work/emu500-certs/ca.pem" -1
  expect_log 'code 500 \(unknown error\)'
  expect_emu emu500 '^AUTH-FAIL rule=internal-failure code=500' 1
else
  "$here/gen_certs.sh" "$work/certs" || { echo "certificate generation failed"; exit 1; }
  echo ok > "$work/mode"
  python3 "$here/auth_stub.py" "$work/certs/server.pem" "$work/certs/server.key" "$work/mode" \
    > "$work/stub.out" 2> "$work/stub.err" &
  pids+=($!)
  for _ in $(seq 1 100); do grep -q '^PORT ' "$work/stub.out" 2>/dev/null && break; sleep 0.05; done
  port=$(sed -n 's/^PORT //p' "$work/stub.out")
  [ -n "$port" ] || { echo "stub did not start:"; cat "$work/stub.err"; exit 1; }
  redirect="$AUTH:443=127.0.0.1:$port"
  ca=$work/certs/ca.pem
  stub_case() { # NAME MODE EXPECTED_RC
    echo "$2" > "$work/mode"
    run_case "$1" 0 "$redirect" "$client" setup "$ca" "$3"
  }
  ok_conninfo() {
    expect_log 'host=stub\.iot-as-mqtt\.cn-shanghai\.aliyuncs\.com port=8883 client_id=yfTuLfBJTiL\.TestDeviceForDemo\|securemode=-1,.* username=stubIotId0001 password_len=19'
    expect_no_log 'stubtoken0123456789'
  }
  stub_case content_length ok 0;   ok_conninfo
  stub_case chunked chunked 0;     ok_conninfo
  stub_case tiny_reads split 0;    ok_conninfo
  stub_case code_401 code401 -1;   expect_log 'code 401 \(request auth error\)'
  stub_case code_460 code460 -1;   expect_log 'code 460 \(param error\)'
  stub_case code_500 code500 -1;   expect_log 'code 500 \(unknown error\)'
  stub_case code_5001 code5001 -1; expect_log 'code 5001 \(meta device not found\)'
  stub_case code_6200 code6200 -1; expect_log 'code 6200 \(auth type mismatch\)'
  stub_case code_string string-code -1; expect_log 'code 6200 \(auth type mismatch\)'
  stub_case code_other code403 -1; expect_log 'auth failed: code 403 \(!= 200\)'
  stub_case malformed_json malformed -1; expect_log 'reply is not a JSON object'
  stub_case missing_field missing -1;    expect_log 'reply lacks "data\.iotToken"'
  stub_case http_503 http503 -1;   expect_log 'answered HTTP status 503'
  stub_case truncated truncated -1; expect_log 'closed the connection before the reply body was complete'
  stub_case closed close -1;       expect_log 'closed the connection without replying'
  t0=$SECONDS
  stub_case slow slow -1;          expect_log 'timed out, no complete reply .* within 10000 ms'
  took=$((SECONDS - t0))
  if [ $took -ge 9 ] && [ $took -le 13 ]; then passed=$((passed + 1)); else
    failed=$((failed + 1)); echo "FAIL slow: took $took s, want about 10"; fi
  grep -q 'request-ok=False' "$work/stub.err" && { failed=$((failed + 1)); echo "FAIL: a request was malformed"; cat "$work/stub.err"; }
fi
summary
