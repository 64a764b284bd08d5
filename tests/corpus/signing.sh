#!/bin/sh
# signing.sh: signed images and fleet trust end to end through the CLI, in a
# temporary directory: nomosc keygen / build --sign / sign, nomos-vm verify
# (each refusal and its exit status), eval after a refusal (fail-closed DENY,
# image_error), rollback state, expiry, --allow-unsigned, Nomos RSA bundle
# signatures. Run by `make test` with B, NOMOSC, NOMOS_VM; one summary line last.
set -u
B=${B:-build}
NOMOSC=${NOMOSC:-$B/nomosc}
NOMOS_VM=${NOMOS_VM:-$B/nomos-vm}
case $NOMOSC in /*) ;; *) NOMOSC=$(pwd)/$NOMOSC ;; esac
case $NOMOS_VM in /*) ;; *) NOMOS_VM=$(pwd)/$NOMOS_VM ;; esac
ROOT=$(pwd)
SAFE=$ROOT/corpus/conformance/upstream/policies/safe.yaml
SIG=$ROOT/corpus/conformance/signature
ACTION=$ROOT/corpus/quickstart/allow-readme.json
# The defaults under test: nothing from the caller's environment.
unset NOMOS_ALLOW_UNSIGNED NOMOS_TRUST NOMOS_STATE NOMOS_IMAGE
T=$(mktemp -d "${TMPDIR:-/tmp}/nomos-signing.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1

# fail, ok, expect and the $checks / $failed counts
. "$ROOT/tests/support/expect.sh"

# flip FILE OFFSET: xor the byte at OFFSET with 1.
flip() {
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "\\$(printf %o $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

# ---- keys ----
id=$("$NOMOSC" keygen ci 2>/dev/null)
if printf '%s' "$id" | grep -qx '[0-9a-f]\{16\}'; then ok; else fail "keygen: key id '$id'"; fi
[ "$(stat -c %a ci.key)" = 600 ] && ok || fail "keygen: ci.key mode $(stat -c %a ci.key)"
grep -q "^nomos-ed25519-public-v1 $id " ci.pub && ok || fail "keygen: ci.pub line"
if grep -q "$(cut -d' ' -f3 ci.key)" ci.pub; then fail "keygen: secret in ci.pub"; else ok; fi
expect 1 "refusing to overwrite" "keygen: no overwrite" -- "$NOMOSC" keygen ci
"$NOMOSC" keygen other >/dev/null 2>&1 || fail "keygen other"
expect 2 "\-\-comment needs a value" "keygen: --comment without value" -- "$NOMOSC" keygen x --comment
[ -e x.key ] && fail "keygen: usage error wrote a key" || ok
cp ci.pub trust.txt
cp other.pub trust-other.txt
{ cat ci.pub; echo "revoke $id leaked 2026-01-01"; } > trust-revoked.txt

# ---- build, sign, verify ----
expect 0 "signed s5.nbc with key $id" "build --sign" -- \
	"$NOMOSC" build "$SAFE" --revision 5 --sign ci.key -o s5.nbc
expect 0 "ok: signature verified, revision 5" "verify ok" -- \
	"$NOMOS_VM" verify -i s5.nbc --trust trust.txt
expect 0 "\"verdict\":\"ok\"" "verify json" -- \
	"$NOMOS_VM" verify -i s5.nbc --trust trust.txt --format json
expect 0 "\"key_id\":\"$id\",\"revision\":5" "verify json fields" -- \
	"$NOMOS_VM" verify -i s5.nbc --trust trust.txt --format json
expect 0 "\"decision\":\"ALLOW\"" "eval signed" -- \
	"$NOMOS_VM" eval -i s5.nbc --trust trust.txt "$ACTION"
expect 0 "ok" "verify via NOMOS_TRUST" -- env NOMOS_TRUST=trust.txt "$NOMOS_VM" verify -i s5.nbc

# ---- unsigned ----
"$NOMOSC" build "$SAFE" -o u.nbc 2>/dev/null || fail "build unsigned"
expect 10 "refused (unsigned)" "unsigned refused" -- "$NOMOS_VM" verify -i u.nbc --trust trust.txt
expect 10 "not signed" "unsigned refused, no trust" -- "$NOMOS_VM" verify -i u.nbc
expect 0 "unsigned (allowed)" "--allow-unsigned" -- "$NOMOS_VM" verify -i u.nbc --allow-unsigned
expect 0 "ALLOW" "NOMOS_ALLOW_UNSIGNED=1" -- env NOMOS_ALLOW_UNSIGNED=1 "$NOMOS_VM" eval -i u.nbc "$ACTION"
expect 10 "" "NOMOS_ALLOW_UNSIGNED=0" -- env NOMOS_ALLOW_UNSIGNED=0 "$NOMOS_VM" verify -i u.nbc
expect 1 "\"decision\":\"DENY\",.*\"reason_code\":\"image_error\"" "eval unsigned = DENY" -- \
	"$NOMOS_VM" eval -i u.nbc "$ACTION"
expect 1 "image is not signed" "eval unsigned says why" -- "$NOMOS_VM" eval -i u.nbc "$ACTION"
expect 1 "image is not signed" "explain unsigned" -- "$NOMOS_VM" explain -i u.nbc "$ACTION"
expect 1 "" "inspect unsigned" -- "$NOMOS_VM" inspect -i u.nbc

# ---- nomosc sign ----
cp u.nbc later.nbc
expect 0 "signed later.nbc" "nomosc sign" -- "$NOMOSC" sign later.nbc --key ci.key
expect 0 "signature verified" "sign then verify" -- "$NOMOS_VM" verify -i later.nbc --trust trust.txt
cmp -s -n $(($(wc -c < u.nbc) - 80)) u.nbc later.nbc && ok || fail "sign changed more than SIG"
cp ci.key loose.key && chmod 644 loose.key
expect 1 "chmod 600" "sign: loose key refused" -- "$NOMOSC" sign later.nbc --key loose.key
expect 1 "not a nomos image\|invalid image" "sign: not an image" -- "$NOMOSC" sign ci.pub --key ci.key
expect 2 "\-\-key needs a value" "sign: --key without value" -- "$NOMOSC" sign later.nbc --key

# ---- no trust store ----
expect 16 "no trust store" "signed, no trust" -- "$NOMOS_VM" verify -i s5.nbc
expect 0 "NOT checked" "signed, no trust, --allow-unsigned" -- \
	"$NOMOS_VM" verify -i s5.nbc --allow-unsigned
expect 0 "warning: .*accepting it unchecked" "warning on stderr" -- \
	"$NOMOS_VM" eval -i s5.nbc --allow-unsigned "$ACTION"

# ---- unknown, revoked ----
expect 11 "not in the trust store" "unknown key" -- "$NOMOS_VM" verify -i s5.nbc --trust trust-other.txt
expect 12 "revokes" "revoked key" -- "$NOMOS_VM" verify -i s5.nbc --trust trust-revoked.txt
expect 12 "revoked" "revoked even with --allow-unsigned" -- \
	"$NOMOS_VM" verify -i s5.nbc --trust trust-revoked.txt --allow-unsigned
expect 1 "\"reason_code\":\"image_error\"" "eval revoked = DENY" -- \
	"$NOMOS_VM" eval -i s5.nbc --trust trust-revoked.txt "$ACTION"
expect 1 "\"decision\":\"DENY\"" "eval --jsonl revoked = DENY" -- \
	sh -c "\"\$0\" eval -i s5.nbc --trust trust-revoked.txt --jsonl < \"\$1\"" "$NOMOS_VM" "$ACTION"

# ---- tampering ----
size=$(wc -c < s5.nbc)
cp s5.nbc t1.nbc && flip t1.nbc 1000
expect 1 "content hash mismatch" "tamper: section byte" -- "$NOMOS_VM" verify -i t1.nbc --trust trust.txt
cp s5.nbc t2.nbc && flip t2.nbc 33
expect 1 "invalid image" "tamper: revision byte" -- "$NOMOS_VM" verify -i t2.nbc --trust trust.txt
cp s5.nbc t3.nbc && flip t3.nbc $((size - 10))
expect 13 "bad signature" "tamper: signature byte" -- "$NOMOS_VM" verify -i t3.nbc --trust trust.txt
cp s5.nbc t4.nbc && flip t4.nbc $((size - 70))
expect 11 "" "tamper: key id byte" -- "$NOMOS_VM" verify -i t4.nbc --trust trust.txt
expect 1 "\"reason_code\":\"image_error\"" "eval tampered = DENY" -- \
	"$NOMOS_VM" eval -i t3.nbc --trust trust.txt "$ACTION"

# ---- expiry ----
"$NOMOSC" build "$SAFE" --expires @1000 --sign ci.key -o old.nbc 2>/dev/null || fail "build expired"
expect 14 "expired at 1970-01-01T00:16:40Z" "expired" -- "$NOMOS_VM" verify -i old.nbc --trust trust.txt
"$NOMOSC" build "$SAFE" --expires 2999-01-01T00:00:00Z --sign ci.key -o fresh.nbc 2>/dev/null
expect 0 "expires 2999-01-01T00:00:00Z" "not expired" -- "$NOMOS_VM" verify -i fresh.nbc --trust trust.txt

# ---- rollback ----
"$NOMOSC" build "$SAFE" --revision 3 --sign ci.key -o s3.nbc 2>/dev/null || fail "build rev 3"
expect 0 "" "state: first accept" -- "$NOMOS_VM" verify -i s3.nbc --trust trust.txt --state st
grep -qx "nomos-state-v1 3" st && ok || fail "state after rev 3: $(cat st)"
expect 0 "" "state: newer accepted" -- "$NOMOS_VM" verify -i s5.nbc --trust trust.txt --state st
grep -qx "nomos-state-v1 5" st && ok || fail "state after rev 5: $(cat st)"
expect 15 "revision 3 is older than revision 5" "rollback refused" -- \
	"$NOMOS_VM" verify -i s3.nbc --trust trust.txt --state st
expect 1 "rollback refused" "eval rollback = DENY" -- \
	env NOMOS_STATE=st "$NOMOS_VM" eval -i s3.nbc --trust trust.txt "$ACTION"
expect 0 "" "same revision again" -- "$NOMOS_VM" verify -i s5.nbc --trust trust.txt --state st
grep -qx "nomos-state-v1 5" st && ok || fail "state changed: $(cat st)"
expect 15 "" "unsigned allowed, still rollback-checked" -- \
	"$NOMOS_VM" verify -i u.nbc --allow-unsigned --trust trust.txt --state st
"$NOMOSC" build "$SAFE" --revision 9 -o u9.nbc 2>/dev/null || fail "build unsigned rev 9"
expect 0 "" "unsigned rev 9 allowed" -- \
	"$NOMOS_VM" verify -i u9.nbc --allow-unsigned --trust trust.txt --state st
grep -qx "nomos-state-v1 5" st && ok || fail "unsigned image moved the state: $(cat st)"
echo "garbage" > bad-state
expect 1 "malformed" "corrupt state refused" -- \
	"$NOMOS_VM" verify -i s5.nbc --trust trust.txt --state bad-state

# ---- trust file errors ----
printf 'key %s AAAA\n' "$id" > bad-trust.txt
expect 1 "bad-trust.txt:1: bad public key" "trust file error" -- \
	"$NOMOS_VM" verify -i s5.nbc --trust bad-trust.txt
expect 1 "cannot read trust file" "missing trust file" -- \
	"$NOMOS_VM" verify -i s5.nbc --trust nowhere.txt

# ---- Nomos RSA bundle signatures (spec §4.5) ----
expect 0 "verified the RSA signature of 1 source file" "rsa ok" -- \
	"$NOMOSC" build --bundle-pubkey "$SIG/test_pub.pem" --bundle-signature "$SIG/bundle.sig" \
	"$SIG/bundle.json" -o rsa.nbc
expect 1 "policy bundle signature verification failed" "rsa tampered" -- \
	"$NOMOSC" build --bundle-pubkey "$SIG/test_pub.pem" --bundle-signature "$SIG/bundle.sig" \
	"$SIG/bundle_tampered.json" -o rsa2.nbc
[ -f rsa2.nbc ] && fail "rsa tampered: image written" || ok
expect 1 "signature must be base64" "rsa bad.sig" -- \
	"$NOMOSC" build --bundle-pubkey "$SIG/test_pub.pem" --bundle-signature "$SIG/bad.sig" \
	"$SIG/bundle.json" -o rsa3.nbc
expect 1 "invalid rsa public key" "rsa pkcs1 key" -- \
	"$NOMOSC" build --bundle-pubkey "$SIG/test_pub_pkcs1.pem" --bundle-signature "$SIG/bundle.sig" \
	"$SIG/bundle.json" -o rsa4.nbc
expect 1 "invalid public key pem" "rsa no pem" -- \
	"$NOMOSC" build --bundle-pubkey "$SIG/bundle.json" --bundle-signature "$SIG/bundle.sig" \
	"$SIG/bundle.json" -o rsa5.nbc
expect 2 "signature and public key paths are required" "rsa no key" -- \
	"$NOMOSC" build --bundle-signature "$SIG/bundle.sig" "$SIG/bundle.json" -o rsa6.nbc
expect 2 "one per file" "rsa count" -- \
	"$NOMOSC" build --bundle-pubkey "$SIG/test_pub.pem" --bundle-signature "$SIG/bundle.sig" \
	"$SIG/bundle.json" "$SAFE" -o rsa7.nbc
expect 0 "signed rsa8.nbc" "rsa + sign" -- \
	"$NOMOSC" build --bundle-pubkey "$SIG/test_pub.pem" --bundle-signature "$SIG/bundle.sig" \
	--sign ci.key "$SIG/bundle.json" -o rsa8.nbc
# The bytes compiled are the bytes verified: a FIFO serves the signed bundle to
# the signature check and other rules to the compiler (a file swapped between
# the two reads); the build must refuse, not compile the unverified rules.
if mkfifo swap.json 2>/dev/null; then
	printf '%s\n' '{"version":"v1","rules":[{"id":"evil","action_type":"fs.read","resource":"file://workspace/**","decision":"ALLOW"}]}' > evil.json
	# Each write blocks until a reader opens the FIFO; the pause lets the
	# signature check see end of file before the second writer arrives.
	(cat "$SIG/bundle.json" > swap.json; sleep 1; cat evil.json > swap.json) &
	expect 1 "changed after its RSA signature was verified" "rsa: file swapped after verify" -- \
		"$NOMOSC" build --bundle-pubkey "$SIG/test_pub.pem" --bundle-signature "$SIG/bundle.sig" \
		swap.json -o rsa9.nbc
	wait
	[ -f rsa9.nbc ] && fail "rsa: swapped file compiled" || ok
fi

# ---- --revision and --expires are parsed strictly (usage errors, exit 2) ----
for r in -5 " 5" +5 5x 0x10 "" 18446744073709551616; do
	expect 2 "\-\-revision takes a decimal integer" "revision '$r' refused" -- \
		"$NOMOSC" build "$SAFE" --revision "$r" -o bad.nbc
done
expect 0 "" "revision 2^64-1" -- "$NOMOSC" build "$SAFE" --revision 18446744073709551615 -o max.nbc
for e in @0 1970-01-01T00:00:00Z 2027-02-30T00:00:00Z 2027-1-1T00:00:00Z 2027-01-01T-1:00:00Z \
	2027-01-01T24:00:00Z 2027-01-01T00:00:60Z 2027-01-01T00:00:00+02:00 2027-01-01 @-1 "@ 5" \
	2027-01-01T00:00:00.5Z; do
	expect 2 "\-\-expires takes a date" "expires '$e' refused" -- \
		"$NOMOSC" build "$SAFE" --expires "$e" -o bad.nbc
done
[ -f bad.nbc ] && fail "a refused --revision/--expires wrote an image" || ok
"$NOMOSC" build "$SAFE" --expires 2028-02-29t12:00:00z --sign ci.key -o leap.nbc 2>/dev/null ||
	fail "build --expires leap day"
expect 0 "expires 2028-02-29T12:00:00Z" "leap day, lower-case t/z" -- \
	"$NOMOS_VM" verify -i leap.nbc --trust trust.txt
expect 0 "warning: --expires 1970-01-01T00:16:40Z is already past" "past expiry warns" -- \
	"$NOMOSC" build "$SAFE" --expires @1000 -o past.nbc

echo "signing: $checks checks passed, $failed failed"
[ "$failed" -eq 0 ]
