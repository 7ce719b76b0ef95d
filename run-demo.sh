#!/bin/bash
# Set up corral on a fresh Debian 12 machine and show its main job on a
# local, temporary setup.  Run as root:  ./run-demo.sh
#
# At this stage corral's main job is its privileged helper: the demo builds
# the tree, writes a temporary policy, starts corral-helper on a temporary
# socket, shows corral-policy's audit of that policy, talks to the helper with
# corralctl (as root and as the policy's frontend user), shows a refused
# caller, creates a project and works on files in its home (and is refused
# outside it), starts the project, runs commands inside it with exec, shows
# its status, stops it, shows the audit lines.  Then the whole local stack:
# corrald started as root drops to the unprivileged user nobody, a
# development key pair stands in for the hub, a token is minted, and
# through corrald's HTTP API a project is created and started, a command
# executed in it, a file uploaded and read back, a forged token refused,
# the project stopped.  At the end it stops both daemons and removes
# everything.
set -eu
cd "$(dirname "$0")"
top=$(pwd)
[ "$(id -u)" = 0 ] || { echo "run-demo.sh: run as root (the helper is a root service)" >&2; exit 1; }

packages="build-essential autoconf automake autoconf-archive pkg-config
  libcap-dev libseccomp-dev libnl-3-dev libnl-route-3-dev check libsubunit-dev util-linux
  libmicrohttpd-dev libjansson-dev libsodium-dev curl"
missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "== installing$missing"
	DEBIAN_FRONTEND=noninteractive apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
fi

echo "== building"
[ -x configure ] || autoreconf -fi > /dev/null
mkdir -p _build && cd _build
[ -f Makefile ] || ../configure > /dev/null
make -j"$(nproc)" > /dev/null
cd "$top"

T=$(mktemp -d /tmp/corral-demo.XXXXXX)
helper_pid=""
corrald_pid=""
P=""
cleanup() {
	[ -n "$corrald_pid" ] && kill "$corrald_pid" 2>/dev/null && wait "$corrald_pid" 2>/dev/null
	# a project still running (the demo failed half-way) is stopped first
	[ -n "$P" ] && [ -n "$helper_pid" ] &&
		_build/frontend/corralctl --helper "$T/helper.sock" stop "$P" --grace 0 2>/dev/null
	[ -n "$helper_pid" ] && kill "$helper_pid" 2>/dev/null && wait "$helper_pid" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
chmod 0755 "$T"
mkdir -m 0711 "$T/homes"
cat > "$T/corral.conf" <<EOP
# demo policy: everything under $T
[helper]
socket = $T/helper.sock
frontend_user = nobody

[projects]
home_root = $T/homes
uid_range = 1900000000-1900065535
EOP
chmod 0644 "$T/corral.conf"
install -m 0755 _build/frontend/corralctl "$T/corralctl"

echo "== corral-policy check"
_build/policy/corral-policy check --policy "$T/corral.conf"
echo "== corral-policy explain (what a sysadmin audits)"
_build/policy/corral-policy explain --policy "$T/corral.conf"

echo "== starting corral-helper on $T/helper.sock"
_build/helper/corral-helper --policy "$T/corral.conf" --log-stderr 2> "$T/audit.log" &
helper_pid=$!
for _ in $(seq 50); do [ -S "$T/helper.sock" ] && break; sleep 0.1; done

echo "== corralctl ping (root)"
_build/frontend/corralctl --helper "$T/helper.sock" ping
echo "== corralctl ping (as frontend_user nobody)"
setpriv --reuid=nobody --regid=nogroup --clear-groups "$T/corralctl" --helper "$T/helper.sock" ping
echo "== corralctl ping (as uid 1, not the frontend user: refused)"
setpriv --reuid=1 --regid=nogroup --clear-groups "$T/corralctl" --helper "$T/helper.sock" ping || true
P=$(cat /proc/sys/kernel/random/uuid)
echo "== corralctl create $P (a home owned by a fresh project uid)"
_build/frontend/corralctl --helper "$T/helper.sock" create "$P"
ls -ln "$T/homes"
echo "== file operations in the home, as the project's uid, never outside it"
ctl() { _build/frontend/corralctl --helper "$T/helper.sock" "$@"; }
ctl fs "$P" mkdir -p notes/2026
printf 'hello from corral\n' | ctl fs "$P" put notes/2026/hello.txt
ctl fs "$P" ls notes/2026
ctl fs "$P" cat notes/2026/hello.txt
ctl fs "$P" ln -s /etc notes/etc-link
echo "-- going through a symlink is refused:"
ctl fs "$P" cat notes/etc-link/passwd || true
echo "-- so is a path that climbs out:"
ctl fs "$P" cat ../../etc/passwd || true
echo "== corralctl start $P: its own namespaces, read-only root, the home at /home/user, cgroup, seccomp"
ctl start "$P"
echo "== inside the project (corralctl exec), as its uid, without capabilities"
ctl exec "$P" -- sh -c 'id; hostname; grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status
	echo "processes it sees: $(ls /proc | grep -c "^[0-9]")"
	echo "network interfaces: $(awk -F: "NR > 2 { print \$1 }" /proc/net/dev | tr -d " ")"
	echo "other homes: $(ls -A /home)"; cat /home/user/notes/2026/hello.txt'
echo "-- the root file system is read-only, the home is writable:"
ctl exec "$P" -- touch /etc/corral-demo || true
ctl exec "$P" -- sh -c 'echo written inside the project > /home/user/inside.txt'
ctl fs "$P" cat inside.txt
echo "-- the exit status comes back:"
ctl exec "$P" -- sh -c 'exit 3' || echo "exit status $?"
echo "-- a terminal (pty):"
ctl exec "$P" --tty -- tty </dev/null || true
echo "== corralctl status $P, and the list of running projects"
ctl status "$P"
ctl status
echo "== corralctl stop $P (cgroup kill, then nothing left)"
ctl stop "$P" --grace 1
ctl status "$P"
echo "host mounts naming the project: $(grep -c "$P" /proc/self/mountinfo)" || true
echo "== the helper's privileges"
grep -E '^(CapEff|CapBnd|NoNewPrivs|Seccomp):' "/proc/$helper_pid/status"
sleep 0.2
echo "== audit lines (LOG_AUTHPRIV, copied to stderr by --log-stderr)"
cat "$T/audit.log"

echo "== the whole stack: corrald, the unprivileged HTTP daemon"
"$T/corralctl" token keygen --out "$T/hub"     # stands in for the hub's key
chmod 0644 "$T/hub.pub"
cat > "$T/corrald.conf" <<EOC
[listen]
address = 127.0.0.1:18470
[auth]
host_id = demo-host
public_keys = $T/hub.pub
[helper]
socket = $T/helper.sock
[daemon]
user = nobody
EOC
_build/frontend/corrald --config "$T/corrald.conf" --log-stderr 2> "$T/corrald.log" &
corrald_pid=$!
U=http://127.0.0.1:18470
for _ in $(seq 50); do curl -s -o /dev/null "$U/healthz" && break; sleep 0.1; done
echo "-- corrald started as root, now runs as: $(ps -o user= -p "$corrald_pid")"
"$T/corralctl" token mint --key "$T/hub.key" --project "$P" --aud demo-host \
	--perms create,start,stop,exec,read,write --ttl 600 > "$T/token"
echo "-- a token minted (EdDSA JWT, 10 minutes): $(cut -c1-40 "$T/token")..."
web() { "$T/corralctl" --url "$U" --token-file "$T/token" "$@"; }
echo "-- create and start the project through corrald"
web create "$P"
web start "$P"
echo "-- exec in it"
web exec "$P" -- /bin/sh -c 'echo "inside: $(id -u) on $(hostname)"'
echo "-- upload a file (atomic) and read it back, with curl"
printf 'uploaded through corrald\n' > "$T/upload.txt"
curl -s -H "Authorization: Bearer $(cat "$T/token")" -T "$T/upload.txt" \
	"$U/v1/projects/$P/files/notes/uploaded.txt"; echo
curl -s -H "Authorization: Bearer $(cat "$T/token")" "$U/v1/projects/$P/files/notes/uploaded.txt"
echo "-- a token signed by another key is refused:"
"$T/corralctl" token keygen --out "$T/mallory"
"$T/corralctl" token mint --key "$T/mallory.key" --project "$P" --aud demo-host \
	--perms read --ttl 60 > "$T/forged"
"$T/corralctl" --url "$U" --token-file "$T/forged" fs "$P" cat notes/uploaded.txt || true
echo "-- stop the project"
web stop "$P"
echo "-- metrics (excerpt)"
curl -s "$U/metrics" | grep -E '^corrald_(requests_total|auth_failures_total\{reason="bad_signature"\})'
echo "== corrald's audit lines"
cat "$T/corrald.log"
echo "== done; stopping corrald and the helper, removing $T"
