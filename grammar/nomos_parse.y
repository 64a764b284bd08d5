/* nomos_parse.y: the lemon grammar of the .nomos policy language. Terminals
 * carry their token index; actions build the syntax tree of cc_nomos.h through
 * the nm_* helpers. Syntax errors only record the offending token: the driver
 * (cc_nomos_parse.c) works out what was expected and reports it. */

%name NomosParse
%token_prefix TK_
%token_type {int}
%default_type {int}
%extra_context {struct nm_parser *ctx}
%stack_size 4000

%include {
#include <assert.h>
#include <stddef.h>
#include <stdio.h>

#include "compiler/cc_nomos.h"

void *NomosParseAlloc(void *(*mallocProc)(size_t), struct nm_parser *ctx);
void NomosParseFree(void *p, void (*freeProc)(void *));
void NomosParse(void *p, int major, int minor);
void NomosParseInit(void *p, struct nm_parser *ctx);
void NomosParseFinalize(void *p);
int NomosParseFallback(int token);
#ifndef NDEBUG
void NomosParseTrace(FILE *f, char *prompt);
#endif
}

%syntax_error {
	(void)yymajor;
	if (!ctx->failed) {
		ctx->failed = 1;
		ctx->err_tok = TOKEN;
	}
}

%stack_overflow {
	ctx->failed = 1;
	ctx->oom = 1;
}

/* Keywords are identifiers wherever a keyword cannot stand: a rule may be
 * called `as`, an obligation key may be `with`. */
%fallback IDENT ALLOW DENY REQUIRE_APPROVAL AS FOR PRINCIPAL AGENT ENVIRONMENT RISK
	WHEN ARGV OR WITH TRUE FALSE NULL.

%token_class word IDENT|STRING.

file ::= rules.

rules ::= .
rules ::= rules rule.

rule ::= head clauses.

head ::= decision(D) action(A) STRING(R) AS(S) word(N).
	{ nm_rule_begin(ctx, D, A, R, S, N); }
head ::= decision(D) action(A) REGEX(R) AS(S) word(N).
	{ nm_rule_begin(ctx, D, A, R, S, N); }

decision(X) ::= ALLOW(T). { X = T; }
decision(X) ::= DENY(T). { X = T; }
decision(X) ::= REQUIRE_APPROVAL(T). { X = T; }

action(X) ::= word(T). { X = T; }
action(X) ::= STAR(T). { X = T; }

clauses ::= .
clauses ::= clauses clause.

clause ::= who_list.
clause ::= RISK(K) strlist(L).
	{ struct nm_clause *c = nm_clause_add(ctx, NM_C_RISK, K); if (c) c->list = L; }
clause ::= WHEN(W) ARGV(K) patterns(P).
	{ struct nm_clause *c = nm_clause_add(ctx, NM_C_WHEN, K);
	  if (c) { c->intro = W; c->patterns = P ? P->head : NULL; } }
clause ::= WITH(K) object(O).
	{ struct nm_clause *c = nm_clause_add(ctx, NM_C_WITH, K); if (c) c->obj = O; }

%type who {struct nm_clause *}
who_list ::= FOR(F) who(W). { if (W) W->intro = F; }
who_list ::= who_list who.

who(X) ::= PRINCIPAL(K) strlist(L).
	{ X = nm_clause_add(ctx, NM_C_PRINCIPAL, K); if (X) X->list = L; }
who(X) ::= AGENT(K) strlist(L).
	{ X = nm_clause_add(ctx, NM_C_AGENT, K); if (X) X->list = L; }
who(X) ::= ENVIRONMENT(K) strlist(L).
	{ X = nm_clause_add(ctx, NM_C_ENVIRONMENT, K); if (X) X->list = L; }

%type patterns {struct nm_patterns *}
patterns(X) ::= argvlist(L). { X = nm_patterns_add(ctx, NULL, -1, L); }
patterns(X) ::= patterns(P) OR(O) argvlist(L). { X = nm_patterns_add(ctx, P, O, L); }

/* Identity and risk lists: strings only. */
%type strlist {struct nm_seq *}
%type strs {struct nm_seq *}
strlist(X) ::= LBRACKET(O) RBRACKET(C).
	{ X = nm_seq_new(ctx); if (X) { X->open = O; X->close = C; } }
strlist(X) ::= LBRACKET(O) strs(S) opt_comma(M) RBRACKET(C).
	{ X = S; if (X) { X->open = O; X->close = C; nm_seq_comma(X, M); } }
strs(X) ::= STRING(T). { X = nm_seq_new(ctx); nm_seq_add(ctx, X, T, -1, -1, NULL); }
strs(X) ::= strs(S) COMMA(M) STRING(T).
	{ X = S; nm_seq_comma(X, M); nm_seq_add(ctx, X, T, -1, -1, NULL); }

/* argv patterns: strings (v1 tokens) or re"..." (extension). */
%type argvlist {struct nm_seq *}
%type argvs {struct nm_seq *}
argvlist(X) ::= LBRACKET(O) RBRACKET(C).
	{ X = nm_seq_new(ctx); if (X) { X->open = O; X->close = C; } }
argvlist(X) ::= LBRACKET(O) argvs(S) opt_comma(M) RBRACKET(C).
	{ X = S; if (X) { X->open = O; X->close = C; nm_seq_comma(X, M); } }
argvs(X) ::= argtok(T). { X = nm_seq_new(ctx); nm_seq_add(ctx, X, T, -1, -1, NULL); }
argvs(X) ::= argvs(S) COMMA(M) argtok(T).
	{ X = S; nm_seq_comma(X, M); nm_seq_add(ctx, X, T, -1, -1, NULL); }
argtok(X) ::= STRING(T). { X = T; }
argtok(X) ::= REGEX(T). { X = T; }

opt_comma(X) ::= . { X = -1; }
opt_comma(X) ::= COMMA(T). { X = T; }

/* Obligation values: JSON with bare keys, trailing commas and comments. */
%type object {struct nm_value *}
%type value {struct nm_value *}
%type values {struct nm_seq *}
%type members {struct nm_seq *}
object(X) ::= LBRACE(O) RBRACE(C).
	{ X = nm_value_new(ctx, NM_V_OBJECT, O); if (X) { X->seq.open = O; X->seq.close = C; } }
object(X) ::= LBRACE(O) members(S) opt_comma(M) RBRACE(C).
	{ X = nm_value_new(ctx, NM_V_OBJECT, O);
	  if (X && S) { nm_seq_comma(S, M); X->seq = *S; X->seq.open = O; X->seq.close = C; } }
members(X) ::= word(K) COLON(C) value(V).
	{ X = nm_seq_new(ctx); nm_seq_add(ctx, X, -1, K, C, V); }
members(X) ::= members(S) COMMA(M) word(K) COLON(C) value(V).
	{ X = S; nm_seq_comma(X, M); nm_seq_add(ctx, X, -1, K, C, V); }

value(X) ::= object(O). { X = O; }
value(X) ::= LBRACKET(O) RBRACKET(C).
	{ X = nm_value_new(ctx, NM_V_ARRAY, O); if (X) { X->seq.open = O; X->seq.close = C; } }
value(X) ::= LBRACKET(O) values(S) opt_comma(M) RBRACKET(C).
	{ X = nm_value_new(ctx, NM_V_ARRAY, O);
	  if (X && S) { nm_seq_comma(S, M); X->seq = *S; X->seq.open = O; X->seq.close = C; } }
values(X) ::= value(V). { X = nm_seq_new(ctx); nm_seq_add(ctx, X, -1, -1, -1, V); }
values(X) ::= values(S) COMMA(M) value(V).
	{ X = S; nm_seq_comma(X, M); nm_seq_add(ctx, X, -1, -1, -1, V); }
value(X) ::= STRING(T). { X = nm_value_new(ctx, NM_V_STRING, T); }
value(X) ::= NUMBER(T). { X = nm_value_new(ctx, NM_V_NUMBER, T); }
value(X) ::= TRUE(T). { X = nm_value_new(ctx, NM_V_TRUE, T); }
value(X) ::= FALSE(T). { X = nm_value_new(ctx, NM_V_FALSE, T); }
value(X) ::= NULL(T). { X = nm_value_new(ctx, NM_V_NULL, T); }
