#!/usr/bin/env bash
# test-two-apps.sh SHARESYNC: two real `sharesync --headless --discover` in two network
# namespaces joined by a veth pair (198.18.0.0/15). App B starts a second after app A, so A
# learns of B from B's announcement and answers it with a register request to B's HTTPS
# server (B's certificate is self-signed), while B learns of A from that request. Each must
# find the other with the alias and fingerprint the other printed, on the other's address and
# HTTPS port, and the register request must have worked (no multicast fallback). Needs root and
# iproute2; fails, not skips, without them. The namespaces are removed on every exit.
set -euo pipefail

app=${1:?usage: test-two-apps.sh SHARESYNC}
fail() {
  echo "not ok - $*"
  exit 1
}

echo "1..1"
[ "$EUID" -eq 0 ] || fail "the Nearby test makes network namespaces and must run as root"
command -v ip >/dev/null || fail "the Nearby test needs ip (iproute2)"

a=ssync-appa-$$
b=ssync-appb-$$
work=$(mktemp -d)
cleanup() {
  ip netns del "$a" 2>/dev/null || true
  ip netns del "$b" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

ip netns add "$a" || fail "cannot make a network namespace (ip netns add)"
ip netns add "$b" || fail "cannot make a network namespace (ip netns add)"
ip link add "xa$$" type veth peer name "xb$$" || fail "cannot make a veth pair"
ip link set "xa$$" netns "$a"
ip link set "xb$$" netns "$b"
ip -n "$a" addr add 198.18.9.1/24 dev "xa$$"
ip -n "$b" addr add 198.18.9.2/24 dev "xb$$"
for ns in "$a" "$b"; do
  ip -n "$ns" link set lo up
done
ip -n "$a" link set "xa$$" up
ip -n "$b" link set "xb$$" up

export G_MESSAGES_DEBUG=ssync-nearby
unset DISPLAY WAYLAND_DISPLAY
ip netns exec "$a" "$app" --headless --discover=6 --alias "Alice’s laptop" \
  --data-dir "$work/a" >"$work/a.out" 2>"$work/a.err" &
pid_a=$!
sleep 1
ip netns exec "$b" "$app" --headless --discover=5 --alias "Bob" \
  --data-dir "$work/b" >"$work/b.out" 2>"$work/b.err" &
pid_b=$!
status=0
wait "$pid_a" || status=$?
wait "$pid_b" || status=$?

for side in a b; do
  sed "s/^/# $side: /" "$work/$side.out" "$work/$side.err"
done
[ "$status" -eq 0 ] || fail "an app exited with status $status"

# What each app said of itself, and what the other found.
python3 - "$work/a.out" "$work/b.out" <<'PY' || fail "the apps did not find each other as they are"
import json, sys

def events(path):
    found = []
    for line in open(path, encoding="utf-8"):
        if line.startswith("{"):
            found.append(json.loads(line))
    return found

a, b = events(sys.argv[1]), events(sys.argv[2])
me_a = next(e for e in a if e["event"] == "discovering")
me_b = next(e for e in b if e["event"] == "discovering")
for mine, other, address, name in ((a, me_b, "198.18.9.2", "A"), (b, me_a, "198.18.9.1", "B")):
    seen = [e for e in mine if e["event"] == "device-found"]
    assert len(seen) == 1, f"{name} found {len(seen)} devices: {seen}"
    device = seen[0]
    assert device["alias"] == other["alias"], (name, device, other)
    assert device["fingerprint"] == other["fingerprint"], (name, device, other)
    assert len(device["fingerprint"]) == 64, device
    assert device["address"] == address, device
    assert device["port"] == other["port"] and device["protocol"] == "https", device
    assert device["device_type"] == "headless", device
print("# both found each other:", me_a["alias"], "and", me_b["alias"])
PY
if grep -q "answering by multicast" "$work/a.out" "$work/b.out"; then
  fail "a register request failed and an app fell back to multicast"
fi
echo "ok 1 - two ShareSyncs in two namespaces find each other, by multicast and register"
