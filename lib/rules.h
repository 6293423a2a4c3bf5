/* SPDX-License-Identifier: MIT */
/* Gate rules: "accuracy >= 0.70", "rmse <= baseline * 1.05", parsed. */
#ifndef MLCI_RULES_H
#define MLCI_RULES_H

#include <stddef.h>

enum mlci_rule_op {
	MLCI_RULE_GE,
	MLCI_RULE_GT,
	MLCI_RULE_LE,
	MLCI_RULE_LT,
	MLCI_RULE_EQ
};

/*
 * One rule: <metric> <op> <rhs>, where rhs is a number, or "baseline"
 * optionally followed by "+ N", "- N" or "* N", and then optionally by the
 * word "non-inferior" (strict non-inferiority: with paired predictions the
 * rule passes only when the whole interval of the difference clears the
 * margin).
 */
struct mlci_rule {
	char *text;		/* the rule as written, spaces squeezed */
	char *metric;
	enum mlci_rule_op op;
	int uses_baseline;
	char arith;		/* 0, '+', '-' or '*' (with uses_baseline) */
	double number;		/* the threshold, or the baseline's operand */
	int noninferior;	/* "non-inferior" followed the baseline */
	const char *file;	/* where the rule came from, or NULL (argv) */
	long line;		/* its line in file, or 0 */
};

/*
 * Parse text into rule (whose strings are then the caller's, freed by
 * mlci_rule_release()). Metric names are MLflow keys: letters, digits and
 * "_ - . / :", not starting with a digit or a sign. Returns 0, or -1 with
 * a message ("expected a comparison operator after 'accuracy'") in err.
 */
int mlci_rule_parse(const char *text, struct mlci_rule *rule, char *err,
		    size_t errlen);

void mlci_rule_release(struct mlci_rule *rule);

/* ">=", ">", "<=", "<" or "==". */
const char *mlci_rule_op_name(enum mlci_rule_op op);

/*
 * Does value op threshold hold? Values within 1e-12 (relative, for
 * thresholds above 1) of the threshold count as equal to it.
 */
int mlci_rule_compare(enum mlci_rule_op op, double value, double threshold);

/*
 * The threshold of rule: its number, or the baseline value combined with
 * the operand. baseline is ignored for rules that do not use it.
 */
double mlci_rule_threshold(const struct mlci_rule *rule, double baseline);

#endif
