# affogato — see README.md.
GO      ?= go
BIN     := bin/affogato
PKGS    := ./...

.PHONY: all build run test test-browser test-long fuzz lint bench bench-scale bench-dashboard clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/affogato

# Builds and starts on the embedded defaults: SSH :23234, HTTP :8080, data in ./data.
run: build
	./$(BIN)

# Every test, end-to-end included (the e2e tests build the binary themselves).
test:
	$(GO) vet $(PKGS)
	$(GO) test -count=1 -timeout 8m $(PKGS)
	$(MAKE) fuzz FUZZTIME=10000x

# Fuzz targets (package: target), each run for FUZZTIME: 10,000 inputs each
# (a few seconds) in make test, a minute each in make fuzz. make test counts
# inputs rather than seconds: a short -fuzztime in seconds can end with Go's
# own "context deadline exceeded" on a slow start, which is no finding. Seed
# corpora are committed under each package's testdata/fuzz/.
FUZZTIME ?= 60s
FUZZ_TARGETS := \
	./store:FuzzEmailValidators ./store/sanitize:FuzzSanitize ./payouts:FuzzNeutralizeCell \
	./tracker:FuzzConversionAPI ./tracker:FuzzRefundAPI ./tracker:FuzzStripeSignature \
	./tracker:FuzzStripeEvent ./tui/internal/cli:FuzzCommandSplit

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$pkg $$name ($(FUZZTIME))"; \
		out=$$($(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg 2>&1) || { echo "$$out"; exit 1; }; \
	done

# The long runs: the SIGKILL crash test with 50 cycles, and 1500 idle
# authenticated SSH connections that keepalives must not hold open.
test-long:
	$(GO) test -count=1 -timeout 20m -run '^TestCrashRecovery$$' ./cmd/affogato -crash-cycles 50 -v
	$(GO) test -count=1 -timeout 5m -run '^TestIdleConnectionsNotHeldByKeepalives$$' ./tui -idle-conns 1500 -v

# Only the browser tests: headless Chromium (Debian's chromium package) against
# the binary and two loopback shops. make test runs them too; they fail, never
# skip, without Chromium.
test-browser:
	$(GO) test -count=1 -timeout 3m -run 'TestBrowser' -v ./cmd/affogato/

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet $(PKGS)
	$(GO) run honnef.co/go/tools/cmd/staticcheck@latest $(PKGS)

# Load benchmarks against the real binary (needs wrk); long, so not in test.
bench: build
	bash bench/run.sh
	bash bench/scale.sh
	$(MAKE) bench-dashboard

# The dashboard at scale: seeds 10,000 partners / 1,000,000 clicks / 100,000
# conversions and a 10x smaller program with `affogato seed` (about 4 minutes
# and 20 seconds on 2 cores), then times each merchant tab's load + render,
# the first frame, and the bytes of the first frame, a tab switch and an idle
# second (BenchmarkDashboard* in tui/internal/ui), and each portal tab's
# load + render for the busiest partner (BenchmarkPortalTabsSeeded in
# tui/internal/ui/partner). DASH_DIR keeps the seeds.
DASH_DIR ?= /tmp/affogato-dash-bench
bench-dashboard: build
	@test -d $(DASH_DIR)/full || ./$(BIN) seed --data $(DASH_DIR)/full --partners 10000 --clicks 1000000 --conversions 100000
	@test -d $(DASH_DIR)/small || ./$(BIN) seed --data $(DASH_DIR)/small --partners 1000 --clicks 100000 --conversions 10000
	AFFOGATO_DASH_DATA=$(DASH_DIR)/full $(GO) test -run '^$$' -bench Dashboard -benchtime 5x -timeout 20m ./tui/internal/ui/
	AFFOGATO_DASH_DATA=$(DASH_DIR)/small $(GO) test -run '^$$' -bench Dashboard -benchtime 5x -timeout 20m ./tui/internal/ui/
	AFFOGATO_DASH_DATA=$(DASH_DIR)/full $(GO) test -run '^$$' -bench PortalTabsSeeded -benchtime 5x -timeout 20m ./tui/internal/ui/partner/
	AFFOGATO_DASH_DATA=$(DASH_DIR)/small $(GO) test -run '^$$' -bench PortalTabsSeeded -benchtime 5x -timeout 20m ./tui/internal/ui/partner/
	AFFOGATO_DASH_DATA=$(DASH_DIR)/full $(GO) test -run '^$$' -bench 'DashboardReads|CheckIndexes' -benchtime 5x -timeout 20m ./store/
	AFFOGATO_DASH_DATA=$(DASH_DIR)/small $(GO) test -run '^$$' -bench 'DashboardReads|CheckIndexes' -benchtime 5x -timeout 20m ./store/

# Only the scale and storage part of bench (bench/scale.sh; knobs there).
bench-scale: build
	bash bench/scale.sh

clean:
	rm -rf bin
