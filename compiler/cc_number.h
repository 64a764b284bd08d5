/* cc_number.h: numbers and plain scalars as Nomos v1 (Go) sees them on their way
 * into policy_bundle_hash: float64 printed as Go's json.Marshal prints it, YAML
 * plain scalars resolved as gopkg.in/yaml.v3 resolves them into interface{}
 * (spec §4.3), JSON numbers decoded as float64. Used by the YAML/JSON front end
 * and reusable by the DSL for number literals. */
#ifndef NOMOS_CC_NUMBER_H
#define NOMOS_CC_NUMBER_H

#include <stdbool.h>
#include <stddef.h>

/* Longest text these helpers write, NUL included. */
#define CC_NUMBER_MAX 64

/* Writes v as Go's encoding/json prints a float64: shortest round-trip digits,
 * plain decimal unless |v| < 1e-6 or |v| >= 1e21, then exponent form with the
 * json clean-up ("1e+21", "1e-7"). Returns the length, or -1 when v is NaN or
 * infinite (json: unsupported value). */
int cc_go_format_float(double v, char out[CC_NUMBER_MAX]);

/* What a plain YAML scalar becomes in a yaml.v3 interface{} value. */
enum cc_yaml_kind {
	CC_Y_STRING,    /* not resolved: the literal text */
	CC_Y_NULL,      /* "", ~, null, Null, NULL */
	CC_Y_BOOL,      /* true/True/TRUE/false/False/FALSE only (yes/no stay strings) */
	CC_Y_INT,       /* int64 or uint64: text holds the exact decimal */
	CC_Y_FLOAT,     /* float64: value in f; text holds the Go JSON form when finite */
	CC_Y_TIMESTAMP, /* time.Time: text holds its JSON form (RFC 3339, nanoseconds trimmed) */
};

struct cc_yaml_scalar {
	enum cc_yaml_kind kind;
	bool boolean;
	double f;
	char text[CC_NUMBER_MAX];
	size_t len;
};

/* Resolves the plain (unquoted, untagged) YAML scalar s[0..n) as yaml.v3 does
 * (resolve.go: map lookups, ints incl. 0x/0o/0b/_ forms and leading-0 octal,
 * uint64 range, YAML-style floats, timestamps). Always succeeds; returns 0.
 * For CC_Y_FLOAT with a non-finite value text is "+Inf", "-Inf" or "NaN". */
int cc_number_from_yaml(const char *s, size_t n, struct cc_yaml_scalar *out);

/* Converts the JSON number literal lit[0..n) (already checked against the JSON
 * grammar) to the text Go prints after decoding it into a float64
 * ("12345678901234567890" -> "12345678901234567000", "1.0" -> "1"). Returns the
 * length written to out, or -1 when the value overflows float64. */
int cc_number_from_json(const char *lit, size_t n, char out[CC_NUMBER_MAX]);

#endif
