#!/bin/sh
# lwtest-timeout: 120
# Hypervisor steal. The injector's "stolen" window is what a vCPU that the
# host stops in kernel code looks like from inside: interrupts off for 30
# ms on CPU 1, and the same 30 ms added to CPU 1's steal time after
# interrupts are on again, as the guest's next tick would (so after the
# sampler ran). latwatch counts it as a stall, not an irq-off window; the
# steal shows in /proc/stat; and a plain 30 ms irq-off window right after
# is still reported (the steal is not carried over to it).
. /tests/lib/assert.sh
. /tests/lib/latwatch.sh

check "latwatch.ko loads with defaults" lw_load
check "latwatch watch --json subscribes" lw_watch_start

stalls() {
	latwatch stats --json | jq '[.cpus[] | select(.cpu == 1) | .stalls] | add'
}

# CPU 1's steal time in USER_HZ ticks (the 8th value of its line)
steal() {
	awk '$1 == "cpu1" { print $9 }' /proc/stat
}

IRQOFF1='.type == "irqoff" and .cpu == 1'
s0=$(stalls)
t0=$(steal)
lw_inject stolen 1 30
lw_expect_none "stolen 30 ms on CPU 1: no irq-off event" \
	"$IRQOFF1 and (.stack[0] // \"\" | startswith(\"lwinj_stolen\"))"
s1=$(stalls)
t1=$(steal)
echo "LWNOTE CPU 1 stalls $s0 -> $s1, steal ticks $t0 -> $t1"
check "stolen 30 ms on CPU 1: counted as a stall ($s0 -> $s1)" \
	test "$s1" -gt "$s0"
check "stolen 30 ms on CPU 1: /proc/stat's steal grew ($t0 -> $t1)" \
	test "$t1" -gt "$t0"

lw_inject irqoff 1 30
lw_expect_one "irqoff 30 ms on CPU 1 after it: one irq-off event" \
	"$IRQOFF1 and (.stack[0] // \"\" | startswith(\"lwinj_irqoff\"))"
lw_ev_duration "irqoff 30 ms on CPU 1 after it: duration" \
	-1500 "$LW_STALL_US"

bg_stop watch
check "latwatch.ko unloads" lw_unload
