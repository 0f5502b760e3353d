#!/usr/bin/env bash
# Usage: tests/mcu/run_selftest.sh QEMU MACHINE HAL_SELFTEST_ELF
# Runs hal_selftest in qemu-system-arm with UART0 connected (QEMU as TCP client) to
# echo_server.py, and checks that it passed; then that an exit status other than 0 reaches the
# host through semihosting.
set -uo pipefail
qemu=$1 machine=$2 elf=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
qemu_args=(-M "$machine" -display none -monitor none -semihosting-config enable=on,target=native)

python3 "$here/echo_server.py" > "$work/echo.out" &
server=$!
for _ in $(seq 1 100); do grep -q '^PORT ' "$work/echo.out" && break; sleep 0.05; done
port=$(sed -n 's/^PORT //p' "$work/echo.out")
[ -n "$port" ] || { echo "echo server did not start"; exit 1; }

fail=0
timeout 90 "$qemu" "${qemu_args[@]}" -chardev socket,id=u0,host=127.0.0.1,port="$port",server=off \
  -serial chardev:u0 -kernel "$elf" > "$work/out" 2>&1
rc=$?
cat "$work/out"
wait "$server"; server=""
cat "$work/echo.out"
[ $rc -eq 0 ] || { echo "hal_selftest exited with $rc"; fail=1; }
grep -q '^hal_selftest: 0 failed' "$work/out" || { echo "MISSING: hal_selftest: 0 failed"; fail=1; }
grep -q '^printf through semihosting: 42 works ok' "$work/out" || { echo "MISSING: printf line"; fail=1; }
grep -q '^ECHOED [1-9]' "$work/echo.out" || { echo "the echo server saw no bytes"; fail=1; }

# The status is main's return value, not just "failed or not".
timeout 30 "$qemu" "${qemu_args[@]}" -serial null -kernel "$elf" -append "exit 7" > "$work/out7" 2>&1
rc=$?
[ $rc -eq 7 ] || { echo "exit status 7 reached the host as $rc"; cat "$work/out7"; fail=1; }

if [ $fail -eq 0 ]; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; fi
exit $fail
