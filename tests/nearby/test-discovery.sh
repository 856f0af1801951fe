#!/usr/bin/env bash
# test-discovery.sh PEER: real multicast between two network namespaces joined by a veth pair
# (198.18.0.0/15, the benchmarking range). Peer A starts first and peer B a second later, so B
# misses A's first announcement and learns of A only from A's answer to B's announcement: the
# register request to B fails (nothing listens on B's HTTPS port) and A falls back to a
# multicast announce:false. Each must find the other with its alias, fingerprint and address,
# and B must lose A after A stops (device timeout 2 s). Needs root and iproute2; fails, not
# skips, without them. The namespaces are removed on every exit.
set -euo pipefail

peer=${1:?usage: test-discovery.sh PEER}
fail() {
  echo "not ok - $*"
  exit 1
}

echo "1..1"
[ "$EUID" -eq 0 ] || fail "the discovery test makes network namespaces and must run as root"
command -v ip >/dev/null || fail "the discovery test needs ip (iproute2)"

a=ssync-a-$$
b=ssync-b-$$
work=$(mktemp -d)
cleanup() {
  ip netns del "$a" 2>/dev/null || true
  ip netns del "$b" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

ip netns add "$a" || fail "cannot make a network namespace (ip netns add)"
ip netns add "$b" || fail "cannot make a network namespace (ip netns add)"
ip link add "va$$" type veth peer name "vb$$" || fail "cannot make a veth pair"
ip link set "va$$" netns "$a"
ip link set "vb$$" netns "$b"
ip -n "$a" addr add 198.18.7.1/24 dev "va$$"
ip -n "$b" addr add 198.18.7.2/24 dev "vb$$"
for ns in "$a" "$b"; do
  ip -n "$ns" link set lo up
done
ip -n "$a" link set "va$$" up
ip -n "$b" link set "vb$$" up

# GLib writes debug messages to stdout, beside the events.
export G_MESSAGES_DEBUG=ssync-nearby
ip netns exec "$a" "$peer" --alias "Peer A ✓" --fingerprint FPA-$$ --address 198.18.7.1 \
  --seconds 5 >"$work/a.out" 2>"$work/a.err" &
pid_a=$!
sleep 1
ip netns exec "$b" "$peer" --alias "Peer B" --fingerprint FPB-$$ --address 198.18.7.2 \
  --seconds 9 --device-timeout 2 >"$work/b.out" 2>"$work/b.err" &
pid_b=$!
status=0
wait "$pid_a" || status=$?
wait "$pid_b" || status=$?

for side in a b; do
  sed "s/^/# $side: /" "$work/$side.out" "$work/$side.err"
done
[ "$status" -eq 0 ] || fail "a peer exited with status $status"

expect() {
  local file=$1 line=$2 what=$3
  grep -qxF "$line" "$file" || fail "$what: no line $line"
}
expect "$work/a.out" \
  "{\"event\":\"device-found\",\"device\":{\"alias\":\"Peer B\",\"fingerprint\":\"FPB-$$\",\"device_type\":\"headless\",\"device_model\":null,\"address\":\"198.18.7.2\",\"port\":53317,\"protocol\":\"https\"}}" \
  "A did not find B"
expect "$work/b.out" \
  "{\"event\":\"device-found\",\"device\":{\"alias\":\"Peer A ✓\",\"fingerprint\":\"FPA-$$\",\"device_type\":\"headless\",\"device_model\":null,\"address\":\"198.18.7.1\",\"port\":53317,\"protocol\":\"https\"}}" \
  "B did not find A (by A's multicast answer)"
grep -q "Register request to https://198.18.7.2:53317/api/localsend/v2/register failed.*answering by multicast" \
  "$work/a.out" || fail "A did not fall back to a multicast answer when B's register failed"
grep -q '"event":"device-lost".*"fingerprint":"FPA-' "$work/b.out" \
  || fail "B did not lose A after A stopped"
[ "$(grep -c '"event":"device-found"' "$work/a.out")" -eq 1 ] \
  || fail "A found something other than B, or B twice"
[ "$(grep -c '"event":"device-found"' "$work/b.out")" -eq 1 ] \
  || fail "B found something other than A, or A twice"
echo "ok 1 - two namespaces find each other by multicast"
