#!/usr/bin/env bash
# Usage: with_mosquitto.sh COMMAND [ARGS...]
# Starts a private mosquitto on a free loopback port, exports IOTMQTT_TEST_BROKER_PORT (and
# IOTMQTT_HAL_REDIRECT sending every *.aliyuncs.com host there), runs COMMAND, stops the broker.
set -u
. "$(dirname "$0")/servers.sh"
dir=$(mktemp -d)
start_mosquitto "$dir"
started=$?
trap 'kill $mosquitto_pid 2>/dev/null; wait $mosquitto_pid 2>/dev/null; rm -rf "$dir"' EXIT
[ $started -eq 0 ] || { echo "mosquitto did not start"; cat "$dir/mosquitto.log"; exit 1; }
export IOTMQTT_TEST_BROKER_PORT=$mosquitto_port
export IOTMQTT_HAL_REDIRECT="*.aliyuncs.com=127.0.0.1:$mosquitto_port"
"$@"
rc=$?
if [ $rc -ne 0 ]; then echo "--- mosquitto log ---"; tail -20 "$dir/mosquitto.log"; fi
exit $rc
