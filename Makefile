# fwtftpd - GNU make. Targets: all, check, run, install, uninstall, clean.
PREFIX   ?= /usr/local
SBINDIR  ?= $(PREFIX)/sbin
MANDIR   ?= $(PREFIX)/share/man
DESTDIR  ?=
CC       ?= gcc
PKG_CONFIG ?= pkg-config

WARN     = -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes \
           -Wmissing-prototypes -Wno-unused-parameter
HARDEN   = -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE $(WARN) $(HARDEN) -Iinclude
ifneq ($(CI),)
CFLAGS  += -Werror
endif
LDFLAGS += -pie -Wl,-z,relro,-z,now,-z,noexecstack
LIBS     = $(shell $(PKG_CONFIG) --libs libcap libseccomp nettle 2>/dev/null || echo -lcap -lseccomp -lnettle)

BUILD    = build
SRCS     = $(filter-out src/main.c,$(wildcard src/*.c))
OBJS     = $(SRCS:src/%.c=$(BUILD)/%.o)
LIB      = $(BUILD)/libfwtftpd.a
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRC = $(wildcard tests/tools/*.c)
TOOL_BIN = $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tools/%)
CMOCKA_CFLAGS = $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   = $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

.PHONY: all check run install uninstall clean deps tests

all: fwtftpd

$(BUILD)/%.o: src/%.c $(wildcard include/*.h) | $(BUILD)
	$(CC) $(CFLAGS) -c -o $@ $<

$(LIB): $(OBJS)
	rm -f $@
	ar rcs $@ $^

fwtftpd: $(BUILD)/main.o $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD) $(BUILD)/tests $(BUILD)/tools:
	mkdir -p $@

$(BUILD)/tests/%: tests/unit/%.c $(LIB) $(wildcard tests/unit/*.h) | $(BUILD)/tests
	$(CC) $(CFLAGS) $(CMOCKA_CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(LIB) $(CMOCKA_LIBS) $(LIBS)

$(BUILD)/tools/%: tests/tools/%.c | $(BUILD)/tools
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

# Test-only build: the same sources with FWTFTPD_TEST_HOOKS, which adds a
# forbidden call per sandbox stage on request. Never installed.
HOOK_OBJS = $(SRCS:src/%.c=$(BUILD)/hooks/%.o) $(BUILD)/hooks/main.o

$(BUILD)/hooks:
	mkdir -p $@

$(BUILD)/hooks/%.o: src/%.c $(wildcard include/*.h) | $(BUILD)/hooks
	$(CC) $(CFLAGS) -DFWTFTPD_TEST_HOOKS -c -o $@ $<

$(BUILD)/fwtftpd-hooks: $(HOOK_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

tests: fwtftpd $(BUILD)/fwtftpd-hooks $(UNIT_BIN) $(TOOL_BIN)

# Installs missing Debian packages (as root), then builds with -Werror and
# runs every unit and integration test; the last line is "N passed, M failed".
check:
	@bash tests/deps.sh
	@$(MAKE) --no-print-directory CI=true tests
	@bash tests/run.sh

# Builds and serves a demo root on 127.0.0.1:6969 in the foreground.
run:
	@bash tests/deps.sh run
	@$(MAKE) --no-print-directory fwtftpd
	@bash tests/demo.sh

install: fwtftpd
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8
	install -m 0755 fwtftpd $(DESTDIR)$(SBINDIR)/fwtftpd
	install -m 0644 man/fwtftpd.8 $(DESTDIR)$(MANDIR)/man8/fwtftpd.8

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/fwtftpd $(DESTDIR)$(MANDIR)/man8/fwtftpd.8

clean:
	rm -rf $(BUILD) fwtftpd
