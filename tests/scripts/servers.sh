# servers.sh - sourced by the scripts that start their own servers on loopback ports: a free
# port, waiting for a port to listen, and a private plain-TCP mosquitto.

# free_port: prints a loopback port nothing listens on, below the kernel's ephemeral range: a
# port there may be the local end of some outgoing connection, which a connect test cannot
# see but which makes bind() fail.
free_port() {
  local p low=32768
  read -r low _ < /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
  [ "$low" -gt 21024 ] || low=60000
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % (low - 20000)))
    if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then
      echo "$p"; return 0
    fi
  done
  return 1
}

# wait_port PORT: waits up to 5 s for something to listen on 127.0.0.1:PORT.
wait_port() {
  for _ in $(seq 1 100); do
    (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}

# start_mosquitto DIR: a private mosquitto on a free loopback port (no limit on in-flight or
# queued messages, so tests and benchmarks measure the client), config and log in DIR. Sets
# mosquitto_port and mosquitto_pid; fails when it does not listen.
start_mosquitto() {
  local attempt
  for attempt in 1 2 3 4 5; do
    start_mosquitto_once "$1" && return 0
    echo "mosquitto on port $mosquitto_port did not start (attempt $attempt): $(tail -1 "$1/mosquitto.log")" >&2
  done
  return 1
}

# One try: fails at once when mosquitto exits (the port was taken meanwhile).
start_mosquitto_once() {
  mosquitto_pid=""
  mosquitto_port=$(free_port) || return 1
  cat > "$1/mosquitto.conf" <<CONF
listener $mosquitto_port 127.0.0.1
allow_anonymous true
persistence false
user root
max_inflight_messages 0
max_queued_messages 100000
CONF
  mosquitto -c "$1/mosquitto.conf" > "$1/mosquitto.log" 2>&1 &
  mosquitto_pid=$!
  for _ in $(seq 1 100); do
    (exec 3<>/dev/tcp/127.0.0.1/"$mosquitto_port") 2>/dev/null && return 0
    # Exited (a zombie until waited for): another attempt on another port.
    grep -q '^State:[[:space:]]*Z' /proc/$mosquitto_pid/status 2>/dev/null && break
    [ -e /proc/$mosquitto_pid ] || break
    sleep 0.05
  done
  kill "$mosquitto_pid" 2>/dev/null
  wait "$mosquitto_pid" 2>/dev/null
  return 1
}
