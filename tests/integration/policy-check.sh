#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# corral-policy, the real binary, against policy files made in a temporary
# directory: every broken policy is refused with exit 1 and a file:line
# message, unsafe ownership and modes are refused, drop-ins follow their
# rules, the shipped default policy passes, show is a fixed point whose
# SHA-256 is the digest, and explain says what it should.
#
# Needs root: the policy must be root-owned, and the ownership tests hand
# files to nobody.  Runs under automake's plain driver (77 = skip).

: "${top_builddir:?}" "${top_srcdir:?}"
BIN="$top_builddir/policy/corral-policy"
NOBODY=65534

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root (root-owned and foreign-owned policy files)"
	exit 77
fi

n_ok=0
n_fail=0
ok() { n_ok=$((n_ok + 1)); echo "ok $((n_ok + n_fail)) - $*"; }
not_ok() { n_fail=$((n_fail + 1)); echo "not ok $((n_ok + n_fail)) - $*"; }

T=$(mktemp -d /tmp/corral-policy-test.XXXXXX) || exit 1
chmod 0700 "$T"
trap 'rm -rf "$T"' EXIT
umask 022

# world NAME: a directory with a home root and a valid policy, $P its path.
world() {
	W="$T/$1"
	mkdir -p "$W/homes"
	chmod 0755 "$W"
	chmod 0711 "$W/homes"
	P="$W/corral.conf"
	cat > "$P" <<EOF
# test policy
[helper]
socket = $W/helper.sock
frontend_user = nobody

[projects]
home_root = $W/homes
uid_range = 1900000000-1900000999
EOF
	chmod 0644 "$P"
}

# run ARGS...: corral-policy with stdout in $T/out, stderr in $T/err, $rc
run() {
	"$BIN" "$@" > "$T/out" 2> "$T/err"
	rc=$?
}

# refused DESCRIPTION FILE MESSAGE: check fails (exit 1) and says MESSAGE
refused() {
	run check --policy "$2"
	if [ "$rc" = 1 ] && grep -qF -- "$3" "$T/err"; then
		ok "$1"
	else
		not_ok "$1 (exit $rc, want: $3)"
		sed 's/^/#   /' "$T/err"
	fi
}

# accepted DESCRIPTION FILE: check passes and prints the OK line
accepted() {
	run check --policy "$2"
	if [ "$rc" = 0 ] && grep -qE "^$2: policy OK \(sha256:[0-9a-f]{64}\)\$" \
			"$T/out"; then
		ok "$1"
	else
		not_ok "$1 (exit $rc)"
		sed 's/^/#   /' "$T/err" "$T/out"
	fi
}

# bad NAME AT LINES MESSAGE: the valid policy plus LINES is refused with
# MESSAGE, located at the AT-th line of LINES.
bad() {
	world "$1"
	n=$(($(wc -l < "$P") + $2))
	printf '%b' "$3" >> "$P"
	refused "$1: $P:$n: $4" "$P" "$P:$n: $4"
}

# ------------------------------------------------------------ valid policies

if [ ! -x "$BIN" ]; then
	not_ok "corral-policy is built ($BIN)"
	exit 1
fi

world good
accepted "a minimal valid policy passes" "$P"

mkdir "$T/shipped"
chmod 0755 "$T/shipped"
cp "$top_srcdir/policy/corral.conf" "$T/shipped/corral.conf"
chmod 0644 "$T/shipped/corral.conf"
accepted "the shipped default policy passes" "$T/shipped/corral.conf"
if grep -q '^[^#]' "$T/shipped/corral.conf" &&
   ! grep -vqE '^(#.*|\[[a-z]+\]|)$' "$T/shipped/corral.conf"; then
	ok "the shipped policy sets nothing: every key is a commented default"
else
	not_ok "the shipped policy sets nothing: every key is a commented default"
fi

# ------------------------------------------------------------ syntax errors

bad unknown-key 2 '[limits]\npidz = 4\n' \
	"unknown key 'pidz' in section [limits]"
bad unknown-section 1 '[limitz]\n' "unknown section [limitz]"
bad misplaced-key 2 '[sandbox]\npids = 4\n' \
	"unknown key 'pids' in section [sandbox] (it belongs in [limits])"
bad missing-equals 2 '[limits]\npids 4\n' "missing '=' in 'pids 4'"
bad duplicate 3 '[limits]\npids = 4\npids = 5\n' \
	"duplicate key 'pids' (first set at $T/duplicate/corral.conf:10)"
bad bad-number 2 '[limits]\npids = lots\n' \
	"bad value 'lots' for 'pids': expected a number from 1 to 4194304"
bad bad-size 2 '[limits]\nmemory = 2Q\n' "bad value '2Q' for 'memory'"
bad bad-choice 2 '[sandbox]\nnetwork = wifi\n' \
	"bad value 'wifi' for 'network': expected 'none' or 'veth'"
bad empty-value 2 '[sandbox]\nrootfs =\n' "empty value for 'rootfs'"
bad relative-path 2 '[sandbox]\nhome_mount = home/user\n' \
	"bad value 'home/user' for 'home_mount': expected an absolute path"
bad dotdot-path 2 '[sandbox]\nrootfs = /srv/../etc\n' \
	"bad value '/srv/../etc' for 'rootfs': '..' components are not allowed"
bad trailing-comment 2 '[limits]\npids = 4 # four\n' \
	"'#' in the value of 'pids'"
bad nul-byte 1 '#\000\n' "NUL byte"
bad control-char 1 '# \033[31m\n' "control character 0x1b"
bad bad-utf8 1 '# \377\n' "invalid UTF-8 (byte 0xff)"
bad hide-home 2 '[sandbox]\nhide = /home/user/x\n' \
	"hide path /home/user/x is inside home_mount /home/user"

world long-line
printf '# %01100d\n' 0 >> "$P"
refused "long-line: a 1102-byte line" "$P" "line too long (1102 bytes, at most 1024)"

world key-outside
{ echo "pids = 4"; cat "$P"; } > "$P.new" && mv "$P.new" "$P" && chmod 0644 "$P"
refused "key-outside: a key before any section" "$P" \
	"$P:1: key 'pids' outside a section (it belongs in [limits])"

world uid-range
sed -i 's/^uid_range = .*/uid_range = 1900000999-1900000000/' "$P"
refused "uid-range: an inverted range" "$P" "$P:8: bad value '1900000999-1900000000' for 'uid_range': the range is inverted"
sed -i 's/^uid_range = .*/uid_range = 0-1000000/' "$P"
refused "uid-range: a range with uid 0" "$P" "$P:8: bad value '0-1000000' for 'uid_range': the range includes uid 0 (root)"
sed -i 's/^uid_range = .*/uid_range = 100-1000000/' "$P"
refused "uid-range: a range over regular users" "$P" "$P:8: bad value '100-1000000' for 'uid_range': the range must start at 65536"

world frontend
sed -i 's/^frontend_user = .*/frontend_user = root/' "$P"
refused "frontend_user root" "$P" "$P:4: frontend_user must not be root"

world many
printf '[limits]\npidz = 1\ncpu = 0\n[nope]\n' >> "$P"
run check --policy "$P"
if [ "$rc" = 1 ] && [ "$(grep -c "^$P:1[0-3]: " "$T/err")" = 3 ]; then
	ok "many: every error is reported, each with its line"
else
	not_ok "many: every error is reported, each with its line"
	sed 's/^/#   /' "$T/err"
fi

# ------------------------------------------------------------ file safety

world owner
chown "$NOBODY" "$P"
refused "a policy owned by nobody" "$P" "$P: not owned by root (owner uid 65534)"
world gw
chmod 0664 "$P"
refused "a group-writable policy" "$P" "$P: writable by its group (mode 0664)"
world ow
chmod 0646 "$P"
refused "a world-writable policy" "$P" "$P: writable by others (mode 0646)"
world link
mv "$P" "$W/real.conf"
ln -s real.conf "$P"
refused "a policy reached through a symbolic link" "$P" "it is a symbolic link"
world dirw
chmod 0777 "$W"
refused "a policy in a world-writable directory" "$P" "its directory is not safe: $W is writable by others"
world missing
rm "$P"
refused "a missing policy" "$P" "$P: cannot open: No such file or directory"

# ------------------------------------------------------------ home_root

world home-owner
chown "$NOBODY" "$W/homes"
refused "home_root owned by nobody" "$P" "$P:7: home_root $W/homes: $W/homes is not owned by root (owner uid 65534"
world home-0777
chmod 0777 "$W/homes"
refused "home_root mode 0777" "$P" "$W/homes is writable by others (owner uid 0, mode 0777)"
world home-sticky
chmod 1777 "$W/homes"
refused "home_root itself sticky and world-writable" "$P" "$W/homes is writable by others (owner uid 0, mode 1777)"
world home-parent
mkdir -m 0755 "$W/parent" && mv "$W/homes" "$W/parent/homes"
sed -i "s|^home_root = .*|home_root = $W/parent/homes|" "$P"
chmod 0777 "$W/parent"
refused "a world-writable parent of home_root" "$P" "$W/parent is writable by others (owner uid 0, mode 0777)"
chmod 0775 "$W/parent"
refused "a group-writable parent of home_root" "$P" "$W/parent is writable by its group"
chmod 1777 "$W/parent"
accepted "a sticky world-writable parent of home_root (like /tmp)" "$P"
world home-link
mv "$W/homes" "$W/real-homes"
ln -s real-homes "$W/homes"
refused "home_root through a symbolic link" "$P" "$W/homes is a symbolic link"
world home-missing
rmdir "$W/homes"
run check --policy "$P"
if [ "$rc" = 0 ] && grep -qF "$P:7: warning: home_root $W/homes does not exist yet" "$T/err"; then
	ok "a missing home_root is a warning: the helper creates it"
else
	not_ok "a missing home_root is a warning: the helper creates it (exit $rc)"
	sed 's/^/#   /' "$T/err"
fi

# ------------------------------------------------------------ drop-ins

world dropin-dup
mkdir -m 0755 "$W/corral.d"
printf '[limits]\npids = 10\n' > "$P.tmp" && cat "$P.tmp" >> "$P" && rm "$P.tmp"
printf '# b\n[limits]\npids = 20\n' > "$W/corral.d/20-b.conf"
refused "a drop-in setting a key again" "$P" \
	"$W/corral.d/20-b.conf:3: duplicate key 'pids' (first set at $P:10)"

world dropin-order
mkdir -m 0755 "$W/corral.d"
printf '[limits]\npids = 10\n' > "$W/corral.d/B.conf"
printf '[limits]\npids = 20\n' > "$W/corral.d/a.conf"
refused "drop-ins are read in byte order (B.conf before a.conf)" "$P" \
	"$W/corral.d/a.conf:2: duplicate key 'pids' (first set at $W/corral.d/B.conf:2)"

world dropin-bad
mkdir -m 0755 "$W/corral.d"
printf '[limits]\n\ncpu = fast\n' > "$W/corral.d/10-cpu.conf"
refused "an error in a drop-in names the drop-in and line" "$P" \
	"$W/corral.d/10-cpu.conf:3: bad value 'fast' for 'cpu'"

world dropin-ok
mkdir -m 0755 "$W/corral.d"
printf '[limits]\npids = 77\n' > "$W/corral.d/10-pids.conf"
printf 'garbage\n' > "$W/corral.d/10-pids.conf.dpkg-old"
printf 'garbage\n' > "$W/corral.d/.hidden.conf"
printf 'garbage\n' > "$W/corral.d/README"
accepted "a drop-in adds a key; other names are ignored" "$P"
run show --policy "$P"
if [ "$rc" = 0 ] && grep -qx 'pids = 77' "$T/out"; then
	ok "the drop-in's value is in effect"
else
	not_ok "the drop-in's value is in effect"
fi
chmod 0664 "$W/corral.d/10-pids.conf"
refused "a group-writable drop-in" "$P" "$W/corral.d/10-pids.conf: writable by its group (mode 0664)"
chmod 0644 "$W/corral.d/10-pids.conf"
chown "$NOBODY" "$W/corral.d/10-pids.conf"
refused "a drop-in owned by nobody" "$P" "$W/corral.d/10-pids.conf: not owned by root"
chown 0 "$W/corral.d/10-pids.conf"
chmod 0777 "$W/corral.d"
refused "a world-writable corral.d" "$P" "$W/corral.d: is writable by others"
chmod 0755 "$W/corral.d"
ln -s 10-pids.conf "$W/corral.d/20-link.conf"
refused "a drop-in that is a symbolic link" "$P" "$W/corral.d/20-link.conf: cannot open: it is a symbolic link"

# ------------------------------------------------------------ show, explain

world show
run show --policy "$P"
cp "$T/out" "$T/show1"
world show2
cp "$T/show1" "$P"
chmod 0644 "$P"
run show --policy "$P"
if cmp -s "$T/show1" "$T/out"; then
	ok "show is a fixed point through the binary"
else
	not_ok "show is a fixed point through the binary"
	diff "$T/show1" "$T/out" | sed 's/^/#   /'
fi
run check --policy "$P"
want=$(sha256sum < "$T/show1" | cut -d' ' -f1)
if grep -qF "(sha256:$want)" "$T/out"; then
	ok "the digest is the SHA-256 of show"
else
	not_ok "the digest is the SHA-256 of show"
fi

world explain
run show --policy "$P"
want=$(sha256sum < "$T/out" | cut -d' ' -f1)
run explain --policy "$P"
e_ok=1
for s in "Who may talk to the helper" \
	"It serves only root and the user nobody (uid 65534)." \
	"What a project can write" "a tmpfs of at most 256 MiB" \
	"What a project can read" "$W/homes" "Network" "only the" \
	"no_new_privs is set" "user namespaces off" "System calls" \
	"open_by_handle_at" "Limits (each project)" "memory: 2 GiB" \
	"The helper's own privileges" "cap_sys_admin" "non-dumpable" \
	"sha256:$want"; do
	grep -qF -- "$s" "$T/out" || { e_ok=0; echo "# explain lacks: $s"; }
done
if [ "$rc" = 0 ] && [ "$e_ok" = 1 ]; then
	ok "explain states the key facts"
else
	not_ok "explain states the key facts"
fi

world invalid
printf '[limits]\npidz = 1\n' >> "$P"
run show --policy "$P"
r1=$rc
run explain --policy "$P"
if [ "$r1" = 1 ] && [ "$rc" = 1 ] && grep -qF "$P:10: unknown key" "$T/err" &&
   [ ! -s "$T/out" ]; then
	ok "show and explain refuse an invalid policy"
else
	not_ok "show and explain refuse an invalid policy"
fi

# ------------------------------------------------------------ usage

run
if [ "$rc" = 2 ] && grep -q '^usage: corral-policy' "$T/err"; then
	ok "no command: usage, exit 2"; else not_ok "no command: usage, exit 2"; fi
run frobnicate
if [ "$rc" = 2 ] && grep -qF "unknown command 'frobnicate'" "$T/err"; then
	ok "unknown command: exit 2"; else not_ok "unknown command: exit 2"; fi
run check --bogus
if [ "$rc" = 2 ]; then ok "unknown option: exit 2"; else not_ok "unknown option: exit 2"; fi
run check extra --policy "$T/good/corral.conf"
if [ "$rc" = 2 ]; then ok "extra argument: exit 2"; else not_ok "extra argument: exit 2"; fi
run --help
if [ "$rc" = 0 ] && grep -q '^usage: corral-policy' "$T/out"; then
	ok "--help: exit 0"; else not_ok "--help: exit 0"; fi
run --version
if [ "$rc" = 0 ] && grep -qE '^corral-policy [0-9]' "$T/out"; then
	ok "--version: exit 0"; else not_ok "--version: exit 0"; fi

echo "$n_ok passed, $n_fail failed"
[ "$n_fail" = 0 ]
