#!/usr/bin/env bash
# Usage: gen_certs.sh DIR
# Generates the TLS test certificates at test time (nothing secret is committed), with the
# openssl CLI:
#   ca.pem/ca.key             the test CA
#   server.pem/server.key     signed by the CA, SAN: the real platform names of every region
#                             (*.iot-as-mqtt.<region>.aliyuncs.com, iot-auth.<region>.aliyuncs.com),
#                             localhost, 127.0.0.1
#   expired.pem/expired.key   signed by the CA, same names, valid only in 2020
#   wrongname.pem/.key        signed by the CA, valid now, only for wrong.example.com
#   other-ca.pem/other-ca.key a second, unrelated CA (a client trusting it must refuse server.pem)
set -euo pipefail
dir=$1
mkdir -p "$dir"
cd "$dir"
regions="cn-shanghai ap-southeast-1 ap-northeast-1 us-west-1 eu-central-1"
san="DNS:localhost,IP:127.0.0.1"
for r in $regions; do
  san="$san,DNS:*.iot-as-mqtt.$r.aliyuncs.com,DNS:iot-as-mqtt.$r.aliyuncs.com,DNS:iot-auth.$r.aliyuncs.com"
done

mkca() { # NAME CN
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
    -subj "/O=iotmqtt tests/CN=$2" -keyout "$1.key" -out "$1.pem" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    2>/dev/null
}
mkca ca "iotmqtt test CA"
mkca other-ca "iotmqtt other CA"

# openssl ca, for explicit validity dates (the expired certificate).
cat > ca.cnf <<CNF
[ ca ]
default_ca = test_ca
[ test_ca ]
database = $PWD/index.txt
new_certs_dir = $PWD
serial = $PWD/serial
default_md = sha256
policy = anything
copy_extensions = none
unique_subject = no
[ anything ]
commonName = supplied
organizationName = optional
[ leaf ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = \${ENV::LEAF_SAN}
CNF
: > index.txt
echo 1000 > serial

mkleaf() { # NAME CN SAN START END
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -subj "/O=iotmqtt tests/CN=$2" -keyout "$1.key" -out "$1.csr" 2>/dev/null
  LEAF_SAN=$3 openssl ca -batch -config ca.cnf -extensions leaf -cert ca.pem -keyfile ca.key \
    -startdate "$4" -enddate "$5" -in "$1.csr" -out "$1.pem" -notext 2>/dev/null
  rm -f "$1.csr"
}
start=$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)
end=$(date -u -d '+30 days' +%Y%m%d%H%M%SZ)
mkleaf server "iot-as-mqtt test server" "$san" "$start" "$end"
mkleaf expired "expired test server" "$san" 20200101000000Z 20200102000000Z
mkleaf wrongname "wrong.example.com" "DNS:wrong.example.com" "$start" "$end"
rm -f ./[0-9]*.pem index.txt* serial* ca.cnf
# mosquitto and python read the keys; keep them private to this test directory.
chmod 600 ./*.key
