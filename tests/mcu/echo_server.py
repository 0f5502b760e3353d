#!/usr/bin/env python3
"""Echo server for hal_selftest: listens on 127.0.0.1 (port 0 unless given), prints
"PORT <n>", accepts one connection (QEMU's UART0 chardev) and echoes every byte until the
peer closes; then prints "ECHOED <bytes>"."""
import socket
import sys

srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0))
srv.listen(1)
print("PORT", srv.getsockname()[1], flush=True)
conn, _ = srv.accept()
conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
total = 0
while True:
    data = conn.recv(65536)
    if not data:
        break
    conn.sendall(data)
    total += len(data)
print("ECHOED", total, flush=True)
