/* SPDX-License-Identifier: MIT */
/* Small helpers over cJSON: typed lookups, finite numbers, replacement. */
#ifndef MLCI_JSON_H
#define MLCI_JSON_H

#include <cjson/cJSON.h>

/* A number item, or a null item when v is NaN or infinite. */
cJSON *mlci_json_number(double v);

/*
 * Set obj[key] to item, replacing any earlier value (and keeping its place
 * in the key order). Consumes item.
 */
void mlci_json_set(cJSON *obj, const char *key, cJSON *item);

/* Shorthands for mlci_json_set() with a new number, string, bool or null. */
void mlci_json_set_number(cJSON *obj, const char *key, double v);
void mlci_json_set_string(cJSON *obj, const char *key, const char *s);
void mlci_json_set_bool(cJSON *obj, const char *key, int b);
void mlci_json_set_null(cJSON *obj, const char *key);

/* obj[key] when it is a string (borrowed), else NULL. */
const char *mlci_json_get_string(const cJSON *obj, const char *key);

/* obj[key] when it is an object (borrowed), else NULL. */
cJSON *mlci_json_get_object(const cJSON *obj, const char *key);

/* 0 and *out = obj[key] when it is a finite number, else -1. */
int mlci_json_get_number(const cJSON *obj, const char *key, double *out);

/*
 * Follow a dotted path of object keys ("train.metrics") from root. Keys
 * match exactly (case-sensitive). Borrowed item, or NULL.
 */
cJSON *mlci_json_path(const cJSON *root, const char *path);

/* The first key that occurs twice in obj (not recursive), or NULL. */
const char *mlci_json_duplicate_key(const cJSON *obj);

#endif
