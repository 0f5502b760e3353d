# Sourced by the scripts in scripts/: timed phases and installing what is missing.

phase_start=0
# phase NAME / phase_end: "=== NAME" and, at the end, "=== NAME: N s".
phase() { phase_name=$1; phase_start=$(date +%s); echo "=== $phase_name"; }
phase_end() { echo "=== $phase_name: $(( $(date +%s) - phase_start )) s"; }

# install_missing PACKAGE...: apt-get installs the Debian packages that are not installed yet.
install_missing() {
  local missing="" p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
  [ -n "$missing" ] || return 0
  echo "installing:$missing"
  local sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  # shellcheck disable=SC2086 # one word per package
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq $missing >/dev/null
}

# add_rust_targets TRIPLE...: rustup target add for those not installed yet.
add_rust_targets() {
  local t
  for t in "$@"; do
    rustup target list --installed | grep -qx "$t" || rustup target add "$t"
  done
}
