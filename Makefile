# affogato — see README.md.
GO      ?= go
BIN     := bin/affogato
PKGS    := ./...

.PHONY: all build run test test-browser lint bench bench-scale clean

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

# Only the scale and storage part of bench (bench/scale.sh; knobs there).
bench-scale: build
	bash bench/scale.sh

clean:
	rm -rf bin
