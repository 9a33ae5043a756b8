# tcplab: `make experiment-2` regenerates traces/trace2.pcap and checks it; `make test` runs the tests.
SWIFT   ?= swift
RELEASE := .build/release/tcplab
DEBUG   := .build/debug/tcplab
APT     := DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends

.PHONY: deps test-deps build experiments test clean fuzz bench bench-show golden
.DEFAULT_GOAL := experiment-2

# libpcap's headers are needed to build. As root we install them; otherwise we say how.
deps:
	@if ! pkg-config --exists libpcap 2>/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing libpcap-dev (needed to build tcplab)"; \
	    apt-get update -qq && $(APT) libpcap-dev pkg-config >/dev/null; \
	  else \
	    echo "tcplab needs libpcap-dev: run  sudo apt-get install libpcap-dev pkg-config  then make again" >&2; exit 1; \
	  fi; \
	fi

# The tests also use tshark as an independent oracle and setpriv for the unprivileged run.
test-deps: deps
	@if ! command -v tshark >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing tshark (the tests' oracle)"; \
	    apt-get update -qq && $(APT) tshark >/dev/null; \
	  else \
	    echo "the tests need tshark: run  sudo apt-get install tshark  then make test again" >&2; exit 1; \
	  fi; \
	fi
	@python3 -c "import jsonschema" 2>/dev/null || python3 -m pip install -q jsonschema
	@if ! command -v rsvg-convert >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  echo "installing librsvg2-bin (renders the ladder diagrams in a test)"; \
	  $(APT) librsvg2-bin >/dev/null || { apt-get update -qq && $(APT) librsvg2-bin >/dev/null; }; \
	fi

build: deps
	$(SWIFT) build -c release

experiment-%: build
	$(RELEASE) run experiment-$*

experiments: build
	$(RELEASE) run --all

# The lab report of one experiment: traces/reportN.md, with the explanation and the ladder diagram.
report-%: build
	$(RELEASE) run experiment-$* --explain --report traces/report$*.md

test: test-deps
	$(SWIFT) build
	python3 Tests/schema_check.py
	python3 Tests/http_security_check.py $(DEBUG)
	TCPLAB=$(CURDIR)/$(DEBUG) $(SWIFT) test

# Rewrites Experiments/golden/ from fresh runs, after a deliberate change in tcplab's behaviour.
golden: build
	$(RELEASE) run --all --update-golden --quiet

clean:
	rm -rf .build traces

# libFuzzer on the capture reader, decoder, analysis and Info column: the capture-fuzzer target,
# linked against the LabPackets and LabReport modules. FUZZ_SECONDS=600 for the 10-minute run.
FUZZ_SECONDS ?= 60
FUZZ_DIR := .build/fuzz
fuzz: deps
	mkdir -p $(FUZZ_DIR)/corpus $(FUZZ_DIR)/crashes
	cp Tests/IntegrationTests/Fixtures/corpus/*.pcap* $(FUZZ_DIR)/corpus/ 2>/dev/null || true
	cp Tests/IntegrationTests/Fixtures/fuzz-regressions/* $(FUZZ_DIR)/corpus/ 2>/dev/null || true
	$(SWIFT) build --product capture-fuzzer -c release --scratch-path .build/fuzz-spm \
	  -Xswiftc -DFUZZING -Xswiftc -sanitize=fuzzer,address
	.build/fuzz-spm/release/capture-fuzzer $(FUZZ_DIR)/corpus -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	  -artifact_prefix=$(FUZZ_DIR)/crashes/ -print_final_stats=1

# Decode + analysis throughput against tshark and tcpdump on a generated 1M-packet capture, on both cores and pinned to one.
bench-show: build
	python3 Benchmarks/bench_show.py

# Per-run overhead against a tcpdump-script recipe, the suite against its experiments, 2 GiB
# capture completeness; then the decode throughput.
bench: build
	python3 Benchmarks/bench_runs.py
	python3 Benchmarks/bench_show.py
