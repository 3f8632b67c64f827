#!/bin/sh
# lwtest-timeout: 120
# Softirqs (bottom halves) held off on CPU 1 for 30 and 100 ms, threshold
# 10 ms: ONE softirqoff event each, with the exact lateness of softirq
# processing and the holder's stack (lwinj_softirqoff on top). A 3 ms window
# is not reported. On a kernel without softirq-off windows
# (lw_softirqoff_windows) the detector is off from the start, cannot be
# switched on, and the windows are reported by nobody.
. /tests/lib/assert.sh
. /tests/lib/latwatch.sh

check "latwatch.ko loads with defaults" lw_load
if lw_softirqoff_windows; then
	check "softirqoff_enabled is 1" \
		test "$(cat /sys/module/latwatch/parameters/softirqoff_enabled)" = 1
else
	echo "LWNOTE $LW_NO_SOFTIRQOFF"
	check "softirqoff_enabled is 0" \
		test "$(cat /sys/module/latwatch/parameters/softirqoff_enabled)" = 0
	check "the kernel log says why" \
		sh -c 'dmesg | grep -q "latwatch: softirqoff_enabled=0: this kernel has no softirq-off windows"'
	lw_rejected "softirqoff_enabled=1" "no softirq-off windows" softirqoff_enabled=1
fi
check "latwatch watch --json subscribes" lw_watch_start

lw_window softirqoff 1 30
lw_window softirqoff 1 100
lw_no_window softirqoff 1 3
lw_window softirqoff 0 50

bg_stop watch
check "latwatch.ko unloads" lw_unload
