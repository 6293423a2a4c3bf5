/* SPDX-License-Identifier: MIT */
/* ml-canary: the analysis config, the judgement of each metric, the score, the step schedule and its decision, A/B tests. */
#ifndef MLCI_CANARY_H
#define MLCI_CANARY_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "ranktest.h"

/* What a NaN or an infinity among a metric's values does. */
enum mlci_canary_nan {
	MLCI_CANARY_NAN_REMOVE,	/* left out (Kayenta's nanStrategy "remove") */
	MLCI_CANARY_NAN_ZERO,	/* counted as 0 (Kayenta's "replace") */
	MLCI_CANARY_NAN_FAIL	/* the metric fails */
};

/* The tests a metric runs (a bit set). */
#define MLCI_CANARY_TEST_MWU 1u		/* Mann-Whitney U + Hodges-Lehmann */
#define MLCI_CANARY_TEST_RATE 2u	/* conditional Poisson rate test */
#define MLCI_CANARY_TEST_VARIANCE 4u	/* Brown-Forsythe */

/* One metric of the config; every string owned. */
struct mlci_canary_metric {
	char *name;
	char *group;		/* "default" unless set */
	char *canary_query;	/* resolved queries, or NULL with samples */
	char *baseline_query;
	char *canary_exposure_query;	/* `exposure`: the rate test's denominators */
	char *baseline_exposure_query;
	double *canary_samples, *baseline_samples;	/* with `samples` */
	double canary_exposure, baseline_exposure;	/* with `samples`; NAN: none */
	size_t n_canary_samples, n_baseline_samples;
	int has_samples;
	enum mlci_ranktest_direction direction;	/* default either */
	int critical;
	int must_have_data;
	enum mlci_canary_nan nan;
	double min, max;	/* absolute range of the canary median; NAN: none */
	double tolerance;	/* relative to the baseline median; NAN: none */
	double confidence;	/* of the interval and the tests: 0.98 */
	double effect_tolerance;	/* Kayenta's tolerance: 0.25 */
	unsigned tests;		/* MLCI_CANARY_TEST_*; MWU by default */
	long line;		/* where the metric was written */
};

struct mlci_canary_group {
	char *name;
	double weight;
};

/* One variant of an A/B test. */
struct mlci_canary_variant {
	char *name;
	double successes, trials;
};

/* A loaded analysis config; every string and array owned. */
struct mlci_canary_config {
	char *path;
	char *prometheus;	/* base URL, NULL when every metric has samples */
	double window_s, resolution_s;	/* 30m, 60s */
	double timeout_s;	/* every query of a call, retries included: 2m */
	char *window_text, *resolution_text, *interval_text;	/* as written */
	char *canary, *baseline;	/* the labels for {{version}} */
	struct mlci_canary_metric *metrics;
	size_t nmetrics;
	struct mlci_canary_group *groups;	/* from `groups`, or one per group used */
	size_t ngroups;
	double pass, marginal;		/* 95, 75 */
	/* The schedule, in percent of traffic. */
	double initial_weight;		/* 10, or step_weights[0] */
	double step_weight;		/* 10 */
	double *step_weights;		/* when given: the weights in order */
	size_t nstep_weights;
	double max_weight;		/* 50, or the last of step_weights */
	long failure_threshold;		/* 2 */
	double interval_s;		/* 60 */
	long max_iterations;		/* 0: no limit */
	int marginal_at_max_rollback;	/* marginal_at_max: hold (0) or rollback */
	/* The registry model; model_name NULL: the registry is left alone. */
	char *model_name, *canary_version, *baseline_alias;
	/* A/B mode, instead of metrics. */
	int ab;
	struct mlci_canary_variant variant_a, variant_b;
	double ab_min_samples;		/* trials each variant needs: 100 */
	double ab_alpha;		/* 0.05 */
};

/*
 * Read the analysis config in cfg (see ml-canary(1) for the keys) into out
 * (the caller's, released with mlci_canary_config_release() whatever the
 * result). Unknown keys, wrong types, bad durations, unknown {{variables}}
 * and impossible schedules are -MLCI_EXIT_INPUT with "<file>:<line>: ...".
 */
int mlci_canary_config_parse(const struct mlci_config *cfg,
			     struct mlci_canary_config *out);
void mlci_canary_config_release(struct mlci_canary_config *c);

/*
 * A duration as Prometheus writes them ("90s", "5m", "1h30m", "250ms",
 * units ms s m h d w y) or a plain number of seconds, into *seconds (> 0).
 * 0 or -1.
 */
int mlci_canary_parse_duration(const char *s, double *seconds);

/*
 * Replace {{version}}, {{interval}}, {{window}} and {{resolution}} (spaces
 * allowed inside the braces) in tmpl. A new string, or NULL with the
 * offending name in err for any other {{...}} or an unclosed one.
 */
char *mlci_canary_expand(const char *tmpl, const char *version,
			 const char *interval, const char *window,
			 const char *resolution, char *err, size_t errlen);

/* The judgement of one metric. */
struct mlci_canary_result {
	const struct mlci_canary_metric *metric;
	size_t n_canary, n_baseline;	/* values judged, after the NaN policy */
	size_t nonfinite_canary, nonfinite_baseline;
	double median_canary, median_baseline;	/* NAN without values */
	struct mlci_ranktest_mwu mwu;	/* scipy's mannwhitneyu(canary, baseline) */
	int mwu_done;
	struct mlci_ranktest_judgement judgement;	/* Kayenta's classifier */
	int judged;		/* the classifier ran */
	struct mlci_ranktest_rate rate;
	double count_canary, count_baseline;	/* the rate test's counts */
	double exposure_canary, exposure_baseline;
	int rate_done;
	double levene_statistic, levene_p;
	int variance_done;
	enum mlci_ranktest_class cls;	/* the final class */
	int failed;		/* counts against the score (High, Low, a must-have NoData) */
	char reason[512];
};

/*
 * Judge canary[0..nc) against baseline[0..nb) (finite values) for metric
 * m; nonfinite_c and nonfinite_b count the NaN and infinities that were
 * dropped from them (the NaN policy is applied here). exposure_c and
 * exposure_b are the rate test's exposures (requests); NAN: the number of
 * values. Order: no data, the
 * NaN policy, Kayenta's Mann-Whitney classification, then the rate test,
 * the variance test, the absolute range and the relative tolerance, the
 * first failure giving the class and the reason. Returns 0 or
 * -MLCI_EXIT_INPUT.
 */
int mlci_canary_judge(const struct mlci_canary_metric *m, const double *canary,
		      size_t nc, size_t nonfinite_c, const double *baseline,
		      size_t nb, size_t nonfinite_b, double exposure_c,
		      double exposure_b, struct mlci_canary_result *r);

/* Kayenta's class name: "Pass", "High", "Low", "NoData". */
const char *mlci_canary_class_name(enum mlci_ranktest_class cls);

/*
 * The score as Kayenta computes it: per group 100 * pass / (pass + high +
 * low + no-data failures), a group with nothing counted left out, the
 * groups weighted by their weights; 0 when a critical metric failed
 * (*critical set) or nothing was counted (*judged 0). Group scores go to
 * group_scores (ngroups doubles, NAN for a group left out) when not NULL.
 */
double mlci_canary_score(const struct mlci_canary_config *c,
			 const struct mlci_canary_result *r, size_t n,
			 int *critical, int *judged, double *group_scores);

/* Where the schedule stands; read from the previous record. */
struct mlci_canary_state {
	double weight;		/* the traffic share being judged */
	long iteration;		/* 1 for the first call */
	long failed_checks;	/* before this call */
	cJSON *history;		/* the earlier calls' entries (owned) */
};

/*
 * The state for this call from the previous record's canary section (NULL
 * or a finished one: the first step): the weight is the previous
 * next_weight, the iteration one more. A section that is not ours to
 * resume (another canary or baseline label, or malformed) starts over with
 * a warning; malformed numbers are -MLCI_EXIT_INPUT.
 */
int mlci_canary_state_load(const struct mlci_canary_config *c,
			   const cJSON *prev, struct mlci_canary_state *st);
void mlci_canary_state_release(struct mlci_canary_state *st);

enum mlci_canary_decision {
	MLCI_CANARY_CONTINUE,
	MLCI_CANARY_PROMOTE,
	MLCI_CANARY_ROLLBACK
};

const char *mlci_canary_decision_name(enum mlci_canary_decision d);

/* What the schedule makes of a score. */
struct mlci_canary_verdict {
	enum mlci_canary_decision decision;
	double next_weight;	/* 100 on promote, 0 on rollback */
	long failed_checks;	/* including this call's */
	char reason[256];
};

/*
 * Decide: rollback on a critical failure, a score below marginal, failed
 * checks reaching failure_threshold, or max_iterations spent; a marginal
 * score is a failed check; promote when the score passes at max_weight;
 * otherwise continue, the weight stepping up (held when nothing had data
 * or on a marginal score at max_weight with marginal_at_max hold).
 */
void mlci_canary_decide(const struct mlci_canary_config *c,
			const struct mlci_canary_state *st, double score,
			int critical, int judged,
			struct mlci_canary_verdict *v);

/* The weight after w on the schedule (capped at max_weight). */
double mlci_canary_next_weight(const struct mlci_canary_config *c, double w);

/* The result of an A/B test. */
struct mlci_canary_ab {
	double rate_a, rate_b;
	double z, p_value;	/* statsmodels proportions_ztest, pooled, two-sided */
	int enough;		/* both variants have min_samples trials */
	int winner;		/* 0: none, 1: a, 2: b */
	char reason[256];
};

/*
 * The two-proportion z test of b against a, as statsmodels'
 * proportions_ztest([sa, sb], [na, nb]) (pooled variance, two-sided): the
 * winner is the variant with the higher rate when p < alpha and both
 * have min_samples trials. Returns 0 or -MLCI_EXIT_INPUT.
 */
int mlci_canary_ab_test(const struct mlci_canary_config *c,
			struct mlci_canary_ab *out);

/* The record's entry of one metric (a new object). */
cJSON *mlci_canary_result_json(const struct mlci_canary_result *r);

#endif
