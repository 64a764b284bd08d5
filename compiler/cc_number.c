/* cc_number.c: Go-compatible number formatting and yaml.v3 plain-scalar
 * resolution (see cc_number.h). Everything here is pure: no allocation, no I/O;
 * the front end calls it for each obligation scalar on its way to the hash. */
#include "compiler/cc_number.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Shortest decimal digits that round-trip v (v finite, > 0): digits into d
 * (no dot), returns their count and sets *exp10 so v = d[0].d[1..] x 10^exp10.
 * printf's %.*e is correctly rounded, so the first precision that round-trips
 * is the shortest, and the closest such string: what Go's strconv picks. */
static int shortest_digits(double v, char d[24], int *exp10)
{
	char buf[40];
	int p, nd = 0;
	const char *s, *e;

	for (p = 1; p <= 17; p++) {
		snprintf(buf, sizeof buf, "%.*e", p - 1, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	e = strchr(buf, 'e');
	for (s = buf; s < e; s++)
		if (*s >= '0' && *s <= '9')
			d[nd++] = *s;
	while (nd > 1 && d[nd - 1] == '0')
		nd--;
	*exp10 = atoi(e + 1);
	return nd;
}

int cc_go_format_float(double v, char out[CC_NUMBER_MAX])
{
	char d[24];
	int nd, x, i, k = 0;
	double a = fabs(v);

	if (isnan(v) || isinf(v))
		return -1;
	if (signbit(v))
		out[k++] = '-';
	if (a == 0) {
		out[k++] = '0';
		out[k] = 0;
		return k;
	}
	nd = shortest_digits(a, d, &x);
	if (a < 1e-6 || a >= 1e21) {
		out[k++] = d[0];
		if (nd > 1) {
			out[k++] = '.';
			for (i = 1; i < nd; i++)
				out[k++] = d[i];
		}
		/* strconv prints at least two exponent digits; encoding/json then
		 * shortens "e-07" to "e-7" (only for negative exponents). */
		k += snprintf(out + k, (size_t)(CC_NUMBER_MAX - k), "e%c%02d", x < 0 ? '-' : '+',
			      x < 0 ? -x : x);
		if (k >= 4 && out[k - 4] == 'e' && out[k - 3] == '-' && out[k - 2] == '0') {
			out[k - 2] = out[k - 1];
			k--;
		}
		out[k] = 0;
		return k;
	}
	if (x >= 0) {
		for (i = 0; i <= x; i++)
			out[k++] = i < nd ? d[i] : '0';
		if (nd > x + 1) {
			out[k++] = '.';
			for (i = x + 1; i < nd; i++)
				out[k++] = d[i];
		}
	} else {
		out[k++] = '0';
		out[k++] = '.';
		for (i = 0; i < -x - 1; i++)
			out[k++] = '0';
		for (i = 0; i < nd; i++)
			out[k++] = d[i];
	}
	out[k] = 0;
	return k;
}

/* Go strconv.ParseUint(s, 0, 64) on s[0..n) (no sign). Returns 0 or -1. */
static int parse_uint_base0(const char *s, size_t n, uint64_t *out)
{
	unsigned base = 10;
	uint64_t v = 0;
	size_t i = 0;

	if (n == 0)
		return -1;
	if (s[0] == '0') {
		if (n >= 3 && (s[1] == 'b' || s[1] == 'B'))
			base = 2, i = 2;
		else if (n >= 3 && (s[1] == 'o' || s[1] == 'O'))
			base = 8, i = 2;
		else if (n >= 3 && (s[1] == 'x' || s[1] == 'X'))
			base = 16, i = 2;
		else
			base = 8, i = 1;
	}
	for (; i < n; i++) {
		unsigned c = (unsigned char)s[i], dv;

		if (c >= '0' && c <= '9')
			dv = c - '0';
		else if (c >= 'a' && c <= 'z')
			dv = c - 'a' + 10;
		else if (c >= 'A' && c <= 'Z')
			dv = c - 'A' + 10;
		else
			return -1;
		if (dv >= base)
			return -1;
		if (v > (UINT64_MAX - dv) / base)
			return -1;
		v = v * base + dv;
	}
	*out = v;
	return 0;
}

/* yamlStyleFloat: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static int yaml_style_float(const char *s, size_t n)
{
	size_t i = 0, j;

	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	if (i < n && s[i] == '.') {
		j = ++i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == j)
			return 0;
	} else {
		j = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == j)
			return 0;
		if (i < n && s[i] == '.') {
			i++;
			while (i < n && s[i] >= '0' && s[i] <= '9')
				i++;
		}
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		j = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == j)
			return 0;
	}
	return i == n;
}

/* Decimal float text (already syntax-checked) to double; -1 on overflow. */
static int to_double(const char *s, size_t n, double *out)
{
	char buf[128], *p = buf;

	if (n >= sizeof buf && !(p = malloc(n + 1)))
		return -1;
	memcpy(p, s, n);
	p[n] = 0;
	*out = strtod(p, NULL);
	if (p != buf)
		free(p);
	return isinf(*out) ? -1 : 0;
}

/* Reads 1 or 2 digits (Go time getnum, not fixed). */
static int getnum(const char *s, size_t n, size_t *i, int *v)
{
	if (*i >= n || s[*i] < '0' || s[*i] > '9')
		return -1;
	*v = s[(*i)++] - '0';
	if (*i < n && s[*i] >= '0' && s[*i] <= '9')
		*v = *v * 10 + (s[(*i)++] - '0');
	return 0;
}

static int days_in(int month, int year)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : dm[month - 1];
}

/* yaml.v3 parseTimestamp: time.Parse with its four layouts, then time.Time's
 * JSON form (RFC 3339 with trimmed nanoseconds). Returns 0 when s is one. */
static int parse_timestamp(const char *s, size_t n, struct cc_yaml_scalar *out)
{
	int year = 0, mon, day, hh = 0, mm = 0, ss = 0, zh = 0, zm = 0, k, nd = 0;
	char zsign = 0, frac[10];
	size_t i;

	for (i = 0; i < n && i < 5 && s[i] >= '0' && s[i] <= '9'; i++)
		year = year * 10 + (s[i] - '0');
	if (i != 4 || i == n || s[i] != '-')
		return -1;
	i++;
	if (getnum(s, n, &i, &mon) || i >= n || s[i] != '-')
		return -1;
	i++;
	if (getnum(s, n, &i, &day))
		return -1;
	if (mon < 1 || mon > 12 || day < 1 || day > days_in(mon, year))
		return -1;
	if (i < n) {
		/* "T" or "t" then a zone; " " then no zone. */
		char sep = s[i++];

		if (sep != 'T' && sep != 't' && sep != ' ')
			return -1;
		if (getnum(s, n, &i, &hh) || i >= n || s[i++] != ':' || getnum(s, n, &i, &mm) ||
		    i >= n || s[i++] != ':' || getnum(s, n, &i, &ss))
			return -1;
		if (hh > 23 || mm > 59 || ss > 59)
			return -1;
		if (i + 1 < n && (s[i] == '.' || s[i] == ',') && s[i + 1] >= '0' && s[i + 1] <= '9') {
			for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
				if (nd < 9)
					frac[nd++] = s[i];
		}
		if (sep == ' ') {
			if (i != n)
				return -1;
		} else if (i < n && s[i] == 'Z') {
			if (++i != n)
				return -1;
		} else {
			if (n - i != 6 || (s[i] != '+' && s[i] != '-') || s[i + 3] != ':')
				return -1;
			zsign = s[i];
			for (k = 1; k <= 5; k++)
				if (k != 3 && (s[i + (size_t)k] < '0' || s[i + (size_t)k] > '9'))
					return -1;
			zh = (s[i + 1] - '0') * 10 + (s[i + 2] - '0');
			zm = (s[i + 4] - '0') * 10 + (s[i + 5] - '0');
			if (zh > 24 || zm > 60)
				return -1;
			if (zh == 0 && zm == 0)
				zsign = 0;
		}
	}
	while (nd > 0 && frac[nd - 1] == '0')
		nd--;
	k = snprintf(out->text, sizeof out->text, "%04d-%02d-%02dT%02d:%02d:%02d", year, mon, day, hh,
		     mm, ss);
	if (nd) {
		out->text[k++] = '.';
		memcpy(out->text + k, frac, (size_t)nd);
		k += nd;
	}
	if (zsign)
		k += snprintf(out->text + k, sizeof out->text - (size_t)k, "%c%02d:%02d", zsign, zh, zm);
	else
		out->text[k++] = 'Z';
	out->text[k] = 0;
	out->len = (size_t)k;
	out->kind = CC_Y_TIMESTAMP;
	return 0;
}

static int in_list(const char *s, size_t n, const char *const *list)
{
	for (; *list; list++)
		if (strlen(*list) == n && !memcmp(*list, s, n))
			return 1;
	return 0;
}

static void set_float(struct cc_yaml_scalar *out, double f)
{
	int k;

	out->kind = CC_Y_FLOAT;
	out->f = f;
	k = cc_go_format_float(f, out->text);
	if (k < 0) {
		snprintf(out->text, sizeof out->text, "%s", isnan(f) ? "NaN" : f > 0 ? "+Inf" : "-Inf");
		k = (int)strlen(out->text);
	}
	out->len = (size_t)k;
}

static void resolve_number(const char *plain, size_t pn, struct cc_yaml_scalar *out);

int cc_number_from_yaml(const char *s, size_t n, struct cc_yaml_scalar *out)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL", NULL };
	static const char *const trues[] = { "true", "True", "TRUE", NULL };
	static const char *const falses[] = { "false", "False", "FALSE", NULL };
	static const char *const nans[] = { ".nan", ".NaN", ".NAN", NULL };
	static const char *const pinfs[] = { ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", NULL };
	static const char *const ninfs[] = { "-.inf", "-.Inf", "-.INF", NULL };
	char pbuf[128], *plain = pbuf;
	size_t pn = 0, i;
	double f;

	memset(out, 0, sizeof *out);
	out->kind = CC_Y_STRING;
	if (in_list(s, n, nulls)) {
		out->kind = CC_Y_NULL;
		return 0;
	}
	if (in_list(s, n, trues) || in_list(s, n, falses)) {
		out->kind = CC_Y_BOOL;
		out->boolean = s[0] == 't' || s[0] == 'T';
		return 0;
	}
	if (in_list(s, n, nans)) {
		set_float(out, NAN);
		return 0;
	}
	if (in_list(s, n, pinfs) || in_list(s, n, ninfs)) {
		set_float(out, s[0] == '-' ? -INFINITY : INFINITY);
		return 0;
	}
	if (s[0] == '.') {
		if (yaml_style_float(s, n) && to_double(s, n, &f) == 0)
			set_float(out, f);
		return 0;
	}
	if (!((s[0] >= '0' && s[0] <= '9') || s[0] == '+' || s[0] == '-'))
		return 0;
	if (parse_timestamp(s, n, out) == 0)
		return 0;
	if (n > sizeof pbuf && !(plain = malloc(n)))
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] != '_')
			plain[pn++] = s[i];
	resolve_number(plain, pn, out);
	if (plain != pbuf)
		free(plain);
	return 0;
}

/* The ParseInt / ParseUint / float steps of yaml.v3 resolve on the scalar with
 * underscores removed. Leaves out untouched (a string) when none applies. */
static void resolve_number(const char *plain, size_t pn, struct cc_yaml_scalar *out)
{
	uint64_t mag;
	double f;
	int neg = 0, sign = 0;
	size_t i = 0;

	if (pn == 0)
		return;
	if (plain[0] == '+' || plain[0] == '-') {
		neg = plain[0] == '-';
		sign = 1;
		i = 1;
	}
	if (parse_uint_base0(plain + i, pn - i, &mag) == 0) {
		/* ParseInt (sign allowed, int64 range), then ParseUint (no sign). */
		if ((neg && mag <= (uint64_t)INT64_MAX + 1) || (!neg && (mag <= INT64_MAX || !sign))) {
			out->kind = CC_Y_INT;
			if (mag == 0)
				neg = 0;
			out->len = (size_t)snprintf(out->text, sizeof out->text, "%s%llu", neg ? "-" : "",
						    (unsigned long long)mag);
			return;
		}
	}
	if (yaml_style_float(plain, pn) && to_double(plain, pn, &f) == 0)
		set_float(out, f);
}

int cc_number_from_json(const char *lit, size_t n, char out[CC_NUMBER_MAX])
{
	double f;

	if (to_double(lit, n, &f))
		return -1;
	return cc_go_format_float(f, out);
}
