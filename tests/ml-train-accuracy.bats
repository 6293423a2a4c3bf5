#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# ml-train's accuracy table through the program, against scikit-learn on the
# same files: credit, churn, iris, wine, breast_cancer, digits, diabetes.

load helpers

@test "accuracy table: each model within the issue's bound of scikit-learn's same estimator" {
	run "$PY" "$DATA/ml-train/accuracy.py" "$MLCI_BUILD/bin/ml-train" "$PWD" \
		"$TOP/examples/banking/data/credit_data.csv" "$DATA/mlc_churn.csv"
	printf '%s\n' "$output"
	[ "$status" -eq 0 ]
	# Every row of the table ran.
	[ "$(printf '%s\n' "$output" | grep -c " ok")" -eq 24 ]
}
