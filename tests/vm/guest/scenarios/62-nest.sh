#!/bin/sh
# lwtest-timeout: 240
# One incident, one story. A slow callback inside a slow softirq run, and
# an irq handler or hard hrtimer callback that held off the sampler, are
# sent as an outer event (listing "inner_seqs") and the inner ones right
# after it (naming "outer_seq"):
#  - a 30 ms timer_list callback: a timer event whose first frame is
#    lwinj_timer_fn [latwatch_inject], inside the TIMER softirq's event;
#  - a 30 ms tasklet (kernels with the irq:tasklet_* tracepoints, 6.0+): a
#    timer event of kind "tasklet" inside the TASKLET softirq's event;
#  - a 30 ms edu irq handler and a 30 ms hard hrtimer callback on a CPU
#    that idles (idle_pause off, so the sampler watches it): an irq-off
#    event that names the handler as its "interference" (not the idle loop
#    it interrupted, and not a stall), with the handler's own event inside.
# Then no event is shorter than its detector's threshold. The agent tells
# each incident as one story in both events' verdicts, a rule that both
# events match fires once, and "latwatch report" counts each incident once,
# under the inner event's signature.
. /tests/lib/assert.sh
. /tests/lib/latwatch.sh

check "latwatch.ko loads with defaults" lw_load
console=$(lw_console_irq_to 0)
echo "LWNOTE console irq (previous CPUs): $console"
check "latwatch watch --json subscribes" lw_watch_start

# nest WHAT INNER OUTER: exactly one event matching INNER since the last
# injection, naming an outer event that matches OUTER and lists it.
nest() {
	lw_expect_one "$1: exactly one inner event" "$2" || return
	_in=$LW_EV
	_iseq=$(echo "$_in" | jq -r .seq)
	_oseq=$(echo "$_in" | jq -r '.outer_seq // empty')
	if [ -z "$_oseq" ]; then
		fail "$1: the inner event names its outer one" \
			"$(echo "$_in" | lw_brief)"
		return 1
	fi
	ok "$1: the inner event (seq $_iseq) is inside seq $_oseq"
	_out=$(lw_select "$LW_FROM" ".seq == $_oseq")
	if echo "$_out" | jq -e "($3) and (.inner_seqs | index($_iseq) != null)" \
		>/dev/null 2>&1; then
		ok "$1: its outer event is $3 and lists it"
	else
		fail "$1: its outer event is $3 and lists it" \
			"outer: $(echo "$_out" | lw_brief)"
	fi
	LW_OUTER=$_out
	LW_EV=$_in
}

# --- callbacks in their softirq run ---
lw_inject timer 1 30
nest "timer 30 ms on CPU 1" \
	'.type == "timer" and .function == "lwinj_timer_fn"' \
	'.type == "softirq" and .vector == "TIMER" and .cpu == 1'
check "timer 30 ms on CPU 1: the first frame is the callback, with its module" \
	sh -c "echo '$LW_EV' | jq -e '.stack[0] | startswith(\"lwinj_timer_fn+0x0/\") and endswith(\" [latwatch_inject]\")'"
lw_ev_duration "timer 30 ms on CPU 1: duration" 0 "$LW_STALL_US"

if grep -q ' __tracepoint_tasklet_entry$' /proc/kallsyms; then
	lw_inject tasklet 1 30
	nest "tasklet 30 ms on CPU 1" \
		'.type == "timer" and .kind == "tasklet" and .function == "lwinj_tasklet_fn"' \
		'.type == "softirq" and .vector == "TASKLET" and .cpu == 1'
	lw_ev_duration "tasklet 30 ms on CPU 1: duration" 0 "$LW_STALL_US"
else
	lw_inject tasklet 1 30
	lw_expect_one "tasklet 30 ms on CPU 1 (no tasklet tracepoints): the TASKLET softirq's event alone" \
		'.type == "softirq" and .vector == "TASKLET" and .cpu == 1 and .inner_seqs == null'
fi

# --- handlers that held off the sampler ---
check "idle_pause off: the sampler watches idle CPUs too" \
	latwatch config idle_pause=0
sleep 0.5
irq=
if lw_edu >/dev/null; then
	irq=$(lw_edu_irq)
	lw_inject hardirq 1 30
	nest "hardirq 30 ms on CPU 1" \
		'.type == "hardirq" and .name == "lwinj_edu"' \
		".type == \"irqoff\" and .cpu == 1 and .interference.type == \"hardirq\" and .interference.name == \"lwinj_edu\" and .interference.irq == $irq"
	check "hardirq 30 ms on CPU 1: the interference lasted what the handler did" \
		sh -c "echo '$LW_OUTER' | jq -e '.interference.duration_ns >= $LW_MEAS * 1000 and .interference.duration_ns <= ($LW_MEAS + $LW_STALL_US) * 1000'"
else
	skip "hardirq interference" "no edu PCI device (QEMU -device edu)"
fi
lw_inject hrtimer 1 30
nest "hrtimer 30 ms on CPU 1" \
	'.type == "timer" and .kind == "hrtimer" and .function == "lwinj_hrtimer_fn"' \
	'.type == "irqoff" and .cpu == 1 and .interference.type == "hrtimer" and .interference.function == "lwinj_hrtimer_fn"'

lw_inject irqoff 1 30
lw_expect_one "irqoff 30 ms on CPU 1: one irq-off event" \
	'.type == "irqoff" and .cpu == 1 and .stack[0] != null and (.stack[0] | startswith("lwinj_irqoff"))'
lw_ev_is "irqoff 30 ms on CPU 1: no interference named" interference null
check "idle_pause back on" latwatch config idle_pause=1

# --- thresholds hold ---
thresholds=$(latwatch config | tr '\n' ' ')
echo "LWNOTE $thresholds"
us() {
	latwatch config | sed -n "s/^$1=//p"
}
check "no event is shorter than its detector's threshold" \
	jq -se --argjson irqoff "$(us irqoff_threshold_us)" \
		--argjson softirqoff "$(us softirqoff_threshold_us)" \
		--argjson softirq "$(us softirq_threshold_us)" \
		--argjson timer "$(us timer_threshold_us)" \
		--argjson hardirq "$(us hardirq_threshold_us)" '
		[.[] | select(.duration_ns != null and
			(.type | IN("irqoff", "softirqoff", "softirq", "timer", "hardirq"))) |
		 select(.duration_ns <= {irqoff: $irqoff, softirqoff: $softirqoff,
			softirq: $softirq, timer: $timer,
			hardirq: $hardirq}[.type] * 1000)] | length == 0' "$LW_EVENTS"
bg_stop watch

# --- the agent: one story, one alert, one report entry ---
# incident VERB WHAT INNER STORY: VERB 30 ms on CPU 1; the inner event
# (jq INNER) and its outer one have the same verdict, which matches
# STORY (a case pattern), and one alert names WHAT.
incident() {
	from=$(lw_lines)
	inject "$1" 1 30
	wait_for 5 test "$(lw_count "$from" "$3")" -ge 1
	sleep 1
	_in=$(lw_select "$from" "$3")
	_out=$(lw_select "$from" ".seq == $(echo "$_in" | jq -r '.outer_seq // 0')")
	v=$(echo "$_in" | jq -r .verdict)
	echo "LWNOTE $1 story: $v"
	# shellcheck disable=SC2254 # STORY is a pattern
	case $v in
	$4) ok "$1: the inner event's verdict tells the incident's story" ;;
	*) fail "$1: the inner event's verdict tells the incident's story" "verdict: $v" ;;
	esac
	check "$1: the outer event's verdict is the same story" \
		test "$(echo "$_out" | jq -r .verdict)" = "$v"
	n=$(lw_agent_count "alert any>=10ms: .*$2")
	check "$1: one alert for the incident ($n)" test "$n" = 1
}

# report_once SIG: the report counts signature SIG... once
report_once() {
	n=$(jq --arg s "$1" '[.signatures[] | select(.signature | startswith($s))] | map(.count) | add' /tmp/report.json)
	check "report: one entry for $1 ($n)" test "$n" = 1
}

check "latwatch agent starts with a rule that both events of an incident match" \
	lw_agent_start --alert 'any>=10ms' --rate-limit 1s
incident timer lwinj_timer_fn '.function == "lwinj_timer_fn"' \
	"TIMER softirq ran * on CPU 1, * of it in lwinj_timer_fn ?latwatch_inject?*"
tasklets=
if grep -q ' __tracepoint_tasklet_entry$' /proc/kallsyms; then
	tasklets=1
	incident tasklet lwinj_tasklet_fn '.function == "lwinj_tasklet_fn"' \
		"TASKLET softirq ran * on CPU 1, * of it in lwinj_tasklet_fn ?latwatch_inject?*"
fi
if [ -n "$irq" ]; then
	latwatch config idle_pause=0
	sleep 0.5
	incident hardirq lwinj_edu '.type == "hardirq" and .name == "lwinj_edu"' \
		"interrupts held off * on CPU 1 by the irq handler of lwinj_edu (irq $irq)*"
	latwatch config idle_pause=1
fi
check "latwatch agent stops" lw_agent_stop
latwatch report --json --top 1000 "$LW_EVENTS" >/tmp/report.json
report_once timer/lwinj_timer_fn
[ -z "$tasklets" ] || report_once timer/lwinj_tasklet_fn
[ -z "$irq" ] || report_once hardirq/lwinj_edu
n=$(jq '.outer_events' /tmp/report.json)
check "report: outer events counted apart ($n)" test "${n:-0}" -ge 1

lw_console_irq_restore "$console"
check "latwatch.ko unloads" lw_unload
