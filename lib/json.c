/* SPDX-License-Identifier: MIT */
/* Small helpers over cJSON: typed lookups, finite numbers, replacement. */
#include <math.h>
#include <string.h>

#include "json.h"
#include "usage.h"
#include "wrapper.h"

static cJSON *checked(cJSON *item)
{
	if (!item)
		mlci_die("out of memory building JSON");
	return item;
}

cJSON *mlci_json_number(double v)
{
	return checked(isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull());
}

void mlci_json_set(cJSON *obj, const char *key, cJSON *item)
{
	if (cJSON_GetObjectItemCaseSensitive(obj, key))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, item);
	else if (!cJSON_AddItemToObject(obj, key, item))
		mlci_die("out of memory building JSON");
}

void mlci_json_set_number(cJSON *obj, const char *key, double v)
{
	mlci_json_set(obj, key, mlci_json_number(v));
}

void mlci_json_set_string(cJSON *obj, const char *key, const char *s)
{
	mlci_json_set(obj, key, checked(s ? cJSON_CreateString(s)
					  : cJSON_CreateNull()));
}

void mlci_json_set_bool(cJSON *obj, const char *key, int b)
{
	mlci_json_set(obj, key, checked(cJSON_CreateBool(b)));
}

void mlci_json_set_null(cJSON *obj, const char *key)
{
	mlci_json_set(obj, key, checked(cJSON_CreateNull()));
}

const char *mlci_json_get_string(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(it) ? it->valuestring : NULL;
}

cJSON *mlci_json_get_object(const cJSON *obj, const char *key)
{
	cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsObject(it) ? it : NULL;
}

int mlci_json_get_number(const cJSON *obj, const char *key, double *out)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble))
		return -1;
	*out = it->valuedouble;
	return 0;
}

cJSON *mlci_json_path(const cJSON *root, const char *path)
{
	const cJSON *cur = root;
	char key[256];

	while (cur && *path) {
		const char *dot = strchr(path, '.');
		size_t len = dot ? (size_t)(dot - path) : strlen(path);

		if (len >= sizeof(key) || !cJSON_IsObject(cur))
			return NULL;
		memcpy(key, path, len);
		key[len] = '\0';
		cur = cJSON_GetObjectItemCaseSensitive(cur, key);
		path += len + (dot ? 1 : 0);
	}
	return (cJSON *)cur;
}

const char *mlci_json_duplicate_key(const cJSON *obj)
{
	const cJSON *a, *b;

	if (!cJSON_IsObject(obj))
		return NULL;
	for (a = obj->child; a; a = a->next)
		for (b = a->next; b; b = b->next)
			if (a->string && b->string && !strcmp(a->string, b->string))
				return a->string;
	return NULL;
}
