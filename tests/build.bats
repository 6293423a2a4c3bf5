#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The build's promises: make install honours PREFIX and DESTDIR, every
# program answers --help and --version, and every manual lists only
# options the program has.

load helpers

@test "make install puts programs and manuals under DESTDIR/PREFIX" {
	run_ml 0 make -s -C "$TOP" install BUILD="$MLCI_BUILD" PREFIX=/opt/mlci DESTDIR="$PWD/root"
	local p
	for p in ml-gate ml-train ml-validate ml-wheelcheck; do
		[ -x "root/opt/mlci/bin/$p" ]
		[ -s "root/opt/mlci/share/man/man1/$p.1" ]
	done
	[ -s root/opt/mlci/share/man/man7/mlci.7 ]
	run_ml 0 root/opt/mlci/bin/ml-gate --version
}

@test "every program has --help (exit 0, stdout) and --version" {
	local p
	for p in ml-gate ml-train ml-validate ml-wheelcheck; do
		run_ml 0 "$p" --help
		[[ "$output" == "usage: $p "* ]]
		[ -z "$stderr" ]
		run_ml 0 "$p" --version
		[[ "$output" == "$p (mlci) "* ]]
		run_ml 2 "$p" --no-such-option </dev/null
		[ -z "$output" ]
	done
}

@test "every long option in a manual exists in the program's --help" {
	local p opt
	for p in ml-gate ml-train ml-validate ml-wheelcheck; do
		run_ml 0 "$p" --help
		for opt in $(grep -o '^\*-[a-z], --[a-z-]*\|^\*--[a-z-]*' "$TOP/man/$p.1.scd" | grep -o -- '--[a-z-]*'); do
			[[ "$output" == *"$opt"* ]] || { echo "$p: $opt is in the manual, not in --help" >&2; return 1; }
		done
	done
}
