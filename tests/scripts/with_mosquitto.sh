#!/usr/bin/env bash
# Usage: with_mosquitto.sh COMMAND [ARGS...]
# Starts a private mosquitto on a free loopback port, exports IOTMQTT_TEST_BROKER_PORT (and
# IOTMQTT_HAL_REDIRECT sending every *.aliyuncs.com host there), runs COMMAND, stops the broker.
set -u
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then
      echo "$p"; return 0
    fi
  done
  return 1
}
dir=$(mktemp -d)
port=$(free_port) || { echo "no free port"; exit 1; }
cat > "$dir/mosquitto.conf" <<CONF
listener $port 127.0.0.1
allow_anonymous true
persistence false
user root
max_inflight_messages 0
max_queued_messages 100000
CONF
mosquitto -c "$dir/mosquitto.conf" > "$dir/mosquitto.log" 2>&1 &
broker=$!
trap 'kill $broker 2>/dev/null; wait $broker 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do
  (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break
  sleep 0.05
done
export IOTMQTT_TEST_BROKER_PORT=$port
export IOTMQTT_HAL_REDIRECT="*.aliyuncs.com=127.0.0.1:$port"
"$@"
rc=$?
if [ $rc -ne 0 ]; then echo "--- mosquitto log ---"; tail -20 "$dir/mosquitto.log"; fi
exit $rc
