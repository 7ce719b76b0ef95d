#!/bin/bash
# corrald end to end: the real helper as root, corrald started as root and
# dropping to "nobody" (the test policy's frontend_user), driven with curl.
# Tokens accepted and refused (with their audit lines), create, every file
# operation, streamed upload/download (100 MiB, bounded memory), limits
# (413, 429, idle connections, slow headers), an interrupted upload.
set -u
. "$top_srcdir/tests/integration/lib.sh"
require_root
command -v curl > /dev/null || skip "curl not installed"
CORRALD_BIN="$top_builddir/frontend/corrald"
getent passwd nobody > /dev/null || skip "no user nobody"

# ok_if DESC 'SHELL CONDITION': a check on a compound condition
ok_if() { local d="$1"; shift; if eval "$*"; then ok "$d"; else not_ok "$d"; fi; }

make_world
start_helper "$T/helper.log" || { not_ok "helper starts"; finish; }
CTL="$T/bin/corralctl"

"$CTL" token keygen --out "$T/hub" && "$CTL" token keygen --out "$T/other"
chmod 0644 "$T/hub.pub"
PORT=$((20000 + $$ % 20000))
U="http://127.0.0.1:$PORT"
P=0c6f1f9e-2d3b-4c5a-8e7f-112233445566
P2=0c6f1f9e-2d3b-4c5a-8e7f-aaaaaaaaaaaa
HOME_P="$T/homes/$P"

write_conf() { # write_conf EXTRA-LIMITS-LINES
	cat > "$T/corrald.conf" <<EOC
# corrald test configuration
[listen]
address = 127.0.0.1:$PORT
[auth]
host_id = test-host
public_keys = $T/hub.pub
[helper]
socket = $SOCK
[limits]
max_body = 200M
connection_timeout = 4
connections = 2000
connections_per_ip = 1000
rate_per_address = 10000
burst_per_address = 10000
$1
[daemon]
user = nobody
EOC
}

start_corrald() {
	"$CORRALD_BIN" --config "$T/corrald.conf" --log-stderr 2>> "$T/corrald.log" &
	CORRALD_PID=$!
	PIDS="$PIDS $CORRALD_PID"
	for _ in $(seq 1 100); do
		curl -s -o /dev/null "$U/healthz" && return 0
		sleep 0.05
	done
	cat "$T/corrald.log"
	return 1
}

write_conf "rate_per_token = 10000
burst_per_token = 10000"
"$CORRALD_BIN" --config "$T/corrald.conf" --check > /dev/null
check "corrald --check accepts the configuration" [ $? = 0 ]
printf '[listen]\naddress = 127.0.0.1:1\nbogus = 1\n' > "$T/bad.conf"
out=$("$CORRALD_BIN" --config "$T/bad.conf" --check 2>&1)
check "a bad configuration is refused with file:line" \
	grep -q "bad.conf:3: unknown key 'bogus' in \[listen\]" <<< "$out"
sed 's/^user = nobody/user = root/' "$T/corrald.conf" > "$T/root.conf"
out=$(timeout 5 "$CORRALD_BIN" --config "$T/root.conf" 2>&1)
rc=$?
ok_if "corrald refuses to run as root (user = root)" \
	'[ $rc != 0 ] && grep -q "refusing to run as root" <<< "$out"' 

start_corrald || { not_ok "corrald starts"; finish; }
ok "corrald starts"
uids=$(awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$CORRALD_PID/status")
gids=$(awk '/^Gid:/ {print $2, $3, $4, $5}' "/proc/$CORRALD_PID/status")
nobody_uid=$(id -u nobody) nobody_gid=$(id -g nobody)
ok_if "corrald runs as nobody (all four uids and gids)" \
	'[ "$uids" = "$nobody_uid $nobody_uid $nobody_uid $nobody_uid" ] &&
	 [ "$gids" = "$nobody_gid $nobody_gid $nobody_gid $nobody_gid" ]' 
check "corrald has no supplementary groups" \
	grep -Eq '^Groups:[[:space:]]*$' "/proc/$CORRALD_PID/status"
ok_if "corrald has no_new_privs and no capabilities" \
	'grep -q "^NoNewPrivs:[[:space:]]*1" "/proc/$CORRALD_PID/status" &&
	 grep -Eq "^CapEff:[[:space:]]*0+$" "/proc/$CORRALD_PID/status" &&
	 grep -Eq "^CapPrm:[[:space:]]*0+$" "/proc/$CORRALD_PID/status"' 

mint() { "$CTL" token mint --key "$T/hub.key" --aud test-host --ttl 300 "$@"; }
TOK=$(mint --project "$P" --perms create,read,write)
TOK2=$(mint --project "$P" --perms create,read,write)
TOK_RO=$(mint --project "$P" --perms read)
TOK_P2=$(mint --project "$P2" --perms create,read,write)

# req TOKEN METHOD PATH [CURL-ARGS...]: prints the body, then the status
req() {
	local tok="$1" m="$2" p="$3"; shift 3
	curl -s -o "$T/body" -w '%{http_code}' -X "$m" \
		${tok:+-H "Authorization: Bearer $tok"} "$@" "$U$p"
}
fs() { # fs TOKEN OP JSON
	req "$1" POST "/v1/projects/$P/fs/$2" -H 'Content-Type: application/json' -d "$3"
}
body_has() { grep -q -- "$1" "$T/body"; }
audit_has() { grep -q -- "$1" "$T/corrald.log"; }

check "healthz answers 200" [ "$(req "" GET /healthz)" = 200 ]
big=$(head -c 40000 /dev/zero | tr '\0' a)
check "headers over the connection memory: 431" \
	[ "$(req "" GET /healthz -H "X-Big: $big")" = 431 ]
check "unknown endpoint: 404 JSON" [ "$(req "" GET /v1/nothing)" = 404 ]
check "wrong method: 405" [ "$(req "" DELETE /healthz)" = 405 ]

# ---------------------------------------------------------------- tokens
check "valid token: create 200" [ "$(req "$TOK" PUT "/v1/projects/$P")" = 200 ]
check "create returns the project uid" body_has '"uid":1900'
check "create audited" audit_has "event=request endpoint=create op=create .*prj=$P .*result=ok"
ok_if "the token itself is never logged" '! grep -qF "$TOK" "$T/corrald.log"' 

# refused: status, reason in the audit line
refused() { # refused DESC WANT-STATUS REASON TOKEN [PATH]
	local st
	st=$(req "$4" POST "/v1/projects/$P/fs/stat" -d '{"path":"."}')
	if [ "$st" = "$2" ] && grep -q "event=auth result=deny reason=$3 " "$T/corrald.log"; then
		ok "$1: $st, audited reason=$3"
	else
		not_ok "$1: got $st (want $2), reason=$3 audited: $(grep -c "reason=$3 " "$T/corrald.log")"
	fi
}
# one letter in the middle of the signature changed
sig=${TOK##*.}
c=${sig:20:1}; [ "$c" = A ] && n=B || n=A
bad_sig="${TOK%.*}.${sig:0:20}$n${sig:21}"
refused "bad signature" 401 bad_signature "$bad_sig"
refused "signed by another key" 401 bad_signature \
	"$("$CTL" token mint --key "$T/other.key" --aud test-host --ttl 60 --project "$P" --perms read)"
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
claims=$(printf '%s' "$TOK" | cut -d. -f2)
refused "alg none" 401 bad_alg "$(printf '{"alg":"none"}' | b64url).$claims.AAAA"
claims_json=$(printf '{"sub":"a","prj":"%s","perms":["read"],"aud":"test-host","iat":%d,"exp":%d,"jti":"h"}' \
	"$P" "$(date +%s)" "$(($(date +%s) + 60))")
refused "alg HS256 keyed with the public key" 401 bad_alg \
	"$("$top_builddir/tests/helpers/jwt-sign" --hs256 "$T/hub.pub" '{"alg":"HS256","typ":"JWT"}' "$claims_json")"
refused "expired" 401 expired "$(mint --time-offset -400 --project "$P" --perms read)"
refused "nbf in the future" 401 not_yet_valid "$(mint --nbf-offset 120 --project "$P" --perms read)"
refused "wrong audience" 401 wrong_audience \
	"$("$CTL" token mint --key "$T/hub.key" --aud other-host --ttl 60 --project "$P" --perms read)"
refused "token for another project" 403 wrong_project "$TOK_P2"
refused "malformed base64" 401 malformed "$(printf '%s' "$TOK" | sed 's/^./*/')"
refused "oversized token" 401 oversized "$(head -c 5000 /dev/zero | tr '\0' 'A')"
refused "no token" 401 missing ""
dup_claims=$(printf '{"sub":"a","prj":"%s","prj":"x","perms":["read"],"aud":"test-host","iat":%d,"exp":%d,"jti":"d"}' \
	"$P" "$(date +%s)" "$(($(date +%s) + 60))")
# signed for real: a duplicate must be refused after the signature checks out
dup_tok=$("$top_builddir/tests/helpers/jwt-sign" "$T/hub.key" '{"alg":"EdDSA"}' "$dup_claims")
refused "duplicate claims" 401 duplicate_key "$dup_tok"
st=$(req "$TOK_RO" POST "/v1/projects/$P/fs/mkdir" -d '{"path":"ro"}')
ok_if "missing permission: 403 and audited" \
	'[ "$st" = 403 ] && audit_has "reason=missing_permission .*endpoint=fs"' 
check "refused mkdir did nothing" [ ! -e "$HOME_P/ro" ]
check "metrics count auth failures by reason" \
	sh -c "curl -s $U/metrics | grep -q 'corrald_auth_failures_total{reason=\"bad_signature\"} 2'"

# ---------------------------------------------------------------- file ops
fsok() { # fsok DESC OP JSON
	local st
	st=$(fs "$TOK" "$2" "$3")
	if [ "$st" = 200 ]; then ok "$1"; else not_ok "$1 ($st: $(cat "$T/body"))"; fi
}
fsok "mkdir -p" mkdir '{"path":"d/e/f","parents":true,"mode":"0750"}'
check "mkdir made it, as the project" [ "$(stat -c %u "$HOME_P/d/e/f")" = 1900000000 ]
echo one > "$T/one"
check "upload small file" [ "$(req "$TOK" PUT "/v1/projects/$P/files/d/one.txt?mode=0640" -T "$T/one")" = 200 ]
check "uploaded file is byte-identical" cmp -s "$T/one" "$HOME_P/d/one.txt"
check "upload honours mode" [ "$(stat -c %a "$HOME_P/d/one.txt")" = 640 ]
ok_if "download small file" '[ "$(req "$TOK" GET "/v1/projects/$P/files/d/one.txt")" = 200 ] && cmp -s "$T/one" "$T/body"' 
fsok "stat" stat '{"path":"d/one.txt"}'
ok_if "stat reports size and type" 'body_has "\"type\":\"regular\"" && body_has "\"size\":4"' 
fsok "copy" copy '{"path":"d/one.txt","path2":"d/two.txt"}'
check "copy made the same bytes" cmp -s "$HOME_P/d/one.txt" "$HOME_P/d/two.txt"
fsok "rename" rename '{"path":"d/two.txt","path2":"d/three.txt"}'
check "renamed" [ -f "$HOME_P/d/three.txt" -a ! -e "$HOME_P/d/two.txt" ]
check "rename noreplace refuses an existing target: 409" \
	[ "$(fs "$TOK" rename '{"path":"d/three.txt","path2":"d/one.txt","noreplace":true}')" = 409 ]
fsok "link" link '{"path":"d/one.txt","path2":"d/hard.txt"}'
check "hard link shares the inode" [ "$(stat -c %i "$HOME_P/d/one.txt")" = "$(stat -c %i "$HOME_P/d/hard.txt")" ]
fsok "symlink" symlink '{"path":"d/sym","target":"one.txt"}'
check "symlink content" [ "$(readlink "$HOME_P/d/sym")" = one.txt ]
check "download through a symlink is refused" [ "$(req "$TOK" GET "/v1/projects/$P/files/d/sym")" != 200 ]
fsok "chmod" chmod '{"path":"d/three.txt","mode":384}'
check "chmod applied" [ "$(stat -c %a "$HOME_P/d/three.txt")" = 600 ]
check "chmod setuid refused: 4xx" [ "$(fs "$TOK" chmod '{"path":"d/three.txt","mode":"4755"}' | cut -c1)" = 4 ]
fsok "truncate" truncate '{"path":"d/three.txt","size":100}'
check "truncated to 100" [ "$(stat -c %s "$HOME_P/d/three.txt")" = 100 ]
fsok "utimes" utimes '{"path":"d/three.txt","mtime":1000000000000000000,"atime":1000000000000000000}'
check "mtime set" [ "$(stat -c %Y "$HOME_P/d/three.txt")" = 1000000000 ]
fsok "list" list '{"path":"d"}'
ok_if "list shows the entries" \
	'body_has "\"name\":\"one.txt\"" && body_has "\"name\":\"sym\"" && body_has "\"type\":\"symlink\""' 
fsok "unlink" unlink '{"path":"d/hard.txt"}'
check "unlinked" [ ! -e "$HOME_P/d/hard.txt" ]
fsok "rmdir" rmdir '{"path":"d/e/f"}'
fsok "rm -r" rm '{"path":"d/e","recursive":true}'
check "rm -r removed the tree" [ ! -e "$HOME_P/d/e" ]
check "stat of a missing file: 404" [ "$(fs "$TOK" stat '{"path":"nope"}')" = 404 ]
check "path escaping the home: 4xx" [ "$(fs "$TOK" stat '{"path":"../x"}' | cut -c1)" = 4 ]
check "unknown body key: 400" [ "$(fs "$TOK" stat '{"path":"d","bogus":1}')" = 400 ]
check "duplicate body key: 400" [ "$(fs "$TOK" stat '{"path":"d","path":"x"}')" = 400 ]
check "trailing garbage in body: 400" [ "$(fs "$TOK" stat '{"path":"d"} x')" = 400 ]
check "%00 in a file URL: 400" [ "$(req "$TOK" GET "/v1/projects/$P/files/d/one.txt%00x")" = 400 ]
check "unknown fs op: 404" [ "$(fs "$TOK" chown '{"path":"d"}')" = 404 ]
check "file operations audited with path" audit_has "op=rename .*path=d/two.txt path2=d/three.txt result=ok"
# audit values are escaped: a path and a claim with a newline, a space, '='
fs "$TOK" stat '{"path":"evil\nop=forged x=y"}' > /dev/null
check "a path with control characters is escaped in the audit line" \
	audit_has 'path=evil\\x0aop\\x3dforged\\x20x\\x3dy '
ok_if "no forged audit line" '! grep -q "^op=forged" "$T/corrald.log"'
TOK_EVIL=$(mint --sub "$(printf 'eve\033[31m sub=root')" --project "$P2" --perms read)
req "$TOK_EVIL" POST "/v1/projects/$P/fs/stat" -d '{"path":"."}' > /dev/null
check "a claim with an escape sequence is escaped in the audit line" \
	audit_has 'reason=wrong_project .*sub=eve\\x1b\[31m\\x20sub\\x3droot '
ok_if "no raw escape character in the audit log" '! grep -q "$(printf "\033")" "$T/corrald.log"' 

# ---------------------------------------------------------------- corralctl --url
printf '%s\n' "$TOK" > "$T/tok"
C() { "$CTL" --url "$U" --token-file "$T/tok" "$@"; }
check "corralctl --url ping" C ping
check "corralctl --url create prints the uid" [ "$(C create "$P")" = 1900000000 ]
check "corralctl --url fs mkdir -p" C fs "$P" mkdir -p ctl/sub
printf 'via corralctl\n' > "$T/ctl-in"
check "corralctl --url fs put (from a pipe)" sh -c "cat '$T/ctl-in' | '$CTL' --url '$U' --token-file '$T/tok' fs '$P' put ctl/sub/f.txt"
check "corralctl --url fs put (from a file)" sh -c "'$CTL' --url '$U' --token-file '$T/tok' fs '$P' put --mode 600 ctl/g.txt < '$T/ctl-in'"
check "corralctl --url fs cat gives the bytes back" sh -c "'$CTL' --url '$U' --token-file '$T/tok' fs '$P' cat ctl/sub/f.txt | cmp -s - '$T/ctl-in'"
check "put --mode applied" [ "$(stat -c %a "$HOME_P/ctl/g.txt")" = 600 ]
out=$(C fs "$P" ls ctl)
ok_if "corralctl --url fs ls" 'grep -q "^f 0600 14 .* g.txt$" <<< "$out" && grep -q "^d .* sub$" <<< "$out"'
check "corralctl --url fs stat" sh -c "'$CTL' --url '$U' --token-file '$T/tok' fs '$P' stat ctl/g.txt | grep -q '^size: 14$'"
check "corralctl --url fs mv, ln -s, touch, rm -r" sh -c "C() { '$CTL' --url '$U' --token-file '$T/tok' \"\$@\"; };
	C fs '$P' mv ctl/g.txt ctl/h.txt && C fs '$P' ln -s h.txt ctl/l && C fs '$P' touch ctl/new &&
	[ -f '$HOME_P/ctl/new' ] && [ \"\$(readlink '$HOME_P/ctl/l')\" = h.txt ] && C fs '$P' rm -r ctl && [ ! -e '$HOME_P/ctl' ]"
err=$(C fs "$P" stat nope 2>&1); rc=$?
ok_if "corralctl --url failure: exit 1, 'corralctl: OP PATH: reason'" \
	'[ $rc = 1 ] && grep -q "^corralctl: stat nope: No such file or directory.*HTTP 404" <<< "$err"'
printf '%s\n' "$TOK_RO" > "$T/tok-ro"
err=$("$CTL" --url "$U" --token-file "$T/tok-ro" fs "$P" mkdir x 2>&1)
ok_if "corralctl --url with a read-only token: refused" 'grep -q "lacks permission .write.*HTTP 403" <<< "$err"'

# ---------------------------------------------------------------- big file
head -c 100M /dev/urandom > "$T/big"
hwm0=$(awk '/^VmHWM:/ {print $2}' "/proc/$CORRALD_PID/status")
st=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOK2" \
	-T "$T/big" "$U/v1/projects/$P/files/big.bin")
check "upload 100 MiB" [ "$st" = 200 ]
check "100 MiB upload byte-identical" cmp -s "$T/big" "$HOME_P/big.bin"
st=$(curl -s -o "$T/big.down" -w '%{http_code}' -H "Authorization: Bearer $TOK2" \
	"$U/v1/projects/$P/files/big.bin")
ok_if "download 100 MiB byte-identical" '[ "$st" = 200 ] && cmp -s "$T/big" "$T/big.down"' 
hwm1=$(awk '/^VmHWM:/ {print $2}' "/proc/$CORRALD_PID/status")
echo "# corrald VmHWM before ${hwm0} kB, after ${hwm1} kB"
check "corrald peak memory grew by less than 8 MiB for 200 MiB streamed" \
	[ $((hwm1 - hwm0)) -lt 8192 ]
rm -f "$T/big.down" "$HOME_P/big.bin"

# ---------------------------------------------------------------- limits
kill -TERM "$CORRALD_PID"; wait "$CORRALD_PID" 2>/dev/null
write_conf "max_json = 1024
rate_per_token = 2
burst_per_token = 4"
sed -i 's/^max_body = 200M/max_body = 1M/' "$T/corrald.conf"
start_corrald || { not_ok "corrald restarts"; finish; }
TOK3=$(mint --project "$P" --perms read,write)
head -c 2M /dev/urandom > "$T/two-mib"
st=$(req "$TOK3" PUT "/v1/projects/$P/files/toobig.bin" -T "$T/two-mib")
check "upload over max_body (Content-Length): 413" [ "$st" = 413 ]
check "nothing written for it" [ ! -e "$HOME_P/toobig.bin" ]
st=$(req "$TOK3" PUT "/v1/projects/$P/files/toobig.bin" -H 'Transfer-Encoding: chunked' -T - < "$T/two-mib")
check "chunked upload over max_body: 413" [ "$st" = 413 ]
sleep 0.5
check "nothing written, no temporary file left" \
	[ ! -e "$HOME_P/toobig.bin" -a -z "$(ls -A "$HOME_P" | grep corral-replace)" ]
big_json=$(printf '{"path":"%s"}' "$(head -c 2000 /dev/zero | tr '\0' a)")
check "JSON body over max_json: 413" [ "$(fs "$TOK3" stat "$big_json")" = 413 ]

# flood one token: 429 with Retry-After; another token still served
TOK4=$(mint --project "$P" --perms read)
codes="" ra=no
for i in $(seq 1 20); do
	st=$(curl -s -D "$T/hdr" -o /dev/null -w '%{http_code}' -X POST \
		-H "Authorization: Bearer $TOK4" -d '{"path":"d"}' "$U/v1/projects/$P/fs/stat")
	codes="$codes $st"
	[ "$st" = 429 ] && grep -qi '^Retry-After: [1-9]' "$T/hdr" && ra=yes
done
check "flood from one token gets 429 ($codes)" grep -q 429 <<< "$codes"
check "429 carries Retry-After" [ "$ra" = yes ]
check "another token is still served" [ "$(fs "$TOK2" stat '{"path":"d"}')" = 200 ]
check "rate limit audited" audit_has "reason=rate_limited_token"

# 500 idle connections do not keep a new client out
fds=()
for _ in $(seq 1 500); do
	exec {fd}<>"/dev/tcp/127.0.0.1/$PORT" || break
	fds+=("$fd")
done
check "500 idle connections open" [ "${#fds[@]}" = 500 ]
st=$(curl -s -m 3 -o /dev/null -w '%{http_code}' "$U/healthz")
check "a new client is served beside them" [ "$st" = 200 ]
for fd in "${fds[@]}"; do exec {fd}>&-; done

# slow headers: cut off after connection_timeout (4 s)
exec {slow}<>"/dev/tcp/127.0.0.1/$PORT"
printf 'GET /healthz HTTP/1.1\r\nHost: x\r\n' >&"$slow"
t0=$(date +%s)
timeout 20 cat <&"$slow" > /dev/null
t1=$(date +%s)
exec {slow}>&-
check "slow-header client cut off by the server ($((t1 - t0)) s)" [ $((t1 - t0)) -lt 15 ]

# a client that disconnects mid-upload leaves the old file intact
echo "old contents" > "$T/old"
req "$TOK2" PUT "/v1/projects/$P/files/keep.txt" -T "$T/old" > /dev/null
mkfifo "$T/fifo"
curl -s -o /dev/null -H "Authorization: Bearer $TOK2" -H 'Transfer-Encoding: chunked' \
	-T - "$U/v1/projects/$P/files/keep.txt" < "$T/fifo" &
curl_pid=$!
exec {w}> "$T/fifo"
head -c 300K /dev/urandom >&"$w"
sleep 1
kill -KILL "$curl_pid"; wait "$curl_pid" 2>/dev/null
exec {w}>&-
sleep 1
check "interrupted upload: old file intact" cmp -s "$T/old" "$HOME_P/keep.txt"
check "interrupted upload: no temporary file left" [ -z "$(ls -A "$HOME_P" | grep corral-replace)" ]
check "interrupted upload audited as aborted" audit_has "op=upload-abort .*path=keep.txt"

# ---------------------------------------------------------------- unix socket, single use
kill -TERM "$CORRALD_PID"; wait "$CORRALD_PID" 2>/dev/null
write_conf "rate_per_token = 10000
burst_per_token = 10000"
sed -i "s|^address = .*|&\nunix = $T/run/corrald.sock|; s|^public_keys = .*|&\nsingle_use_tokens = yes|" "$T/corrald.conf"
start_corrald || { not_ok "corrald restarts"; finish; }
check "unix socket: owned by nobody, mode 0660" \
	[ "$(stat -c '%U %a' "$T/run/corrald.sock")" = "nobody 660" ]
TOK5=$(mint --project "$P" --perms read)
st=$(curl -s -o "$T/body" -w '%{http_code}' --unix-socket "$T/run/corrald.sock" \
	-H "Authorization: Bearer $TOK5" -X POST -d '{"path":"d"}' "http://x/v1/projects/$P/fs/stat")
check "unix socket: a request is served" [ "$st" = 200 ]
st=$(curl -s -o "$T/body" -w '%{http_code}' --unix-socket "$T/run/corrald.sock" \
	-H "Authorization: Bearer $TOK5" -X POST -d '{"path":"d"}' "http://x/v1/projects/$P/fs/stat")
ok_if "single-use tokens: the same token again is refused (401, replayed)" \
	'[ "$st" = 401 ] && audit_has "reason=replayed "'
mint --project "$P" --perms read > "$T/tok-once"
check "corralctl --url unix:PATH" "$CTL" --url "unix:$T/run/corrald.sock" \
	--token-file "$T/tok-once" fs "$P" stat d > /dev/null
# back to reusable tokens for the rest
kill -TERM "$CORRALD_PID"; wait "$CORRALD_PID" 2>/dev/null
# the socket stays behind (nobody cannot write $T/run); the next start
# replaces it
write_conf "rate_per_token = 10000
burst_per_token = 10000"
sed -i "s|^address = .*|&\nunix = $T/run/corrald.sock|" "$T/corrald.conf"
start_corrald || { not_ok "corrald restarts"; finish; }
st=$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$T/run/corrald.sock" http://x/healthz)
check "a stale Unix socket of a previous run is replaced at start" [ "$st" = 200 ]

# ---------------------------------------------------------------- socket activation
if command -v systemd-socket-activate > /dev/null; then
	PORT2=$((PORT + 1))
	systemd-socket-activate -l "127.0.0.1:$PORT2" "$CORRALD_BIN" \
		--config "$T/corrald.conf" --log-stderr 2>> "$T/corrald-sa.log" &
	SA_PID=$!           # systemd-socket-activate execs corrald in place
	PIDS="$PIDS $SA_PID"
	for _ in $(seq 1 100); do    # until it listens
		st=$(curl -s -m 10 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT2/healthz")
		[ "$st" = 000 ] || break
		sleep 0.05
	done
	check "socket activation (LISTEN_FDS): corrald serves the passed socket" [ "$st" = 200 ]
	check "socket-activated corrald runs as nobody" \
		[ "$(awk '/^Uid:/ {print $3}' "/proc/$SA_PID/status")" = "$nobody_uid" ]
	kill -TERM "$SA_PID"; wait "$SA_PID" 2>/dev/null
else
	echo "# systemd-socket-activate not installed: socket activation not tested"
fi

# ---------------------------------------------------------------- lifecycle
TOKL=$(mint --project "$P" --perms start,stop,exec,read)
st=$(req "$TOKL" POST "/v1/projects/$P/start" -d '{}')
check "start: 200" [ "$st" = 200 ]
st=$(req "$TOKL" POST "/v1/projects/$P/exec" -d '{"argv":["/bin/sh","-c","echo hi; cat; exit 3"],"stdin":"in"}')
ok_if "exec: 200 with exit code and output" \
	'[ "$st" = 200 ] && body_has "\"exit_code\":3" && body_has "\"stdout\":\"hi\\\\nin\""'
printf '%s' "$TOKL" > "$T/tokl"
out=$("$CTL" --url "$U" --token-file "$T/tokl" exec "$P" --cwd /tmp -- /bin/sh -c 'pwd; exit 4')
rc=$?
ok_if "corralctl --url exec: PROJECT, options, --, command; output and status ($out, $rc)" \
	'[ "$out" = /tmp ] && [ "$rc" = 4 ]'
check "exec with a bad body: 400" \
	[ "$(req "$TOKL" POST "/v1/projects/$P/exec" -d '{"argv":[]}')" = 400 ]
check "exec with bad base64 stdin: 400" \
	[ "$(req "$TOKL" POST "/v1/projects/$P/exec" -d '{"argv":["cat"],"stdin_base64":"**"}')" = 400 ]
check "exec with both stdin forms: 400" \
	[ "$(req "$TOKL" POST "/v1/projects/$P/exec" -d '{"argv":["cat"],"stdin":"a","stdin_base64":"YQ=="}')" = 400 ]
# corrald killed outright: the project is the helper's, it keeps running
kill -KILL "$CORRALD_PID"; wait "$CORRALD_PID" 2>/dev/null
start_corrald
st=$(req "$TOKL" GET "/v1/projects/$P")
ok_if "after corrald was killed (SIGKILL) and restarted the project still runs" \
	'[ "$st" = 200 ] && body_has "\"running\":true"'
check "stop: 200" [ "$(req "$TOKL" POST "/v1/projects/$P/stop" -d '{"grace":1}')" = 200 ]
req "$TOKL" GET "/v1/projects/$P" > /dev/null
check "stopped" body_has '"running":false'

# ---------------------------------------------------------------- spawn mode
kill -TERM "$CORRALD_PID"; wait "$CORRALD_PID" 2>/dev/null
install -o root -g root -m 4755 "$HELPER_BIN" "$T/bin/corral-helper"
write_conf "rate_per_token = 10000
burst_per_token = 10000"
sed -i "s|^socket = .*|spawn = $T/bin/corral-helper\npolicy = $POLICY|" "$T/corrald.conf"
start_corrald || { not_ok "corrald starts in spawn mode"; finish; }
ok "corrald starts in spawn mode (healthz through a spawned helper)"
echo spawned > "$T/spawned"
check "spawn mode: upload through a helper corrald spawned" \
	[ "$(req "$TOK2" PUT "/v1/projects/$P/files/spawned.txt" -T "$T/spawned")" = 200 ]
check "spawn mode: the file is there, the project's" \
	[ "$(stat -c %u "$HOME_P/spawned.txt")" = 1900000000 ]
check "spawn mode: corrald has no_new_privs off (the helper needs its setuid bit)" \
	grep -q '^NoNewPrivs:[[:space:]]*0' "/proc/$CORRALD_PID/status"

# ---------------------------------------------------------------- per-address limit
kill -TERM "$CORRALD_PID"; wait "$CORRALD_PID" 2>/dev/null
write_conf ""
sed -i 's/^rate_per_address = .*/rate_per_address = 1/; s/^burst_per_address = .*/burst_per_address = 3/' "$T/corrald.conf"
start_corrald || { not_ok "corrald restarts"; finish; }
codes=""
for _ in $(seq 1 10); do codes="$codes $(req "$TOK2" POST "/v1/projects/$P/fs/stat" -d '{"path":"d"}')"; done
ok_if "flood from one address gets 429 ($codes)" \
	'grep -q 429 <<< "$codes" && audit_has "reason=rate_limited_address "'

ok_if "no crash in corrald" '! grep -Eq "AddressSanitizer|runtime error|Segmentation" "$T/corrald.log"' 
if [ "$n_fail" != 0 ]; then
	echo "# --- corrald.log (end)"; grep -E "download|error|reset|closed" "$T/corrald.log" | head -n 40 | sed 's/^/# /'
	echo "# --- helper.log (end)"; grep -E -B2 -A2 "open-read|disconnect|killed|signal" "$T/helper.log" | head -n 60 | sed 's/^/# /'
fi
finish
