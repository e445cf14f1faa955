# make bench — figures of the index library, the server and the footprint,
# each beside its floor or peer (see tools/bench.sh). Not part of `make test`.
# Included by the top Makefile (-include tools/bench.mk).

BENCH_BINS := $(BUILD)/camcat-bench $(BUILD)/camcat-bench-sqlite

$(BUILD)/camcat-bench: $(BUILD)/obj/tools/bench.o $(BUILD)/obj/tools/benchutil.o $(LIBCC)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -o $@ $^ $(LD_FLAGS)

# The SQLite peer is a yardstick only: never linked into the product.
$(BUILD)/camcat-bench-sqlite: $(BUILD)/obj/tools/bench_sqlite.o $(BUILD)/obj/tools/benchutil.o $(LIBCC)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -o $@ $^ $(LD_FLAGS) -lsqlite3

bench:
	$(Q)tools/deps.sh bench
	$(Q)$(MAKE) --no-print-directory all www $(BENCH_BINS)
	$(Q)tools/bench.sh $(BUILD)

-include $(BUILD)/obj/tools/bench.d $(BUILD)/obj/tools/bench_sqlite.d $(BUILD)/obj/tools/benchutil.d
