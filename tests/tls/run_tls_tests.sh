#!/usr/bin/env bash
# Usage: run_tls_tests.sh TEST_TLS_CLIENT
# MQTT over TLS against mosquitto, for a direct-TLS build (either backend): certificates made
# now (gen_certs.sh), mosquitto with three TLS listeners (valid, expired, wrong name), and the
# device connecting to pk.iot-as-mqtt.cn-shanghai.aliyuncs.com:1883 through IOTMQTT_HAL_REDIRECT:
#   - valid certificate + the test CA: connect, subscribe, publish, receive its own message;
#   - a CA that did not sign the server certificate, an expired certificate, a certificate for
#     another name: Construct returns NULL and the log gives the reason.
set -u
here=$(cd "$(dirname "$0")" && pwd)
client=$1
. "$here/common.sh"
work=$(mktemp -d)
broker=""
trap '[ -n "$broker" ] && kill $broker 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
"$here/gen_certs.sh" "$work/certs" || { echo "certificate generation failed"; exit 1; }
c=$work/certs
p_ok=$(free_port); p_expired=$(free_port); p_name=$(free_port)
cat > "$work/mosquitto.conf" <<CONF
allow_anonymous true
persistence false
user root
listener $p_ok 127.0.0.1
certfile $c/server.pem
keyfile $c/server.key
listener $p_expired 127.0.0.1
certfile $c/expired.pem
keyfile $c/expired.key
listener $p_name 127.0.0.1
certfile $c/wrongname.pem
keyfile $c/wrongname.key
CONF
mosquitto -c "$work/mosquitto.conf" > "$work/mosquitto.log" 2>&1 &
broker=$!
for p in $p_ok $p_expired $p_name; do
  wait_port "$p" || { echo "mosquitto did not start:"; cat "$work/mosquitto.log"; exit 1; }
done
redirect() { echo "*.aliyuncs.com=127.0.0.1:$1"; }

run_case connect 0 "$(redirect $p_ok)" "$client" connect "$c/ca.pem"
expect_log 'host=yfTuLfBJTiL\.iot-as-mqtt\.cn-shanghai\.aliyuncs\.com port=1883 client_id=yfTuLfBJTiL\.TestDeviceForDemo\|securemode=2,'
expect_log 'publish during Yield took'
expect_no_log 'fSCl9Ns5YPnYN8Ocg0VEel1kXFnRlV6c'

run_case wrong_ca 0 "$(redirect $p_ok)" "$client" refuse "$c/other-ca.pem"
expect_log 'unable to get local issuer certificate'

run_case expired 0 "$(redirect $p_expired)" "$client" refuse "$c/ca.pem"
expect_log 'certificate has expired'

run_case wrong_name 0 "$(redirect $p_name)" "$client" refuse "$c/ca.pem"
expect_log 'hostname mismatch'

# The built-in CA (GlobalSign) did not sign the test server: refused as well.
run_case builtin_ca 0 "$(redirect $p_ok)" env IOTMQTT_TEST_BUILTIN_CA=1 "$client" refuse "$c/ca.pem"
expect_log 'unable to get local issuer certificate'

[ -n "${IOTMQTT_TLS_KEEP:-}" ] && cp -r "$work" "$IOTMQTT_TLS_KEEP"
summary
