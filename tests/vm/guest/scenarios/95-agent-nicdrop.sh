#!/bin/sh
# lwtest-timeout: 150
# latwatch agent correlates a softirq-off window with packet drops: UDP over
# loopback, RPS steering every packet to CPU 1's backlog, a small
# netdev_max_backlog, and softirqs held off on CPU 1 for 300 ms while the
# flood runs. The event's correlation shows the drops on lo and in CPU 1's
# softnet column and the verdict says so. Controls: the same stall without
# the flood shows no drops, the flood without the stall drops nothing.
# Where the kernel has no softirq-off windows (lw_softirqoff_windows) the
# stall holds interrupts off instead: the backlog is drained from the same
# CPU either way.
. /tests/lib/assert.sh
. /tests/lib/latwatch.sh

RPS=/sys/class/net/lo/queues/rx-0/rps_cpus
BACKLOG=/proc/sys/net/core/netdev_max_backlog
# The holder's stack names the injector (under TCG on 6.1 its top frames
# can be the clock it polls: read_hpet, ktime_get).
STALL=softirqoff
HELD=softirqs
if ! lw_softirqoff_windows; then
	echo "LWNOTE $LW_NO_SOFTIRQOFF: the stall holds interrupts off"
	STALL=irqoff
	HELD=interrupts
fi
WIN=".type == \"$STALL\" and .cpu == 1 and any(.stack[]?; startswith(\"lwinj_$STALL+\"))"

# softnet_dropped CPU: the dropped column of CPU's row (rows are online CPUs)
softnet_dropped() {
	_d=$(sed -n "$(($1 + 1))p" /proc/net/softnet_stat | awk '{ print $2 }')
	echo $((0x${_d:-0}))
}

check "latwatch.ko loads with defaults" lw_load
old_rps=$(cat $RPS)
old_backlog=$(cat $BACKLOG)
check "RPS on lo steers to CPU 1" sh -c "echo 2 >$RPS"
check "netdev_max_backlog 50" sh -c "echo 50 >$BACKLOG"
irqs=$(lw_console_irq_to 0)
check "latwatch agent starts" lw_agent_start

# Control 1: the stall without traffic.
lw_inject "$STALL" 1 300
if lw_expect_one "stall without traffic: one $STALL event" "$WIN"; then
	echo "LWNOTE control correlation: $(echo "$LW_EV" | jq -c .correlation)"
	echo "LWNOTE control verdict: $(lw_ev verdict)"
	n=$(echo "$LW_EV" | jq '[(.correlation.nic[]? | select(.ifname == "lo" and .rx_dropped > 0)), (.correlation.softnet[]? | select(.cpu == 1 and .dropped > 0))] | length')
	check "no drops on lo or CPU 1's backlog in its correlation ($n)" test "$n" = 0
	case $(lw_ev verdict) in
	*dropped*) fail "the verdict names no drops" "verdict: $(lw_ev verdict)" ;;
	*) ok "the verdict names no drops" ;;
	esac
fi

# The flood from CPU 0, 4000 datagrams/s for 3 s; the stall in its middle.
bg_start flood udpflood -c 0 -r 4000 -t 3000
sleep 1
lw_inject "$STALL" 1 300
wait "$(bg_pid flood)"
rm -f /tmp/bg.flood.pid
echo "LWNOTE flood with stall: $(cat /tmp/bg.flood.log); $(lw_lines) lines of agent output"
if lw_expect_one "stall during the flood: one $STALL event on CPU 1" "$WIN"; then
	lo=$(lw_ev 'correlation.nic[]? | select(.ifname == "lo") | .rx_dropped // 0')
	sn=$(lw_ev 'correlation.softnet[]? | select(.cpu == 1) | .dropped // 0')
	echo "LWNOTE correlation: $(echo "$LW_EV" | jq -c .correlation)"
	echo "LWNOTE verdict: $(lw_ev verdict)"
	check "lo rx_dropped moved in the window (${lo:-none})" test "${lo:-0}" -gt 0
	check "CPU 1's softnet dropped moved in the window (${sn:-none})" test "${sn:-0}" -gt 0
	case $(lw_ev verdict) in
	*"$HELD held off"*"CPU 1"*"lo dropped"*) ok "verdict names the stall and the drops on lo" ;;
	*) fail "verdict names the stall and the drops on lo" "verdict: $(lw_ev verdict)" ;;
	esac
	check "signature given" test -n "$(lw_ev signature)"
fi

# Control 2: the flood without a stall.
before=$(softnet_dropped 1)
udpflood -c 0 -r 4000 -t 2000 >/tmp/flood2.log 2>&1
after=$(softnet_dropped 1)
echo "LWNOTE agent output: $(lw_lines) lines"
echo "LWNOTE flood without stall: $(cat /tmp/flood2.log) softnet dropped $before -> $after"
check "flood without a stall: CPU 1's backlog drops nothing" test "$before" = "$after"

echo "LWNOTE signatures: $(jq -r .signature "$LW_EVENTS" | sort | uniq -c | tr "\n" ";")"
check "latwatch agent exits on SIGTERM" lw_agent_stop
echo "$old_rps" >$RPS
echo "$old_backlog" >$BACKLOG
lw_console_irq_restore "$irqs"
check "latwatch.ko unloads" lw_unload
