# latwatch: kernel-module-assisted latency detector.
#
#   make [KDIR=<kernel build dir>]   build kmod/latwatch.ko and agent/latwatch
#   make check                       install test dependencies, run every test
#   make demo                        boot a Debian kernel under QEMU and show
#                                    latwatch catching injected windows
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

clean:
	-$(MAKE) -C kmod KDIR=$(KDIR) clean
	$(MAKE) -C agent clean
	rm -rf build

.PHONY: all kmod agent check demo clean
