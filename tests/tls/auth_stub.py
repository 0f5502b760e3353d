#!/usr/bin/env python3
"""A tiny HTTPS server standing in for iot-auth.<region>.aliyuncs.com, for the reply cases the
platform emulator cannot produce. Each connection reads the request (POST /auth/devicename),
checks its shape, then answers as the mode in MODE_FILE says (read per connection).

usage: auth_stub.py CERT KEY MODE_FILE      prints "PORT <n>" once listening on 127.0.0.1
"""
import json
import socket
import ssl
import sys
import threading
import time

CERT, KEY, MODE_FILE = sys.argv[1:4]

OK = {"code": 200, "message": "success", "data": {
    "iotId": "stubIotId0001", "iotToken": "stubtoken0123456789",
    "resources": {"mqtt": {"host": "stub.iot-as-mqtt.cn-shanghai.aliyuncs.com", "port": 8883}}}}


def response(body, status="200 OK", extra=""):
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
    data = body.encode()
    head = (f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n{extra}"
            f"Content-Length: {len(data)}\r\n\r\n").encode()
    return head + data


def code(n):
    return response({"code": n, "message": "failed", "data": None})


def chunked(body):
    data = json.dumps(body).encode()
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    parts = [data[i:i + 7] for i in range(0, len(data), 7)]
    return [head] + [b"%x\r\n" % len(p) + p + b"\r\n" for p in parts] + [b"0\r\n\r\n"]


def missing_token():
    body = json.loads(json.dumps(OK))
    del body["data"]["iotToken"]
    return response(body)


def read_request(conn):
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = conn.recv(4096)
        if not chunk:
            return None
        buf += chunk
    head, _, body = buf.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(4096)
        if not chunk:
            return None
        body += chunk
    return head, body


def serve(conn, mode):
    req = read_request(conn)
    if req is None:
        return
    head, body = req
    ok = (head.startswith(b"POST /auth/devicename HTTP/1.1\r\n")
          and b"\r\nHost: iot-auth.cn-shanghai.aliyuncs.com" in head
          and b"signmethod=hmacsha1" in body and b"resources=mqtt" in body)
    sys.stderr.write(f"stub: mode={mode} request-ok={ok}\n")
    if not ok:
        conn.sendall(code(460))
        return
    if mode == "ok":
        conn.sendall(response(OK))
    elif mode == "chunked":
        for part in chunked(OK):
            conn.sendall(part)
            time.sleep(0.005)
    elif mode == "split":
        for b in response(OK):
            conn.sendall(bytes([b]))
            time.sleep(0.002)
    elif mode.startswith("code"):
        conn.sendall(code(int(mode[4:])))
    elif mode == "string-code":
        conn.sendall(response('{"code":"6200","message":"auth type mismatch"}'))
    elif mode == "malformed":
        conn.sendall(response('{"code":200,"data":{"iotId":'))
    elif mode == "missing":
        conn.sendall(missing_token())
    elif mode == "http503":
        conn.sendall(response("busy", status="503 Service Unavailable"))
    elif mode == "truncated":
        data = response(OK)
        conn.sendall(data[:len(data) - 20])
    elif mode == "close":
        pass
    elif mode == "slow":
        time.sleep(12)
    else:
        sys.stderr.write(f"stub: unknown mode {mode}\n")


def handle(raw, ctx):
    try:
        with ctx.wrap_socket(raw, server_side=True) as conn:
            with open(MODE_FILE) as f:
                mode = f.read().strip()
            serve(conn, mode)
            try:
                conn.unwrap()
            except (OSError, ssl.SSLError):
                pass
    except (OSError, ssl.SSLError) as e:
        sys.stderr.write(f"stub: {e}\n")


def main():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(CERT, KEY)
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    print(f"PORT {srv.getsockname()[1]}", flush=True)
    while True:
        raw, _ = srv.accept()
        threading.Thread(target=handle, args=(raw, ctx), daemon=True).start()


main()
