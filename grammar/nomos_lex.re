/* nomos_lex.re: the re2c lexer of the .nomos policy language. It cuts one
 * token at a time; cc_nomos_parse.c drives it, tracks lines, attaches comments
 * and feeds the lemon parser (nomos_parse.y). Keywords are reserved only where
 * the grammar needs them (lemon %fallback turns them back into identifiers). */
#include <stddef.h>

#include "compiler/cc_nomos.h"
#include "nomos_parse.h"

int cc_nomos_lex_one(const char *text, size_t len, size_t pos, size_t *end)
{
	const unsigned char *base = (const unsigned char *)text;
	const unsigned char *YYCURSOR = base + pos;
	const unsigned char *YYLIMIT = base + len;
	const unsigned char *YYMARKER = YYCURSOR;
	int kind;

	/*!re2c
	re2c:define:YYCTYPE = "unsigned char";
	re2c:yyfill:enable = 0;
	re2c:eof = 0;

	ident = [A-Za-z_] [A-Za-z0-9_.-]*;
	schar = [^"\\\n] | "\\" [^\n];
	number = "-"? [0-9]+ ("." [0-9]+)? ([eE] [+-]? [0-9]+)?;
	/* What looks like a number but is not one (1. .5 +1 1e 0x10 1_000 2abc):
	 * longer than any number it starts with, so it is one token and one
	 * clear error, not a stray '.' or a surprise identifier after it. */
	badnum = [-+]? ([0-9] | "." [0-9]) [0-9A-Za-z_.+-]*;

	$ { *end = len; return NM_TK_EOF; }
	[ \t\r\n]+ { kind = NM_TK_SPACE; goto done; }
	"#" [^\n]* { kind = NM_TK_COMMENT; goto done; }

	"allow" { kind = TK_ALLOW; goto done; }
	"deny" { kind = TK_DENY; goto done; }
	"require_approval" { kind = TK_REQUIRE_APPROVAL; goto done; }
	"as" { kind = TK_AS; goto done; }
	"for" { kind = TK_FOR; goto done; }
	"principal" { kind = TK_PRINCIPAL; goto done; }
	"agent" { kind = TK_AGENT; goto done; }
	"environment" { kind = TK_ENVIRONMENT; goto done; }
	"risk" { kind = TK_RISK; goto done; }
	"when" { kind = TK_WHEN; goto done; }
	"argv" { kind = TK_ARGV; goto done; }
	"or" { kind = TK_OR; goto done; }
	"with" { kind = TK_WITH; goto done; }
	"true" { kind = TK_TRUE; goto done; }
	"false" { kind = TK_FALSE; goto done; }
	"null" { kind = TK_NULL; goto done; }
	ident { kind = TK_IDENT; goto done; }

	["] schar* ["] { kind = TK_STRING; goto done; }
	"re" ["] schar* ["] { kind = TK_REGEX; goto done; }
	["] schar* | "re" ["] schar* { kind = NM_TK_UNTERMINATED; goto done; }
	number { kind = TK_NUMBER; goto done; }
	badnum { kind = NM_TK_BADNUM; goto done; }

	"*" { kind = TK_STAR; goto done; }
	"[" { kind = TK_LBRACKET; goto done; }
	"]" { kind = TK_RBRACKET; goto done; }
	"{" { kind = TK_LBRACE; goto done; }
	"}" { kind = TK_RBRACE; goto done; }
	"," { kind = TK_COMMA; goto done; }
	":" { kind = TK_COLON; goto done; }
	* { kind = NM_TK_BAD; goto done; }
	*/
done:
	(void)YYMARKER;
	*end = (size_t)(YYCURSOR - base);
	if (*end > len)
		*end = len;
	return kind;
}
