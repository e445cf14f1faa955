# camcat — recording catalog server for IP cameras. See README.md.
#
# User variables (all optional): CC CFLAGS LDFLAGS CROSS_COMPILE DESTDIR PREFIX
# SANITIZER (e.g. address,undefined) BUILD (output folder) V=1 (verbose)
# MQTT=0 (camcatd without the MQTT client and libmosquitto).

CROSS_COMPILE ?=
ifeq ($(origin CC),default)
CC := $(CROSS_COMPILE)gcc
endif
STRIP ?= $(CROSS_COMPILE)strip
CFLAGS ?= -O2 -g
LDFLAGS ?=
PREFIX ?= /usr/local
DESTDIR ?=
SANITIZER ?=
MQTT ?= 1

# Target facts come from the compiler, never from the build host.
MACHINE := $(shell $(CC) -dumpmachine 2>/dev/null)
ifeq ($(CROSS_COMPILE),)
BUILD ?= build
else
BUILD ?= build/$(MACHINE)
endif

ifeq ($(V),1)
Q :=
else
Q := @
endif

# Internal flags go after the user's so they cannot be lost, but -O and -g stay the user's.
CC_FLAGS := $(CFLAGS) -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wno-unused-parameter -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -pthread \
	-MMD -MP -Isrc \
	$(EXTRA_CFLAGS)
LD_FLAGS := $(LDFLAGS) -pthread $(EXTRA_LDFLAGS)
ifneq ($(SANITIZER),)
CC_FLAGS += -fsanitize=$(SANITIZER) -fno-omit-frame-pointer -fno-sanitize-recover=all
LD_FLAGS += -fsanitize=$(SANITIZER)
endif

LIB_SRC := $(sort $(wildcard src/*.c))
SRV_SRC := $(sort $(wildcard src/server/*.c))
TOOL_SRC := tools/camcat.c
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
SRV_OBJ := $(SRV_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
# Targets with a seed folder and a dictionary of the same name in tests/fuzz.
FUZZ_DICT := config htdigest query urlpath byterange httphdr
FUZZ_TARGETS := fuzz_m3u8 fuzz_sidecar fuzz_events fuzz_jflat fuzz_digest fuzz_ts fuzz_sps \
	fuzz_mqttcmd fuzz_segmenter $(FUZZ_DICT:%=fuzz_%)
FUZZ_REPLAY := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%)
LIBCC := $(BUILD)/libcamcat.a

BINS := $(BUILD)/camcat
ifneq ($(wildcard tools/gentree.c),)
BINS += $(BUILD)/camcat-gentree
endif
ifneq ($(SRV_SRC),)
BINS += $(BUILD)/camcatd
# A static build has no dlopen()ed civetweb TLS to shim (armhf-static: NO_SSL).
ifeq ($(filter -static,$(LDFLAGS) $(EXTRA_LDFLAGS)),)
TLS_SHIMS := $(BUILD)/camcat-tls-libssl.so $(BUILD)/camcat-tls-libcrypto.so
endif
endif

.PHONY: all clean test unit fuzz check-deps install run armhf test-armhf bench soak cppcheck \
	format format-check
all: $(BINS) $(TLS_SHIMS)

# Objects depend on the flags they were built with: changing CFLAGS or the
# target rebuilds them.
FLAGS_STAMP := $(BUILD)/.flags
FLAGS_NOW := $(CC) $(CC_FLAGS) $(LD_FLAGS) MQTT=$(MQTT)
ifneq ($(FLAGS_NOW),$(shell cat $(FLAGS_STAMP) 2>/dev/null))
$(shell mkdir -p $(BUILD) && printf '%s' '$(FLAGS_NOW)' > $(FLAGS_STAMP))
endif
.SECONDARY:

$(BUILD)/obj/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CC_FLAGS) -c -o $@ $<

$(LIBCC): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && $(CROSS_COMPILE)ar rcs $@ $^

# camcat cert loads libcrypto with dlopen (tools/certgen.h says why).
$(BUILD)/camcat: $(BUILD)/obj/tools/camcat.o $(BUILD)/obj/tools/certgen.o $(LIBCC)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -o $@ $^ $(LD_FLAGS) -ldl

$(BUILD)/camcat-gentree: $(BUILD)/obj/tools/gentree.o $(LIBCC)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -o $@ $^ $(LD_FLAGS)

# The compiled-in UI folder is where `make install` puts it.
$(SRV_OBJ): CC_FLAGS += -DCAMCAT_WWW_DIR='"$(PREFIX)/share/camcat/www"' \
	-DCAMCAT_LIB_DIR='"$(PREFIX)/lib/camcat"'

# The MQTT client (src/server/mqtt.c) uses Debian's libmosquitto: its header
# at build time, the library loaded with dlopen only when MQTT is configured
# (src/server/mosqlib.h says why).
ifeq ($(MQTT),1)
$(SRV_OBJ): CC_FLAGS += -DCAMCAT_MQTT=1
SRV_LIBS := -ldl
else
SRV_LIBS :=
endif

$(BUILD)/camcatd: $(SRV_OBJ) $(LIBCC)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -o $@ $^ $(LD_FLAGS) -lcivetweb -lz $(SRV_LIBS)

# What civetweb opens for HTTPS as libssl.so and libcrypto.so, over OpenSSL 3
# (src/tlsshim/libssl.c says why). Never sanitized; loaded only with TLS.
$(BUILD)/camcat-tls-lib%.so: src/tlsshim/lib%.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -shared -fPIC -O2 -Wall -Wextra -Werror $(EXTRA_CFLAGS) -Wl,-soname,lib$*.so \
		-o $@ $< $(LDFLAGS) $(EXTRA_LDFLAGS) -Wl,--no-as-needed -l:lib$*.so.3

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(BUILD)/obj/tests/unit/testutil.o $(LIBCC)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -o $@ $^ $(LD_FLAGS) -lcmocka

unit: $(UNIT_BIN) $(FUZZ_REPLAY) $(BUILD)/tests/clockshim.so

# The HTTP tests' stand-in for clock_settime (see the file). Never sanitized:
# it is preloaded into camcatd ahead of the sanitizer runtime.
$(BUILD)/tests/clockshim.so: tests/http/clockshim.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) -shared -fPIC -O1 -g -Wall -Wextra -Werror -D_GNU_SOURCE -o $@ $<

# Fuzz targets: replayed over the fixtures in `make test` (any compiler), and
# run for real with libFuzzer by `make fuzz` (needs clang).
$(BUILD)/fuzz/%: $(BUILD)/obj/tests/fuzz/%.o $(BUILD)/obj/tests/fuzz/replay.o $(LIBCC)
	@mkdir -p $(dir $@)
	$(Q)$(CC) -o $@ $^ $(LD_FLAGS)

FUZZ_SECONDS ?= 60
fuzz:
	$(MAKE) BUILD=build/fuzz CC=clang SANITIZER=address,undefined,fuzzer-no-link \
		CFLAGS="-O1 -g" build/fuzz/libcamcat.a
	@mkdir -p build/fuzz/corpus-m3u8 build/fuzz/corpus-events
	@for t in $(FUZZ_TARGETS); do \
		clang -fsanitize=address,undefined,fuzzer -Isrc -o build/fuzz/$$t-libfuzzer \
			tests/fuzz/$$t.c build/fuzz/libcamcat.a -pthread || exit 1; \
	done
	build/fuzz/fuzz_m3u8-libfuzzer -max_total_time=$(FUZZ_SECONDS) build/fuzz/corpus-m3u8 tests/fuzz/m3u8 \
		$$(dirname $$(find fixtures -name '*.m3u8') | sort -u | head -20)
	build/fuzz/fuzz_events-libfuzzer -max_total_time=$(FUZZ_SECONDS) build/fuzz/corpus-events
	@mkdir -p build/fuzz/corpus-jflat
	build/fuzz/fuzz_jflat-libfuzzer -max_total_time=$(FUZZ_SECONDS) build/fuzz/corpus-jflat tests/fuzz/jflat
	@mkdir -p build/fuzz/corpus-digest
	build/fuzz/fuzz_digest-libfuzzer -max_total_time=$(FUZZ_SECONDS) build/fuzz/corpus-digest tests/fuzz/digest
	@mkdir -p build/fuzz/corpus-ts build/fuzz/corpus-sps
	build/fuzz/fuzz_ts-libfuzzer -max_total_time=$(FUZZ_SECONDS) build/fuzz/corpus-ts tests/fuzz/ts
	build/fuzz/fuzz_sps-libfuzzer -max_total_time=$(FUZZ_SECONDS) build/fuzz/corpus-sps tests/fuzz/sps
	@mkdir -p build/fuzz/corpus-mqttcmd
	build/fuzz/fuzz_mqttcmd-libfuzzer -max_total_time=$(FUZZ_SECONDS) build/fuzz/corpus-mqttcmd \
		tests/fuzz/mqttcmd
	@mkdir -p build/fuzz/corpus-segmenter
	build/fuzz/fuzz_segmenter-libfuzzer -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=256 \
		build/fuzz/corpus-segmenter tests/fuzz/segmenter
	@for t in $(FUZZ_DICT); do \
		mkdir -p build/fuzz/corpus-$$t && \
		build/fuzz/fuzz_$$t-libfuzzer -max_total_time=$(FUZZ_SECONDS) -dict=tests/fuzz/$$t.dict \
			build/fuzz/corpus-$$t tests/fuzz/$$t || exit 1; \
	done
	$(MAKE) --no-print-directory BUILD=build/san SANITIZER=address,undefined CFLAGS="-O1 -g" all
	CAMCAT_BUILD=build/san node tests/fuzz/rawhttp.mjs --seconds $(FUZZ_SECONDS)

# The test run: dependencies, an optimised build, then everything again under
# AddressSanitizer + UBSan in build/san, and the threaded tests under
# ThreadSanitizer in build/tsan.
TSAN_TESTS := test_race test_catalog
test: check-deps
	$(Q)$(MAKE) --no-print-directory cppcheck format-check
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory BUILD=build/san SANITIZER=address,undefined \
		CFLAGS="-O1 -g" all unit
	$(Q)$(MAKE) --no-print-directory BUILD=build/tsan SANITIZER=thread CFLAGS="-O1 -g" \
		$(TSAN_TESTS:%=build/tsan/tests/%)
	$(Q)TSAN_BUILD=build/tsan tests/run.sh build/san

check-deps:
	$(Q)tools/deps.sh test

# Static analysis (Debian's cppcheck) of the library, the server and the
# tools, in make test: a few seconds, and its answer depends only on the
# sources. Findings fail the build; a false positive is suppressed where it
# is, with its reason (`/* cppcheck-suppress ID ; why */`). The `style`
# checks are not on: besides dead struct members (removed) they are matters
# of taste (const parameters, variable scope). src/crc32.c is
# left out: its compile-time table expands into macros that take cppcheck
# minutes, and it holds nothing else.
CPPCHECK_FLAGS := -q --std=c11 --enable=warning,portability,performance --inline-suppr \
	--error-exitcode=1 --max-configs=1 -D_GNU_SOURCE -DCAMCAT_MQTT=1 -Isrc -isrc/crc32.c
cppcheck:
	$(Q)cppcheck $(CPPCHECK_FLAGS) src $(wildcard tools/*.c)

# clang-format with the committed .clang-format over every C file: `make
# format` rewrites them in place; `make format-check` lists the files it
# would change, with the number of lines, and fails if there are any.
CLANG_FORMAT ?= clang-format
FORMAT_SRC = $(sort $(wildcard src/*.[ch] src/server/*.[ch] tests/unit/*.[ch] tests/fuzz/*.c \
	tests/http/*.c tools/*.[ch]))
format:
	$(Q)$(CLANG_FORMAT) -i $(FORMAT_SRC)

format-check:
	$(Q)bad=0; for f in $(FORMAT_SRC); do \
		n=$$($(CLANG_FORMAT) "$$f" | diff "$$f" - | grep -c '^<'); \
		if [ "$$n" -gt 0 ]; then echo "format-check: $$f: $$n lines differ"; bad=$$((bad + n)); fi; \
	done; \
	if [ $$bad -gt 0 ]; then echo "format-check: $$bad lines differ (make format rewrites them)"; exit 1; fi

# The soak (not part of `make test`): SOAK_REQUESTS (default 1,000,000) mixed
# requests at 50 connections against SOAK_BUILD's camcatd (default the release
# build), RSS and open fds every 100k; see tools/soak.mjs.
SOAK_BUILD ?= $(BUILD)
soak:
	$(Q)if [ "$(SOAK_BUILD)" = build/san ]; then \
		$(MAKE) --no-print-directory BUILD=build/san SANITIZER=address,undefined \
			CFLAGS="-O1 -g" all; \
	else $(MAKE) --no-print-directory BUILD=$(SOAK_BUILD) all; fi
	$(Q)node tools/soak.mjs $(SOAK_BUILD)

# The demo: builds everything, generates a recording tree whose chunks really
# play, and serves it on loopback until Ctrl-C. While it runs, a stand-in
# recorder (camcat-gentree record) keeps appending to the demo's recording
# folder so Live has something to show; a DEMO_ROOT without the demo's stamp
# (real recordings) is never written to. glibc's per-thread caches of freed
# blocks are off for camcatd: with 64 workers they hold megabytes (README, Soak).
RUN_LISTEN ?= 127.0.0.1:8080
run:
	$(Q)tools/deps.sh build www
	$(Q)$(MAKE) --no-print-directory all www demo
	@echo "camcat: serving the demo recordings on http://$(RUN_LISTEN)/ (Ctrl-C stops)"
	$(Q)if [ -f "$(DEMO_STAMP)" ]; then \
		$(BUILD)/camcat-gentree record --root $(DEMO_ROOT) --media $(DEMO_MEDIA) & rec=$$!; \
		trap 'kill $$rec 2>/dev/null' EXIT INT TERM; \
	fi; \
	GLIBC_TUNABLES=glibc.malloc.tcache_count=0 \
		$(BUILD)/camcatd --root $(DEMO_ROOT) --www $(BUILD)/www --listen $(RUN_LISTEN)

clean:
	rm -rf build

install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(BINS) $(DESTDIR)$(PREFIX)/bin/
	install -d $(DESTDIR)$(PREFIX)/lib/camcat
	install -m 644 $(TLS_SHIMS) $(DESTDIR)$(PREFIX)/lib/camcat/
	if [ -d $(BUILD)/www ]; then \
		install -d $(DESTDIR)$(PREFIX)/share/camcat && \
		cp -r $(BUILD)/www $(DESTDIR)$(PREFIX)/share/camcat/; \
	fi

-include $(LIB_OBJ:.o=.d) $(SRV_OBJ:.o=.d) $(BUILD)/obj/tools/camcat.d $(BUILD)/obj/tools/certgen.d $(BUILD)/obj/tools/gentree.d \
	$(UNIT_SRC:%.c=$(BUILD)/obj/%.d) $(BUILD)/obj/tests/unit/testutil.d \
	$(FUZZ_TARGETS:%=$(BUILD)/obj/tests/fuzz/%.d) $(BUILD)/obj/tests/fuzz/replay.d

# Pieces owned by their own folders.
-include toolchain/armhf.mk
-include www/www.mk
-include tools/demo.mk
-include tools/bench.mk
