#!/usr/bin/Rscript
# SPDX-License-Identifier: MIT
# Print R's wilcox.test(x, y, conf.int = TRUE) for the cases that
# tests/unit/test-ranktest.c writes, one tab-separated line per case.
#
# Usage: Rscript ranktest-reference.R DIR
#
# DIR/manifest has one case a line: "ID<TAB>KIND<TAB>ARGS". For KIND "hl",
# ARGS is "CONF EXACT" (EXACT: NULL, TRUE or FALSE) and DIR/ID.x, DIR/ID.y
# hold one number a line; the output line is
#   ID estimate lower upper conf.level exact median(outer(x, y, "-"))
# with NaN where wilcox.test stops with an error, and NaN for the median of
# more than 1e7 differences. Other kinds are skipped. The last line is
# "R VERSION".
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
man <- read.table(file.path(dir, "manifest"), sep = "\t", quote = "",
                  colClasses = "character", comment.char = "")
num <- function(v) sprintf("%.17g", as.numeric(v))
for (i in seq_len(nrow(man))) {
    id <- man[i, 1]
    if (man[i, 2] != "hl")
        next
    a <- strsplit(man[i, 3], " ")[[1]]
    conf <- as.numeric(a[1])
    exact <- if (a[2] == "NULL") NULL else as.logical(a[2])
    x <- scan(file.path(dir, paste0(id, ".x")), quiet = TRUE)
    y <- scan(file.path(dir, paste0(id, ".y")), quiet = TRUE)
    r <- tryCatch(suppressWarnings(
        wilcox.test(x, y, conf.int = TRUE, conf.level = conf,
                    exact = exact, correct = TRUE)),
        error = function(e) NULL)
    med <- if (as.numeric(length(x)) * length(y) <= 1e7)
        median(outer(x, y, "-")) else NaN
    if (is.null(r)) {
        out <- c(NaN, NaN, NaN, NaN, NaN)
    } else {
        out <- c(r$estimate, r$conf.int[1], r$conf.int[2],
                 attr(r$conf.int, "conf.level"),
                 as.numeric(grepl("exact", r$method)))
    }
    cat(id, num(c(out, med)), sep = "\t")
    cat("\n")
}
cat("R\t", R.version$major, ".", R.version$minor, "\n", sep = "")
