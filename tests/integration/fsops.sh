#!/bin/bash
# File operations through corralctl, against the real helper running as
# root with a temporary policy (DESIGN §3, §5, §6): project creation, every
# "corralctl fs" operation in its normal case and in each way it must fail,
# ownership by the project, no way out of the home through a symlink,
# atomic replace, and bad input that changes nothing on disk.
. "${top_srcdir:?}/tests/integration/lib.sh"
require_root
command -v setpriv >/dev/null || skip "setpriv (util-linux) not installed"
command -v sha256sum >/dev/null || skip "sha256sum (coreutils) not installed"

UID_LO=1900000000
UID_HI=1900065535
ENOENT="No such file or directory"
EEXIST="File exists"
ENOTDIR="Not a directory"
EISDIR="Is a directory"
ENOTEMPTY="Directory not empty"
ELOOP_OR_EXDEV="(Too many levels of symbolic links|Invalid cross-device link)"
EACCES="Permission denied"
EINVAL="Invalid argument"
EPERM="Operation not permitted"
ENAMETOOLONG="File name too long"

make_world
start_helper "$T/helper.log" || { not_ok "helper starts"; finish; }
W="$T/work"                     # the test's own files, outside home_root
mkdir -m 0700 "$W"

ctl() { "$CTL_BIN" --helper "$SOCK" "$@"; }
new_uuid() { cat /proc/sys/kernel/random/uuid; }
P1=$(new_uuid)
P2=$(new_uuid)
H1="$T/homes/$P1"
H2="$T/homes/$P2"
fs1() { ctl fs "$P1" "$@"; }

# fails REGEX CMD...: CMD exits 1 and says exactly one line on stderr,
# "corralctl: " followed by something matching REGEX (an ERE, anchored at
# both ends).  On a mismatch the log shows what came instead.
fails() {
	local re="$1" rc err
	shift
	err=$("$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" = 1 ] && [ "$(wc -l <<<"$err")" = 1 ] &&
	   grep -Eq "^corralctl: ($re)\$" <<<"$err"; then
		return 0
	fi
	echo "# expected exit 1 and 'corralctl: $re'"
	echo "# got exit $rc: $err" | head -c 2000
	echo
	return 1
}

# same OUT CMD...: CMD succeeds and prints exactly OUT
same() {
	local want="$1" got
	shift
	got=$("$@" 2>&1) || { echo "# failed: $got"; return 1; }
	[ "$got" = "$want" ] && return 0
	echo "# expected: $want"
	echo "# got:      $got"
	return 1
}

owner() { stat -c '%u:%g' "$1" 2>&1; }
# plant PATH MODE < CONTENT: a file of the project, made on the host, for
# checks that are about something else than put (one broken operation
# should not fail every check after it)
plant() {
	local p="$H1/$1"
	cat > "$p" && chown "$U1:$G1" "$p" && chmod "$2" "$p"
}
mode() { stat -c '%a' "$1" 2>&1; }
sha() { sha256sum < "$1" | cut -d' ' -f1; }

# A recursive listing of everything an operation could have touched: all
# homes and a canary directory outside home_root.
CANARY="$T/canary"
snapshot() {
	find "$T/homes" "$CANARY" -printf '%p %y %m %u %g %s %n %T@ %C@ %l\n' |
		LC_ALL=C sort
}
unchanged_since() { # unchanged_since FILE: the snapshot equals FILE
	snapshot > "$W/now"
	cmp -s "$1" "$W/now" && return 0
	echo "# changed on disk:"
	diff "$1" "$W/now" | head -20 | sed 's/^/# /'
	return 1
}

mkdir -m 0777 "$CANARY"
echo "canary" > "$CANARY/file"
chmod 0666 "$CANARY/file"

# ------------------------------------------------------------ create
out=$(ctl create "$P1" 2>&1)
check "create prints the project's uid" grep -Eqx '[0-9]+' <<<"$out"
U1=$out
check "the uid is in the policy's uid_range" \
	test "$U1" -ge "$UID_LO" -a "$U1" -le "$UID_HI"
check "the home belongs to the project uid, mode 0700" \
	test "$(stat -c '%u %a %F' "$H1" 2>&1)" = "$U1 700 directory"
G1=$(stat -c %g "$H1")
check "the home's group is not root's" test "$G1" -gt 0
ino=$(stat -c %i "$H1")
check "create is idempotent: same uid again" same "$U1" ctl create "$P1"
check "create again keeps the same home" test "$(stat -c '%i %u %a' "$H1")" = "$ino $U1 700"
U2=$(ctl create "$P2" 2>&1)
check "distinct projects get distinct uids" test -n "$U2" -a "$U2" != "$U1"
check "the second home belongs to the second uid" \
	test "$(stat -c '%u %a' "$H2" 2>&1)" = "$U2 700"

snapshot > "$W/before-create"
for id in '../x' 'ABC' '' "$P1/.." "$(tr a-f A-F <<<"$P1")x"; do
	check "create refuses the project id '$id' (EINVAL)" \
		fails "create $id: $EINVAL.*" ctl create "$id"
done
check "refused creates change nothing on disk" unchanged_since "$W/before-create"

# ------------------------------------------------------------ normal cases
check "mkdir makes a directory" fs1 mkdir d
check "  owned by the project" test "$(owner "$H1/d")" = "$U1:$G1"
check "mkdir -p makes nested directories" fs1 mkdir -p n1/n2/n3
check "  each owned by the project" \
	test "$(owner "$H1/n1"; owner "$H1/n1/n2"; owner "$H1/n1/n2/n3")" = \
	     "$(printf '%s\n' "$U1:$G1" "$U1:$G1" "$U1:$G1")"
check "mkdir -p on an existing directory succeeds" fs1 mkdir -p n1/n2
check "mkdir -m sets the mode" fs1 mkdir -m 0750 m750
check "  to 0750" test "$(mode "$H1/m750")" = 750

printf 'hello\n' > "$W/hello"
check "put creates a file" fs1 put d/f < "$W/hello"
check "  with that content" cmp -s "$W/hello" "$H1/d/f"
check "  owned by the project" test "$(owner "$H1/d/f")" = "$U1:$G1"
check "put --mode sets the mode" fs1 put --mode 0600 d/secret < "$W/hello"
check "  to 0600" test "$(mode "$H1/d/secret")" = 600
[ -f "$H1/d/f" ] || plant d/f 0644 < "$W/hello"
check "cat prints the content" same "hello" fs1 cat d/f

out=$(fs1 stat d/f 2>&1)
want="type: regular
mode: $(stat -c '%04a' "$H1/d/f")
uid: $U1
gid: $G1
size: 6
nlink: 1
atime: $(stat -c '%.9X' "$H1/d/f")
mtime: $(stat -c '%.9Y' "$H1/d/f")
ctime: $(stat -c '%.9Z' "$H1/d/f")"
check "stat prints type, mode, uid, gid, size, nlink and times as on the host" \
	same "$want" echo "$out"
check "stat of a directory says directory" \
	grep -qx 'type: directory' <<<"$(fs1 stat d 2>&1)"

check "touch creates a missing file" fs1 touch d/new
check "  empty, owned by the project" \
	test "$(stat -c '%s %u:%g %F' "$H1/d/new" 2>&1)" = "0 $U1:$G1 regular empty file"
check "touch -d @EPOCH.FRAC sets both times" fs1 touch -d @1000000000.5 d/f
check "  to the nanosecond" \
	test "$(stat -c '%.9X %.9Y' "$H1/d/f")" = "1000000000.500000000 1000000000.500000000"
check "touch -d 'YYYY-MM-DD HH:MM:SS' is UTC" fs1 touch -d '2001-09-09 01:46:40' d/f
check "  (2001-09-09 01:46:40 is @1000000000)" test "$(stat -c '%Y' "$H1/d/f")" = 1000000000
check "touch -d 'YYYY-MM-DDTHH:MM:SS' works too" fs1 touch -d 2001-09-09T01:46:41 d/f
check "  (@1000000001)" test "$(stat -c '%Y' "$H1/d/f")" = 1000000001
before=$(( $(date +%s) - 1 ))   # file times come from a coarser clock
check "touch without -d sets the current time" fs1 touch d/f
check "  (not before the call)" test "$(stat -c '%Y' "$H1/d/f")" -ge "$before"
plant d/ro 0444 < "$W/hello"
check "touch -d on a read-only file of the project works (no open for write)" \
	fs1 touch -d @1200000000 d/ro
check "  and keeps its content" cmp -s "$W/hello" "$H1/d/ro"

check "chmod sets an octal mode" fs1 chmod 0640 d/f
check "  to 0640" test "$(mode "$H1/d/f")" = 640
check "truncate -s grows a file" fs1 truncate -s 10 d/f
check "  to 10 bytes" test "$(stat -c %s "$H1/d/f")" = 10
check "truncate -s 1K is 1024 bytes" fs1 truncate -s 1K d/f
check "  (coreutils' K)" test "$(stat -c %s "$H1/d/f")" = 1024
check "truncate -s 0 empties a file" fs1 truncate -s 0 d/f
check "  to 0 bytes" test "$(stat -c %s "$H1/d/f")" = 0
plant d/f 0640 < "$W/hello"

check "cp copies a regular file" fs1 cp d/f d/copy
check "  byte for byte" cmp -s "$H1/d/f" "$H1/d/copy"
check "  owned by the project" test "$(owner "$H1/d/copy")" = "$U1:$G1"
check "  as a new file, not a link" test "$(stat -c %i "$H1/d/f")" != "$(stat -c %i "$H1/d/copy")"
printf 'other\n' > "$W/other"
plant d/other 0644 < "$W/other"
check "cp replaces an existing destination" fs1 cp d/other d/copy
check "  with the source's content" cmp -s "$W/other" "$H1/d/copy"
check "cp --no-replace onto an existing file fails with EEXIST" \
	fails "cp d/f d/copy: $EEXIST.*" fs1 cp --no-replace d/f d/copy
check "  and leaves it alone" cmp -s "$W/other" "$H1/d/copy"
check "cp --no-replace to a new name works" fs1 cp --no-replace d/f d/copy2

check "mv renames" fs1 mv d/copy2 d/moved
check "  (old name gone, new one there)" test ! -e "$H1/d/copy2" -a -f "$H1/d/moved"
check "mv replaces an existing target" fs1 mv d/moved d/copy
check "  with the moved file" cmp -s "$W/hello" "$H1/d/copy"
check "mv --no-replace onto an existing name fails with EEXIST" \
	fails "mv d/f d/copy: $EEXIST.*" fs1 mv --no-replace d/f d/copy
check "  and moves nothing" test -f "$H1/d/f" -a -f "$H1/d/copy"
check "mv --no-replace to a free name works" fs1 mv --no-replace d/copy d/copy3

check "ln makes a hard link" fs1 ln d/f d/hard
check "  (same inode, 2 links)" \
	test "$(stat -c '%i %h' "$H1/d/hard")" = "$(stat -c %i "$H1/d/f") 2"
check "ln -s stores TARGET verbatim" fs1 ln -s '../any/./thing//x' d/sym
check "  as the link's content" test "$(readlink "$H1/d/sym")" = '../any/./thing//x'
check "  owned by the project" test "$(stat -c '%u:%g' "$H1/d/sym")" = "$U1:$G1"
check "stat of a symlink describes the link itself" \
	grep -qx 'type: symlink' <<<"$(fs1 stat d/sym 2>&1)"
check "unlink removes a symlink" fs1 unlink d/sym
check "  (gone)" test ! -L "$H1/d/sym"
check "unlink removes a file" fs1 unlink d/hard
check "  (gone, the other name stays)" test ! -e "$H1/d/hard" -a -f "$H1/d/f"

fs1 mkdir d/empty
check "rmdir removes an empty directory" fs1 rmdir d/empty
check "  (gone)" test ! -e "$H1/d/empty"
check "rm removes a file" fs1 rm d/copy3
check "  (gone)" test ! -e "$H1/d/copy3"
fs1 mkdir -p tree/a/b && plant tree/a/b/f 0644 < "$W/hello" && plant tree/g 0600 < "$W/hello"
fs1 ln -s "$CANARY" tree/a/canary-link
check "rm -r removes a whole tree" fs1 rm -r tree
check "  (gone)" test ! -e "$H1/tree"
check "  without following a symlink inside it" test -f "$CANARY/file"
fs1 mkdir -p tree2/x && plant tree2/x/f 0644 < "$W/hello"
check "rm -fr works as -rf" fs1 rm -fr tree2
check "  (gone)" test ! -e "$H1/tree2"
check "rm -rf on a missing path is success" fs1 rm -rf no/such/thing
check "rm -f on a missing file is success" fs1 rm -f nothing-here

# ls: a file, a directory, a symlink, a fifo, with their sizes
mkdir -m 0755 "$H1/l" && chown "$U1:$G1" "$H1/l"
printf '12345' | plant l/five 0644
fs1 mkdir -m 0700 l/sub
fs1 ln -s five l/link
mkfifo -m 0640 "$H1/l/fifo" && chown "$U1:$G1" "$H1/l/fifo"
lsline() { # lsline NAME: the line ls should print for $H1/l/NAME
	local p="$H1/l/$1" y
	y=$(find "$p" -maxdepth 0 -printf %y)
	printf '%s %04o %s %s %s\n' "$y" "0$(stat -c %a "$p")" "$(stat -c %s "$p")" \
		"$(stat -c %.9Y "$p")" "$1"
}
want=$(for n in fifo five link sub; do lsline "$n"; done)
check "ls lists type, mode, size, mtime and name, sorted" same "$want" fs1 ls l
check "ls of the home lists its top level" grep -q ' d$' <<<"$(fs1 ls 2>&1)"
touch "$H1/l/$(printf 'evil\033[31m\nname')"
check "ls escapes control characters in names" \
	grep -qF 'evil\x1b[31m\x0aname' <<<"$(fs1 ls l 2>&1)"
check "  and prints no raw escape or extra line" \
	test "$(fs1 ls l | grep -c $'\033')" = 0 -a "$(fs1 ls l | wc -l)" = 5

# a listing larger than one frame comes in several replies (CRL_FS_MORE)
fs1 mkdir many
many_names() { # 3000 names of 100 bytes: about 400 KiB of entries
	local i
	for i in $(seq -w 1 3000); do printf '%s%s\n' "$i" "$(printf 'x%.0s' $(seq 1 96))"; done
}
many_names > "$W/many"
(cd "$H1/many" && xargs touch < "$W/many")
check "ls of a directory larger than one reply lists every entry, once, sorted" \
	same "$(cat "$W/many")" bash -c "'$CTL_BIN' --helper '$SOCK' fs '$P1' ls many | cut -d' ' -f5"
rm -rf "$H1/many"

# ------------------------------------------------------------ each errno
check "mkdir under a missing parent fails with ENOENT" \
	fails "mkdir nope/x: $ENOENT.*" fs1 mkdir nope/x
check "cat of a missing file fails with ENOENT" fails "cat nope: $ENOENT.*" fs1 cat nope
check "stat of a missing file fails with ENOENT" fails "stat nope: $ENOENT.*" fs1 stat nope
check "ls of a missing directory fails with ENOENT" fails "ls nope: $ENOENT.*" fs1 ls nope
check "rm of a missing file fails with ENOENT" fails "rm nope: $ENOENT.*" fs1 rm nope
check "rmdir of a missing directory fails with ENOENT" fails "rmdir nope: $ENOENT.*" fs1 rmdir nope
check "unlink of a missing file fails with ENOENT" fails "unlink nope: $ENOENT.*" fs1 unlink nope
check "mv of a missing file fails with ENOENT" fails "mv nope x: $ENOENT.*" fs1 mv nope x
check "cp of a missing file fails with ENOENT" fails "cp nope x: $ENOENT.*" fs1 cp nope x
check "ln to a missing file fails with ENOENT" fails "ln nope x: $ENOENT.*" fs1 ln nope x
check "chmod of a missing file fails with ENOENT" fails "chmod nope: $ENOENT.*" fs1 chmod 0644 nope
check "truncate does not create: ENOENT" fails "truncate nope: $ENOENT.*" fs1 truncate -s 1 nope
check "  (nothing created)" test ! -e "$H1/nope"
check "put under a missing parent fails with ENOENT" \
	fails "put nope/x: $ENOENT.*" fs1 put nope/x < "$W/hello"

check "mkdir of an existing directory fails with EEXIST" fails "mkdir d: $EEXIST.*" fs1 mkdir d
check "mkdir over a file fails with EEXIST" fails "mkdir d/f: $EEXIST.*" fs1 mkdir d/f
check "ln onto an existing name fails with EEXIST" fails "ln d/f d/other: $EEXIST.*" fs1 ln d/f d/other
check "ln -s onto an existing name fails with EEXIST" \
	fails "ln x d/other: $EEXIST.*" fs1 ln -s x d/other

check "mkdir below a file fails with ENOTDIR" fails "mkdir d/f/x: $ENOTDIR.*" fs1 mkdir d/f/x
check "cat below a file fails with ENOTDIR" fails "cat d/f/x: $ENOTDIR.*" fs1 cat d/f/x
check "ls of a file fails with ENOTDIR" fails "ls d/f: $ENOTDIR.*" fs1 ls d/f
check "rmdir of a file fails with ENOTDIR" fails "rmdir d/f: $ENOTDIR.*" fs1 rmdir d/f

check "cat of a directory fails with EISDIR" fails "cat d: $EISDIR.*" fs1 cat d
check "put over a directory fails with EISDIR" fails "put d: $EISDIR.*" fs1 put d < "$W/hello"
check "unlink of a directory fails with EISDIR" fails "unlink d: $EISDIR.*" fs1 unlink d
check "rm of a directory without -r fails with EISDIR" fails "rm d: $EISDIR.*" fs1 rm d
check "truncate of a directory fails with EISDIR" fails "truncate d: $EISDIR.*" fs1 truncate -s 0 d
check "cp refuses a directory source (EINVAL: not a regular file)" \
	fails "cp d d2: $EINVAL.*regular file.*" fs1 cp d d2
check "  (nothing created)" test ! -e "$H1/d2"

check "rmdir of a non-empty directory fails with ENOTEMPTY" \
	fails "rmdir d: $ENOTEMPTY.*" fs1 rmdir d
check "mv of a directory onto a non-empty one fails with ENOTEMPTY" \
	fails "mv m750 n1: $ENOTEMPTY.*" fs1 mv m750 n1

# the project's own permissions bind it: the helper works with its fsuid
fs1 mkdir -m 0500 ro
check "mkdir in a 0500 directory of the project fails with EACCES" \
	fails "mkdir ro/x: $EACCES.*" fs1 mkdir ro/x
check "put in a 0500 directory fails with EACCES" \
	fails "put ro/x: $EACCES.*" fs1 put ro/x < "$W/hello"
check "touch in a 0500 directory fails with EACCES" fails "touch ro/x: $EACCES.*" fs1 touch ro/x
check "  (nothing created)" test -z "$(ls -A "$H1/ro")"
plant d/locked 0644 < "$W/hello"
fs1 chmod 0000 d/locked
check "cat of a 0000 file fails with EACCES" fails "cat d/locked: $EACCES.*" fs1 cat d/locked
check "cp of a 0000 file fails with EACCES" fails "cp d/locked d/l2: $EACCES.*" fs1 cp d/locked d/l2
check "truncate of a 0444 file fails with EACCES" fails "truncate d/ro: $EACCES.*" fs1 truncate -s 0 d/ro
check "  (content kept)" cmp -s "$W/hello" "$H1/d/ro"
# root's DAC override is not used on the project's behalf
check "a root-owned 0600 file in the home stays unreadable" bash -c "
	echo root-secret > '$H1/rootfile'; chmod 0600 '$H1/rootfile'
	'$CTL_BIN' --helper '$SOCK' fs '$P1' cat rootfile 2>&1 >/dev/null |
		grep -q '^corralctl: cat rootfile: $EACCES'"

fs1 mkdir -m 0755 sx
check "chmod refuses the setuid bit (EPERM)" fails "chmod d/f: $EPERM.*" fs1 chmod 4755 d/f
check "chmod refuses the setgid bit (EPERM)" fails "chmod d/f: $EPERM.*" fs1 chmod 2755 d/f
check "chmod refuses setgid on a directory (EPERM)" fails "chmod sx: $EPERM.*" fs1 chmod 2755 sx
check "mkdir -m refuses setgid (EPERM)" fails "mkdir sgid: $EPERM.*" fs1 mkdir -m 2755 sgid
check "put --mode refuses setuid (EPERM)" fails "put suid: $EPERM.*" fs1 put --mode 4755 suid < "$W/hello"
check "  (nothing created)" test ! -e "$H1/sgid" -a ! -e "$H1/suid"
check "  (modes unchanged)" test "$(mode "$H1/d/f") $(mode "$H1/sx")" = "640 755"
check "chmod refuses bits outside 07777" fails "chmod d/f: $EINVAL.*" fs1 chmod 0100644 d/f

mkfifo -m 0644 "$H1/d/fifo" && chown "$U1:$G1" "$H1/d/fifo"
check "cp refuses a FIFO source (EINVAL), without blocking" \
	fails "cp d/fifo d/fifo-copy: $EINVAL.*" timeout 10 "$CTL_BIN" --helper "$SOCK" fs "$P1" cp d/fifo d/fifo-copy
check "  (nothing created)" test ! -e "$H1/d/fifo-copy"
check "cat of a FIFO does not block" \
	timeout 10 bash -c "'$CTL_BIN' --helper '$SOCK' fs '$P1' cat d/fifo > /dev/null 2>&1; [ \$? -le 1 ]"
# release a connection process that a blocking open may have left behind
timeout 1 bash -c ": > '$H1/d/fifo'" 2>/dev/null

# ------------------------------------------------------------ symlinks
# links the project may well create; following any of them is forbidden
fs1 ln -s / root
fs1 ln -s "$CANARY" canary
fs1 ln -s "../$P2" other
fs1 ln -s d inner-dir
fs1 ln -s d/f inner-file
echo "p2 secret" > "$H2/secret"
chown "$U2:$(stat -c %g "$H2")" "$H2/secret"
chmod 0666 "$H2/secret"
snapshot > "$W/before-links"
check "stat through a symlink to / fails with ELOOP or EXDEV" \
	fails "stat root/etc/passwd: $ELOOP_OR_EXDEV.*" fs1 stat root/etc/passwd
check "cat through a symlink to / fails with ELOOP or EXDEV" \
	fails "cat root/etc/passwd: $ELOOP_OR_EXDEV.*" fs1 cat root/etc/passwd
check "ls of a symlink to / lists nothing (ENOTDIR: the link is no directory, or ELOOP)" \
	fails "ls root: ($ENOTDIR|$ELOOP_OR_EXDEV).*" fs1 ls root
check "mkdir through a symlinked parent fails with ELOOP or EXDEV" \
	fails "mkdir canary/x: $ELOOP_OR_EXDEV.*" fs1 mkdir canary/x
check "put through a symlinked parent fails with ELOOP or EXDEV" \
	fails "put canary/file: $ELOOP_OR_EXDEV.*" fs1 put canary/file < "$W/hello"
check "touch through a symlinked parent fails with ELOOP or EXDEV" \
	fails "touch canary/new: $ELOOP_OR_EXDEV.*" fs1 touch canary/new
check "rm -rf through a symlinked parent fails with ELOOP or EXDEV" \
	fails "rm canary/file: $ELOOP_OR_EXDEV.*" fs1 rm -rf canary/file
check "chmod through a symlinked parent fails with ELOOP or EXDEV" \
	fails "chmod canary/file: $ELOOP_OR_EXDEV.*" fs1 chmod 0777 canary/file
check "truncate through a symlinked parent fails with ELOOP or EXDEV" \
	fails "truncate canary/file: $ELOOP_OR_EXDEV.*" fs1 truncate -s 0 canary/file
check "cp into a symlinked parent fails with ELOOP or EXDEV" \
	fails "cp d/f canary/copy: $ELOOP_OR_EXDEV.*" fs1 cp d/f canary/copy
check "mv into a symlinked parent fails with ELOOP or EXDEV" \
	fails "mv d/other canary/moved: $ELOOP_OR_EXDEV.*" fs1 mv d/other canary/moved
check "ln into a symlinked parent fails with ELOOP or EXDEV" \
	fails "ln d/f canary/hard: $ELOOP_OR_EXDEV.*" fs1 ln d/f canary/hard
check "cat of another project's file via a symlink fails with ELOOP or EXDEV" \
	fails "cat other/secret: $ELOOP_OR_EXDEV.*" fs1 cat other/secret
check "put over another project's file via a symlink fails with ELOOP or EXDEV" \
	fails "put other/secret: $ELOOP_OR_EXDEV.*" fs1 put other/secret < "$W/hello"
check "even a symlink inside the home is not followed (parent)" \
	fails "cat inner-dir/f: $ELOOP_OR_EXDEV.*" fs1 cat inner-dir/f
check "even a symlink inside the home is not followed (last component)" \
	fails "cat inner-file: $ELOOP_OR_EXDEV.*" fs1 cat inner-file
check "cp refuses a symlink source (ELOOP)" \
	fails "cp inner-file d/via-link: $ELOOP_OR_EXDEV.*" fs1 cp inner-file d/via-link
check "chmod of a symlink does not reach its target (EOPNOTSUPP)" \
	fails "chmod canary: Operation not supported.*" fs1 chmod 0700 canary
check "truncate of a symlink does not reach its target (ELOOP)" \
	fails "truncate inner-file: $ELOOP_OR_EXDEV.*" fs1 truncate -s 0 inner-file
check "the canary, the other project and the host are untouched" \
	unchanged_since "$W/before-links"
f_times=$(stat -c '%.9X %.9Y' "$H1/d/f")
check "touch of a symlink sets the link's own times" fs1 touch -d @1100000000 inner-file
check "  (the link has them)" test "$(stat -c %Y "$H1/inner-file")" = 1100000000
check "  (its target does not)" test "$(stat -c '%.9X %.9Y' "$H1/d/f")" = "$f_times"
check "rm of a symlink to a directory removes the link only" fs1 rm -r canary
check "  (link gone, canary intact)" test ! -L "$H1/canary" -a -f "$CANARY/file"
check "unlink of a symlink to / removes the link only" fs1 unlink root
check "  (link gone)" test ! -L "$H1/root"

# ------------------------------------------------------------ contents
head -c $((5 * 1024 * 1024)) /dev/urandom > "$W/big"
check "put of 5 MiB of random bytes succeeds" fs1 put big < "$W/big"
check "  the file on disk is byte-identical" test "$(sha "$H1/big")" = "$(sha "$W/big")"
fs1 cat big > "$W/big.back"
check "cat gives the same 5 MiB back (sha256)" test "$(sha "$W/big.back")" = "$(sha "$W/big")"
check "cat to a pipe closed early stops quietly" bash -c \
	"'$CTL_BIN' --helper '$SOCK' fs '$P1' cat big 2>'$W/epipe.err' | head -c 10 >/dev/null; ! [ -s '$W/epipe.err' ]"

# put replaces: a hard link to the old file keeps the old content
fs1 mkdir data
plant data/victim 0644 < "$W/hello"
fs1 ln data/victim data/keep
check "put over an existing file succeeds" fs1 put data/victim < "$W/other"
check "  the path has the new content" cmp -s "$W/other" "$H1/data/victim"
check "  the old file was replaced, not rewritten (its other link is intact)" \
	cmp -s "$W/hello" "$H1/data/keep"
check "  and the new file belongs to the project" test "$(owner "$H1/data/victim")" = "$U1:$G1"

# a put whose input fails sends abort: the old file stays
names() { ls -A "$H1/data" | LC_ALL=C sort | tr '\n' ' '; }
plant data/victim 0644 < "$W/other"
old_names=$(names)
mkdir -m 0700 "$W/adir"
check "put from an unreadable stdin (a directory) fails with EISDIR" \
	fails "put data/victim: $EISDIR \(reading standard input\)" fs1 put data/victim < "$W/adir"
check "  the old file is intact" cmp -s "$W/other" "$H1/data/victim"
check "  no stray file is left beside it" test "$(names)" = "$old_names"

# a put killed in the middle of the copy leaves the old file
put_killed() {
	local fifo="$W/put.fifo" cpid wpid fd link pos mid=no
	mkfifo "$fifo"
	( head -c $((4 * 1024 * 1024)) /dev/urandom; exec sleep 60 ) > "$fifo" &
	wpid=$!
	"$CTL_BIN" --helper "$SOCK" fs "$P1" put data/victim < "$fifo" &
	cpid=$!
	# wait until corralctl holds the new file and has written to it
	for _ in $(seq 1 200); do
		for fd in /proc/$cpid/fd/*; do
			link=$(readlink "$fd" 2>/dev/null) || continue
			case "$link" in "$H1/"*) ;; *) continue ;; esac
			pos=$(awk '/^pos:/ { print $2 }' "/proc/$cpid/fdinfo/${fd##*/}" 2>/dev/null)
			[ "${pos:-0}" -gt 0 ] && mid=yes
		done
		[ "$mid" = yes ] && break
		sleep 0.05
	done
	kill -KILL "$cpid"
	wait "$cpid" 2>/dev/null
	kill "$wpid" 2>/dev/null
	wait "$wpid" 2>/dev/null
	rm -f "$fifo"
	echo "# corralctl killed in the middle of the copy: $mid"
	[ "$mid" = yes ]
}
check "corralctl can be killed in the middle of a put" put_killed
check "  the old file is intact" cmp -s "$W/other" "$H1/data/victim"
stray_gone() {
	for _ in $(seq 1 40); do
		[ "$(names)" = "$old_names" ] && return 0
		sleep 0.05
	done
	echo "# names now: $(names), before: $old_names"
	return 1
}
check "  no stray file is left beside it" stray_gone
check "  and the helper still serves" same "other" fs1 cat data/victim

# a full disk: the project's home on a small tmpfs of its own helper
small_world() {
	local S="$T/small"
	mkdir -m 0755 "$S" || return 1
	mount -t tmpfs -o size=2m,mode=0755 corral-test "$S" || return 1
	at_cleanup "umount -l '$S'"
	mkdir -m 0711 "$S/homes"
	sed "s|^home_root = .*|home_root = $S/homes|; s|^socket = .*|socket = $T/run/small.sock|" \
		"$POLICY" > "$T/small.conf"
	chmod 0644 "$T/small.conf"
	"$HELPER_BIN" --policy "$T/small.conf" --log-stderr 2> "$T/small.log" &
	PIDS="$PIDS $!"
	wait_for_socket "$T/run/small.sock"
}
if small_world; then
	sctl() { "$CTL_BIN" --helper "$T/run/small.sock" "$@"; }
	P3=$(new_uuid)
	sctl create "$P3" > /dev/null
	head -c 100000 /dev/urandom > "$W/small-old"
	S3="$T/small/homes/$P3"
	cp "$W/small-old" "$S3/f" && chown --reference="$S3" "$S3/f"
	head -c $((3 * 1024 * 1024)) /dev/urandom > "$W/too-big"
	check "put that fills the disk fails with ENOSPC" \
		fails "put f: No space left on device \(.*\)" sctl fs "$P3" put f < "$W/too-big"
	check "  the old file is intact" cmp -s "$W/small-old" "$S3/f"
	check "  no stray file is left, the space is free again" \
		test "$(ls -A "$S3")" = f -a "$(df --output=used -B1 "$T/small" | tail -1)" -lt 1000000
else
	echo "# could not mount a tmpfs: the full-disk case is not tested"
fi

# ------------------------------------------------------------ bad input
# Each malformed path class, with every kind of operation: refused with a
# specific errno, nothing on disk changes.
fs1 mkdir -p a/b
long_path=$(printf 'a%.0s' $(seq 1 4097))
long_comp=$(printf 'c%.0s' $(seq 1 256))
bad_path_refused() { # bad_path_refused REASON_RE PATH
	local re="$1" p="$2" rc=0 ep
	ep=$(printf '%s' "$p" | head -c 256)
	ep=$(sed 's/[.[\*^$()+?{|]/\\&/g' <<<"$ep")
	snapshot > "$W/before-bad"
	fails "mkdir $ep.*: $re.*" fs1 mkdir -p "$p" || rc=1
	fails "put $ep.*: $re.*" fs1 put "$p" < "$W/hello" || rc=1
	fails "touch $ep.*: $re.*" fs1 touch "$p" || rc=1
	fails "rm $ep.*: $re.*" fs1 rm -rf "$p" || rc=1
	fails "rmdir $ep.*: $re.*" fs1 rmdir "$p" || rc=1
	fails "unlink $ep.*: $re.*" fs1 unlink "$p" || rc=1
	fails "chmod $ep.*: $re.*" fs1 chmod 0777 "$p" || rc=1
	fails "truncate $ep.*: $re.*" fs1 truncate -s 0 "$p" || rc=1
	fails "cp d/f $ep.*: $re.*" fs1 cp d/f "$p" || rc=1
	fails "cp $ep.* d/x: $re.*" fs1 cp "$p" d/x || rc=1
	fails "mv d/f $ep.*: $re.*" fs1 mv d/f "$p" || rc=1
	fails "mv $ep.* d/x: $re.*" fs1 mv "$p" d/x || rc=1
	fails "ln d/f $ep.*: $re.*" fs1 ln d/f "$p" || rc=1
	fails "ln x $ep.*: $re.*" fs1 ln -s x "$p" || rc=1
	fails "cat $ep.*: $re.*" fs1 cat "$p" || rc=1
	fails "stat $ep.*: $re.*" fs1 stat "$p" || rc=1
	fails "ls $ep.*: $re.*" fs1 ls "$p" || rc=1
	unchanged_since "$W/before-bad" || rc=1
	return $rc
}
check "an absolute path (/etc/passwd) is refused (EINVAL), nothing changes" \
	bad_path_refused "$EINVAL" /etc/passwd
check "an absolute path into the home root is refused (EINVAL), nothing changes" \
	bad_path_refused "$EINVAL" "$H1/d/f"
check "'..' is refused (EINVAL), nothing changes" bad_path_refused "$EINVAL" ..
check "'../<other project>/secret' is refused (EINVAL), nothing changes" \
	bad_path_refused "$EINVAL" "../$P2/secret"
check "'a/../b' is refused (EINVAL), nothing changes" bad_path_refused "$EINVAL" a/../b
check "'a//b' is refused (EINVAL), nothing changes" bad_path_refused "$EINVAL" a//b
check "a trailing '/' is refused (EINVAL), nothing changes" bad_path_refused "$EINVAL" a/b/
check "'a/./b' is refused (EINVAL), nothing changes" bad_path_refused "$EINVAL" a/./b
check "'./a' is refused (EINVAL), nothing changes" bad_path_refused "$EINVAL" ./a
check "an empty path is refused (EINVAL), nothing changes" bad_path_refused "$EINVAL" ""
check "a path of 4097 bytes is refused (ENAMETOOLONG), nothing changes" \
	bad_path_refused "$ENAMETOOLONG" "$long_path"
check "a component of 256 bytes is refused (ENAMETOOLONG), nothing changes" \
	bad_path_refused "$ENAMETOOLONG" "a/$long_comp"
check "a path with a newline is escaped in the message" \
	fails 'mkdir x\\x0ay/z: .*' fs1 mkdir $'x\ny/z'

bad_project_refused() { # bad_project_refused REASON_RE PROJECT
	local re="$1" p="$2" rc=0
	snapshot > "$W/before-bad"
	fails "mkdir x: $re.*" ctl fs "$p" mkdir x || rc=1
	fails "put x: $re.*" ctl fs "$p" put x < "$W/hello" || rc=1
	fails "touch x: $re.*" ctl fs "$p" touch x || rc=1
	fails "rm x: $re.*" ctl fs "$p" rm -rf x || rc=1
	fails "ln x y: $re.*" ctl fs "$p" ln -s x y || rc=1
	fails "cat d/f: $re.*" ctl fs "$p" cat d/f || rc=1
	fails "ls \.: $re.*" ctl fs "$p" ls || rc=1
	unchanged_since "$W/before-bad" || rc=1
	return $rc
}
check "a valid but never created project is refused (ENOENT), nothing changes" \
	bad_project_refused "$ENOENT" "$(new_uuid)"
check "project id '../x' is refused (EINVAL), nothing changes" \
	bad_project_refused "$EINVAL" ../x
check "project id 'ABC' is refused (EINVAL), nothing changes" \
	bad_project_refused "$EINVAL" ABC
check "an empty project id is refused (EINVAL), nothing changes" \
	bad_project_refused "$EINVAL" ""
check "project id '<uuid>/..' is refused (EINVAL), nothing changes" \
	bad_project_refused "$EINVAL" "$P1/.."

# usage errors exit 2 and never reach the helper
ops_before=$(grep -c 'op=fs-' "$T/helper.log")
usage2() { "$@" > /dev/null 2>&1; [ $? = 2 ]; }
check "usage errors exit 2 (unknown op, option, bad mode/size/time, operands)" bash -c "
	$(declare -f usage2)
	c='$CTL_BIN --helper $SOCK fs $P1'
	usage2 \$c frob x && usage2 \$c mkdir -z x && usage2 \$c chmod u+x d/f &&
	usage2 \$c truncate d/f && usage2 \$c truncate -s 1Q d/f &&
	usage2 \$c touch -d yesterday d/f && usage2 \$c mv a && usage2 \$c rm a b &&
	usage2 \$c cat && usage2 '$CTL_BIN' --helper '$SOCK' fs '$P1'"
check "  and send nothing to the helper" \
	test "$(grep -c 'op=fs-' "$T/helper.log")" = "$ops_before"

# ------------------------------------------------------------ who may ask
check "the frontend user (nobody) gets operations done as the project" \
	as_user 65534 65534 "$T/bin/corralctl" --helper "$SOCK" fs "$P1" mkdir d/by-nobody
check "  (the file belongs to the project, not to nobody)" \
	test "$(owner "$H1/d/by-nobody")" = "$U1:$G1"

# ------------------------------------------------------------ audit
# One connection, several requests: its process keeps the home and the
# filesystem identity of its last project for the next file operation.
# Neither may carry over to another project, nor to a request that needs
# fsuid 0 (create makes a directory in home_root, root's and 0711), nor
# outlive a home that became unsafe in between.
Q1=$(new_uuid); Q2=$(new_uuid); Q3=$(new_uuid)
ctl create "$Q1" > /dev/null && ctl create "$Q2" > /dev/null
QU1=$(stat -c %u "$T/homes/$Q1"); QU2=$(stat -c %u "$T/homes/$Q2")
out=$("$TESTS_BIN/fs-session" "$SOCK" "mkdir:$Q1:a1" "mkdir:$Q2:b1" \
	"mkdir:$Q1:a2" ping "create:$Q3" "mkdir:$Q1:a3" \
	"chmod-host:0770:$T/homes/$Q1" "stat:$Q1:a1" \
	"chmod-host:0700:$T/homes/$Q1" "stat:$Q1:a1" 2>&1 | tr '\n' ' ')
check "one connection: every step answered as expected" \
	test "$out" = "0 0 0 0 0 0 0 -1 0 0 uid=$QU1 "
[ "$out" = "0 0 0 0 0 0 0 -1 0 0 uid=$QU1 " ] || echo "# got: $out"
check "one connection: files of project 1 belong to project 1" bash -c "
	for d in a1 a2 a3; do
		[ \$(stat -c %u '$T/homes/$Q1/'\$d) = $QU1 ] || exit 1
	done"
check "one connection: project 2's file belongs to project 2" \
	test "$(stat -c %u "$T/homes/$Q2/b1")" = "$QU2"
check "one connection: create after file operations ran as root" \
	test -d "$T/homes/$Q3"

sleep 0.2
audit_has() { # audit_has OP RESULT ERRNO PATH-RE
	grep -E "op=$1 .*project=$P1 .*path=$4[ ].*result=$2 .*errno=$3 .*duration_us=[0-9]+" \
		"$T/helper.log" > /dev/null && return 0
	echo "# no audit line for op=$1 result=$2 errno=$3 path=$4"
	return 1
}
check "the audit log has a line per operation (ok)" bash -c "
	$(declare -f audit_has); T='$T' P1='$P1'
	for op in fs-mkdir fs-unlink fs-rmdir fs-rename fs-link fs-symlink fs-chmod \
		fs-truncate fs-copy fs-rm fs-utimes fs-stat fs-list fs-open-read \
		fs-open-write fs-replace; do
		audit_has \$op ok 0 '[^ ]+' || exit 1
	done"
check "the audit log records failures with their errno" \
	audit_has fs-mkdir '[a-z-]+' 2 'nope/x'
check "the audit log has commit and abort" bash -c "
	grep -Eq 'op=fs-commit .*result=ok' '$T/helper.log' &&
	grep -Eq 'op=fs-abort ' '$T/helper.log'"
check "the audit log escapes paths" \
	grep -q 'path=x\\x0ay/z' "$T/helper.log"
check "no connection process was killed by seccomp or a crash" \
	bash -c "! grep -q 'killed by signal' '$T/helper.log'"

# the log goes away with $T: keep what explains a failure
if [ "$n_fail" != 0 ]; then
	grep -E 'killed by signal|result=(error|refused|bad-frame)' "$T/helper.log" |
		head -60 | sed 's/^/# helper: /'
fi
finish
