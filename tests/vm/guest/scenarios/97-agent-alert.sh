#!/bin/sh
# lwtest-timeout: 150
# latwatch agent alerts: a rule fires once per signature within the rate
# limit (three identical slow timer callbacks: one alert, and a summary of
# the two others when the window ends), --exec gets the event as valid JSON on
# stdin, --log gets a JSON line and is reopened on SIGHUP (logrotate), a
# second signature alerts on its own. /metrics serves Prometheus text
# (checked with promtool on the host: the LWPROM lines).
. /tests/lib/assert.sh
. /tests/lib/latwatch.sh

TMR='.type == "timer" and .function == "lwinj_timer_fn"'
# Under TCG other windows cross the threshold now and then and alert on
# their own: count the injector's only.
SIG=timer/lwinj_timer_fn
EXEC_OUT=/tmp/exec.out
LOG=/tmp/alerts.json

check "latwatch.ko loads with defaults" lw_load
irqs=$(lw_console_irq_to 0)
rm -f "$EXEC_OUT" "$LOG" "$LOG.1"
check "latwatch agent starts with a rule, --exec, --log and --metrics" \
	lw_agent_start --alert 'timer>=20ms' \
	--exec "cat >>$EXEC_OUT; echo >>$EXEC_OUT" --log "$LOG" \
	--rate-limit 5s --metrics 127.0.0.1:9105
check "an unknown event type in a rule is refused (exit 2)" \
	sh -c 'latwatch agent --alert "tasklet>=1s" >/dev/null 2>&1; test $? = 2'
check "a duration without a unit is refused (exit 2)" \
	sh -c 'latwatch agent --alert "irqoff>=20" >/dev/null 2>&1; test $? = 2'

from=$(lw_lines)
for i in 1 2 3; do
	inject timer 1 30
	sleep 0.3
done
wait_for 5 test "$(lw_count "$from" "$TMR")" -ge 3
check "three timer events" test "$(lw_count "$from" "$TMR")" -ge 3
sleep 1
n=$(lw_agent_count 'alert timer>=20ms: .*lwinj_timer_fn')
check "one alert line for three identical callbacks ($n)" test "$n" = 1
wait_for 5 test -s "$EXEC_OUT"
check "--exec got valid JSON on stdin" jq -e . "$EXEC_OUT"
n=$(jq -r .signature "$EXEC_OUT" | grep -c "^$SIG")
check "--exec ran once for the injector's signature ($n)" test "$n" = 1
check "--exec's JSON is the timer event" \
	jq -e "select(.signature | startswith(\"$SIG\")) | .event.type == \"timer\" and .alert == \"timer>=20ms\" and (.event.verdict | length > 0)" "$EXEC_OUT"
check "--log lines are valid JSON" jq -e . "$LOG"
n=$(jq -r 'select(.event != null) | .signature' "$LOG" | grep -c "^$SIG")
check "--log has one line for the injector's signature ($n)" test "$n" = 1
wait_for 10 lw_agent_said "timer>=20ms: 2 more for $SIG"
check "after the rate-limit window: a summary of the two suppressed" \
	lw_agent_said "timer>=20ms: 2 more for $SIG"

# logrotate: move the file away, SIGHUP, the next alert goes to a new file
rotated=$(grep -c . "$LOG")
mv "$LOG" "$LOG.1"
kill -HUP "$(bg_pid agent)"
wait_for 5 lw_agent_said 'reloaded'
check "SIGHUP: the agent says it reloaded" lw_agent_said 'reloaded'
inject timer 1 30
wait_for 5 sh -c "grep -q '$SIG' $LOG"
check "after SIGHUP a new --log file gets the next alert" \
	jq -e "select(.signature | startswith(\"$SIG\")) | .alert == \"timer>=20ms\"" "$LOG"
check "the rotated file is left alone ($rotated lines)" \
	test "$(grep -c . "$LOG.1")" = "$rotated"

if wget -q -O /tmp/metrics.txt http://127.0.0.1:9105/metrics; then
	ok "GET /metrics answers"
	sed 's/^/LWPROM agent: /' /tmp/metrics.txt
	n=$(sed -n 's/^latwatch_events_total{type="timer"} \([0-9]*\).*/\1/p' /tmp/metrics.txt)
	check "latwatch_events_total{type=\"timer\"} counts the callbacks (${n:-none})" \
		test "${n:-0}" -ge 4
	check "latwatch_alerts_total for the rule" \
		grep -q '^latwatch_alerts_total{rule="timer>=20ms"} [1-9]' /tmp/metrics.txt
	check "a duration histogram" \
		grep -q '^latwatch_event_duration_seconds_bucket{type="timer",le="+Inf"} [1-9]' /tmp/metrics.txt
	check "the module's counters: events delivered on CPU 1" \
		grep -q '^latwatch_module_delivered_total{cpu="1"} [1-9]' /tmp/metrics.txt
	check "the module's counters: ratelimited on CPU 1" \
		grep -q '^latwatch_module_ratelimited_total{cpu="1"} [0-9]' /tmp/metrics.txt
else
	fail "GET /metrics answers" "wget failed; agent said: $(tail -n 2 "$LW_AGENT_ERR")"
fi
check "GET /nope is 404" sh -c '! wget -q -O /dev/null http://127.0.0.1:9105/nope'

echo "LWNOTE signatures: $(jq -r .signature "$LW_EVENTS" | sort | uniq -c | tr "\n" ";")"
check "latwatch agent exits on SIGTERM" lw_agent_stop
lw_console_irq_restore "$irqs"
check "latwatch.ko unloads" lw_unload
