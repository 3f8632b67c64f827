#!/bin/sh
# lwtest-timeout: 240
# Replay: the module keeps its latest replay_events events, numbered,
# whether anybody listens or not; a listener that starts late fetches
# what it missed (LATWATCH_CMD_REPLAY_GET), and prints each event once.
#   - replay_events defaults to 256, changes at run time, 0 keeps none,
#     nonsense is refused;
#   - latwatch watch --since-last, stopped while windows come and started
#     again, prints them first, then the live ones: across its runs every
#     sequence number from 1 to the module's count exactly once;
#   - latwatch agent --state FILE, killed with SIGKILL twice in the middle
#     of a stream of injected windows and started again: across its runs
#     every event appears exactly once (1..N, N the module's count), the
#     fetched ones marked "replayed";
#   - with a ring smaller than what the agent missed, it fetches what is
#     kept, says how many are gone, and still prints nothing twice.
. /tests/lib/assert.sh
. /tests/lib/latwatch.sh

WCUR=/tmp/replay.watch.cursor
WOUT=/tmp/replay.watch.json
ACUR=/tmp/replay.agent.cursor
AOUT=/tmp/replay.agent.json
AERR=/tmp/replay.agent.err
rm -f "$WCUR" "$ACUR"
: >"$WOUT"
: >"$AOUT"
: >"$AERR"

# seqs FILE: the sequence numbers of the events in FILE, one a line; a
# line cut short by SIGKILL is not an event
seqs() {
	jq -R 'fromjson? | select(.seq) | .seq' "$1"
}

# module_sent: events the module numbered (it lost none: checked)
module_sent() {
	latwatch stats --json | jq '.total.events - .total.lost'
}

# exactly_once FILE N: "" if FILE's events are 1..M once each, M at least
# N (what the module had sent when the listener stopped; more may have
# come since), else what is wrong
exactly_once() {
	seqs "$1" | jq -rs --argjson n "$2" '
		sort as $s | ($s | last // 0) as $m
		| if ($s | unique | length) != ($s | length) then
			"printed twice: \([$s | group_by(.)[] | select(length > 1) | .[0]])"
		  elif $m < $n then
			"last seq \($m), module sent \($n)"
		  elif $s != [range(1; $m + 1)] then
			"\($s | length) events up to \($m); missing: \([range(1; $m + 1)] - $s | .[:10])"
		  else "" end'
}

# stop NAME: SIGTERM to a listener started with bg_start; exit status 0
stop() {
	bg_stop "$1"
	_rc=$?
	check "$1 exits 0 on SIGTERM" test "$_rc" -eq 0 ||
		echo "LWNOTE $1 stderr: $(tail -n 6 "$AERR" /tmp/bg."$1".log | tr '\n' '|')"
}

timer_events() {
	jq -R 'fromjson? | select(.type == "timer")' "$1" | jq -s length
}

check "latwatch.ko loads with defaults" lw_load
check "replay_events defaults to 256" \
	sh -c 'latwatch config | grep -qx replay_events=256'

# --- watch --since-last ---
bg_start w1 sh -c "exec latwatch watch --json --since-last --state $WCUR >>$WOUT"
sleep 1
inject timer 1 20
inject timer 1 20
wait_for 10 sh -c "test \$(jq -R 'fromjson? | select(.type == \"timer\")' $WOUT | jq -s length) -ge 2"
check "watch --since-last prints live events ($(timer_events "$WOUT") timer)" \
	test "$(timer_events "$WOUT")" -ge 2
stop w1
check "its cursor file is one line" \
	sh -c "wc -c <$WCUR | grep -qx 56 && grep -q '^latwatch-cursor 1 ' $WCUR"
before=$(timer_events "$WOUT")
unheard0=$(latwatch stats --json | jq .total.unheard)
inject timer 1 20
inject timer 1 20
inject timer 1 20
sleep 0.5
unheard1=$(latwatch stats --json | jq .total.unheard)
check "with nobody listening, events are unheard ($unheard0 -> $unheard1)" \
	test "$unheard1" -ge $((unheard0 + 3))
check "nothing printed while watch was stopped" \
	test "$(timer_events "$WOUT")" -eq "$before"
bg_start w2 sh -c "exec latwatch watch --json --since-last --state $WCUR >>$WOUT"
wait_for 10 sh -c "test \$(jq -R 'fromjson? | select(.type == \"timer\")' $WOUT | jq -s length) -ge $((before + 3))"
check "watch --since-last fetched the 3 it missed" \
	test "$(timer_events "$WOUT")" -ge $((before + 3))
inject timer 0 20
inject timer 1 20
wait_for 10 sh -c "test \$(jq -R 'fromjson? | select(.type == \"timer\")' $WOUT | jq -s length) -ge $((before + 5))"
check "... then prints live ones" \
	test "$(timer_events "$WOUT")" -ge $((before + 5))
sleep 0.5
sent=$(module_sent)
stop w2
check "stats: nothing lost" test "$(latwatch stats --json | jq .total.lost)" -eq 0
bad=$(exactly_once "$WOUT" "$sent")
check "watch printed every event exactly once${bad:+ ($bad)}" test -z "$bad"
check "watch --state without --since-last is refused" \
	sh -c 'latwatch watch --state /tmp/x >/dev/null 2>&1; test $? = 2'
echo important >/tmp/not-a-cursor
check "a --state file that is not a cursor is refused and left alone" \
	sh -c 'latwatch watch --since-last --state /tmp/not-a-cursor 2>&1 >/dev/null | grep -q "not a latwatch cursor file"; grep -qx important /tmp/not-a-cursor'

# --- agent killed with SIGKILL during injections ---
# agent_run NAME N WHAT: start the agent (here: a child of this shell, not
# of a check's subshell) and check it says it receives events, the Nth time
agent_run() {
	bg_start "$1" sh -c "exec latwatch agent --json --state $ACUR --settle 100ms >>$AOUT 2>>$AERR"
	check "$3" wait_for 10 sh -c "test \$(grep -c 'agent: receiving events' $AERR) -ge $2"
}

agent_run a1 1 "agent starts (no cursor: fetches all the module kept)"
bg_start inj sh -c 'i=0; while [ $i -lt 30 ]; do echo "timer $((i % 2)) 20" >/proc/latwatch_inject; sleep 0.1; i=$((i + 1)); done'
sleep 1.5
check "SIGKILL the agent during the injections" kill -KILL "$(bg_pid a1)"
bg_stop a1
sleep 1
agent_run a2 2 "the agent starts again"
sleep 1.2
check "SIGKILL it again" kill -KILL "$(bg_pid a2)"
bg_stop a2
sleep 1
agent_run a3 3 "the agent starts a third time"
i=0
while lw_alive "$(bg_pid inj)" && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
bg_stop inj
sleep 1.5
sent=$(module_sent)
stop a3
check "stats: nothing lost" test "$(latwatch stats --json | jq .total.lost)" -eq 0
n=$(seqs "$AOUT" | wc -l)
echo "LWNOTE replay agent: $n events over 3 runs; $(grep -c 'fetched' "$AERR") fetches: $(grep 'fetched' "$AERR" | sed 's/.*fetched \([0-9]*\).*/\1/' | tr '\n' ' ')"
bad=$(exactly_once "$AOUT" "$sent")
check "across its runs the agent printed every event exactly once${bad:+ ($bad)}" \
	test -z "$bad"
check "the agent fetched what it missed after each SIGKILL" \
	test "$(grep -c 'fetched [0-9]* events that came while it was not running' "$AERR")" -ge 2
check "fetched events are marked replayed" \
	test "$(jq -R 'fromjson? | select(.replayed == true)' "$AOUT" | jq -s length)" -ge 2

# --- a ring smaller than what was missed ---
check "replay_events=4 at run time" latwatch config replay_events=4
check "... in force" sh -c 'latwatch config | grep -qx replay_events=4'
last=$(seqs "$AOUT" | jq -s "max // 0")
i=0
while [ $i -lt 8 ]; do inject timer 1 20; i=$((i + 1)); done
sleep 0.5
now=$(module_sent)
: >"$AOUT.small"
bg_start a4 sh -c "exec latwatch agent --json --state $ACUR --settle 100ms >>$AOUT.small 2>>$AERR"
wait_for 10 sh -c "grep -q 'no longer kept' $AERR"
sleep 1
stop a4
got=$(seqs "$AOUT.small" | jq -rs 'sort | map(tostring) | join(" ")')
first=$(seqs "$AOUT.small" | jq -s 'min // 0')
want=$(jq -rn --argjson a "$first" '[range($a; $a + 4)] | map(tostring) | join(" ")')
check "it fetched the 4 kept, the latest ($got; $now sent before it started)" \
	sh -c "test $first -ge $((now - 3)) && test \"\$(echo '$got' | cut -d' ' -f1-4)\" = '$want'"
check "and says how many are gone ($((first - last - 1)))" \
	grep -q "agent: $((first - last - 1)) events that came while it was not running are no longer kept" "$AERR"

check "replay_events=16385 is refused" \
	sh -c 'latwatch config replay_events=16385 2>&1 | grep -q "replay_events must be between 0 and 16384"'
check "replay_events=0 at run time" latwatch config replay_events=0
inject timer 1 20
sleep 0.3
: >"$WOUT.none"
bg_start w3 sh -c "exec latwatch watch --json --since-last --state $WCUR >>$WOUT.none"
sleep 1
bg_stop w3
check "with replay_events=0 nothing is kept to fetch" \
	test "$(seqs "$WOUT.none" | wc -l)" -eq 0

check "latwatch.ko unloads" lw_unload
