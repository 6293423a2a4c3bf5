/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/rules.c: the rule grammar and comparisons. */
#include <stdio.h>
#include <string.h>

#include "rules.h"
#include "unit.h"

static const struct {
	const char *text;
	int ok;
	const char *metric;
	enum mlci_rule_op op;
	int baseline;
	char arith;
	double number;
	const char *norm;
} parse_cases[] = {
	{ "accuracy >= 0.70", 1, "accuracy", MLCI_RULE_GE, 0, 0, 0.70, "accuracy >= 0.70" },
	{ "rmse <= 3.2", 1, "rmse", MLCI_RULE_LE, 0, 0, 3.2, "rmse <= 3.2" },
	{ "  f1_macro>=baseline-0.01 ", 1, "f1_macro", MLCI_RULE_GE, 1, '-', 0.01, "f1_macro>=baseline-0.01" },
	{ "rmse <= baseline * 1.05", 1, "rmse", MLCI_RULE_LE, 1, '*', 1.05, "rmse <= baseline * 1.05" },
	{ "auc > baseline + 1e-3", 1, "auc", MLCI_RULE_GT, 1, '+', 1e-3, "auc > baseline + 1e-3" },
	{ "loss < -0.5", 1, "loss", MLCI_RULE_LT, 0, 0, -0.5, "loss < -0.5" },
	{ "loss < - 0.5", 1, "loss", MLCI_RULE_LT, 0, 0, -0.5, "loss < - 0.5" },
	{ "n == 100", 1, "n", MLCI_RULE_EQ, 0, 0, 100, "n == 100" },
	{ "acc >= baseline", 1, "acc", MLCI_RULE_GE, 1, 0, 0, "acc >= baseline" },
	{ "precision.good >= .5", 1, "precision.good", MLCI_RULE_GE, 0, 0, 0.5, "precision.good >= .5" },
	{ "cv.f1_macro.mean\t>=\t0.6", 1, "cv.f1_macro.mean", MLCI_RULE_GE, 0, 0, 0.6, "cv.f1_macro.mean >= 0.6" },
	{ "val/loss <= 2", 1, "val/loss", MLCI_RULE_LE, 0, 0, 2, "val/loss <= 2" },
	{ "", 0, NULL, 0, 0, 0, 0, NULL },
	{ "accuracy", 0, NULL, 0, 0, 0, 0, NULL },
	{ "accuracy => 0.7", 0, NULL, 0, 0, 0, 0, NULL },
	{ "accuracy >= ", 0, NULL, 0, 0, 0, 0, NULL },
	{ "accuracy >= abc", 0, NULL, 0, 0, 0, 0, NULL },
	{ "accuracy >= 0.7 extra", 0, NULL, 0, 0, 0, 0, NULL },
	{ "accuracy >= baseline -", 0, NULL, 0, 0, 0, 0, NULL },
	{ "accuracy >= baseline / 2", 0, NULL, 0, 0, 0, 0, NULL },
	{ "accuracy >= baseline - -1", 0, NULL, 0, 0, 0, 0, NULL },
	{ "accuracy >= baselines", 0, NULL, 0, 0, 0, 0, NULL },
	{ "1acc >= 2", 0, NULL, 0, 0, 0, 0, NULL },
	{ "acc >= 1e999", 0, NULL, 0, 0, 0, 0, NULL },
	{ "acc >= nan", 0, NULL, 0, 0, 0, 0, NULL },
	{ "acc >= 0x10", 0, NULL, 0, 0, 0, 0, NULL },
	{ "acc >= .", 0, NULL, 0, 0, 0, 0, NULL },
	{ "acc >= baseline - 0.01 non-inferior", 1, "acc", MLCI_RULE_GE, 1, '-', 0.01, "acc >= baseline - 0.01 non-inferior" },
	{ "rmse <= baseline*1.1\tnon-inferior", 1, "rmse", MLCI_RULE_LE, 1, '*', 1.1, "rmse <= baseline*1.1 non-inferior" },
	{ "acc >= baseline non-inferior", 1, "acc", MLCI_RULE_GE, 1, 0, 0, "acc >= baseline non-inferior" },
	{ "acc == baseline non-inferior", 0, NULL, 0, 0, 0, 0, NULL },
	{ "acc >= 0.7 non-inferior", 0, NULL, 0, 0, 0, 0, NULL },
	{ "acc >= baseline non-inferiority", 0, NULL, 0, 0, 0, 0, NULL },
	{ "acc >= baseline non-inferior x", 0, NULL, 0, 0, 0, 0, NULL },
};

static const struct {
	enum mlci_rule_op op;
	double value, threshold;
	int want;
} compare_cases[] = {
	{ MLCI_RULE_GE, 0.71, 0.70, 1 },
	{ MLCI_RULE_GE, 0.68, 0.70, 0 },
	{ MLCI_RULE_GE, 0.70, 0.71 - 0.01, 1 },	/* 0.69999999999999996 */
	{ MLCI_RULE_GT, 0.70, 0.71 - 0.01, 0 },
	{ MLCI_RULE_GT, 0.7000001, 0.70, 1 },
	{ MLCI_RULE_LE, 3.2, 3.2, 1 },
	{ MLCI_RULE_LE, 3.3, 3.2, 0 },
	{ MLCI_RULE_LT, 3.2, 3.2, 0 },
	{ MLCI_RULE_LT, 3.1, 3.2, 1 },
	{ MLCI_RULE_EQ, 0.3, 0.1 + 0.2, 1 },
	{ MLCI_RULE_EQ, 0.3, 0.31, 0 },
	{ MLCI_RULE_GE, 1e6, 1e6 * (1 + 1e-14), 1 },
	{ MLCI_RULE_GE, 1e6, 1e6 * (1 + 1e-9), 0 },
};

int main(void)
{
	size_t i;
	char name[160], err[256];

	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		struct mlci_rule r;
		int ret = mlci_rule_parse(parse_cases[i].text, &r, err, sizeof(err));

		snprintf(name, sizeof(name), "parse '%s'", parse_cases[i].text);
		if (!parse_cases[i].ok) {
			CHECK(ret == -1 && err[0], name);
			continue;
		}
		if (!CHECK(ret == 0, name)) {
			printf("#   error: %s\n", err);
			continue;
		}
		CHECK_STR(r.metric, parse_cases[i].metric, name);
		CHECK_INT(r.op, parse_cases[i].op, name);
		CHECK_INT(r.uses_baseline, parse_cases[i].baseline, name);
		CHECK_INT(r.arith, parse_cases[i].arith, name);
		CHECK_NEAR(r.number, parse_cases[i].number, 0, name);
		CHECK_STR(r.text, parse_cases[i].norm, name);
		CHECK_INT(r.noninferior, strstr(parse_cases[i].text, "non-inferior") != NULL, name);
		mlci_rule_release(&r);
	}
	for (i = 0; i < sizeof(compare_cases) / sizeof(compare_cases[0]); i++) {
		snprintf(name, sizeof(name), "%.17g %s %.17g", compare_cases[i].value,
			 mlci_rule_op_name(compare_cases[i].op),
			 compare_cases[i].threshold);
		CHECK_INT(mlci_rule_compare(compare_cases[i].op, compare_cases[i].value,
					    compare_cases[i].threshold),
			  compare_cases[i].want, name);
	}
	{
		struct mlci_rule r;

		mlci_rule_parse("rmse <= baseline * 1.05", &r, err, sizeof(err));
		CHECK_NEAR(mlci_rule_threshold(&r, 2.0), 2.1, 1e-15, "threshold baseline * 1.05");
		mlci_rule_release(&r);
		mlci_rule_parse("acc >= baseline - 0.01", &r, err, sizeof(err));
		CHECK_NEAR(mlci_rule_threshold(&r, 0.8), 0.79, 1e-15, "threshold baseline - 0.01");
		mlci_rule_release(&r);
		mlci_rule_parse("acc >= 0.5", &r, err, sizeof(err));
		CHECK_NEAR(mlci_rule_threshold(&r, 0.8), 0.5, 0, "threshold without baseline");
		mlci_rule_release(&r);
		mlci_rule_parse("acc >=", &r, err, sizeof(err));
		CHECK_STR(err, "expected a number or 'baseline' after 'acc >='", "error message names the place");
	}
	return unit_done();
}
