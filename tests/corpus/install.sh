#!/bin/sh
# install.sh: `make install` / `make uninstall` into a temporary DESTDIR. Checks
# the installed layout, that libnomos.so exports only the nomos_ API, that
# <nomos/nomos.h> compiles alone (C99, C11, C++), then builds a small program
# against libnomos through pkg-config (shared and static), runs it on an image
# compiled by the installed nomosc from an installed starter pack, and checks
# that uninstall leaves no file behind. Run by `make test` with B; prints one
# summary line last; exits 1 on any failure.
set -u
B=${B:-build}
CC=${CC:-cc}
CFLAGS=${CFLAGS:-}
LDFLAGS=${LDFLAGS:-}
PREFIX=/opt/nomos-install-test
T=$(mktemp -d "${TMPDIR:-/tmp}/nomos-install.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
D=$T/dest
P=$D$PREFIX

checks=0; failed=0
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
pass() { checks=$((checks + 1)); }
check() { # description command...
	d=$1; shift
	if "$@" >"$T/out" 2>&1; then pass; else fail "$d"; tail -n 30 "$T/out"; fi
}

# Recursive make must not inherit a -C or jobs quirk: run it plainly, quietly.
if ! make --no-print-directory B="$B" PREFIX="$PREFIX" DESTDIR="$D" install >"$T/make.log" 2>&1; then
	cat "$T/make.log"
	echo "install: make install failed"
	exit 1
fi

for f in bin/nomosc bin/nomos-vm lib/libnomos.a lib/libnomos.so.0 lib/libnomos.so \
	lib/pkgconfig/nomos.pc include/nomos/nomos.h share/man/man1/nomosc.1 \
	share/man/man1/nomos-vm.1 share/nomos/stdlib-policies/safe-coding-agent.yaml; do
	check "installed $PREFIX/$f" test -e "$P/$f"
done
check "libnomos.so is a symlink to libnomos.so.0" \
	test "$(readlink "$P/lib/libnomos.so")" = libnomos.so.0
check "soname is libnomos.so.0" sh -c "objdump -p '$P/lib/libnomos.so.0' | grep -q 'SONAME *libnomos.so.0\$'"
for f in stdlib-policies/*.yaml stdlib-policies/*.nomos; do
	check "pack $f installed unchanged" cmp "$f" "$P/share/nomos/stdlib-policies/$(basename "$f")"
done
for m in nomosc nomos-vm; do
	check "man page $m.1 installed unchanged" cmp "docs/man/$m.1" "$P/share/man/man1/$m.1"
done
check "installed nomosc runs" "$P/bin/nomosc" --version
check "installed nomos-vm runs" "$P/bin/nomos-vm" --version

# Only the public API leaves the shared library.
nm -D --defined-only "$P/lib/libnomos.so.0" | awk 'NF == 3 { print $3 }' >"$T/exports"
check "libnomos.so exports symbols" test -s "$T/exports"
if grep -v '^nomos_' "$T/exports" >"$T/stray"; then
	fail "libnomos.so exports non-API symbols: $(tr '\n' ' ' <"$T/stray")"
else
	pass
fi

# pkg-config sees the DESTDIR copy once prefix is redefined to it.
export PKG_CONFIG_PATH="$P/lib/pkgconfig"
PC="pkg-config --define-variable=prefix=$P"
check "nomos.pc records PREFIX" grep -qx "prefix=$PREFIX" "$P/lib/pkgconfig/nomos.pc"
check "pkg-config --modversion nomos" $PC --modversion nomos
check "pkg-config --static resolves Requires.private" $PC --static --libs nomos
cflags=$($PC --cflags nomos) libs=$($PC --libs nomos)
slibs=$($PC --static --libs nomos | sed 's/-lnomos\b/-l:libnomos.a/')

# The header stands alone, in C and C++.
printf '#include <nomos/nomos.h>\nint nomos_h_alone(void);\nint nomos_h_alone(void) { return NOMOS_DENY; }\n' >"$T/alone.c"
for std in c99 c11; do
	check "nomos.h compiles alone (-std=$std)" $CC -std=$std -Wall -Wextra -Werror -pedantic \
		-Wstrict-prototypes -Wmissing-prototypes $cflags -c -o "$T/alone.o" "$T/alone.c"
done
if command -v c++ >/dev/null 2>&1; then
	check "nomos.h compiles alone (C++)" c++ -Wall -Wextra -Werror -pedantic $cflags \
		-x c++ -c -o "$T/alone.o" "$T/alone.c"
fi

# A tiny client: image ACTION.json DECISION RULE_ID HASH TRUST|-. Applies the
# trust policy (TRUST file, or "-" for none with unsigned images allowed),
# decides the action with the public API and checks the decision, the first
# matched rule id and the bundle hash; prints the result JSON. A refused image
# exits 3 with the verdict name.
cat >"$T/client.c" <<'EOF'
#include <nomos/nomos.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[] = { "ALLOW", "DENY", "REQUIRE_APPROVAL" };

int main(int argc, char **argv)
{
	struct nomos_image *img = NULL;
	struct nomos_trust *trust = NULL;
	struct nomos_check_opts co;
	enum nomos_verdict v;
	struct nomos_eval *ev;
	char err[256], json[65536];
	size_t n, idlen = 0;
	const char *id;
	FILE *f;
	int d, ok;

	if (argc != 7)
		return 2;
	f = fopen(argv[2], "rb");
	if (!f)
		return 2;
	n = fread(json, 1, sizeof json, f);
	fclose(f);
	if (nomos_image_open(argv[1], NULL, &img, err, sizeof err)) {
		fprintf(stderr, "client: %s\n", err);
		return 1;
	}
	memset(&co, 0, sizeof co);
	co.allow_unsigned = !strcmp(argv[6], "-");
	if (!co.allow_unsigned && nomos_trust_load(argv[6], &trust, err, sizeof err)) {
		fprintf(stderr, "client: %s\n", err);
		nomos_image_close(img);
		return 1;
	}
	co.trust = trust;
	v = nomos_image_check(img, &co, NULL, err, sizeof err);
	nomos_trust_free(trust);
	if (v != NOMOS_VERDICT_OK) {
		printf("refused %s: %s\n", nomos_verdict_name(v), err);
		nomos_image_close(img);
		return 3;
	}
	ev = nomos_eval_new(img, 0);
	if (!ev) {
		nomos_image_close(img);
		return 1;
	}
	d = nomos_eval_json(ev, json, n);
	id = nomos_eval_matched_count(ev) ? nomos_eval_matched_id(ev, 0, &idlen) : "";
	puts(nomos_eval_result_json(ev, NULL));
	ok = d >= 0 && d <= 2 && !strcmp(names[d], argv[3]) &&
	     d == (int)nomos_eval_decision(ev) && strlen(argv[4]) == idlen &&
	     !memcmp(id, argv[4], idlen) && !strcmp(nomos_image_bundle_hash(img), argv[5]);
	if (!ok)
		fprintf(stderr, "client: got %s %.*s %s, want %s %s %s\n", d >= 0 && d <= 2 ? names[d] : "?",
			(int)idlen, id, nomos_image_bundle_hash(img), argv[3], argv[4], argv[5]);
	nomos_eval_free(ev);
	nomos_image_close(img);
	return ok ? 0 : 1;
}
EOF
check "build client against libnomos.so (pkg-config --cflags --libs nomos)" \
	$CC $CFLAGS $cflags $LDFLAGS -o "$T/client" "$T/client.c" $libs
check "build static client (pkg-config --static --libs nomos)" \
	$CC $CFLAGS $cflags $LDFLAGS -o "$T/client-static" "$T/client.c" $slibs

# The installed compiler builds an installed pack; the client decides with it.
pack=$P/share/nomos/stdlib-policies/safe-coding-agent.yaml
check "installed nomosc builds an installed pack" "$P/bin/nomosc" build "$pack" -o "$T/bundle.nbc"
hash=$("$P/bin/nomosc" hash "$pack" 2>/dev/null)
check "nomosc hash prints a hash" sh -c "printf '%s' '$hash' | grep -Eqx '[0-9a-f]{64}'"
# ... and, signed with a key from the installed keygen, passes the trust check.
check "installed nomosc keygen" "$P/bin/nomosc" keygen "$T/ci"
cat "$T/ci.pub" >"$T/trust.txt"
check "installed nomosc build --sign" "$P/bin/nomosc" build "$pack" --sign "$T/ci.key" \
	-o "$T/signed.nbc"
for c in "allow-readme ALLOW coding-read-workspace" "deny-env DENY coding-deny-read-env"; do
	set -- $c
	check "shared client: $1 -> $2 [$3]" env LD_LIBRARY_PATH="$P/lib" \
		"$T/client" "$T/bundle.nbc" "corpus/quickstart/$1.json" "$2" "$3" "$hash" -
	check "static client: $1 -> $2 [$3]" env -u LD_LIBRARY_PATH \
		"$T/client-static" "$T/bundle.nbc" "corpus/quickstart/$1.json" "$2" "$3" "$hash" -
	check "shared client, signed image: $1 -> $2 [$3]" env LD_LIBRARY_PATH="$P/lib" \
		"$T/client" "$T/signed.nbc" "corpus/quickstart/$1.json" "$2" "$3" "$hash" "$T/trust.txt"
done
# The client really checks: a wrong expectation must fail, and the library
# must refuse the unsigned image under a trust store.
if env LD_LIBRARY_PATH="$P/lib" "$T/client" "$T/bundle.nbc" corpus/quickstart/deny-env.json \
	ALLOW coding-deny-read-env "$hash" - >/dev/null 2>&1; then
	fail "client accepted a wrong expected decision"
else
	pass
fi
env LD_LIBRARY_PATH="$P/lib" "$T/client" "$T/bundle.nbc" corpus/quickstart/deny-env.json \
	DENY coding-deny-read-env "$hash" "$T/trust.txt" >"$T/out" 2>&1
rc=$?
if [ "$rc" -eq 3 ] && grep -q '^refused unsigned' "$T/out"; then
	pass
else
	fail "unsigned image under a trust store: exit $rc, $(cat "$T/out")"
fi

if ! make --no-print-directory B="$B" PREFIX="$PREFIX" DESTDIR="$D" uninstall >"$T/make.log" 2>&1; then
	cat "$T/make.log"
	fail "make uninstall"
fi
left=$(find "$D" ! -type d)
if [ -n "$left" ]; then
	fail "uninstall left files behind: $left"
else
	pass
fi
for d in include/nomos share/nomos; do
	check "uninstall removed $PREFIX/$d" test ! -e "$P/$d"
done

echo "install: $checks checks passed, $failed failed (DESTDIR install under $PREFIX, shared and static client)"
[ "$failed" -eq 0 ]
