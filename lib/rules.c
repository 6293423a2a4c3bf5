/* SPDX-License-Identifier: MIT */
/* Gate rules: "accuracy >= 0.70", "rmse <= baseline * 1.05", parsed. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "strbuf.h"
#include "wrapper.h"

static const char *skip_space(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static int metric_char(int c, int first)
{
	if (isalpha(c) || c == '_')
		return 1;
	if (first)
		return 0;
	return isdigit(c) || c == '-' || c == '.' || c == '/' || c == ':';
}

/* A number token: digits, one '.', an exponent; no sign (handled apart). */
static const char *scan_number(const char *p)
{
	const char *start = p;

	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '.')
		p++;
	while (isdigit((unsigned char)*p))
		p++;
	if (p == start || (p == start + 1 && *start == '.'))
		return start;
	if (*p == 'e' || *p == 'E') {
		const char *e = p + 1;

		if (*e == '+' || *e == '-')
			e++;
		if (isdigit((unsigned char)*e)) {
			while (isdigit((unsigned char)*e))
				e++;
			p = e;
		}
	}
	return p;
}

static int parse_signed_number(const char **pp, double *out)
{
	const char *p = *pp, *start = p, *end;
	char buf[64];

	if (*p == '-' || *p == '+')
		p = skip_space(p + 1);
	end = scan_number(p);
	if (end == p || (size_t)(end - start) >= sizeof(buf))
		return -1;
	/* strtod wants the sign next to the digits. */
	snprintf(buf, sizeof(buf), "%s%.*s", *start == '-' ? "-" : "",
		 (int)(end - p), p);
	if (mlci_parse_double(buf, out))
		return -1;
	*pp = end;
	return 0;
}

int mlci_rule_parse(const char *text, struct mlci_rule *rule, char *err,
		    size_t errlen)
{
	const char *p = skip_space(text), *m;
	struct strbuf norm = STRBUF_INIT;

	memset(rule, 0, sizeof(*rule));
	m = p;
	if (!metric_char((unsigned char)*p, 1)) {
		snprintf(err, errlen, "expected a metric name at the start");
		return -1;
	}
	while (*p && metric_char((unsigned char)*p, 0))
		p++;
	rule->metric = xstrndup(m, (size_t)(p - m));
	p = skip_space(p);
	if (!strncmp(p, ">=", 2)) {
		rule->op = MLCI_RULE_GE;
		p += 2;
	} else if (!strncmp(p, "<=", 2)) {
		rule->op = MLCI_RULE_LE;
		p += 2;
	} else if (!strncmp(p, "==", 2)) {
		rule->op = MLCI_RULE_EQ;
		p += 2;
	} else if (*p == '>') {
		rule->op = MLCI_RULE_GT;
		p++;
	} else if (*p == '<') {
		rule->op = MLCI_RULE_LT;
		p++;
	} else {
		snprintf(err, errlen,
			 "expected one of >= > <= < == after '%s'", rule->metric);
		goto fail;
	}
	p = skip_space(p);
	if (!strncmp(p, "baseline", 8) && !isalnum((unsigned char)p[8]) &&
	    p[8] != '_' && p[8] != '.') {
		rule->uses_baseline = 1;
		p = skip_space(p + 8);
		if (*p == '+' || *p == '-' || *p == '*') {
			rule->arith = *p;
			p = skip_space(p + 1);
			if (*p == '-' || *p == '+' ||
			    parse_signed_number(&p, &rule->number)) {
				snprintf(err, errlen,
					 "expected a number after 'baseline %c'",
					 rule->arith);
				goto fail;
			}
		}
		p = skip_space(p);
		if (!strncmp(p, "non-inferior", 12) &&
		    (!p[12] || p[12] == ' ' || p[12] == '\t')) {
			if (rule->op == MLCI_RULE_EQ) {
				snprintf(err, errlen,
					 "'non-inferior' needs >=, >, <= or <");
				goto fail;
			}
			rule->noninferior = 1;
			p += 12;
		}
	} else if (parse_signed_number(&p, &rule->number)) {
		snprintf(err, errlen,
			 "expected a number or 'baseline' after '%s %s'",
			 rule->metric, mlci_rule_op_name(rule->op));
		goto fail;
	}
	p = skip_space(p);
	if (*p) {
		snprintf(err, errlen, "unexpected '%s' at the end", p);
		goto fail;
	}
	/* The rule as written, with white space squeezed to single spaces. */
	for (p = skip_space(text); *p; p++) {
		if (*p == ' ' || *p == '\t') {
			p = skip_space(p) - 1;
			if (p[1])
				strbuf_addch(&norm, ' ');
			continue;
		}
		strbuf_addch(&norm, *p);
	}
	rule->text = strbuf_detach(&norm, NULL);
	return 0;
fail:
	mlci_rule_release(rule);
	return -1;
}

void mlci_rule_release(struct mlci_rule *rule)
{
	free(rule->text);
	free(rule->metric);
	rule->text = rule->metric = NULL;
}

const char *mlci_rule_op_name(enum mlci_rule_op op)
{
	switch (op) {
	case MLCI_RULE_GE: return ">=";
	case MLCI_RULE_GT: return ">";
	case MLCI_RULE_LE: return "<=";
	case MLCI_RULE_LT: return "<";
	case MLCI_RULE_EQ: return "==";
	}
	return "?";
}

int mlci_rule_compare(enum mlci_rule_op op, double value, double threshold)
{
	/*
	 * Thresholds are often computed (0.71 - 0.01 is 0.69999999999999996),
	 * so values within a few units in the last place of the threshold count
	 * as equal to it: "0.70 >= baseline - 0.01" holds for a baseline of 0.71.
	 */
	double eps = 1e-12 * fmax(1.0, fabs(threshold));
	int eq = fabs(value - threshold) <= eps;

	switch (op) {
	case MLCI_RULE_GE: return eq || value > threshold;
	case MLCI_RULE_GT: return !eq && value > threshold;
	case MLCI_RULE_LE: return eq || value < threshold;
	case MLCI_RULE_LT: return !eq && value < threshold;
	case MLCI_RULE_EQ: return eq;
	}
	return 0;
}

double mlci_rule_threshold(const struct mlci_rule *rule, double baseline)
{
	if (!rule->uses_baseline)
		return rule->number;
	switch (rule->arith) {
	case '+': return baseline + rule->number;
	case '-': return baseline - rule->number;
	case '*': return baseline * rule->number;
	default: return baseline;
	}
}
