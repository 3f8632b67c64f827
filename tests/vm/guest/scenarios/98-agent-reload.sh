#!/bin/sh
# lwtest-timeout: 120
# latwatch agent survives the module being unloaded and loaded again: it
# says so, applies its --set settings to the new module, and receives the
# new module's events. SIGHUP with a broken config file keeps the old
# settings.
. /tests/lib/assert.sh
. /tests/lib/latwatch.sh

TMR='.type == "timer" and .function == "lwinj_timer_fn"'
CONF=/tmp/agent.conf
P=/sys/module/latwatch/parameters

check "latwatch.ko loads with defaults" lw_load
irqs=$(lw_console_irq_to 0)
echo "# empty" >$CONF
check "latwatch agent starts with --set timer_threshold_us=20000" \
	lw_agent_start -c $CONF --set timer_threshold_us=20000
check "the setting is applied" test "$(cat $P/timer_threshold_us)" = 20000

check "latwatch.ko unloads under the agent" lw_unload
wait_for 5 lw_agent_said 'unloaded'
check "the agent says the module went away" lw_agent_said 'unloaded'
check "the agent lives on" lw_alive "$(bg_pid agent)"
sleep 1
check "latwatch.ko loads again" lw_load
wait_for 10 lw_agent_said 'loaded again'
check "the agent says the module is back" lw_agent_said 'loaded again'
check "the setting is applied to the new module" \
	test "$(cat $P/timer_threshold_us)" = 20000

from=$(lw_lines)
inject timer 1 30
wait_for 5 lw_has "$from" "$TMR"
check "the agent receives the new module's events" lw_has "$from" "$TMR"
from=$(lw_lines)
inject timer 1 15
sleep 1
check "below the applied 20 ms threshold: no event" \
	test "$(lw_count "$from" "$TMR")" = 0

echo "bogus_key = 1" >$CONF
kill -HUP "$(bg_pid agent)"
wait_for 5 lw_agent_said 'keeping the old settings'
check "SIGHUP with a broken config: an error naming the line" \
	lw_agent_said "$CONF:1"
check "... and the old settings kept" lw_agent_said 'keeping the old settings'
check "the agent lives on" lw_alive "$(bg_pid agent)"

echo "LWNOTE signatures: $(jq -r .signature "$LW_EVENTS" | sort | uniq -c | tr "\n" ";")"
check "latwatch agent exits on SIGTERM" lw_agent_stop
lw_console_irq_restore "$irqs"
check "latwatch.ko unloads" lw_unload
