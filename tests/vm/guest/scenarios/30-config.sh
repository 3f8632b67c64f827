#!/bin/sh
# lwtest-timeout: 90
# Configuration: module parameters at load, `latwatch config` get and set
# with units, nonsense refused with the kernel's reason and nothing changed,
# an unprivileged user refused, a missing module named as such.
. /tests/lib/assert.sh
. /tests/lib/latwatch.sh

out=$(latwatch config 2>&1)
rc=$?
check "without the module: exit 3" test "$rc" = 3
check "without the module: says how to load it" \
	sh -c "echo '$out' | grep -q 'not loaded.*modprobe latwatch'"

dmesg_mark
check_fails "insmod refuses sample_period_us=0" \
	insmod "$LW_MODDIR/latwatch.ko" sample_period_us=0
check "insmod says why" sh -c 'dmesg | grep -q "latwatch: sample_period_us must be between"'

check "insmod with parameters" lw_load irqoff_threshold_us=25000 sample_period_us=2000
check "config shows the parameters" sh -c \
	'latwatch config | grep -qx irqoff_threshold_us=25000 &&
	 latwatch config | grep -qx softirqoff_threshold_us=10000 &&
	 latwatch config | grep -qx sample_period_us=2000'

check "config set with units" \
	latwatch config irqoff_threshold_us=20ms softirqoff_threshold_us=30000 sample_period_us=500us
check "config round trip" sh -c \
	'latwatch config | grep -qx irqoff_threshold_us=20000 &&
	 latwatch config | grep -qx softirqoff_threshold_us=30000 &&
	 latwatch config | grep -qx sample_period_us=500'
check "module parameters follow" \
	test "$(cat /sys/module/latwatch/parameters/irqoff_threshold_us)" = 20000

before=$(latwatch config)
lw_rejected "period 0" "sample_period_us must be between 100 and 1000000" \
	sample_period_us=0
lw_rejected "period over half the threshold" \
	"sample_period_us must be at most half of irqoff_threshold_us" \
	sample_period_us=15ms
lw_rejected "threshold of an hour" "irqoff_threshold_us must be between" \
	irqoff_threshold_us=3600s
lw_rejected "all or nothing" "sample_period_us must be at most half" \
	softirqoff_threshold_us=50ms sample_period_us=40ms
lw_rejected "unknown key" "unknown" bogus_us=1
lw_rejected "not a number" "" irqoff_threshold_us=fast
lw_rejected "negative" "" irqoff_threshold_us=-5ms
lw_rejected "fraction of a microsecond" "" irqoff_threshold_us=1500ns
lw_rejected "over 32 bits" "" irqoff_threshold_us=5000000000
check "rejections changed nothing" test "$(latwatch config)" = "$before"

as_user_rc() {
	_out=$(as_user latwatch "$@" 2>&1)
	_rc=$?
	if [ "$_rc" = 4 ] && echo "$_out" | grep -q "permission denied"; then
		ok "unprivileged: latwatch $* refused"
	else
		fail "unprivileged: latwatch $* refused" "exit $_rc: $_out"
	fi
}
as_user_rc config
as_user_rc config irqoff_threshold_us=50ms
as_user_rc stats
as_user_rc watch
check "unprivileged attempts changed nothing" test "$(latwatch config)" = "$before"

check "latwatch --version" sh -c 'latwatch --version | grep -q "^latwatch [0-9]"'
out=$(latwatch frobnicate 2>&1)
check "unknown subcommand: exit 2" test $? = 2

check "latwatch.ko unloads" lw_unload
