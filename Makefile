# nomos: policy compiler (nomosc) and bytecode VM (nomos-vm, libnomos).
# One GNU Makefile. Sources are found by directory convention, so adding a
# module means adding files, not editing this file:
#   vm/*.c               -> libnomos (no I/O, no JSON, no libyaml)
#   runtime/*.c          -> libnomos (except the CLI files runtime/nomos_vm*.c)
#   compiler/*.c         -> libnomosc (except the CLI files compiler/nomosc*.c)
#   grammar/*.re, *.y    -> generated into $(B)/gen, compiled into libnomosc
#   tests/unit/test_*.c  -> one cmocka binary each, run by `make test`
#   tests/corpus/*.sh    -> corpus runners, run by `make test`
#   tests/fuzz/fuzz_*.c  -> libFuzzer targets (`make fuzz`); `make test` also
#                           replays each over its seeds (tests/fuzz/replay_main.c)
#   tests/bench/bench_*.c-> benchmarks (`make bench`)
#   tests/support/*.c    -> helpers linked into tests, fuzzers and benches

B ?= build
CC ?= cc
PREFIX ?= /usr/local
DESTDIR ?=
FUZZ_SECONDS ?= 60
VERSION := 0.1.0

# libnomos decodes actions with yajl; jansson reads test tables (`nomos-vm
# test`, the unit tests); libcrypto is for Nomos RSA bundle signatures only.
PKGS := yaml-0.1 libsodium yajl jansson libcrypto
WARN := -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -pedantic \
	-Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wconversion -Wvla \
	-Wformat=2 -Wcast-qual -Wwrite-strings
CFLAGS ?= -O2 -g
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)
ALL_CFLAGS = $(WARN) $(CFLAGS) -fvisibility=hidden -fPIC -I. -I$(B)/gen \
	-DNOMOS_VERSION='"$(VERSION)"' $(PKG_CFLAGS)
LDLIBS = $(PKG_LIBS) -lpthread

VM_SRC := $(wildcard vm/*.c)
RT_SRC := $(filter-out runtime/nomos_vm%,$(wildcard runtime/*.c))
CC_SRC := $(filter-out compiler/nomosc%,$(wildcard compiler/*.c))
# Command-line programs: main plus one file per subcommand
# (compiler/nomosc_cmd_NAME.c defines nomosc_cmd_NAME and nomosc_cmd_NAME_summary;
# likewise runtime/nomos_vm_cmd_NAME.c). The command tables are generated.
NOMOSC_CLI := $(wildcard compiler/nomosc*.c)
NOMOS_VM_CLI := $(wildcard runtime/nomos_vm*.c)
NOMOSC_CMDS := $(sort $(patsubst compiler/nomosc_cmd_%.c,%,$(wildcard compiler/nomosc_cmd_*.c)))
NOMOS_VM_CMDS := $(sort $(patsubst runtime/nomos_vm_cmd_%.c,%,$(wildcard runtime/nomos_vm_cmd_*.c)))
RE_SRC := $(wildcard grammar/*.re)
Y_SRC := $(wildcard grammar/*.y)
GEN_C := $(patsubst grammar/%.re,$(B)/gen/%.c,$(RE_SRC)) \
	$(patsubst grammar/%.y,$(B)/gen/%.c,$(Y_SRC))
GEN_H := $(patsubst grammar/%.y,$(B)/gen/%.h,$(Y_SRC)) $(B)/gen/nomosc_cmds.h $(B)/gen/nomos_vm_cmds.h
SUPPORT_SRC := $(wildcard tests/support/*.c)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
BENCH_SRC := $(wildcard tests/bench/bench_*.c)

LIB_OBJ := $(patsubst %.c,$(B)/obj/%.o,$(VM_SRC) $(RT_SRC))
CC_OBJ := $(patsubst %.c,$(B)/obj/%.o,$(CC_SRC)) \
	$(patsubst $(B)/gen/%.c,$(B)/obj/gen/%.o,$(GEN_C))
SUPPORT_OBJ := $(patsubst %.c,$(B)/obj/%.o,$(SUPPORT_SRC))
UNIT_BIN := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))
# Each fuzz target also links with a plain main that replays its seed corpus.
REPLAY_BIN := $(patsubst tests/fuzz/%.c,$(B)/replay/%,$(FUZZ_SRC))
BENCH_BIN := $(patsubst tests/bench/%.c,$(B)/bench/%,$(BENCH_SRC))

LIBNOMOS := $(B)/libnomos.a
LIBNOMOS_SO := $(B)/libnomos.so
LIBNOMOSC := $(B)/libnomosc.a
NOMOSC := $(B)/nomosc
NOMOS_VM := $(B)/nomos-vm

.PHONY: all deps test check tsan fuzz bench demo clean install uninstall lint-deps
.SECONDARY:

all: deps $(NOMOSC) $(NOMOS_VM) $(LIBNOMOS_SO)

deps:
	@sh tools/check-deps.sh

# ---- generated parser and lexer (never committed) --------------------------
$(B)/gen/%.c $(B)/gen/%.h: grammar/%.y
	@mkdir -p $(B)/gen
	cp $< $(B)/gen/$*.y
	cd $(B)/gen && lemon -q -s -T/usr/share/lemon/lempar.c $*.y >/dev/null 2>lemon.log || { cat lemon.log; exit 1; }
	@if grep -q 'parsing conflict' $(B)/gen/lemon.log 2>/dev/null; then cat $(B)/gen/lemon.log; exit 1; fi

$(B)/gen/%.c: grammar/%.re $(GEN_H)
	@mkdir -p $(B)/gen
	re2c -W -Werror --no-generation-date -o $@ $<

# The generated parser gets the one relaxation STYLE.md allows.
$(B)/obj/gen/%.o: $(B)/gen/%.c $(GEN_H)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Wno-unused-parameter -Wno-unused-variable -Wno-sign-conversion \
		-Wno-conversion -Wno-unused-but-set-variable -MMD -MP -c -o $@ $<

# ---- objects -----------------------------------------------------------------
$(B)/obj/%.o: %.c $(GEN_H)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(LIBNOMOS): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LIBNOMOS_SO): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libnomos.so.0 $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(LIBNOMOSC): $(CC_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(NOMOSC): $(patsubst %.c,$(B)/obj/%.o,$(NOMOSC_CLI)) $(LIBNOMOSC) $(LIBNOMOS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(NOMOS_VM): $(patsubst %.c,$(B)/obj/%.o,$(NOMOS_VM_CLI)) $(LIBNOMOS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Command tables: X(name) per subcommand file present.
$(B)/gen/nomosc_cmds.h: $(wildcard compiler/nomosc_cmd_*.c) Makefile
	@mkdir -p $(dir $@)
	@printf '#define NOMOSC_COMMANDS(X)%s\n' "$(foreach c,$(NOMOSC_CMDS), X($(c)))" > $@.tmp
	@cmp -s $@.tmp $@ 2>/dev/null || mv $@.tmp $@; rm -f $@.tmp
$(B)/gen/nomos_vm_cmds.h: $(wildcard runtime/nomos_vm_cmd_*.c) Makefile
	@mkdir -p $(dir $@)
	@printf '#define NOMOS_VM_COMMANDS(X)%s\n' "$(foreach c,$(NOMOS_VM_CMDS), X($(c)))" > $@.tmp
	@cmp -s $@.tmp $@ 2>/dev/null || mv $@.tmp $@; rm -f $@.tmp

$(B)/tests/%: tests/unit/%.c $(SUPPORT_OBJ) $(LIBNOMOSC) $(LIBNOMOS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(SUPPORT_OBJ) $(LIBNOMOSC) $(LIBNOMOS) \
		$(LDLIBS) $(CMOCKA_LIBS)

$(B)/replay/%: tests/fuzz/%.c tests/fuzz/replay_main.c $(SUPPORT_OBJ) $(LIBNOMOSC) $(LIBNOMOS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< tests/fuzz/replay_main.c $(SUPPORT_OBJ) $(LIBNOMOSC) \
		$(LIBNOMOS) $(LDLIBS)

$(B)/bench/%: tests/bench/%.c $(SUPPORT_OBJ) $(LIBNOMOSC) $(LIBNOMOS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(SUPPORT_OBJ) $(LIBNOMOSC) $(LIBNOMOS) $(LDLIBS)

# Seeds that are build outputs: fuzz_image starts from images compiled from
# conformance bundles ($(B)/seeds/NAME/ is replayed and fuzzed beside
# corpus/fuzz/NAME/). --compat: risk-and-identity keeps a backslash rule on
# purpose (a warning then, kept in $(B)/seeds/NAME.nbc.err; an error is
# shown and fails the build).
IMAGE_SEEDS := $(B)/seeds/fuzz_image/safe.nbc $(B)/seeds/fuzz_image/engine-mix.nbc \
	$(B)/seeds/fuzz_image/risk-and-identity.nbc
$(B)/seeds/fuzz_image/safe.nbc: corpus/conformance/upstream/policies/safe.yaml
$(B)/seeds/fuzz_image/engine-mix.nbc: corpus/conformance/bundles/engine-mix.yaml
$(B)/seeds/fuzz_image/risk-and-identity.nbc: corpus/conformance/bundles/risk-and-identity.json
$(IMAGE_SEEDS): $(NOMOSC)
	@mkdir -p $(dir $@)
	$(NOMOSC) build --compat -o $@ $(filter-out $(NOMOSC),$^) >/dev/null \
		2>$(B)/seeds/$(notdir $@).err || { cat $(B)/seeds/$(notdir $@).err; exit 1; }

# ---- test ----------------------------------------------------------------------
# Every unit binary and every corpus runner runs; the summary line counts them.
test: all $(UNIT_BIN) $(REPLAY_BIN) $(IMAGE_SEEDS) lint-deps
	@B=$(B) NOMOSC=$(NOMOSC) NOMOS_VM=$(NOMOS_VM) sh tests/run-all.sh $(UNIT_BIN) $(REPLAY_BIN)

# clang ASan + UBSan rebuild of everything, then the whole suite; then the
# multi-threaded evaluation test under ThreadSanitizer.
check:
	$(MAKE) B=build/asan CC=clang \
		CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		LDFLAGS="-fsanitize=address,undefined" test
	$(MAKE) tsan

tsan:
	$(MAKE) B=build/tsan CC=clang CFLAGS="-O1 -g -fsanitize=thread" \
		LDFLAGS="-fsanitize=thread" build/tsan/tests/test_threads
	TSAN_OPTIONS=halt_on_error=1 build/tsan/tests/test_threads

# libFuzzer targets: each built with every library source, run FUZZ_SECONDS.
FUZZ_BIN := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))
FUZZ_CFLAGS = $(WARN) -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-I. -Ibuild/fuzz/gen -DNOMOS_VERSION='"$(VERSION)"' $(PKG_CFLAGS)
build/fuzz/%: tests/fuzz/%.c $(VM_SRC) $(RT_SRC) $(CC_SRC) $(SUPPORT_SRC) $(RE_SRC) $(Y_SRC)
	$(MAKE) B=build/fuzz CC=clang CFLAGS="-O1 -g" build/fuzz/libnomosc.a >/dev/null
	clang $(FUZZ_CFLAGS) -Wno-unused-parameter -Wno-unused-variable -Wno-conversion \
		-Wno-sign-conversion -Wno-unused-but-set-variable -o $@ $< \
		$(VM_SRC) $(RT_SRC) $(CC_SRC) $(SUPPORT_SRC) $$(ls build/fuzz/gen/*.c 2>/dev/null) $(LDLIBS)

fuzz: deps $(FUZZ_BIN) $(IMAGE_SEEDS)
	@B=build FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/run-fuzz.sh $(FUZZ_BIN)

bench: all $(BENCH_BIN)
	@for b in $(BENCH_BIN); do echo "== $$b"; $$b || exit 1; done

# The main job on the shipped policies: compile, evaluate, explain.
demo: all
	@sh tools/demo.sh $(NOMOSC) $(NOMOS_VM) $(B)

# The VM must never link compiler code; the runtime never includes compiler headers.
lint-deps:
	@! grep -n '#include *"\(compiler\|runtime\|grammar\)/' vm/*.c vm/*.h 2>/dev/null | grep . \
		|| { echo "lint-deps: vm/ must only include vm/ headers"; exit 1; }
	@! grep -n '#include *"\(compiler\|grammar\)/' runtime/*.c runtime/*.h 2>/dev/null | grep . \
		|| { echo "lint-deps: runtime/ must not include compiler/ or grammar/"; exit 1; }

clean:
	rm -rf build

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)

# ---- install / uninstall -------------------------------------------------------
# `make install PREFIX=/usr/local DESTDIR=` copies the two programs, libnomos
# (static, and shared with soname libnomos.so.0), its one public header as
# <nomos/nomos.h>, a pkg-config file generated from tools/nomos.pc.in, the man
# pages and the starter packs. `make uninstall` with the same PREFIX/DESTDIR
# removes exactly that. tests/corpus/install.sh checks both.
BINDIR = $(PREFIX)/bin
LIBDIR = $(PREFIX)/lib
INCLUDEDIR = $(PREFIX)/include
MAN1DIR = $(PREFIX)/share/man/man1
PACKDIR = $(PREFIX)/share/nomos/stdlib-policies
MAN_PAGES := docs/man/nomosc.1 docs/man/nomos-vm.1
PACK_FILES := $(wildcard stdlib-policies/*.yaml stdlib-policies/*.nomos)
# What a static link of libnomos.a needs besides itself (nomos.pc Requires.private).
NOMOS_PC_REQUIRES := libsodium yajl

install: all $(LIBNOMOS)
	install -d "$(DESTDIR)$(BINDIR)" "$(DESTDIR)$(LIBDIR)/pkgconfig" \
		"$(DESTDIR)$(INCLUDEDIR)/nomos" "$(DESTDIR)$(MAN1DIR)" "$(DESTDIR)$(PACKDIR)"
	install -m 755 $(NOMOSC) $(NOMOS_VM) "$(DESTDIR)$(BINDIR)/"
	install -m 644 $(LIBNOMOS) "$(DESTDIR)$(LIBDIR)/libnomos.a"
	install -m 755 $(LIBNOMOS_SO) "$(DESTDIR)$(LIBDIR)/libnomos.so.0"
	ln -sf libnomos.so.0 "$(DESTDIR)$(LIBDIR)/libnomos.so"
	install -m 644 runtime/nomos.h "$(DESTDIR)$(INCLUDEDIR)/nomos/nomos.h"
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' \
		-e 's|@REQUIRES_PRIVATE@|$(NOMOS_PC_REQUIRES)|g' tools/nomos.pc.in \
		> "$(DESTDIR)$(LIBDIR)/pkgconfig/nomos.pc"
	chmod 644 "$(DESTDIR)$(LIBDIR)/pkgconfig/nomos.pc"
	install -m 644 $(MAN_PAGES) "$(DESTDIR)$(MAN1DIR)/"
	install -m 644 $(PACK_FILES) "$(DESTDIR)$(PACKDIR)/"

uninstall:
	rm -f "$(DESTDIR)$(BINDIR)/nomosc" "$(DESTDIR)$(BINDIR)/nomos-vm"
	rm -f "$(DESTDIR)$(LIBDIR)/libnomos.a" "$(DESTDIR)$(LIBDIR)/libnomos.so" \
		"$(DESTDIR)$(LIBDIR)/libnomos.so.0" "$(DESTDIR)$(LIBDIR)/pkgconfig/nomos.pc"
	rm -f "$(DESTDIR)$(INCLUDEDIR)/nomos/nomos.h"
	rm -f $(foreach m,$(notdir $(MAN_PAGES)),"$(DESTDIR)$(MAN1DIR)/$(m)")
	rm -rf "$(DESTDIR)$(PACKDIR)"
	rmdir "$(DESTDIR)$(INCLUDEDIR)/nomos" "$(DESTDIR)$(PREFIX)/share/nomos" 2>/dev/null || true
