/* SPDX-License-Identifier: MIT */
/* ml-canary's judgement: each metric's tests and class, Kayenta's score, the step schedule and its decision, A/B tests. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canary.h"
#include "json.h"
#include "usage.h"
#include "wrapper.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(const double *v, size_t n)
{
	double *s, m;

	if (!n)
		return NAN;
	s = xmalloc(n * sizeof(double));
	memcpy(s, v, n * sizeof(double));
	qsort(s, n, sizeof(double), cmp_double);
	m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	free(s);
	return m;
}

const char *mlci_canary_class_name(enum mlci_ranktest_class cls)
{
	switch (cls) {
	case MLCI_RANKTEST_PASS: return "Pass";
	case MLCI_RANKTEST_HIGH: return "High";
	case MLCI_RANKTEST_LOW: return "Low";
	case MLCI_RANKTEST_NODATA: return "NoData";
	}
	return "?";
}

static int allows(enum mlci_ranktest_direction d, int up)
{
	return d == MLCI_RANKTEST_EITHER ||
	       (up ? d == MLCI_RANKTEST_INCREASE : d == MLCI_RANKTEST_DECREASE);
}

static void fail(struct mlci_canary_result *r, enum mlci_ranktest_class cls,
		 const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void fail(struct mlci_canary_result *r, enum mlci_ranktest_class cls,
		 const char *fmt, ...)
{
	va_list ap;

	r->cls = cls;
	r->failed = 1;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
}

/* The values with the NaN policy applied: zeros appended for "zero". */
static double *with_zeros(const double *v, size_t n, size_t zeros)
{
	double *out = xcalloc(n + zeros + 1, sizeof(double));

	if (n)
		memcpy(out, v, n * sizeof(double));
	return out;
}

static int extra_tests(const struct mlci_canary_metric *m,
		       const double *c, size_t nc, const double *b, size_t nb,
		       double ec, double eb, struct mlci_canary_result *r)
{
	double alpha = 1 - m->confidence;
	size_t i;
	int ret;

	if (m->tests & MLCI_CANARY_TEST_RATE) {
		double sc = 0, sb = 0;

		for (i = 0; i < nc; i++)
			sc += c[i];
		for (i = 0; i < nb; i++)
			sb += b[i];
		for (i = 0; i < nc; i++)
			if (c[i] < 0)
				return mlci_error(MLCI_EXIT_INPUT,
						  "metric '%s': the rate test needs counts >= 0, got %g",
						  m->name, c[i]);
		for (i = 0; i < nb; i++)
			if (b[i] < 0)
				return mlci_error(MLCI_EXIT_INPUT,
						  "metric '%s': the rate test needs counts >= 0, got %g",
						  m->name, b[i]);
		if (isnan(ec))
			ec = (double)nc;
		if (isnan(eb))
			eb = (double)nb;
		if (!(ec > 0) || !(eb > 0) || !isfinite(ec) || !isfinite(eb))
			return mlci_error(MLCI_EXIT_INPUT,
					  "metric '%s': the rate test needs exposures > 0, got %g and %g",
					  m->name, ec, eb);
		r->count_canary = (double)llround(sc);
		r->count_baseline = (double)llround(sb);
		r->exposure_canary = ec;
		r->exposure_baseline = eb;
		ret = mlci_ranktest_rate((unsigned long long)llround(sc), ec,
					 (unsigned long long)llround(sb), eb,
					 m->direction, &r->rate);
		if (ret)
			return ret;
		r->rate_done = 1;
		if (!r->failed && r->rate.p_value < alpha) {
			int up = r->rate.canary_rate > r->rate.baseline_rate;

			if (allows(m->direction, up))
				fail(r, up ? MLCI_RANKTEST_HIGH : MLCI_RANKTEST_LOW,
				     "rate test: canary %.6g per unit of exposure against baseline %.6g (%.0f vs %.0f counts), p = %.3g < %.3g",
				     r->rate.canary_rate, r->rate.baseline_rate,
				     sc, sb, r->rate.p_value, alpha);
		}
	}
	if ((m->tests & MLCI_CANARY_TEST_VARIANCE) && nc >= 2 && nb >= 2) {
		ret = mlci_ranktest_levene(c, nc, b, nb, &r->levene_statistic,
					   &r->levene_p);
		if (ret)
			return ret;
		r->variance_done = 1;
		if (!r->failed && r->levene_p < alpha) {
			double dc = 0, db = 0, mc = r->median_canary,
			       mb = r->median_baseline;

			for (i = 0; i < nc; i++)
				dc += fabs(c[i] - mc);
			for (i = 0; i < nb; i++)
				db += fabs(b[i] - mb);
			if (dc / nc > db / nb)
				fail(r, MLCI_RANKTEST_HIGH,
				     "variance test (Brown-Forsythe): the canary spreads more, mean absolute deviation %.6g against %.6g, p = %.3g < %.3g",
				     dc / nc, db / nb, r->levene_p, alpha);
		}
	}
	if (!r->failed && !isnan(m->max) && r->median_canary > m->max)
		fail(r, MLCI_RANKTEST_HIGH, "canary median %.6g above max %.6g",
		     r->median_canary, m->max);
	if (!r->failed && !isnan(m->min) && r->median_canary < m->min)
		fail(r, MLCI_RANKTEST_LOW, "canary median %.6g below min %.6g",
		     r->median_canary, m->min);
	if (!r->failed && !isnan(m->tolerance)) {
		double mb = r->median_baseline, d = m->tolerance * fabs(mb);

		if (allows(m->direction, 1) && r->median_canary > mb + d)
			fail(r, MLCI_RANKTEST_HIGH,
			     "canary median %.6g above the baseline's %.6g by more than the tolerance %g",
			     r->median_canary, mb, m->tolerance);
		else if (allows(m->direction, 0) && r->median_canary < mb - d)
			fail(r, MLCI_RANKTEST_LOW,
			     "canary median %.6g below the baseline's %.6g by more than the tolerance %g",
			     r->median_canary, mb, m->tolerance);
	}
	return 0;
}

int mlci_canary_judge(const struct mlci_canary_metric *m, const double *canary,
		      size_t nc, size_t nonfinite_c, const double *baseline,
		      size_t nb, size_t nonfinite_b, double exposure_c,
		      double exposure_b, struct mlci_canary_result *r)
{
	double *c, *b;
	int ret = 0;

	memset(r, 0, sizeof(*r));
	r->metric = m;
	r->nonfinite_canary = nonfinite_c;
	r->nonfinite_baseline = nonfinite_b;
	r->median_canary = r->median_baseline = NAN;
	r->cls = MLCI_RANKTEST_PASS;
	if (m->nan == MLCI_CANARY_NAN_ZERO) {
		c = with_zeros(canary, nc, nonfinite_c);
		b = with_zeros(baseline, nb, nonfinite_b);
		nc += nonfinite_c;
		nb += nonfinite_b;
	} else {
		c = with_zeros(canary, nc, 0);
		b = with_zeros(baseline, nb, 0);
	}
	r->n_canary = nc;
	r->n_baseline = nb;
	r->median_canary = median(c, nc);
	r->median_baseline = median(b, nb);
	if (m->nan == MLCI_CANARY_NAN_FAIL && (nonfinite_c || nonfinite_b)) {
		fail(r, MLCI_RANKTEST_NODATA,
		     "NaN or infinite values (%zu canary, %zu baseline) and nan: fail",
		     nonfinite_c, nonfinite_b);
		goto out;
	}
	if (!nc || !nb) {
		r->cls = MLCI_RANKTEST_NODATA;
		snprintf(r->reason, sizeof(r->reason), "no data for the %s%s",
			 !nc && !nb ? "canary and the baseline" : !nc ? "canary" : "baseline",
			 m->must_have_data ? " and must_have_data: fails" :
			 ": left out of the score");
		r->failed = m->must_have_data;
		goto out;
	}
	ret = mlci_ranktest_mwu(c, nc, b, nb, MLCI_RANKTEST_AUTO, &r->mwu);
	if (ret)
		goto out;
	r->mwu_done = 1;
	if (m->tests & MLCI_CANARY_TEST_MWU) {
		struct mlci_ranktest_judge_opts o;

		mlci_ranktest_judge_opts_init(&o);
		o.conf_level = m->confidence;
		o.tolerance = m->effect_tolerance;
		ret = mlci_ranktest_classify(c, nc, b, nb, m->direction, &o,
					     &r->judgement);
		if (ret)
			goto out;
		r->judged = 1;
		r->cls = r->judgement.cls;
		if (r->cls == MLCI_RANKTEST_HIGH || r->cls == MLCI_RANKTEST_LOW) {
			r->failed = 1;
			snprintf(r->reason, sizeof(r->reason),
				 "Mann-Whitney: the canary is %s, shift interval [%.6g, %.6g] at %g%% beyond -+%g x |%.6g|, p = %.3g",
				 r->cls == MLCI_RANKTEST_HIGH ? "higher" : "lower",
				 r->judgement.hl.lower, r->judgement.hl.upper,
				 100 * m->confidence, m->effect_tolerance,
				 r->judgement.hl.estimate, r->mwu.p_value);
			goto out;
		}
	}
	ret = extra_tests(m, c, nc, b, nb, exposure_c, exposure_b, r);
	if (ret || r->failed)
		goto out;
	if (r->judged && r->judgement.tested)
		snprintf(r->reason, sizeof(r->reason),
			 "no significant shift: interval [%.6g, %.6g] at %g%%, p = %.3g",
			 r->judgement.hl.lower, r->judgement.hl.upper,
			 100 * m->confidence, r->mwu.p_value);
	else if (r->judged)
		snprintf(r->reason, sizeof(r->reason),
			 "the same values in both samples");
	else
		snprintf(r->reason, sizeof(r->reason), "the configured tests pass");
out:
	free(c);
	free(b);
	return ret;
}

double mlci_canary_score(const struct mlci_canary_config *c,
			 const struct mlci_canary_result *r, size_t n,
			 int *critical, int *judged, double *group_scores)
{
	double sum = 0, wsum = 0;
	size_t g, i;

	*critical = 0;
	*judged = 0;
	for (i = 0; i < n; i++)
		if (r[i].failed && r[i].metric->critical)
			*critical = 1;
	for (g = 0; g < c->ngroups; g++) {
		double pass = 0, total = 0;

		for (i = 0; i < n; i++) {
			if (strcmp(r[i].metric->group, c->groups[g].name))
				continue;
			if (r[i].cls == MLCI_RANKTEST_PASS)
				pass++;
			if (r[i].cls != MLCI_RANKTEST_NODATA || r[i].failed)
				total++;
		}
		if (group_scores)
			group_scores[g] = total ? 100 * pass / total : NAN;
		if (!total)
			continue;
		*judged = 1;
		sum += c->groups[g].weight * 100 * pass / total;
		wsum += c->groups[g].weight;
	}
	if (*critical || !*judged)
		return 0;
	return wsum > 0 ? sum / wsum : 0;
}

void mlci_canary_state_release(struct mlci_canary_state *st)
{
	cJSON_Delete(st->history);
	memset(st, 0, sizeof(*st));
}

int mlci_canary_state_load(const struct mlci_canary_config *c,
			   const cJSON *prev, struct mlci_canary_state *st)
{
	const char *d, *label;
	double w, it, fc;

	memset(st, 0, sizeof(*st));
	st->weight = c->initial_weight;
	st->iteration = 1;
	st->history = cJSON_CreateArray();
	if (!st->history)
		mlci_die("out of memory");
	if (!prev || !cJSON_IsObject(prev))
		return 0;
	d = mlci_json_get_string(prev, "decision");
	if (!d || strcmp(d, "continue") ||
	    cJSON_GetObjectItemCaseSensitive(prev, "mode"))
		return 0;	/* finished, skipped, or an A/B result: start over */
	label = mlci_json_get_string(prev, "canary");
	if ((label || c->canary) && (!label || !c->canary || strcmp(label, c->canary))) {
		mlci_warning("the record's canary section judged canary '%s', not '%s': starting over",
			     label ? label : "(none)", c->canary ? c->canary : "(none)");
		return 0;
	}
	if (mlci_json_get_number(prev, "next_weight", &w) ||
	    mlci_json_get_number(prev, "iteration", &it) ||
	    mlci_json_get_number(prev, "failed_checks", &fc) ||
	    !(w > 0) || w > 100 || it < 1 || it != floor(it) || it > 1e9 ||
	    fc < 0 || fc != floor(fc) || fc > 1e9)
		return mlci_error(MLCI_EXIT_INPUT,
				  "the record's canary section has no valid next_weight, iteration and failed_checks to resume from");
	st->weight = w > c->max_weight ? c->max_weight : w;
	st->iteration = (long)it + 1;
	st->failed_checks = (long)fc;
	if (cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(prev, "history"))) {
		cJSON_Delete(st->history);
		st->history = cJSON_Duplicate(
			cJSON_GetObjectItemCaseSensitive(prev, "history"), 1);
		if (!st->history)
			mlci_die("out of memory");
	}
	return 0;
}

const char *mlci_canary_decision_name(enum mlci_canary_decision d)
{
	switch (d) {
	case MLCI_CANARY_CONTINUE: return "continue";
	case MLCI_CANARY_PROMOTE: return "promote";
	case MLCI_CANARY_ROLLBACK: return "rollback";
	}
	return "?";
}

double mlci_canary_next_weight(const struct mlci_canary_config *c, double w)
{
	size_t i;

	if (c->nstep_weights) {
		for (i = 0; i < c->nstep_weights; i++)
			if (c->step_weights[i] > w)
				return c->step_weights[i] > c->max_weight ?
				       c->max_weight : c->step_weights[i];
		return c->max_weight;
	}
	return w + c->step_weight > c->max_weight ? c->max_weight :
	       w + c->step_weight;
}

static void verdict(struct mlci_canary_verdict *v, enum mlci_canary_decision d,
		    double next, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void verdict(struct mlci_canary_verdict *v, enum mlci_canary_decision d,
		    double next, const char *fmt, ...)
{
	va_list ap;

	v->decision = d;
	v->next_weight = d == MLCI_CANARY_PROMOTE ? 100 :
			 d == MLCI_CANARY_ROLLBACK ? 0 : next;
	va_start(ap, fmt);
	vsnprintf(v->reason, sizeof(v->reason), fmt, ap);
	va_end(ap);
}

void mlci_canary_decide(const struct mlci_canary_config *c,
			const struct mlci_canary_state *st, double score,
			int critical, int judged,
			struct mlci_canary_verdict *v)
{
	double w = st->weight;
	int at_max = w >= c->max_weight;

	v->failed_checks = st->failed_checks;
	if (critical) {
		verdict(v, MLCI_CANARY_ROLLBACK, 0, "a critical metric failed");
		return;
	}
	if (!judged) {
		v->failed_checks++;
		if (v->failed_checks >= c->failure_threshold)
			verdict(v, MLCI_CANARY_ROLLBACK, 0,
				"no metric had data, and failed checks reached the threshold (%ld)",
				c->failure_threshold);
		else
			verdict(v, MLCI_CANARY_CONTINUE, w,
				"no metric had data: a failed check (%ld of %ld), the weight held",
				v->failed_checks, c->failure_threshold);
	} else if (score < c->marginal) {
		verdict(v, MLCI_CANARY_ROLLBACK, 0, "score %.4g below marginal %g",
			score, c->marginal);
		return;
	} else if (score >= c->pass) {
		if (at_max)
			verdict(v, MLCI_CANARY_PROMOTE, 100,
				"score %.4g at least pass %g at the maximum weight %g",
				score, c->pass, c->max_weight);
		else
			verdict(v, MLCI_CANARY_CONTINUE, mlci_canary_next_weight(c, w),
				"score %.4g at least pass %g: the weight steps up",
				score, c->pass);
	} else {
		v->failed_checks++;
		if (v->failed_checks >= c->failure_threshold)
			verdict(v, MLCI_CANARY_ROLLBACK, 0,
				"marginal score %.4g: failed checks reached the threshold (%ld)",
				score, c->failure_threshold);
		else if (at_max && c->marginal_at_max_rollback)
			verdict(v, MLCI_CANARY_ROLLBACK, 0,
				"marginal score %.4g at the maximum weight, and marginal_at_max: rollback",
				score);
		else if (at_max)
			verdict(v, MLCI_CANARY_CONTINUE, w,
				"marginal score %.4g at the maximum weight: held (failed check %ld of %ld)",
				score, v->failed_checks, c->failure_threshold);
		else
			verdict(v, MLCI_CANARY_CONTINUE, mlci_canary_next_weight(c, w),
				"marginal score %.4g: the weight steps up (failed check %ld of %ld)",
				score, v->failed_checks, c->failure_threshold);
	}
	if (v->decision == MLCI_CANARY_CONTINUE && c->max_iterations &&
	    st->iteration >= c->max_iterations)
		verdict(v, MLCI_CANARY_ROLLBACK, 0,
			"max_iterations (%ld) spent without promotion",
			c->max_iterations);
}

int mlci_canary_ab_test(const struct mlci_canary_config *c,
			struct mlci_canary_ab *out)
{
	const struct mlci_canary_variant *a = &c->variant_a, *b = &c->variant_b;
	double p, se;

	memset(out, 0, sizeof(*out));
	if (!(a->trials > 0) || !(b->trials > 0)) {
		out->rate_a = a->trials > 0 ? a->successes / a->trials : NAN;
		out->rate_b = b->trials > 0 ? b->successes / b->trials : NAN;
		out->z = out->p_value = NAN;
		snprintf(out->reason, sizeof(out->reason),
			 "not enough data yet: a variant has no trials");
		return 0;
	}
	out->rate_a = a->successes / a->trials;
	out->rate_b = b->successes / b->trials;
	p = (a->successes + b->successes) / (a->trials + b->trials);
	se = sqrt(p * (1 - p) * (1 / a->trials + 1 / b->trials));
	/* statsmodels: z = (p1 - p2) / se with count=[a, b]; se 0 gives nan. */
	out->z = se > 0 ? (out->rate_a - out->rate_b) / se : NAN;
	out->p_value = isnan(out->z) ? NAN : erfc(fabs(out->z) / sqrt(2.0));
	out->enough = a->trials >= c->ab_min_samples &&
		      b->trials >= c->ab_min_samples;
	if (!out->enough) {
		snprintf(out->reason, sizeof(out->reason),
			 "not enough data yet: %.0f and %.0f trials, %.0f needed each",
			 a->trials, b->trials, c->ab_min_samples);
		return 0;
	}
	if (!(out->p_value < c->ab_alpha)) {
		snprintf(out->reason, sizeof(out->reason),
			 "no significant difference: %.4g against %.4g, p = %.3g (alpha %g)",
			 out->rate_a, out->rate_b, out->p_value, c->ab_alpha);
		return 0;
	}
	out->winner = out->rate_b > out->rate_a ? 2 : 1;
	snprintf(out->reason, sizeof(out->reason),
		 "%s wins: %.4g against %.4g, p = %.3g < %g",
		 out->winner == 2 ? b->name : a->name,
		 out->winner == 2 ? out->rate_b : out->rate_a,
		 out->winner == 2 ? out->rate_a : out->rate_b, out->p_value,
		 c->ab_alpha);
	return 0;
}

cJSON *mlci_canary_result_json(const struct mlci_canary_result *r)
{
	const struct mlci_canary_metric *m = r->metric;
	cJSON *o = cJSON_CreateObject(), *q;

	if (!o)
		mlci_die("out of memory");
	mlci_json_set_number(o, "n_canary", (double)r->n_canary);
	mlci_json_set_number(o, "n_baseline", (double)r->n_baseline);
	mlci_json_set(o, "median_canary", mlci_json_number(r->median_canary));
	mlci_json_set(o, "median_baseline", mlci_json_number(r->median_baseline));
	mlci_json_set(o, "statistic",
		      mlci_json_number(r->mwu_done ? r->mwu.statistic : NAN));
	mlci_json_set(o, "p_value",
		      mlci_json_number(r->mwu_done ? r->mwu.p_value : NAN));
	mlci_json_set(o, "ci_low", mlci_json_number(
		r->judged && r->judgement.tested ? r->judgement.hl.lower : NAN));
	mlci_json_set(o, "ci_high", mlci_json_number(
		r->judged && r->judgement.tested ? r->judgement.hl.upper : NAN));
	mlci_json_set_string(o, "classification", mlci_canary_class_name(r->cls));
	mlci_json_set_bool(o, "failed", r->failed);
	mlci_json_set_string(o, "reason", r->reason);
	if (m->has_samples) {
		mlci_json_set_null(o, "query");
	} else {
		q = cJSON_CreateObject();
		if (!q)
			mlci_die("out of memory");
		mlci_json_set_string(q, "canary", m->canary_query);
		mlci_json_set_string(q, "baseline", m->baseline_query);
		mlci_json_set(o, "query", q);
	}
	mlci_json_set_string(o, "group", m->group);
	mlci_json_set_string(o, "direction",
			     m->direction == MLCI_RANKTEST_INCREASE ? "increase" :
			     m->direction == MLCI_RANKTEST_DECREASE ? "decrease" : "either");
	mlci_json_set_bool(o, "critical", m->critical);
	mlci_json_set_number(o, "nonfinite_canary", (double)r->nonfinite_canary);
	mlci_json_set_number(o, "nonfinite_baseline", (double)r->nonfinite_baseline);
	if (r->rate_done) {
		q = cJSON_CreateObject();
		if (!q)
			mlci_die("out of memory");
		mlci_json_set(q, "canary_rate", mlci_json_number(r->rate.canary_rate));
		mlci_json_set(q, "baseline_rate", mlci_json_number(r->rate.baseline_rate));
		mlci_json_set(q, "p_value", mlci_json_number(r->rate.p_value));
		mlci_json_set_number(q, "canary_count", r->count_canary);
		mlci_json_set_number(q, "baseline_count", r->count_baseline);
		mlci_json_set(q, "canary_exposure", mlci_json_number(r->exposure_canary));
		mlci_json_set(q, "baseline_exposure", mlci_json_number(r->exposure_baseline));
		mlci_json_set(o, "rate_test", q);
	}
	if (r->variance_done) {
		q = cJSON_CreateObject();
		if (!q)
			mlci_die("out of memory");
		mlci_json_set(q, "statistic", mlci_json_number(r->levene_statistic));
		mlci_json_set(q, "p_value", mlci_json_number(r->levene_p));
		mlci_json_set(o, "variance_test", q);
	}
	return o;
}
