# build-aux/setup.sh: set-up shared by build-aux/run and build-aux/test (sourced, not run).
#
# Installs what is missing from Debian's archive, then configures and compiles _build.

# Build dependencies and what the app needs at run time.
BUILD_PACKAGES=(
  meson ninja-build pkg-config gcc gettext
  libglib2.0-dev libsoup-3.0-dev libjson-glib-dev libsqlite3-dev libdeflate-dev libgnutls28-dev
  libgtk-4-dev libadwaita-1-dev libqrencode-dev
  libsecret-1-dev glib-networking
  libgstreamer1.0-dev libgstreamer-plugins-bad1.0-dev libgstreamer-plugins-base1.0-dev
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-nice
  desktop-file-utils appstream
)

# What the test suites drive: a browser, command-line clients, packaging validators. With the
# tests on (the default), `meson setup` stops when one of them is missing; -Dtests=false needs
# only BUILD_PACKAGES.
TEST_PACKAGES=(
  chromium curl unzip python3 flatpak-builder
  xvfb xauth imagemagick xdotool dbus
  gnome-keyring libsecret-tools libglib2.0-bin openssl
  iproute2
)

# What build-aux/test's other runs of the same suites need: valgrind memcheck, and clang for
# the fuzzers (libFuzzer and its sanitizer runtimes).
CHECK_PACKAGES=(
  valgrind clang libclang-rt-dev
)

# What the benchmarks compare against.
BENCH_PACKAGES=(
  nginx-light wrk time
)

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

say() {
  printf 'sharesync setup: %s\n' "$*" >&2
}

# Installs the named Debian packages that are not installed yet.
ensure_packages() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q '^install ok installed$'; then
      missing+=("$pkg")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0

  say "installing ${missing[*]}"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then
      sudo=(sudo)
    else
      say "need root (or sudo) to install: ${missing[*]}"
      return 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q >/dev/null
  "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

# Node.js may come from elsewhere than Debian (then Debian's npm cannot be installed
# beside it): only install Debian's when there is none.
ensure_node() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    ensure_packages nodejs npm
  fi
}

# Configures _build once and compiles it.
build() {
  cd "$top"
  if [ ! -f _build/build.ninja ]; then
    meson setup _build >/dev/null
  fi
  meson compile -C _build >/dev/null
}

# Configures _build-asan once: the same code with AddressSanitizer and UBSan (gcc). Nothing is
# compiled here: `meson test` builds what the suites it runs need.
configure_asan() {
  cd "$top"
  if [ ! -f _build-asan/build.ninja ]; then
    meson setup _build-asan -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
  fi
}

# What every sanitizer report does in _build-asan: stop the process and fail it. A full
# unwind on malloc is slower, but without it the stacks stop at the first library built
# without frame pointers (GLib) and the suppressions, which name library functions, miss.
sanitizer_env() {
  export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:exitcode=86:fast_unwind_on_malloc=0"
  export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=86"
  export LSAN_OPTIONS="suppressions=$top/tests/sanitizers/lsan.supp:print_suppressions=0"
  export G_SLICE=always-malloc
}
