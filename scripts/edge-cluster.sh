#!/usr/bin/env bash
# An emulated cluster of edge nodes on this machine (docs/distributed.md):
# one network namespace per node, every pair of nodes joined by a veth pair
# whose both ends the kernel's token bucket filter (tc tbf) shapes to a
# rate, and MPI ranks run inside the namespaces. Needs root (namespaces).
#
#   scripts/edge-cluster.sh up N RATE      make nodes 0..N-1 joined at RATE
#                                          (100mbit, 10mbit, 1gbit, 500kbit)
#   scripts/edge-cluster.sh run N -- CMD   mpirun CMD as N ranks, rank r in
#                                          node r's namespace
#   scripts/edge-cluster.sh stats N        bytes each node sent on each link
#   scripts/edge-cluster.sh down N         remove the namespaces and links
#
# Node i and node j (i < j) talk over 10.77.<8i+j>.1 and .2; the MPI ranks'
# messages (Open MPI's TCP transport) go over those links only. mpirun
# itself stays in this namespace and reaches the ranks' PMIx clients over
# an unshaped management bridge (10.78.0.0/24): PMIx connects over TCP,
# which a namespace's own loopback cannot carry. The kernel here has no
# netem qdisc, so latency and loss are not emulated: the links have the
# rate only (docs/distributed.md says how the cost model's latency is
# checked). EDGE_CLUSTER_PREFIX (default "edge") names the namespaces
# (PREFIX-n0, ...) and interfaces, so that clusters do not clash.
set -euo pipefail

PREFIX=${EDGE_CLUSTER_PREFIX:-edge}
BRIDGE="$PREFIX-mg"

usage() {
  sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
}

node() { echo "$PREFIX-n$1"; }

# The token bucket's size for a rate such as 100mbit: 0.25 ms of traffic,
# at least 4 KiB (a few packets). A larger bucket lets a message that
# follows a pause through at the veth's own speed (2 ms of traffic let
# 25 KB pass at once at 100 Mbit/s); with 8 KiB at 1 Gbit/s the link
# carried 932 Mbit/s instead of 956.
burst_bytes() {
  local rate=$1 number unit bits
  number=${rate%%[a-zA-Z]*}
  unit=${rate#"$number"}
  case "$unit" in
  kbit) bits=$((number * 1000)) ;;
  mbit) bits=$((number * 1000000)) ;;
  gbit) bits=$((number * 1000000000)) ;;
  *) echo "edge-cluster: a rate is a whole number of kbit, mbit or gbit, got '$rate'" >&2; exit 2 ;;
  esac
  local bytes=$((bits / 8 / 4000))
  echo $((bytes > 4096 ? bytes : 4096))
}

check_count() {
  [[ "$1" =~ ^[0-9]+$ ]] && (($1 >= 2 && $1 <= 8)) ||
    { echo "edge-cluster: the number of nodes must be 2 to 8, got '$1'" >&2; exit 2; }
}

up() {
  local n=$1 rate=$2
  check_count "$n"
  [[ -n "$rate" ]] || usage
  down "$n" 2>/dev/null || true
  ip link add "$BRIDGE" type bridge
  ip addr add 10.78.0.254/24 dev "$BRIDGE"
  ip link set "$BRIDGE" up
  for ((i = 0; i < n; ++i)); do
    ip netns add "$(node $i)"
    ip -n "$(node $i)" link set lo up
    ip link add "$PREFIX-m$i" type veth peer name mg
    ip link set mg netns "$(node $i)"
    ip link set "$PREFIX-m$i" master "$BRIDGE" up
    ip -n "$(node $i)" addr add "10.78.0.$((i + 1))/24" dev mg
    ip -n "$(node $i)" link set mg up
  done
  for ((i = 0; i < n; ++i)); do
    for ((j = i + 1; j < n; ++j)); do
      local link=$((8 * i + j))
      ip link add "l$j" netns "$(node $i)" type veth peer name "l$i" netns "$(node $j)"
      ip -n "$(node $i)" addr add "10.77.$link.1/24" dev "l$j"
      ip -n "$(node $j)" addr add "10.77.$link.2/24" dev "l$i"
      for end in "$i l$j" "$j l$i"; do
        set -- $end
        ip -n "$(node $1)" link set "$2" up
        ip netns exec "$(node $1)" tc qdisc add dev "$2" root tbf \
          rate "$rate" burst "$(burst_bytes "$rate")" latency 400ms
      done
    done
  done
  # Every address of node j is reached over the direct link to j (Open MPI
  # may pick any of a peer's addresses).
  for ((i = 0; i < n; ++i)); do
    for ((j = 0; j < n; ++j)); do
      ((i == j)) && continue
      for ((k = 0; k < n; ++k)); do
        ((k == j || k == i)) && continue
        local a=$((j < k ? j : k)) b=$((j < k ? k : j))
        local address="10.77.$((8 * a + b)).$((j < k ? 1 : 2))"
        ip -n "$(node $i)" route add "$address/32" dev "l$j"
      done
    done
  done
}

down() {
  local n=$1
  check_count "$n"
  for ((i = 0; i < n; ++i)); do
    ip netns del "$(node $i)" 2>/dev/null || true
    # A namespace whose processes were killed may go away late: its end of
    # the management link must not block the next cluster's.
    ip link del "$PREFIX-m$i" 2>/dev/null || true
  done
  ip link del "$BRIDGE" 2>/dev/null || true
}

stats() {
  local n=$1
  check_count "$n"
  for ((i = 0; i < n; ++i)); do
    for ((j = 0; j < n; ++j)); do
      ((i == j)) && continue
      printf 'node %d -> node %d: %s bytes\n' "$i" "$j" \
        "$(ip netns exec "$(node $i)" cat "/sys/class/net/l$j/statistics/tx_bytes")"
    done
  done
}

run() {
  local n=$1
  check_count "$n"
  shift
  [[ "${1:-}" == "--" ]] && shift
  (($# > 0)) || usage
  local apps=()
  for ((i = 0; i < n; ++i)); do
    ((i > 0)) && apps+=(:)
    apps+=(-np 1 ip netns exec "$(node $i)" "$@")
  done
  PMIX_MCA_ptl_tcp_remote_connections=1 PMIX_MCA_ptl_tcp_if_include="$BRIDGE" \
    mpirun --allow-run-as-root --oversubscribe --bind-to none \
    --mca btl tcp,self --mca btl_tcp_if_include 10.77.0.0/16 \
    --mca oob_tcp_if_include "$BRIDGE" "${apps[@]}"
}

case "${1:-}" in
up) (($# == 3)) || usage; up "$2" "$3" ;;
down) (($# == 2)) || usage; down "$2" ;;
stats) (($# == 2)) || usage; stats "$2" ;;
run) (($# >= 3)) || usage; shift; run "$@" ;;
*) usage ;;
esac
