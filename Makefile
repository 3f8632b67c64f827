# latwatch: kernel-module-assisted latency detector.
#
#   make [KDIR=<kernel build dir>]   build kmod/latwatch.ko and agent/latwatch
#   make check                       install test dependencies, run every test
#   make demo                        boot a Debian kernel under QEMU and show
#                                    latwatch catching injected windows
#   make stress                      the robustness scenarios (privileges,
#                                    netlink fuzzing, CPU hotplug, load
#                                    cycles, races) at full counts
#   make bench                       every benchmark in the VM, written to
#                                    docs/BENCHMARKS.md; about 12 minutes
#   make bench-pipeline              the agent's event path on the host, no
#                                    VM (tests/bench/pipeline), written to
#                                    docs/BENCHMARKS-pipeline.md; about 2
#                                    minutes
#   make matrix                      the whole VM suite on every kernel
#                                    series, 5.10 to 7.3 (tests/vm/kernels)
#   make debug-check                 the whole VM suite on a 6.12 kernel
#                                    with lockdep, KASAN and debug objects
#                                    (built the first time, ~25 minutes);
#                                    run it before a change to kmod/ lands
#   make install, make deb, make system-test: see "Installation and
#                                    packaging" below
KDIR ?= /lib/modules/$(shell uname -r)/build

all: kmod agent

kmod:
	$(MAKE) -C kmod KDIR=$(KDIR)

agent:
	$(MAKE) -C agent

check:
	scripts/install-deps
	tests/run-all

demo:
	scripts/install-deps
	tests/vm/demo

# lwvm.stress=1 on the guests' kernel command line: 100000 fuzzed datagrams
# per seed and user, 30 hotplug cycles, 1000 load cycles, 1000 cycles of
# each race.
STRESS_SCENARIOS = 21-privilege 22-nlfuzz 23-hotplug 24-loadcycle 28-races

stress:
	scripts/install-deps
	tests/vm/run-suite --append lwvm.stress=1 --timeout 4800 \
		$(addprefix --scenario ,$(STRESS_SCENARIOS))

.PHONY: stress

bench:
	scripts/install-deps
	tests/bench/run-all

bench-pipeline:
	tests/bench/pipeline

.PHONY: bench bench-pipeline

matrix:
	scripts/install-deps
	tests/vm/run-suite --all

.PHONY: matrix

debug-check:
	scripts/install-deps --debug
	tests/vm/debug-kernel >/dev/null
	tests/vm/run-suite --series 6.12-debug

.PHONY: debug-check

clean:
	-$(MAKE) -C kmod KDIR=$(KDIR) clean
	$(MAKE) -C agent clean
	rm -rf build

# Installation and packaging. DESTDIR and PREFIX are honoured:
#   make install [PREFIX=/usr/local]  install-agent and install-dkms
#   make install-agent   agent to $(SBINDIR), man pages, the systemd unit
#                        (to $(SYSTEMDUNITDIR)), the config (to
#                        $(SYSCONFDIR)/latwatch, never over an existing one),
#                        the modprobe.d and modules-load.d examples
#   make install-dkms    the module's source and dkms.conf to
#                        $(DKMSDIR)/latwatch-VERSION; then run
#                        "dkms install latwatch/VERSION"
#   make uninstall       remove all that (a config that was changed stays)
#   make deb             Debian packages latwatch and latwatch-dkms, built in
#                        a copy of the tree, into build/deb/
#   make system-test     install the packages in a Debian system booted
#                        under QEMU and check the service end to end
VERSION		:= $(shell cat VERSION 2>/dev/null)
PREFIX		?= /usr/local
SBINDIR		?= $(PREFIX)/sbin
MANDIR		?= $(PREFIX)/share/man
DOCDIR		?= $(PREFIX)/share/doc/latwatch
SYSTEMDUNITDIR	?= $(PREFIX)/lib/systemd/system
SYSCONFDIR	?= /etc
DKMSDIR		?= /usr/src
INSTALL		?= install

CONF_DST	= $(DESTDIR)$(SYSCONFDIR)/latwatch/latwatch.conf
DKMS_DST	= $(DESTDIR)$(DKMSDIR)/latwatch-$(VERSION)
# What DKMS needs to build the module: kmod/ (without build products),
# the UAPI header and the version.
DKMS_FILES	= VERSION include/latwatch/latwatch.h kmod/Kbuild \
		  kmod/Makefile kmod/conftest.sh \
		  $(sort $(filter-out %.mod.c,$(wildcard kmod/*.c)) \
		  $(filter-out kmod/conftest.h,$(wildcard kmod/*.h)))
EXAMPLES	= systemd/latwatch-modprobe.conf systemd/latwatch-modules-load.conf

# Copy the source tree to $(1): tracked and untracked files that git does
# not ignore (every file but .git and build/ outside a git work tree),
# without build products.
snapshot = rm -rf $(1) && mkdir -p $(1) && \
	{ if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git ls-files -z --cached --others --exclude-standard; \
	else \
		find . -path ./.git -prune -o -path ./build -prune -o -type f -print0; \
	fi; } | tar --exclude='./build' --exclude='build/*' --exclude='*.o' \
		--exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' \
		--exclude='.*.cmd' --exclude='*.a' --exclude='Module.symvers' \
		--exclude='modules.order' --ignore-failed-read --null -T - -cf - | \
	tar -C $(1) -xf -

install: install-agent install-dkms

install-agent: agent
	@test -n "$(VERSION)" || { echo "make: no version in ./VERSION" >&2; exit 1; }
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(SYSTEMDUNITDIR) \
		$(DESTDIR)$(DOCDIR)/examples
	$(INSTALL) -m 755 agent/latwatch $(DESTDIR)$(SBINDIR)/latwatch
	$(INSTALL) -m 644 man/latwatch.8 $(DESTDIR)$(MANDIR)/man8/latwatch.8
	$(INSTALL) -m 644 man/latwatch.conf.5 $(DESTDIR)$(MANDIR)/man5/latwatch.conf.5
	sed -e 's|/usr/sbin/latwatch|$(SBINDIR)/latwatch|' \
	    -e 's|/etc/latwatch/|$(SYSCONFDIR)/latwatch/|' \
	    systemd/latwatch.service >$(DESTDIR)$(SYSTEMDUNITDIR)/latwatch.service
	chmod 644 $(DESTDIR)$(SYSTEMDUNITDIR)/latwatch.service
	$(INSTALL) -m 644 $(EXAMPLES) $(DESTDIR)$(DOCDIR)/examples/
	@if [ -e "$(CONF_DST)" ]; then \
		echo "keeping the existing $(CONF_DST)"; \
	else \
		echo "$(INSTALL) -D -m 644 etc/latwatch.conf $(CONF_DST)"; \
		$(INSTALL) -D -m 644 etc/latwatch.conf "$(CONF_DST)"; \
	fi

install-dkms:
	@test -n "$(VERSION)" || { echo "make: no version in ./VERSION" >&2; exit 1; }
	rm -rf "$(DKMS_DST)"
	for f in $(DKMS_FILES); do \
		$(INSTALL) -D -m 644 "$$f" "$(DKMS_DST)/$$f" || exit 1; \
	done
	sed 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="$(VERSION)"/' dkms.conf \
		>"$(DKMS_DST)/dkms.conf"
	chmod 644 "$(DKMS_DST)/dkms.conf"
	@if [ -z "$(DESTDIR)" ]; then \
		echo "now build and install the module: dkms install latwatch/$(VERSION)"; \
	fi

uninstall: uninstall-agent uninstall-dkms

uninstall-agent:
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ] && \
	    [ -e "$(SYSTEMDUNITDIR)/latwatch.service" ]; then \
		echo "systemctl disable --now latwatch.service"; \
		systemctl disable --now latwatch.service || true; \
	fi
	rm -f $(DESTDIR)$(SBINDIR)/latwatch \
		$(DESTDIR)$(MANDIR)/man8/latwatch.8 \
		$(DESTDIR)$(MANDIR)/man5/latwatch.conf.5 \
		$(DESTDIR)$(SYSTEMDUNITDIR)/latwatch.service \
		$(addprefix $(DESTDIR)$(DOCDIR)/examples/,$(notdir $(EXAMPLES)))
	rmdir $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR) 2>/dev/null || true
	@if [ ! -e "$(CONF_DST)" ]; then :; \
	elif cmp -s etc/latwatch.conf "$(CONF_DST)"; then \
		echo "rm -f $(CONF_DST)"; rm -f "$(CONF_DST)"; \
		rmdir "$(DESTDIR)$(SYSCONFDIR)/latwatch" 2>/dev/null || true; \
	else \
		echo "keeping $(CONF_DST): it was changed"; \
	fi
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then \
		systemctl daemon-reload || true; \
	fi

uninstall-dkms:
	@test -n "$(VERSION)" || { echo "make: no version in ./VERSION" >&2; exit 1; }
	@if [ -z "$(DESTDIR)" ] && command -v dkms >/dev/null && \
	    [ -n "$$(dkms status -m latwatch -v $(VERSION) 2>/dev/null)" ]; then \
		echo "dkms remove -m latwatch -v $(VERSION) --all"; \
		dkms remove -m latwatch -v $(VERSION) --all; \
	fi
	rm -rf "$(DKMS_DST)"

deb:
	@test -n "$(VERSION)" || { echo "make: no version in ./VERSION" >&2; exit 1; }
	@command -v dpkg-buildpackage >/dev/null || { echo "make deb: dpkg-buildpackage not found (apt-get install dpkg-dev debhelper dh-dkms)" >&2; exit 1; }
	rm -rf build/deb
	$(call snapshot,build/deb/latwatch-$(VERSION))
	cd build/deb/latwatch-$(VERSION) && dpkg-buildpackage -us -uc -b
	rm -rf build/deb/latwatch-$(VERSION)
	@ls -1 build/deb/*.deb

system-test:
	tests/system/run

.PHONY: all kmod agent check demo clean install install-agent \
	install-dkms uninstall uninstall-agent uninstall-dkms deb system-test
