# Targets are the README's commands. Everything a fresh machine lacks is
# installed by the targets themselves (Go tools) or by .ci/run (Debian packages).

GO        ?= go
GOBIN     := $(shell $(GO) env GOPATH)/bin
OCB_VER   := v0.165.0
OCB       := $(GOBIN)/builder
BIN       := bin/quorate
# Test timeout for the whole suite; CI allows 90 minutes, we aim far below.
TEST_TIMEOUT ?= 20m

.PHONY: all build demo test test-unit test-binary generate bench vet clean

all: build

$(OCB):
	$(GO) install go.opentelemetry.io/collector/cmd/builder@$(OCB_VER)

# ocb regenerates build/quorate from builder-config.yaml; a rebuild after a
# change takes seconds because the Go build cache is kept.
build: $(OCB)
	mkdir -p build
	$(OCB) --config builder-config.yaml
	mkdir -p bin
	cp build/quorate/quorate $(BIN)

# A central, three agents and local demo targets on 127.0.0.1 until Ctrl-C
# (scripts/demo.sh; configs in examples/ and examples/demo/).
demo: build
	bash scripts/demo.sh

generate:
	for d in receiver quorum quorum/centralextension agentexporter; do \
		[ -f $$d/metadata.yaml ] && (cd $$d && $(GO) tool mdatagen metadata.yaml) || exit 1; \
	done

vet:
	$(GO) vet ./...

test: build vet test-unit

# Unit, integration and binary tests. QUORATE_BIN lets the binary tests drive
# the collector built above. Storage tests use the PostgreSQL server at
# $$QUORATE_TEST_POSTGRES (default 127.0.0.1:5432); when none answers,
# scripts/test-postgres.sh starts a disposable one for the run.
test-unit:
	QUORATE_BIN=$(CURDIR)/$(BIN) bash scripts/test-postgres.sh \
		$(GO) test -race -count=1 -timeout $(TEST_TIMEOUT) ./...

bench:
	bash bench/run.sh

clean:
	rm -rf bin build
