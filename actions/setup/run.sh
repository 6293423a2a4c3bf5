#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The setup action's main step: install the Debian or Ubuntu packages that
# building needs (the runtime libraries come with them), build and install
# the toolkit this action belongs to unless the cached stage already holds
# that build, and put it on PATH. Run twice in a job, it does the work once.
set -euo pipefail
src=$(cd -- "$(dirname -- "$0")/../.." && pwd)
prefix=${MLCI_PREFIX:?} stage=${MLCI_STAGE:?} key=${MLCI_KEY:?}
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo

# What building needs, a subset of the Makefile's DEB_PACKAGES (tests
# check it covers every pkg-config module of PKGS); make deps skips what
# is installed.
packages=(build-essential pkg-config scdoc libcurl4-openssl-dev libcjson-dev
	libgit2-dev libssl-dev libyaml-dev zlib1g-dev libsqlite3-dev
	libopenblas-dev liblapacke-dev)
echo "::group::packages"
# PKG_CONFIG=true: the Makefile asks pkg-config for flags of libraries that
# are not installed yet; make deps needs none.
$sudo make --no-print-directory -C "$src" deps PKG_CONFIG=true \
	DEB_PACKAGES="${packages[*]}"
echo "::endgroup::"

if [ -f "$stage/.mlci-key" ] && [ "$(cat "$stage/.mlci-key")" = "$key" ]; then
	echo "mlci: the build of $key is in $stage (cached)"
else
	echo "::group::build"
	build=${RUNNER_TEMP:?}/mlci-build
	rm -rf -- "$stage"
	make --no-print-directory -C "$src" -j"$(nproc)" BUILD="$build" all man
	make --no-print-directory -C "$src" BUILD="$build" install \
		PREFIX="$prefix" DESTDIR="$stage"
	printf '%s\n' "$key" >"$stage/.mlci-key"
	echo "::endgroup::"
fi

# The stage holds $prefix's tree; copy it in, with sudo where the prefix
# is the system's.
priv=
mkdir -p -- "$prefix" 2>/dev/null && [ -w "$prefix" ] || priv=$sudo
$priv mkdir -p -- "$prefix"
$priv cp -R -- "$stage$prefix/." "$prefix/"
"$prefix/bin/ml-gate" --version
echo "$prefix/bin" >>"${GITHUB_PATH:?GITHUB_PATH is not set}"
