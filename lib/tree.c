/* SPDX-License-Identifier: MIT */
/* CART decision trees (scikit-learn 1.2's DecisionTree*): exact or histogram splits, prediction, importances, JSON. */
#include "tree.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "json.h"
#include "usage.h"
#include "wrapper.h"

/* scikit-learn's: values closer than this are one value for a split. */
#define FEATURE_THRESHOLD 1e-7
#define MAX_BINS 256
/* Features whose histograms one pass over a node's rows builds, at most. */
#define HIST_BATCH 32
/* Rows sampled to place the bin edges. */
#define BIN_SAMPLE 200000

void mlci_tree_params_init(struct mlci_tree_params *p, int regression)
{
	memset(p, 0, sizeof(*p));
	p->criterion = regression ? MLCI_TREE_SQUARED_ERROR : MLCI_TREE_GINI;
	p->max_depth = 0;
	p->min_samples_split = 2;
	p->min_samples_leaf = 1;
	p->max_features = MLCI_MAXF_ALL;
	p->max_bins = 0;
	p->exact_below = 0;
}

size_t mlci_tree_max_features(const struct mlci_tree_params *p, size_t d)
{
	double m;

	switch (p->max_features) {
	case MLCI_MAXF_SQRT:
		m = floor(sqrt((double)d));
		break;
	case MLCI_MAXF_LOG2:
		m = floor(log2((double)d));
		break;
	case MLCI_MAXF_FRACTION:
		m = floor(p->max_features_value * (double)d);
		break;
	case MLCI_MAXF_COUNT:
		m = p->max_features_value;
		break;
	default:
		m = (double)d;
	}
	if (m < 1)
		m = 1;
	if (m > (double)d)
		m = (double)d;
	return (size_t)m;
}

void mlci_tree_init(struct mlci_tree *t)
{
	memset(t, 0, sizeof(*t));
}

void mlci_tree_release(struct mlci_tree *t)
{
	free(t->feature);
	free(t->threshold);
	free(t->right);
	free(t->value);
	free(t->gain);
	mlci_tree_init(t);
}

/* ---- data ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* scikit-learn's threshold between two values: a/2 + b/2, or a when that rounds to b. */
static double midpoint(double a, double b)
{
	double m = a / 2.0 + b / 2.0;

	if (m >= b || !isfinite(m))
		m = a;
	return m;
}

/* Edges of feature f from the sorted sample v (m values). */
static int place_edges(double *edges, const double *v, size_t m, int max_bins)
{
	size_t i, nu = 0, j;
	int ne = 0;

	for (i = 0; i < m; i++)
		if (!i || v[i] != v[i - 1])
			nu++;
	if (nu <= (size_t)max_bins) {
		for (i = 1; i < m; i++)
			if (v[i] != v[i - 1])
				edges[ne++] = midpoint(v[i - 1], v[i]);
		return ne;
	}
	for (j = 1; j < (size_t)max_bins; j++) {
		size_t pos = (size_t)((double)j * (double)m / max_bins);
		double e;

		if (pos >= m)
			break;
		/* The edge above the value at the quantile and below the next one. */
		for (i = pos; i + 1 < m && v[i + 1] == v[pos]; i++)
			;
		if (i + 1 >= m)
			break;
		e = midpoint(v[i], v[i + 1]);
		if (ne && e <= edges[ne - 1])
			continue;
		edges[ne++] = e;
	}
	return ne;
}

/* The bin of x: the first edge x is at or below, else the last bin. */
static int find_bin(const double *edges, int ne, double x)
{
	int lo = 0, hi = ne;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (x <= edges[mid])
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

int mlci_tree_data_prepare(struct mlci_tree_data *td, const double *X,
			   const double *y, const double *weight, size_t n,
			   size_t d, size_t nclasses, int max_bins)
{
	size_t i, f;

	memset(td, 0, sizeof(*td));
	if (!n || !d)
		return mlci_error(MLCI_EXIT_INPUT, "trees: no rows or no features to fit");
	if (n > UINT32_MAX - 1)
		return mlci_error(MLCI_EXIT_INPUT, "trees: more than %u rows", UINT32_MAX - 1);
	for (i = 0; i < n; i++) {
		if (!isfinite(y[i]))
			return mlci_error(MLCI_EXIT_INPUT, "trees: row %zu: the target is not a finite number", i + 1);
		if (nclasses && (y[i] < 0 || y[i] >= (double)nclasses || y[i] != floor(y[i])))
			return mlci_error(MLCI_EXIT_BUG, "trees: row %zu: class %g out of range", i + 1, y[i]);
		if (weight && !(weight[i] >= 0 && isfinite(weight[i])))
			return mlci_error(MLCI_EXIT_INPUT, "trees: row %zu: the weight must be a finite number >= 0", i + 1);
		for (f = 0; f < d; f++)
			if (!isfinite((float)X[i * d + f]))
				return mlci_error(MLCI_EXIT_INPUT,
						  "trees: row %zu, feature %zu: not a finite single-precision number (trees need missing values imputed)",
						  i + 1, f + 1);
	}
	td->X = X;
	td->y = y;
	td->n = n;
	td->d = d;
	td->nclasses = nclasses;
	td->w = xmalloc(n * sizeof(double));
	for (i = 0; i < n; i++)
		td->w[i] = weight ? weight[i] : 1.0;
	td->Xc = xmalloc(n * d * sizeof(float));
	for (i = 0; i < n; i++)
		for (f = 0; f < d; f++)
			td->Xc[f * n + i] = (float)X[i * d + f];
	if (max_bins <= 0)
		return 0;
	if (max_bins > MAX_BINS)
		max_bins = MAX_BINS;
	td->max_bins = max_bins;
	td->edges = xcalloc(d * (MAX_BINS - 1), sizeof(double));
	td->nbins = xcalloc(d, sizeof(int));
	td->bins = xmalloc(n * d);
	{
		size_t m = n < BIN_SAMPLE ? n : BIN_SAMPLE;
		double *v = xmalloc(m * sizeof(double));

		for (f = 0; f < d; f++) {
			double *e = td->edges + f * (MAX_BINS - 1);
			const float *col = td->Xc + f * n;
			int ne;

			/* Evenly spaced rows: deterministic and spread over the file. */
			for (i = 0; i < m; i++)
				v[i] = col[m == n ? i : (size_t)((double)i * (double)n / (double)m)];
			qsort(v, m, sizeof(double), cmp_double);
			ne = place_edges(e, v, m, max_bins);
			td->nbins[f] = ne + 1;
			for (i = 0; i < n; i++)
				td->bins[i * d + f] = (uint8_t)find_bin(e, ne, col[i]);
		}
		free(v);
	}
	return 0;
}

void mlci_tree_data_release(struct mlci_tree_data *td)
{
	free(td->w);
	free(td->Xc);
	free(td->bins);
	free(td->edges);
	free(td->nbins);
	memset(td, 0, sizeof(*td));
}

/* ---- growing ---- */

struct pv {
	double v;
	uint32_t i;
};

static void swap_pv(struct pv *a, struct pv *b)
{
	struct pv t = *a;

	*a = *b;
	*b = t;
}

/* Three-way quicksort by value: many equal values cost nothing extra. */
static void sort_pv(struct pv *a, size_t n)
{
	while (n > 16) {
		double x, p0 = a[0].v, p1 = a[n / 2].v, p2 = a[n - 1].v;
		size_t lt = 0, i = 0, gt = n;

		x = p0 < p1 ? (p1 < p2 ? p1 : (p0 < p2 ? p2 : p0))
			    : (p0 < p2 ? p0 : (p1 < p2 ? p2 : p1));
		while (i < gt) {
			if (a[i].v < x)
				swap_pv(&a[lt++], &a[i++]);
			else if (a[i].v > x)
				swap_pv(&a[i], &a[--gt]);
			else
				i++;
		}
		/* Recurse on the smaller side, loop on the larger. */
		if (lt < n - gt) {
			sort_pv(a, lt);
			a += gt;
			n -= gt;
		} else {
			sort_pv(a + gt, n - gt);
			n = lt;
		}
	}
	{
		size_t i, j;

		for (i = 1; i < n; i++) {
			struct pv t = a[i];

			for (j = i; j > 0 && a[j - 1].v > t.v; j--)
				a[j] = a[j - 1];
			a[j] = t;
		}
	}
}

struct split {
	int feature;		/* -1: none */
	double threshold;
	int bin;		/* the last bin going left, or -1 for an exact split */
	double proxy;
};

struct grower {
	const struct mlci_tree_data *td;
	const struct mlci_tree_params *p;
	uint32_t rand_state;	/* scikit-learn's rand_r state */
	size_t k, stride;	/* classes (0: regression); histogram slot size */
	uint32_t *idx;
	double *sw;		/* weight of each row in this tree */
	struct pv *pv;
	double *hist;		/* mtry x MAX_BINS x stride */
	double *lacc, *tot;	/* k (or 2) running sums */
	int *feats, *constant;	/* scikit-learn's features and constant_features */
	int *hfeats;		/* the histogram splits' draws */
	size_t mtry;
	/* The tree being built, and per node its weight and impurity. */
	struct mlci_tree *t;
	size_t cap, vcap;
	double *nw, *nimp;
};

/* Sums of the node: class weights (k) or weight, weighted sum (2). */
static void node_totals(struct grower *g, size_t s, size_t e, double *tot,
			double *sq)
{
	const double *y = g->td->y;
	size_t i;

	if (g->k) {
		memset(tot, 0, g->k * sizeof(double));
		for (i = s; i < e; i++)
			tot[(size_t)y[g->idx[i]]] += g->sw[g->idx[i]];
		return;
	}
	tot[0] = tot[1] = *sq = 0;
	for (i = s; i < e; i++) {
		double w = g->sw[g->idx[i]], v = y[g->idx[i]];

		tot[0] += w;
		tot[1] += w * v;
		*sq += w * v * v;
	}
}

static double node_weight(const struct grower *g, const double *tot)
{
	double W = 0;
	size_t c;

	if (!g->k)
		return tot[0];
	for (c = 0; c < g->k; c++)
		W += tot[c];
	return W;
}

/* The node's impurity as scikit-learn's node_impurity(). */
static double impurity(const struct grower *g, const double *tot, double W,
		       double sq)
{
	size_t c;
	double r = 0;

	if (!g->k) {
		double m = tot[1] / W;

		return sq / W - m * m;
	}
	if (g->p->criterion == MLCI_TREE_ENTROPY) {
		for (c = 0; c < g->k; c++)
			if (tot[c] > 0) {
				double q = tot[c] / W;

				r -= q * log2(q);
			}
		return r;
	}
	for (c = 0; c < g->k; c++)
		r += (tot[c] / W) * (tot[c] / W);
	return 1.0 - r;
}

/*
 * The quantity a split maximises (scikit-learn's proxy impurity
 * improvement up to a constant of the node): left sums l, node sums tot.
 */
static double proxy(const struct grower *g, const double *l, const double *tot)
{
	size_t c;

	if (!g->k) {
		double wl = l[0], wr = tot[0] - l[0], sl = l[1], sr = tot[1] - l[1];

		return sl * sl / wl + sr * sr / wr;
	}
	{
		/* scikit-learn's children_impurity and proxy, operation for operation. */
		double wl = 0, wr = 0, il = 0, ir = 0;

		for (c = 0; c < g->k; c++) {
			wl += l[c];
			wr += tot[c] - l[c];
		}
		if (g->p->criterion == MLCI_TREE_ENTROPY) {
			for (c = 0; c < g->k; c++) {
				double a = l[c], b = tot[c] - l[c];

				if (a > 0) {
					a /= wl;
					il -= a * (log(a) / log(2.0));
				}
				if (b > 0) {
					b /= wr;
					ir -= b * (log(b) / log(2.0));
				}
			}
		} else {
			double ql = 0, qr = 0;

			for (c = 0; c < g->k; c++) {
				double a = l[c], b = tot[c] - l[c];

				ql += a * a;
				qr += b * b;
			}
			il = 1.0 - ql / (wl * wl);
			ir = 1.0 - qr / (wr * wr);
		}
		return -wr * ir - wl * il;
	}
}

/* Add row i's weight to the running sums acc. */
static inline void acc_add(const struct grower *g, double *acc, uint32_t i)
{
	double w = g->sw[i];

	if (g->k) {
		acc[(size_t)g->td->y[i]] += w;
	} else {
		acc[0] += w;
		acc[1] += w * g->td->y[i];
	}
}

/*
 * The best exact split of feature f on rows [s, e): 1 when f is constant
 * there (nothing tried), else 0 with best updated.
 */
static int exact_feature(struct grower *g, int f, size_t s, size_t e,
			 const double *tot, struct split *best)
{
	const float *col = g->td->Xc + (size_t)f * g->td->n;
	size_t m = e - s, i, msl = g->p->min_samples_leaf;
	size_t na = g->k ? g->k : 2;
	struct pv *a = g->pv;

	for (i = 0; i < m; i++) {
		a[i].i = g->idx[s + i];
		a[i].v = col[a[i].i];
	}
	sort_pv(a, m);
	if (a[m - 1].v <= a[0].v + FEATURE_THRESHOLD)
		return 1;
	memset(g->lacc, 0, na * sizeof(double));
	for (i = 0; i + 1 < m; i++) {
		double q;

		acc_add(g, g->lacc, a[i].i);
		/* A split between positions i and i + 1 (left holds i + 1 rows). */
		if (a[i + 1].v <= a[i].v + FEATURE_THRESHOLD)
			continue;
		if (i + 1 < msl || m - (i + 1) < msl)
			continue;
		q = proxy(g, g->lacc, tot);
		if (q > best->proxy) {
			best->proxy = q;
			best->feature = f;
			best->threshold = midpoint(a[i].v, a[i + 1].v);
			best->bin = -1;
		}
	}
	return 0;
}

/*
 * Histograms of the nf features fs on rows [s, e) in one pass over the
 * rows, then the best split of each; *nconst counts the constant ones,
 * which are marked -1 in fs.
 */
static void hist_features(struct grower *g, int *fs, size_t nf, size_t s,
			  size_t e, const double *tot, struct split *best,
			  size_t *nconst)
{
	const struct mlci_tree_data *td = g->td;
	size_t st = g->stride, i, j, msl = g->p->min_samples_leaf;
	size_t na = g->k ? g->k : 2, d = td->d;

	for (j = 0; j < nf; j++)
		memset(g->hist + j * MAX_BINS * st, 0,
		       (size_t)td->nbins[fs[j]] * st * sizeof(double));
	if (g->k) {
		for (i = s; i < e; i++) {
			uint32_t r = g->idx[i];
			const uint8_t *row = td->bins + (size_t)r * d;
			double w = g->sw[r];
			size_t c = (size_t)td->y[r];

			for (j = 0; j < nf; j++) {
				double *h = g->hist + (j * MAX_BINS + row[fs[j]]) * st;

				h[c] += w;
				h[st - 1] += 1;
			}
		}
	} else {
		for (i = s; i < e; i++) {
			uint32_t r = g->idx[i];
			const uint8_t *row = td->bins + (size_t)r * d;
			double w = g->sw[r], wy = w * td->y[r];

			for (j = 0; j < nf; j++) {
				double *h = g->hist + (j * MAX_BINS + row[fs[j]]) * 3;

				h[0] += w;
				h[1] += wy;
				h[2] += 1;
			}
		}
	}
	for (j = 0; j < nf; j++) {
		const double *h = g->hist + j * MAX_BINS * st;
		int nb = td->nbins[fs[j]], b, last = -1, first = -1;
		size_t cnt = 0, m = e - s;
		size_t c;

		for (b = 0; b < nb; b++)
			if (h[b * st + st - 1] > 0) {
				if (first < 0)
					first = b;
				last = b;
			}
		if (first == last) {
			(*nconst)++;
			fs[j] = -1;
			continue;
		}
		memset(g->lacc, 0, na * sizeof(double));
		for (b = first; b < last; b++) {
			const double *hb = h + b * st;
			double q;

			if (hb[st - 1] == 0)
				continue;
			for (c = 0; c < na; c++)
				g->lacc[c] += hb[c];
			cnt += (size_t)hb[st - 1];
			if (cnt < msl || m - cnt < msl)
				continue;
			q = proxy(g, g->lacc, tot);
			if (q > best->proxy) {
				best->proxy = q;
				best->feature = fs[j];
				best->threshold = td->edges[(size_t)fs[j] * (MAX_BINS - 1) + b];
				best->bin = b;
			}
		}
	}
}

/* scikit-learn's our_rand_r and rand_int: a 32-bit xorshift. */
static uint32_t rand_r32(uint32_t *state)
{
	if (!*state)
		*state = 1;
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state % ((uint32_t)0x7fffffff + 1);
}

static size_t rand_int(size_t lo, size_t hi, uint32_t *state)
{
	return lo + rand_r32(state) % (hi - lo);
}

/*
 * The best exact split of rows [s, e) as scikit-learn's BestSplitter:
 * the same draws from the same generator over the same persistent
 * feature order, constants known from the parent (*nconst) skipped, so
 * a seed gives scikit-learn's tree for its random_state.
 */
static void exact_split(struct grower *g, size_t s, size_t e, const double *tot,
			struct split *best, size_t *nconst)
{
	int *features = g->feats, *constant = g->constant;
	size_t f_i = g->td->d, n_visited = 0, n_found = 0, n_drawn = 0;
	size_t n_known = *nconst, n_total = n_known, f_j;
	int t;

	while (f_i > n_total && (n_visited < g->mtry || n_visited <= n_found + n_drawn)) {
		n_visited++;
		f_j = rand_int(n_drawn, f_i - n_found, &g->rand_state);
		if (f_j < n_known) {
			t = features[n_drawn];
			features[n_drawn] = features[f_j];
			features[f_j] = t;
			n_drawn++;
			continue;
		}
		f_j += n_found;
		if (exact_feature(g, features[f_j], s, e, tot, best)) {
			t = features[f_j];
			features[f_j] = features[n_total];
			features[n_total] = t;
			n_found++;
			n_total++;
		} else {
			f_i--;
			t = features[f_i];
			features[f_i] = features[f_j];
			features[f_j] = t;
		}
	}
	/* scikit-learn keeps the known constants in their order for the children. */
	memcpy(features, constant, n_known * sizeof(int));
	memcpy(constant + n_known, features + n_known, n_found * sizeof(int));
	*nconst = n_total;
}

/*
 * Histogram splits: draw the features still wanted all at once (a
 * Fisher-Yates shuffle), build their histograms in one pass over the
 * rows, and draw again while constant ones fell short of mtry.
 */
static void hist_split(struct grower *g, size_t s, size_t e, const double *tot,
		       struct split *best)
{
	size_t d = g->td->d, drawn = 0, found = 0, i;

	for (i = 0; i < d; i++)
		g->hfeats[i] = (int)i;
	while (found < g->mtry && drawn < d) {
		size_t want = g->mtry - found, nf = 0, nconst = 0;
		int *fs = g->hfeats + drawn;

		/* At most HIST_BATCH histograms at once bounds their memory. */
		if (want > HIST_BATCH)
			want = HIST_BATCH;

		while (nf < want && drawn < d) {
			size_t j = rand_int(drawn, d, &g->rand_state);
			int t = g->hfeats[j];

			g->hfeats[j] = g->hfeats[drawn];
			g->hfeats[drawn] = t;
			drawn++;
			nf++;
		}
		hist_features(g, fs, nf, s, e, tot, best, &nconst);
		found += nf - nconst;
	}
}

static void find_split(struct grower *g, size_t s, size_t e, const double *tot,
		       struct split *best, size_t *nconst)
{
	best->feature = -1;
	best->proxy = -INFINITY;
	if (g->td->bins && (e - s) >= g->p->exact_below)
		hist_split(g, s, e, tot, best);
	else
		exact_split(g, s, e, tot, best, nconst);
}

static size_t partition(struct grower *g, size_t s, size_t e,
			const struct split *sp)
{
	const struct mlci_tree_data *td = g->td;
	size_t i = s, j = e;

	while (i < j) {
		uint32_t r = g->idx[i];
		int left = sp->bin >= 0 ? td->bins[(size_t)r * td->d + (size_t)sp->feature] <= sp->bin
					: td->Xc[(size_t)sp->feature * td->n + r] <= sp->threshold;

		if (left) {
			i++;
		} else {
			g->idx[i] = g->idx[--j];
			g->idx[j] = r;
		}
	}
	return i;
}

static size_t new_node(struct grower *g)
{
	struct mlci_tree *t = g->t;

	if (t->n_nodes == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 64;
		t->feature = xrealloc(t->feature, g->cap * sizeof(*t->feature));
		t->threshold = xrealloc(t->threshold, g->cap * sizeof(*t->threshold));
		t->right = xrealloc(t->right, g->cap * sizeof(*t->right));
		g->nw = xrealloc(g->nw, g->cap * sizeof(*g->nw));
		g->nimp = xrealloc(g->nimp, g->cap * sizeof(*g->nimp));
	}
	return t->n_nodes++;
}

static void make_leaf(struct grower *g, size_t node, const double *tot, double W)
{
	struct mlci_tree *t = g->t;
	size_t c, no = t->nout;
	double *v;

	if ((t->n_leaves + 1) * no > g->vcap) {
		g->vcap = g->vcap ? 2 * g->vcap : 64 * no;
		t->value = xrealloc(t->value, g->vcap * sizeof(double));
	}
	v = t->value + t->n_leaves * no;
	if (g->k)
		for (c = 0; c < g->k; c++)
			v[c] = tot[c] / W;
	else
		v[0] = tot[1] / W;
	t->feature[node] = -1;
	t->threshold[node] = 0;
	t->right[node] = (int32_t)t->n_leaves++;
}

struct frame {
	size_t s, e;
	int depth;
	int64_t parent;		/* the split node whose right child this is, or -1 */
	size_t nconst;		/* features known constant here (scikit-learn's) */
};

int mlci_tree_grow(struct mlci_tree *t, const struct mlci_tree_data *td,
		   const struct mlci_tree_params *p, const uint32_t *count,
		   uint32_t seed)
{
	struct grower g;
	struct frame *stack;
	size_t sp = 0, n = td->n, i, m = 0, na;
	double *tot;

	mlci_tree_release(t);
	memset(&g, 0, sizeof(g));
	g.td = td;
	g.p = p;
	g.rand_state = seed;
	g.t = t;
	g.k = td->nclasses;
	na = g.k ? g.k : 2;
	g.stride = g.k ? g.k + 1 : 3;
	g.mtry = mlci_tree_max_features(p, td->d);
	t->nout = g.k ? g.k : 1;
	g.idx = xmalloc(n * sizeof(uint32_t));
	g.sw = xmalloc(n * sizeof(double));
	for (i = 0; i < n; i++) {
		g.sw[i] = td->w[i] * (count ? (double)count[i] : 1.0);
		/* Rows of no weight are left out, as scikit-learn's splitter does. */
		if (g.sw[i] > 0)
			g.idx[m++] = (uint32_t)i;
	}
	if (!m) {
		free(g.idx);
		free(g.sw);
		return mlci_error(MLCI_EXIT_INPUT, "trees: every row has weight 0");
	}
	g.pv = xmalloc(m * sizeof(struct pv));
	g.feats = xmalloc(td->d * sizeof(int));
	g.constant = xmalloc(td->d * sizeof(int));
	g.hfeats = xmalloc(td->d * sizeof(int));
	for (i = 0; i < td->d; i++)
		g.feats[i] = g.constant[i] = (int)i;
	if (td->bins)
		g.hist = xmalloc((g.mtry < HIST_BATCH ? g.mtry : HIST_BATCH) *
				 MAX_BINS * g.stride * sizeof(double));
	g.lacc = xmalloc(na * sizeof(double));
	/* One totals slot per depth level would do; one per stack frame is simpler. */
	stack = xmalloc(64 * sizeof(*stack));
	tot = xmalloc(na * sizeof(double));
	{
		size_t scap = 64;

		stack[sp++] = (struct frame){ 0, m, 0, -1, 0 };
		while (sp) {
			struct frame fr = stack[--sp];
			size_t node = new_node(&g), nn = fr.e - fr.s, mid;
			double sq = 0, W, imp;
			struct split best;
			int leaf;

			if (fr.parent >= 0)
				t->right[fr.parent] = (int32_t)node;
			if (fr.depth > t->depth)
				t->depth = fr.depth;
			node_totals(&g, fr.s, fr.e, tot, &sq);
			W = node_weight(&g, tot);
			imp = impurity(&g, tot, W, sq);
			g.nw[node] = W;
			g.nimp[node] = imp;
			leaf = (p->max_depth > 0 && fr.depth >= p->max_depth) ||
				nn < p->min_samples_split ||
				nn < 2 * p->min_samples_leaf ||
				imp <= DBL_EPSILON;
			if (!leaf) {
				find_split(&g, fr.s, fr.e, tot, &best, &fr.nconst);
				leaf = best.feature < 0;
			}
			if (leaf) {
				make_leaf(&g, node, tot, W);
				continue;
			}
			mid = partition(&g, fr.s, fr.e, &best);
			t->feature[node] = best.feature;
			t->threshold[node] = best.threshold;
			if (sp + 2 > scap) {
				scap *= 2;
				stack = xrealloc(stack, scap * sizeof(*stack));
			}
			/* Right first, so the left child is popped next: node + 1. */
			stack[sp++] = (struct frame){ mid, fr.e, fr.depth + 1, (int64_t)node, fr.nconst };
			stack[sp++] = (struct frame){ fr.s, mid, fr.depth + 1, -1, fr.nconst };
		}
	}
	t->gain = xcalloc(t->n_nodes, sizeof(double));
	for (i = 0; i < t->n_nodes; i++)
		if (t->feature[i] >= 0) {
			size_t l = i + 1, r = (size_t)t->right[i];

			t->gain[i] = g.nw[i] * g.nimp[i] - g.nw[l] * g.nimp[l] -
				g.nw[r] * g.nimp[r];
		}
	t->root_weight = g.nw[0];
	free(stack);
	free(tot);
	free(g.idx);
	free(g.sw);
	free(g.pv);
	free(g.feats);
	free(g.constant);
	free(g.hfeats);
	free(g.hist);
	free(g.lacc);
	free(g.nw);
	free(g.nimp);
	return 0;
}

const double *mlci_tree_leaf(const struct mlci_tree *t, const double *x)
{
	size_t i = 0;

	while (t->feature[i] >= 0)
		i = (double)(float)x[t->feature[i]] <= t->threshold[i] ? i + 1 : (size_t)t->right[i];
	return t->value + (size_t)t->right[i] * t->nout;
}

int mlci_tree_add_importances(const struct mlci_tree *t, size_t d, double *out)
{
	double *imp, sum = 0;
	size_t i;

	if (t->n_nodes <= 1 || !t->gain)
		return 0;
	imp = xcalloc(d, sizeof(double));
	for (i = 0; i < t->n_nodes; i++)
		if (t->feature[i] >= 0)
			imp[t->feature[i]] += t->gain[i];
	for (i = 0; i < d; i++) {
		imp[i] /= t->root_weight;
		sum += imp[i];
	}
	for (i = 0; i < d; i++)
		out[i] += sum > 0 ? imp[i] / sum : 0;
	free(imp);
	return 1;
}

uint32_t mlci_tree_sklearn_seed(uint64_t random_state)
{
	uint32_t mt[624], y;
	int i, k = 624;

	mt[0] = (uint32_t)random_state;
	for (i = 1; i < 624; i++)
		mt[i] = 1812433253U * (mt[i - 1] ^ (mt[i - 1] >> 30)) + (uint32_t)i;
	for (;;) {
		if (k >= 624) {
			for (i = 0; i < 624; i++) {
				y = (mt[i] & 0x80000000U) | (mt[(i + 1) % 624] & 0x7fffffffU);
				mt[i] = mt[(i + 397) % 624] ^ (y >> 1) ^ (y & 1 ? 0x9908b0dfU : 0);
			}
			k = 0;
		}
		y = mt[k++];
		y ^= y >> 11;
		y ^= (y << 7) & 0x9d2c5680U;
		y ^= (y << 15) & 0xefc60000U;
		y ^= y >> 18;
		/* numpy's legacy bounded draw: mask to 31 bits, reject above the range. */
		y &= 0x7fffffffU;
		if (y <= 0x7ffffffeU)
			return y;
	}
}

/* ---- JSON ---- */

/*
 * Each node field is one string: the unpadded URL-safe base64 of its
 * values as little-endian int32 or IEEE-754 doubles. A forest of a
 * thousand deep trees holds tens of millions of nodes; as JSON numbers
 * they would cost a cJSON item each to write and to read.
 */
static cJSON *pack_i32(const int32_t *v, size_t n)
{
	unsigned char *b = xmalloc(n ? 4 * n : 1);
	char *enc;
	cJSON *s;
	size_t i;

	for (i = 0; i < n; i++) {
		uint32_t u = (uint32_t)v[i];

		b[4 * i] = (unsigned char)u;
		b[4 * i + 1] = (unsigned char)(u >> 8);
		b[4 * i + 2] = (unsigned char)(u >> 16);
		b[4 * i + 3] = (unsigned char)(u >> 24);
	}
	enc = mlci_base64url_encode(b, 4 * n);
	s = cJSON_CreateString(enc);
	free(enc);
	free(b);
	if (!s)
		mlci_die("out of memory");
	return s;
}

static cJSON *pack_f64(const double *v, size_t n)
{
	unsigned char *b = xmalloc(n ? 8 * n : 1);
	char *enc;
	cJSON *s;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		uint64_t u;

		memcpy(&u, &v[i], 8);
		for (k = 0; k < 8; k++)
			b[8 * i + (size_t)k] = (unsigned char)(u >> (8 * k));
	}
	enc = mlci_base64url_encode(b, 8 * n);
	s = cJSON_CreateString(enc);
	free(enc);
	free(b);
	if (!s)
		mlci_die("out of memory");
	return s;
}

cJSON *mlci_tree_to_json(const struct mlci_tree *t)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		mlci_die("out of memory");
	mlci_json_set(o, "feature", pack_i32(t->feature, t->n_nodes));
	mlci_json_set(o, "threshold", pack_f64(t->threshold, t->n_nodes));
	mlci_json_set(o, "right", pack_i32(t->right, t->n_nodes));
	mlci_json_set(o, "value", pack_f64(t->value, t->n_leaves * t->nout));
	return o;
}

/* The base64 string key of o as bytes; width 4 or 8 per value, the count in *n. */
static unsigned char *unpack(const cJSON *o, const char *key, size_t width,
			     size_t *n, const char *what)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
	unsigned char *b = NULL;
	size_t len;

	if (!cJSON_IsString(it) ||
	    mlci_base64url_decode(it->valuestring, strlen(it->valuestring), &b, &len) ||
	    len % width) {
		free(b);
		mlci_error(MLCI_EXIT_INPUT,
			   "%s: tree: '%s' must be the base64url of little-endian %s",
			   what, key, width == 4 ? "int32 values" : "doubles");
		return NULL;
	}
	*n = len / width;
	return b;
}

static int32_t get_i32(const unsigned char *b, size_t i)
{
	uint32_t u = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 |
		(uint32_t)b[4 * i + 2] << 16 | (uint32_t)b[4 * i + 3] << 24;

	return (int32_t)u;
}

static double get_f64(const unsigned char *b, size_t i)
{
	uint64_t u = 0;
	double v;
	int k;

	for (k = 7; k >= 0; k--)
		u = u << 8 | b[8 * i + (size_t)k];
	memcpy(&v, &u, 8);
	return v;
}

int mlci_tree_from_json(struct mlci_tree *t, const cJSON *json, size_t d,
			size_t nout, const char *what)
{
	const cJSON *it;
	unsigned char *fb = NULL, *tb = NULL, *rb = NULL, *vb = NULL;
	size_t nf, nt, nr, nv, i, nleaf = 0, sp = 0, visited = 0;
	uint8_t *seen = NULL;
	size_t *stack = NULL;
	int ret = 0;

	mlci_tree_release(t);
	if (!cJSON_IsObject(json))
		return mlci_error(MLCI_EXIT_INPUT, "%s: a tree must be an object", what);
	cJSON_ArrayForEach(it, json)
		if (strcmp(it->string, "feature") && strcmp(it->string, "threshold") &&
		    strcmp(it->string, "right") && strcmp(it->string, "value"))
			return mlci_error(MLCI_EXIT_INPUT, "%s: tree: unknown key '%s'", what, it->string);
	if (!(fb = unpack(json, "feature", 4, &nf, what)) ||
	    !(tb = unpack(json, "threshold", 8, &nt, what)) ||
	    !(rb = unpack(json, "right", 4, &nr, what)) ||
	    !(vb = unpack(json, "value", 8, &nv, what))) {
		ret = -MLCI_EXIT_INPUT;
		goto out;
	}
	if (!nf || nt != nf || nr != nf || nf > INT32_MAX) {
		ret = mlci_error(MLCI_EXIT_INPUT,
				 "%s: tree: 'feature', 'threshold' and 'right' must have one value per node", what);
		goto out;
	}
	t->n_nodes = nf;
	t->nout = nout;
	t->feature = xmalloc(nf * sizeof(*t->feature));
	t->threshold = xmalloc(nf * sizeof(*t->threshold));
	t->right = xmalloc(nf * sizeof(*t->right));
	for (i = 0; i < nf; i++) {
		t->feature[i] = get_i32(fb, i);
		t->threshold[i] = get_f64(tb, i);
		t->right[i] = get_i32(rb, i);
		if (t->feature[i] < -1 || t->feature[i] >= (int64_t)d) {
			ret = mlci_error(MLCI_EXIT_INPUT, "%s: tree: node %zu: feature out of range", what, i);
			goto out;
		}
		if (!isfinite(t->threshold[i])) {
			ret = mlci_error(MLCI_EXIT_INPUT, "%s: tree: node %zu: threshold not finite", what, i);
			goto out;
		}
		if (t->right[i] < 0 || (size_t)t->right[i] >= nf) {
			ret = mlci_error(MLCI_EXIT_INPUT, "%s: tree: node %zu: 'right' out of range", what, i);
			goto out;
		}
		if (t->feature[i] < 0)
			nleaf++;
	}
	if (nv != nleaf * nout) {
		ret = mlci_error(MLCI_EXIT_INPUT, "%s: tree: 'value' must hold %zu values per leaf", what, nout);
		goto out;
	}
	t->n_leaves = nleaf;
	t->value = xmalloc((nv ? nv : 1) * sizeof(double));
	for (i = 0; i < nv; i++) {
		t->value[i] = get_f64(vb, i);
		if (!isfinite(t->value[i])) {
			ret = mlci_error(MLCI_EXIT_INPUT, "%s: tree: leaf value %zu not finite", what, i);
			goto out;
		}
	}
	/* Every node reached once from the root, every leaf number once. */
	seen = xcalloc(nf + nleaf, 1);
	stack = xmalloc((nf + 1) * sizeof(*stack));
	stack[sp++] = 0;
	while (sp) {
		size_t nd = stack[--sp];

		if (seen[nd]++) {
			ret = mlci_error(MLCI_EXIT_INPUT, "%s: tree: node %zu reached twice", what, nd);
			goto out;
		}
		visited++;
		if (t->feature[nd] < 0) {
			if ((size_t)t->right[nd] >= nleaf || seen[nf + (size_t)t->right[nd]]++) {
				ret = mlci_error(MLCI_EXIT_INPUT, "%s: tree: node %zu: bad leaf number", what, nd);
				goto out;
			}
			continue;
		}
		if (nd + 1 >= nf || (size_t)t->right[nd] <= nd + 1) {
			ret = mlci_error(MLCI_EXIT_INPUT, "%s: tree: node %zu: bad children", what, nd);
			goto out;
		}
		stack[sp++] = (size_t)t->right[nd];
		stack[sp++] = nd + 1;
	}
	if (visited != nf)
		ret = mlci_error(MLCI_EXIT_INPUT, "%s: tree: %zu nodes unreachable", what, nf - visited);
out:
	free(fb);
	free(tb);
	free(rb);
	free(vb);
	free(seen);
	free(stack);
	if (ret)
		mlci_tree_release(t);
	return ret;
}
