#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The setup action's first step: where mlci goes, and the cache key of its
# build: the toolkit's version, a digest of the sources this action came
# with (a tag such as v1 moves; the digest follows it), the runner's
# system and architecture (the binaries link its libraries) and the prefix.
set -euo pipefail
src=$(cd -- "$(dirname -- "$0")/../.." && pwd)
prefix=${INPUT_PREFIX:-}
[ -n "$prefix" ] || prefix=${RUNNER_TEMP:?RUNNER_TEMP is not set}/mlci
case $prefix in
/*) ;;
*) prefix=$PWD/$prefix ;;
esac
version=$(sed -n 's/^VERSION = *//p' "$src/Makefile")
[ -n "$version" ] || { echo "::error::no VERSION in $src/Makefile" >&2; exit 3; }
digest=$(cd "$src" && find Makefile lib tools man -type f \
	\( -name Makefile -o -name '*.c' -o -name '*.h' -o -name '*.scd' \) -print0 |
	LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
# shellcheck disable=SC1091 # the runner's, not ours
system=$(. /etc/os-release && printf '%s-%s' "$ID" "${VERSION_ID:-}")
where=$(printf '%s' "$prefix" | sha256sum | cut -c1-8)
case ${INPUT_CACHE:-true} in
true | false) ;;
*) echo "::error::input 'cache' must be true or false, not '$INPUT_CACHE'" >&2; exit 2 ;;
esac
{
	echo "version=$version"
	echo "prefix=$prefix"
	echo "stage=${RUNNER_TEMP:?}/mlci-stage"
	echo "key=mlci-$version-$digest-$system-$(uname -m)-$where"
	echo "cache=${INPUT_CACHE:-true}"
} >>"${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
