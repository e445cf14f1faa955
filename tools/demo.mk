# The demo recording tree for `make run`: generated from the real chunks in
# fixtures/media, dated today (regenerated when missing: rm -rf build/demo).
DEMO_ROOT ?= $(BUILD)/demo

demo: $(BUILD)/camcat-gentree
	@if [ ! -d $(DEMO_ROOT) ]; then \
		echo "demo: generating a recording tree in $(DEMO_ROOT)"; \
		$(BUILD)/camcat-gentree demo --root $(DEMO_ROOT) --media fixtures/media; \
	fi
.PHONY: demo
