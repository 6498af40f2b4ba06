# Targets are the README's commands. Everything a fresh machine lacks is
# installed by the targets themselves (Go tools) or by .ci/run (Debian packages).

GO        ?= go
GOBIN     := $(shell $(GO) env GOPATH)/bin
OCB_VER   := v0.165.0
OCB       := $(GOBIN)/builder
BIN       := bin/quorate
# Test timeout for the whole suite; CI allows 90 minutes, we aim far below.
TEST_TIMEOUT ?= 20m

PLUGIN    := grafana-plugin
# The plugin binary the tests drive: the one make plugin built for this machine.
PLUGIN_BIN = $(CURDIR)/$(PLUGIN)/dist/gpx_quorate_linux_$(shell $(GO) env GOARCH)

.PHONY: all build demo test test-unit test-frontend test-binary generate bench vet clean plugin plugin-frontend plugin-backend

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

# The Grafana plugin, ready for Grafana's plugins folder: the frontend
# (webpack: module.js, plugin.json, img/) first, since its build empties
# dist/, then the backend for both Linux architectures, then the layout
# checks Grafana's plugin validator makes.
plugin: plugin-frontend plugin-backend
	node $(PLUGIN)/scripts/check-dist.mjs $(PLUGIN)/dist

$(PLUGIN)/node_modules/.installed: $(PLUGIN)/package-lock.json
	cd $(PLUGIN) && npm ci --no-audit --no-fund
	# A go.mod makes node_modules a module of its own, so ./... skips the Go
	# files some npm packages ship.
	printf 'module quorate.invalid/node_modules\n' > $(PLUGIN)/node_modules/go.mod
	touch $@

plugin-frontend: $(PLUGIN)/node_modules/.installed
	cd $(PLUGIN) && npm run build

plugin-backend:
	for arch in amd64 arm64; do \
		CGO_ENABLED=0 GOOS=linux GOARCH=$$arch $(GO) build -trimpath \
			-o $(PLUGIN)/dist/gpx_quorate_linux_$$arch ./$(PLUGIN)/pkg || exit 1; \
	done

generate:
	for d in receiver quorum quorum/centralextension agentexporter; do \
		[ -f $$d/metadata.yaml ] && (cd $$d && $(GO) tool mdatagen metadata.yaml) || exit 1; \
	done

vet:
	$(GO) vet ./...

test: build plugin vet test-frontend test-unit

# The plugin's frontend tests (jest): editors, data source, dist checks.
test-frontend: $(PLUGIN)/node_modules/.installed
	cd $(PLUGIN) && npm run typecheck && npm test

# Unit, integration and binary tests. QUORATE_BIN lets the binary tests drive
# the collector built above. Storage tests use the PostgreSQL server at
# $$QUORATE_TEST_POSTGRES (default 127.0.0.1:5432); when none answers,
# scripts/test-postgres.sh starts a disposable one for the run.
test-unit:
	QUORATE_BIN=$(CURDIR)/$(BIN) QUORATE_PLUGIN_BIN=$(PLUGIN_BIN) bash scripts/test-postgres.sh \
		$(GO) test -race -count=1 -timeout $(TEST_TIMEOUT) ./...

bench:
	bash bench/run.sh

clean:
	rm -rf bin build $(PLUGIN)/dist
