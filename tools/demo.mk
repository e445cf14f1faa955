# The demo recording tree for `make run`: three days ending today, generated
# by camcat-gentree from the real chunks in fixtures/media (hard links, so it
# costs next to no space).
#
# It is regenerated when missing, on a new day, or when the generator or the
# media set changed; regenerating deletes only that tree. It is made in
# DEMO_ROOT.new and moved into place once complete and stamped. A DEMO_ROOT
# other than $(BUILD)/demo is replaced only if it carries the stamp: pointing
# DEMO_ROOT at real recordings serves them untouched.
DEMO_ROOT ?= $(BUILD)/demo
DEMO_MEDIA ?= fixtures/media
DEMO_STAMP = $(DEMO_ROOT)/.camcat-demo-stamp
DEMO_OWNED = $(if $(filter $(BUILD)/demo,$(DEMO_ROOT)),1,)

.PHONY: demo
demo: $(BUILD)/camcat-gentree
	$(Q)want="$$(date +%F) $$(cat tools/gentree.c $(DEMO_MEDIA)/media.m3u8 | cksum)"; \
	if [ -d "$(DEMO_ROOT)" ] && [ -z "$(DEMO_OWNED)" ] && [ ! -f "$(DEMO_STAMP)" ]; then \
		echo "demo: $(DEMO_ROOT) was not made by camcat-gentree: serving it as it is"; \
	elif [ ! -d "$(DEMO_ROOT)" ] || [ "$$(cat "$(DEMO_STAMP)" 2>/dev/null)" != "$$want" ]; then \
		echo "demo: generating a recording tree in $(DEMO_ROOT)"; \
		rm -rf "$(DEMO_ROOT).new" && \
		$(BUILD)/camcat-gentree demo --root "$(DEMO_ROOT).new" --media $(DEMO_MEDIA) && \
		printf '%s\n' "$$want" > "$(DEMO_ROOT).new/$(notdir $(DEMO_STAMP))" && \
		rm -rf "$(DEMO_ROOT)" && mv "$(DEMO_ROOT).new" "$(DEMO_ROOT)"; \
	fi
