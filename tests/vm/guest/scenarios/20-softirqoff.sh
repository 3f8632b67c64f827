#!/bin/sh
# lwtest-timeout: 120
# Softirqs (bottom halves) held off on CPU 1 for 30 and 100 ms, threshold
# 10 ms: ONE softirqoff event each, with the exact lateness of softirq
# processing and the holder's stack (lwinj_softirqoff on top). A 3 ms window
# is not reported.
. /tests/lib/assert.sh
. /tests/lib/latwatch.sh

check "latwatch.ko loads with defaults" lw_load
check "latwatch watch --json subscribes" lw_watch_start

lw_window softirqoff 1 30
lw_window softirqoff 1 100
lw_no_window softirqoff 1 3
lw_window softirqoff 0 50

bg_stop watch
check "latwatch.ko unloads" lw_unload
