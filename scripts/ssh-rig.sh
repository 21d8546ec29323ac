#!/usr/bin/env bash
# A rig of test hosts on one Linux machine, for the ssh provider (root, iproute2, openssh-server).
#
#   scripts/ssh-rig.sh up N DIR    N hosts (1-9): network namespaces zkch-<id>-<i>, each with its
#                                  own address on 10.231.0.0/24 and its own sshd; the subnet lives
#                                  on a bridge inside the rig's namespace zkcr-<id>, where the
#                                  harness runs (ip netns exec zkcr-<id> ...). Nothing is routed to
#                                  or from the machine's real interfaces: no namespace of the rig
#                                  has a default route or a link outside the rig.
#                                  Writes DIR/inventory.yaml, DIR/id_ed25519, DIR/rig.env.
#   scripts/ssh-rig.sh down DIR    stops everything in the rig's namespaces and removes them.
#   scripts/ssh-rig.sh reap        removes every rig left by a crash (namespaces named zkcr-/zkch-).
set -euo pipefail

SUBNET=10.231.0
die() { echo "ssh-rig: $*" >&2; exit 2; }

need() {
  [ "$(id -u)" = 0 ] || die "needs root (network namespaces): run it as root"
  command -v ip >/dev/null || die "needs iproute2: apt-get install -y iproute2"
  [ -x /usr/sbin/sshd ] || die "needs sshd: apt-get install -y openssh-server"
  command -v ssh-keygen >/dev/null || die "needs ssh-keygen: apt-get install -y openssh-client"
}

# Every process inside a namespace, then the namespace.
remove_namespace() {
  local ns=$1 pid
  for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
  ip netns del "$ns" 2>/dev/null || true
}

down() {
  local dir=$1
  [ -f "$dir/rig.env" ] || die "$dir/rig.env: no rig there (nothing to tear down)"
  # shellcheck disable=SC1091
  . "$dir/rig.env"
  local i
  for i in $(seq 1 "$RIG_HOSTS"); do remove_namespace "zkch-$RIG_ID-$i"; done
  remove_namespace "zkcr-$RIG_ID"
  rm -rf "$dir"
}

reap() {
  local ns
  for ns in $(ip netns list | awk '{print $1}' | grep -E '^zkc(r|h)-' || true); do
    remove_namespace "$ns"
    echo "ssh-rig: removed $ns"
  done
}

up() {
  local hosts=$1 dir=$2
  [[ "$hosts" =~ ^[1-9]$ ]] || die "hosts: a number from 1 to 9, got '$hosts'"
  need
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  local id
  id=$(od -An -N2 -tx1 /dev/urandom | tr -d ' \n')
  local rig="zkcr-$id"
  ip netns add "$rig"
  echo "RIG_ID=$id" >"$dir/rig.env"
  echo "RIG_HOSTS=$hosts" >>"$dir/rig.env"
  echo "RIG_NETNS=$rig" >>"$dir/rig.env"
  # From here on, a failure tears down what was made.
  trap 'down "$dir" || true' ERR
  ip -n "$rig" link set lo up
  ip -n "$rig" link add zkbr0 type bridge
  ip -n "$rig" addr add "$SUBNET.1/24" dev zkbr0
  ip -n "$rig" link set zkbr0 up
  ssh-keygen -q -t ed25519 -N '' -f "$dir/id_ed25519" -C zk-chaos-rig
  ssh-keygen -q -t ed25519 -N '' -f "$dir/host_key" -C zk-chaos-rig-host
  cp "$dir/id_ed25519.pub" "$dir/authorized_keys"
  chmod 600 "$dir/authorized_keys"
  mkdir -p /run/sshd
  awk '$2 ~ "^/sys/fs/cgroup" && ($3 == "cgroup" || $3 == "cgroup2" || $3 == "tmpfs") { print $3, $2, $4 }' \
    /proc/self/mounts >"$dir/cgroup-mounts"
  : >"$dir/empty-rc"
  {
    echo "hosts:"
  } >"$dir/inventory.yaml"
  local i ns address
  for i in $(seq 1 "$hosts"); do
    ns="zkch-$id-$i"
    address="$SUBNET.$((10 + i))"
    ip netns add "$ns"
    ip link add "zkv$id$i" type veth peer name "zkp$id$i"
    ip link set "zkv$id$i" netns "$ns"
    ip link set "zkp$id$i" netns "$rig"
    ip -n "$ns" link set "zkv$id$i" name eth0
    ip -n "$ns" addr add "$address/24" dev eth0
    ip -n "$ns" link set lo up
    ip -n "$ns" link set eth0 up
    ip -n "$rig" link set "zkp$id$i" master zkbr0
    ip -n "$rig" link set "zkp$id$i" up
    # `ip netns exec` gives the host a sysfs of its own, without the cgroup hierarchies: mount
    # this machine's again there (in the host's own mount namespace), v1 or v2, so that CPU caps
    # work on the hosts as on real ones.
    # Its shells start clean, as on a fresh host: this machine's own startup files (a pyenv or
    # conda hook in ~/.bashrc, run by every ssh command) are hidden under an empty file there.
    ip netns exec "$ns" sh -c 'while read -r type at opts; do mkdir -p "$at" && mount -t "$type" -o "$opts" "$type" "$at"; done < "$1" 2>/dev/null; for rc in "$HOME/.bashrc" "$HOME/.bash_profile" "$HOME/.bash_login" "$HOME/.profile"; do [ -f "$rc" ] && mount --bind "$2" "$rc"; done; shift 2; exec "$@"' \
      sh "$dir/cgroup-mounts" "$dir/empty-rc" /usr/sbin/sshd \
      -o "ListenAddress=$address" -o "HostKey=$dir/host_key" -o "PidFile=$dir/sshd-$i.pid" \
      -o "AuthorizedKeysFile=$dir/authorized_keys" -o PermitRootLogin=prohibit-password \
      -o PasswordAuthentication=no -o StrictModes=no -o UsePAM=no -o MaxStartups=100 \
      -o MaxSessions=100
    echo "  - { address: $address, port: 22, user: root, key: $dir/id_ed25519 }" >>"$dir/inventory.yaml"
  done
  # A work folder of the rig's own on the hosts (they share this machine's files): rigs never mix.
  echo "workDir: $dir/work" >>"$dir/inventory.yaml"
  echo "RIG_SUBNET=$SUBNET.0/24" >>"$dir/rig.env"
  trap - ERR
  echo "ssh-rig: $hosts host(s) up in $rig; run the harness with: ip netns exec $rig ..."
}

case "${1:-}" in
  up) [ $# = 3 ] || die "usage: $0 up N DIR"; up "$2" "$3" ;;
  down) [ $# = 2 ] || die "usage: $0 down DIR"; need; down "$2" ;;
  reap) need; reap ;;
  *) die "usage: $0 up N DIR | down DIR | reap" ;;
esac
