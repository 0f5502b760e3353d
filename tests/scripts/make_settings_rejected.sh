#!/usr/bin/env bash
# Runs `cargo check` with invalid make.settings files and asserts build.rs's messages.
set -u
cargo=$1
export CARGO_TARGET_DIR=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

expect_failure() { # name, file contents, expected message
  printf '%b' "$2" > "$work/$1.settings"
  out=$(IOTMQTT_MAKE_SETTINGS="$work/$1.settings" "$cargo" check --lib --quiet 2>&1)
  rc=$?
  if [ $rc -ne 0 ] && grep -qF -- "$3" <<<"$out"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $1: rc=$rc, expected message: $3"
    echo "$out" | tail -5
  fi
}

expect_failure bad_value 'FEATURE_MQTT_DIRECT = yes\n' "$work/bad_value.settings:1: y/n flag: FEATURE_MQTT_DIRECT must be \`y\` or \`n\`, found \`yes\`"
expect_failure malformed '# comment\nnot an assignment\n' "$work/malformed.settings:2: malformed line"
expect_failure combination 'FEATURE_MQTT_DIRECT = n\nFEATURE_MQTT_DIRECT_NOTLS = y\n' "invalid combination: plain TCP (FEATURE_MQTT_DIRECT_NOTLS = y) needs FEATURE_MQTT_DIRECT = y"
expect_failure id2 'FEATURE_MQTT_ID2_AUTH = y\n' "unsupported flag: FEATURE_MQTT_ID2_AUTH = y"
expect_failure noitls 'FEATURE_MQTT_DIRECT_NOITLS = n\n' "unsupported flag: FEATURE_MQTT_DIRECT_NOITLS = n"
# TLS with the native backend needs the tls-native feature: the features must agree.
expect_failure features 'FEATURE_MQTT_DIRECT_NOTLS = n\n' "cargo features disagree with make.settings (TLS on, FEATURE_TLS_BACKEND = native): build with --features tls-native"

# Ignored flags are accepted and reported.
printf 'FEATURE_MQTT_DIRECT_NOTLS = y\nFEATURE_OTA_SIGNAL_CHANNEL = MQTT\n' > "$work/ignored.settings"
out=$(IOTMQTT_MAKE_SETTINGS="$work/ignored.settings" "$cargo" check --lib 2>&1)
if [ $? -eq 0 ] && grep -qF "ignored: FEATURE_OTA_SIGNAL_CHANNEL = MQTT" <<<"$out"; then
  passed=$((passed + 1))
else
  failed=$((failed + 1)); echo "FAIL ignored flag not reported"; echo "$out" | tail -5
fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
