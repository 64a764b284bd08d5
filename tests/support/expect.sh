# expect.sh: checks shared by the CLI test scripts of tests/corpus/ (sourced).
# Counts in $checks and $failed; each script prints its own summary line.
checks=0; failed=0
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
ok() { checks=$((checks + 1)); }

# expect STATUS PATTERN LABEL -- CMD...: exit status and a pattern in stdout+stderr.
expect() {
	want=$1 pat=$2 label=$3; shift 4
	out=$("$@" 2>&1); rc=$?
	if [ "$rc" -ne "$want" ]; then
		fail "$label: exit $rc, want $want: $*"; printf '%s\n' "$out" | tail -n 5
	elif [ -n "$pat" ] && ! printf '%s\n' "$out" | grep -q -- "$pat"; then
		fail "$label: output lacks '$pat': $*"; printf '%s\n' "$out" | tail -n 5
	else
		ok
	fi
}
