# ARMv7 hard-float cross build (the camera) and the tests under qemu-arm.
# Included by the top Makefile; see toolchain/README.md.
#
#   make armhf           build/arm-linux-gnueabihf/*, linked against Debian's
#                        armhf civetweb and zlib; prints the stripped sizes
#   make test-armhf      that plus the unit tests, golden dumps, fuzz replays
#                        and a camcatd smoke test under qemu-arm
#   make test-armhf-all  tests/run.sh (every suite, HTTP included) under qemu
#   make armhf-static    build/arm-linux-gnueabihf-static/{camcat,camcatd}:
#                        fully static, civetweb built from Debian's source

ARMHF_TRIPLET := arm-linux-gnueabihf
ARMHF_PREFIX := $(ARMHF_TRIPLET)-
ARMHF_SYSROOT := $(CURDIR)/build/sysroot-armhf
ARMHF_BUILD := build/$(ARMHF_TRIPLET)
ARMHF_LIBDIRS := $(ARMHF_SYSROOT)/usr/lib/$(ARMHF_TRIPLET) $(ARMHF_SYSROOT)/lib/$(ARMHF_TRIPLET)
# The sysroot holds only the armhf libraries camcat links (not a libc), so it
# is added with -I/-L rather than --sysroot: the cross gcc keeps its own libc.
# -rpath-link lets ld follow the libraries' own dependencies there.
ARMHF_CFLAGS := -I$(ARMHF_SYSROOT)/usr/include
ARMHF_EMPTY :=
ARMHF_LDFLAGS := $(ARMHF_LIBDIRS:%=-L%) \
	-Wl,-rpath-link,$(subst $(ARMHF_EMPTY) $(ARMHF_EMPTY),:,$(strip $(ARMHF_LIBDIRS)))
ARMHF_FLAGS := CROSS_COMPILE=$(ARMHF_PREFIX) BUILD=$(ARMHF_BUILD) \
	EXTRA_CFLAGS="$(ARMHF_CFLAGS)" EXTRA_LDFLAGS="$(ARMHF_LDFLAGS)"

# The static build: civetweb 1.15 from Debian's source package without TLS,
# CGI or websockets (camcatd uses none) is ~55 KB of text at -Os; zlib is the
# sysroot's libz.a, libc the cross glibc's libc.a. A static glibc binary
# needs nothing from the camera's libc (which may be uClibc), only a kernel
# >= 3.2. The stack size is the one Debian's build uses.
ARMHF_STATIC_BUILD := build/$(ARMHF_TRIPLET)-static
ARMHF_CIVETWEB_SRC := build/armhf-cache/source/civetweb
ARMHF_CIVETWEB_LIB := $(ARMHF_STATIC_BUILD)/civetweb/libcivetweb.a
ARMHF_CIVETWEB_CFLAGS := -Os -ffunction-sections -fdata-sections -pthread \
	-D_FILE_OFFSET_BITS=64 -DNO_SSL -DNO_CGI -DUSE_STACK_SIZE=102400
# Debian ships libmosquitto shared only: the static build is without MQTT.
ARMHF_STATIC_FLAGS := CROSS_COMPILE=$(ARMHF_PREFIX) BUILD=$(ARMHF_STATIC_BUILD) MQTT=0 \
	CFLAGS="-Os -g -ffunction-sections -fdata-sections" \
	EXTRA_CFLAGS="-I$(ARMHF_CIVETWEB_SRC)/include $(ARMHF_CFLAGS)" \
	EXTRA_LDFLAGS="-static -Wl,--gc-sections -L$(patsubst %/,%,$(dir $(ARMHF_CIVETWEB_LIB))) $(ARMHF_LIBDIRS:%=-L%)"

# $(call armhf_sizes,BUILD,LABEL): strips copies of camcat and camcatd into
# BUILD/stripped and prints their sizes.
define armhf_sizes
mkdir -p $(1)/stripped; \
for b in camcat camcatd; do \
	[ -f $(1)/$$b ] || continue; \
	$(ARMHF_PREFIX)strip -o $(1)/stripped/$$b $(1)/$$b || exit 1; \
	echo "$(2) stripped $$b: $$(stat -c %s $(1)/stripped/$$b) bytes ($(1)/stripped/$$b)"; \
done
endef

.PHONY: armhf-setup armhf-static test-armhf-all
armhf-setup:
	$(Q)toolchain/setup-armhf.sh $(ARMHF_SYSROOT)

armhf: armhf-setup
	$(Q)$(MAKE) --no-print-directory $(ARMHF_FLAGS) all
	$(Q)$(call armhf_sizes,$(ARMHF_BUILD),armhf)

test-armhf: armhf-setup
	$(Q)$(MAKE) --no-print-directory $(ARMHF_FLAGS) all unit
	$(Q)$(call armhf_sizes,$(ARMHF_BUILD),armhf)
	$(Q)toolchain/run-armhf-tests.sh $(ARMHF_BUILD) $(ARMHF_SYSROOT)

test-armhf-all: armhf-setup
	$(Q)$(MAKE) --no-print-directory $(ARMHF_FLAGS) all unit
	$(Q)toolchain/run-armhf-tests.sh --all $(ARMHF_BUILD) $(ARMHF_SYSROOT)

$(ARMHF_CIVETWEB_LIB): $(ARMHF_CIVETWEB_SRC)/.version toolchain/armhf.mk
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      civetweb.c (armhf, static)")
	$(Q)$(ARMHF_PREFIX)gcc $(ARMHF_CIVETWEB_CFLAGS) -I$(ARMHF_CIVETWEB_SRC)/include \
		-c -o $(@:.a=.o) $(ARMHF_CIVETWEB_SRC)/src/civetweb.c
	$(Q)rm -f $@ && $(ARMHF_PREFIX)ar rcs $@ $(@:.a=.o)

armhf-static:
	$(Q)toolchain/setup-armhf.sh --civetweb-source $(ARMHF_SYSROOT)
	$(Q)$(MAKE) --no-print-directory $(ARMHF_CIVETWEB_LIB)
	$(Q)$(MAKE) --no-print-directory $(ARMHF_STATIC_FLAGS) all
	$(Q)for b in $(ARMHF_STATIC_BUILD)/camcat $(ARMHF_STATIC_BUILD)/camcatd; do \
		[ -f $$b ] || continue; \
		if $(ARMHF_PREFIX)readelf -l $$b | grep -q INTERP; then \
			echo "armhf-static: $$b is not static (it names a program interpreter)" >&2; \
			exit 1; \
		fi; \
	done
	$(Q)$(call armhf_sizes,$(ARMHF_STATIC_BUILD),armhf-static)
	$(Q)toolchain/run-armhf-tests.sh --static $(ARMHF_STATIC_BUILD) $(ARMHF_SYSROOT)
