#!/bin/sh
# lwtest-timeout: 180
# Each detector can be switched off and on at run time with
# `latwatch config KEY_enabled=0|1`, and off at load time: switched off, it
# reports nothing (the others still do); switched on again, it reports
# again. A value other than 0 or 1 is refused and changes nothing.
. /tests/lib/assert.sh
. /tests/lib/latwatch.sh

SWITCHES="irqoff_enabled softirqoff_enabled softirq_enabled timer_enabled hardirq_enabled"
# softirqoff_enabled is 0 for good where the kernel has no softirq-off
# windows (lw_softirqoff_windows).
SOFTIRQOFF_ON=1
lw_softirqoff_windows || SOFTIRQOFF_ON=0

# switches_are V: config and /sys/module show every switch as V, but
# $except as the opposite
switches_are() {
	cfg=$(latwatch config) || return 1
	for k in $SWITCHES; do
		v=$1
		[ "$k" = "${except:-}" ] && v=$((1 - $1))
		[ "$k" = softirqoff_enabled ] && [ "$SOFTIRQOFF_ON" = 0 ] && v=0
		echo "$cfg" | grep -qx "$k=$v" || {
			echo "config: $(echo "$cfg" | grep "^$k=")"
			return 1
		}
		p=$(cat "/sys/module/latwatch/parameters/$k")
		[ "$p" = "$v" ] || {
			echo "/sys/module/latwatch/parameters/$k: $p"
			return 1
		}
	done
}

# set_switch KEY V: set it and see it, and only it, changed
set_switch() {
	check "latwatch config $1=$2" latwatch config "$1=$2"
	if [ "$2" = 0 ]; then
		except=$1
		check "config and parameters show $1=0, the others 1" switches_are 1
	else
		except=
		check "config and parameters show every switch 1" switches_are 1
	fi
}

TIMER_FN='.type == "timer" and .function == "lwinj_timer_fn"'
TIMER_ANY='.type == "timer"'
TASKLET='.type == "softirq" and .vector == "TASKLET"'
SOFTIRQ_ANY='.type == "softirq"'
HARDIRQ='.type == "hardirq" and .name == "lwinj_edu"'
IRQOFF='.type == "irqoff"'
SOFTIRQOFF='.type == "softirqoff"'

check "latwatch.ko loads with defaults" lw_load
except=
check "config and parameters show every switch 1" switches_are 1
check "latwatch watch --json subscribes" lw_watch_start
# The serial console's handler takes ~5 ms under TCG: keep it off CPU 1.
console=$(lw_console_irq_to 0)
echo "LWNOTE console irq (previous CPUs): $console"

# timer
set_switch timer_enabled 0
w="timer_enabled=0: timer 30 ms on CPU 1"
lw_inject timer 1 30
lw_expect_none "$w: no timer event" "$TIMER_ANY"
lw_expect_one "$w: the softirq detector still reports the TIMER softirq" \
	"$(lw_timer_softirq 1)" && lw_ev_duration "$w: TIMER softirq duration" 0 "$LW_STALL_US"
set_switch timer_enabled 1
w="timer_enabled=1: timer 30 ms on CPU 1"
lw_inject timer 1 30
lw_expect_one "$w: one timer event naming lwinj_timer_fn again" "$TIMER_FN" &&
	lw_ev_duration "$w: duration" 0 "$LW_STALL_US"

# softirq
set_switch softirq_enabled 0
w="softirq_enabled=0: tasklet 30 ms on CPU 1"
lw_inject tasklet 1 30
lw_expect_none "$w: no softirq event" "$SOFTIRQ_ANY"
w="softirq_enabled=0: timer 30 ms on CPU 1"
lw_inject timer 1 30
lw_expect_none "$w: no softirq event" "$SOFTIRQ_ANY"
check "$w: the timer detector still reports lwinj_timer_fn" \
	test "$(lw_count "$LW_FROM" "$TIMER_FN")" = 1
set_switch softirq_enabled 1
w="softirq_enabled=1: tasklet 30 ms on CPU 1"
lw_inject tasklet 1 30
lw_expect_one "$w: one TASKLET softirq event again" "$TASKLET" &&
	lw_ev_duration "$w: duration" 0 "$LW_STALL_US"

# hardirq
if lw_edu >/dev/null; then
	set_switch hardirq_enabled 0
	w="hardirq_enabled=0: hardirq 20 ms on CPU 1"
	lw_inject hardirq 1 20
	lw_expect_none "$w: no hardirq event naming lwinj_edu" "$HARDIRQ"
	set_switch hardirq_enabled 1
	w="hardirq_enabled=1: hardirq 20 ms on CPU 1"
	lw_inject hardirq 1 20
	lw_expect_one "$w: one hardirq event naming lwinj_edu again" "$HARDIRQ" &&
		lw_ev_duration "$w: duration" 0 "$LW_STALL_US"
else
	skip "hardirq_enabled" "no edu PCI device (QEMU -device edu)"
fi

# irqoff
set_switch irqoff_enabled 0
w="irqoff_enabled=0: irqoff 30 ms on CPU 1"
lw_inject irqoff 1 30
lw_expect_none "$w: no irqoff event" "$IRQOFF"
set_switch irqoff_enabled 1
lw_window irqoff 1 30

# softirqoff
set_switch softirqoff_enabled 0
w="softirqoff_enabled=0: softirqoff 30 ms on CPU 1"
lw_inject softirqoff 1 30
lw_expect_none "$w: no softirqoff event" "$SOFTIRQOFF"
if [ "$SOFTIRQOFF_ON" = 1 ]; then
	set_switch softirqoff_enabled 1
else
	lw_rejected "softirqoff_enabled=1 ($LW_NO_SOFTIRQOFF)" \
		"no softirq-off windows" softirqoff_enabled=1
	except=
	check "config and parameters show every other switch 1" switches_are 1
fi
lw_window softirqoff 1 30

# Nonsense.
before=$(latwatch config)
out=$(latwatch config softirq_enabled=2 2>&1)
rc=$?
echo "LWNOTE config softirq_enabled=2 -> exit $rc: $out"
check "config softirq_enabled=2: exit 2 ($rc)" test "$rc" = 2
case $out in
*"softirq_enabled"*"0 or 1"* | *"softirq_enabled must be between 0 and 1"*)
	ok "config softirq_enabled=2: says it wants 0 or 1" ;;
*) fail "config softirq_enabled=2: says it wants 0 or 1" "$out" ;;
esac
out=$(latwatch config timer_enabled=0 softirq_enabled=2 2>&1)
rc=$?
check "config timer_enabled=0 softirq_enabled=2: exit 2 ($rc)" test "$rc" = 2
check "refusals changed nothing" test "$(latwatch config)" = "$before"

bg_stop watch
check "latwatch.ko unloads" lw_unload
lw_console_irq_restore "$console"

# The kernel's own range check, at load time.
dmesg_mark
check_fails "insmod refuses softirq_enabled=2" \
	insmod "$LW_MODDIR/latwatch.ko" softirq_enabled=2
check "insmod says why (the kernel's message)" \
	sh -c 'dmesg | grep -q "latwatch: softirq_enabled must be between 0 and 1"'
echo "LWNOTE insmod softirq_enabled=2 -> $(dmesg_since | grep 'latwatch:' | tail -n 1)"

# Off from the start.
check "latwatch.ko loads with timer_enabled=0" lw_load timer_enabled=0
except=timer_enabled
check "config and parameters show timer_enabled=0, the others 1" switches_are 1
check "latwatch watch --json subscribes again" lw_watch_start
console=$(lw_console_irq_to 0)
w="loaded with timer_enabled=0: timer 30 ms on CPU 1"
lw_inject timer 1 30
lw_expect_none "$w: no timer event" "$TIMER_ANY"
check "$w: the TIMER softirq is reported" \
	test "$(lw_count "$LW_FROM" "$(lw_timer_softirq 1)")" = 1
w="loaded with timer_enabled=0: hrtimer 20 ms on CPU 1"
lw_inject hrtimer 1 20
lw_expect_none "$w: no timer event" "$TIMER_ANY"
set_switch timer_enabled 1
w="then timer_enabled=1: timer 30 ms on CPU 1"
lw_inject timer 1 30
lw_expect_one "$w: one timer event naming lwinj_timer_fn" "$TIMER_FN" &&
	lw_ev_duration "$w: duration" 0 "$LW_STALL_US"

lw_console_irq_restore "$console"
bg_stop watch
check "latwatch.ko unloads" lw_unload
