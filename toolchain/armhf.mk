# ARMv7 hard-float cross build (the camera: Rockchip RV1106 class) and the unit
# tests under qemu-arm. Included by the top Makefile; see toolchain/README.md.

ARMHF_PREFIX := arm-linux-gnueabihf-
ARMHF_SYSROOT := $(CURDIR)/build/sysroot-armhf
ARMHF_BUILD := build/arm-linux-gnueabihf
ARMHF_LIBDIR := $(ARMHF_SYSROOT)/usr/lib/arm-linux-gnueabihf
ARMHF_FLAGS := CROSS_COMPILE=$(ARMHF_PREFIX) BUILD=$(ARMHF_BUILD) \
	EXTRA_CFLAGS="-I$(ARMHF_SYSROOT)/usr/include" \
	EXTRA_LDFLAGS="-L$(ARMHF_LIBDIR) -L$(ARMHF_SYSROOT)/lib/arm-linux-gnueabihf \
	-Wl,-rpath-link,$(ARMHF_LIBDIR):$(ARMHF_SYSROOT)/lib/arm-linux-gnueabihf"
# binfmt_misc is not mounted in containers, so qemu-arm is called explicitly.
# -L points at the cross libc's root (its loader is lib/ld-linux-armhf.so.3);
# the sysroot's libraries come through LD_LIBRARY_PATH inside the guest.
ARMHF_RUN := qemu-arm -L /usr/arm-linux-gnueabihf \
	-E LD_LIBRARY_PATH=$(ARMHF_LIBDIR):$(ARMHF_SYSROOT)/lib/arm-linux-gnueabihf

.PHONY: armhf-setup armhf-sizes
armhf-setup:
	$(Q)toolchain/setup-armhf.sh $(ARMHF_SYSROOT)

armhf: armhf-setup
	$(Q)$(MAKE) --no-print-directory $(ARMHF_FLAGS) all
	$(Q)$(MAKE) --no-print-directory armhf-sizes

armhf-sizes:
	@mkdir -p $(ARMHF_BUILD)/stripped
	@for b in camcat camcatd; do \
		[ -f $(ARMHF_BUILD)/$$b ] || continue; \
		$(ARMHF_PREFIX)strip -o $(ARMHF_BUILD)/stripped/$$b $(ARMHF_BUILD)/$$b; \
		echo "armhf stripped $$b: $$(stat -c %s $(ARMHF_BUILD)/stripped/$$b) bytes"; \
	done

test-armhf: armhf-setup
	$(Q)$(MAKE) --no-print-directory $(ARMHF_FLAGS) all unit
	$(Q)$(MAKE) --no-print-directory armhf-sizes
	@pass=0; fail=0; \
	for t in $(ARMHF_BUILD)/tests/test_*; do \
		if $(ARMHF_RUN) $$t >$(ARMHF_BUILD)/$$(basename $$t).log 2>&1; then \
			pass=$$((pass + 1)); echo "ok   $$t"; \
		else \
			fail=$$((fail + 1)); echo "FAIL $$t"; tail -20 $(ARMHF_BUILD)/$$(basename $$t).log; \
		fi; \
	done; \
	if $(ARMHF_RUN) $(ARMHF_BUILD)/camcat dump fixtures/normal/root/2025-01-24 --json \
		| cmp -s - fixtures/normal/expect/2025-01-24.json; then \
		pass=$$((pass + 1)); echo "ok   armhf camcat dump matches the golden file"; \
	else \
		fail=$$((fail + 1)); echo "FAIL armhf camcat dump differs from the golden file"; \
	fi; \
	echo "armhf: $$pass passed, $$fail failed"; [ $$fail -eq 0 ]
