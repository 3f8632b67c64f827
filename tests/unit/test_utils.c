// SPDX-License-Identifier: GPL-2.0
/*
 * What latwatch watch and latwatch agent say when they stop: the signal
 * and its sender, a descriptor poll() gave up on, a stdout that failed.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testutil.h"
#include "lib/utils.h"

static void test_signal_name(void **state)
{
	char buf[LW_SIGNAL_LEN];

	(void)state;
	assert_string_equal(lw_signal_name(SIGTERM, buf), "SIGTERM");
	assert_string_equal(lw_signal_name(SIGINT, buf), "SIGINT");
	assert_string_equal(lw_signal_name(SIGHUP, buf), "SIGHUP");
	assert_string_equal(lw_signal_name(40, buf), "signal 40");
}

static const char *sender(int32_t code, uint32_t pid)
{
	static char buf[LW_SIGNAL_LEN];
	struct signalfd_siginfo si = {
		.ssi_signo = SIGTERM,
		.ssi_code = code,
		.ssi_pid = pid,
	};

	lw_signal_sender(buf, &si);
	return buf;
}

static void test_signal_sender(void **state)
{
	(void)state;
	assert_string_equal(sender(SI_USER, 123), "from pid 123");
	assert_string_equal(sender(SI_QUEUE, 4194304), "from pid 4194304");
	assert_string_equal(sender(SI_TKILL, 7), "from pid 7");
	/* kill() from an ancestor pid namespace: no pid to show */
	assert_string_equal(sender(SI_USER, 0),
			    "from outside our pid namespace");
	/* a terminal's ^C */
	assert_string_equal(sender(SI_KERNEL, 0),
			    "from the kernel or the terminal");
	assert_string_equal(sender(SI_TIMER, 0), "with si_code -2");
}

/* sig, sent by send(), comes out of a signalfd as what the message says. */
static void signalfd_says(int sig, int (*send)(int sig), const char *name,
			  const char *from)
{
	char nbuf[LW_SIGNAL_LEN], fbuf[LW_SIGNAL_LEN];
	struct signalfd_siginfo si;
	sigset_t set, old;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, sig);
	assert_int_equal(sigprocmask(SIG_BLOCK, &set, &old), 0);
	fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	assert_true(fd >= 0);
	assert_int_equal(send(sig), 0);
	assert_int_equal(read(fd, &si, sizeof(si)), sizeof(si));
	close(fd);
	assert_int_equal(sigprocmask(SIG_SETMASK, &old, NULL), 0);
	lw_signal_sender(fbuf, &si);
	assert_string_equal(lw_signal_name(si.ssi_signo, nbuf), name);
	assert_string_equal(fbuf, from);
}

static int send_kill(int sig)
{
	return kill(getpid(), sig);
}

static int send_queue(int sig)
{
	return sigqueue(getpid(), sig, (union sigval){ .sival_int = 1 });
}

static void test_signalfd(void **state)
{
	char from[LW_SIGNAL_LEN];

	(void)state;
	snprintf(from, sizeof(from), "from pid %d", (int)getpid());
	signalfd_says(SIGTERM, send_kill, "SIGTERM", from);
	signalfd_says(SIGINT, send_queue, "SIGINT", from);
}

static void test_poll_why(void **state)
{
	char buf[LW_ERR_LEN];

	(void)state;
	assert_true(lw_poll_why(buf, sizeof(buf), POLLHUP, 0));
	assert_string_equal(buf, "hung up (POLLHUP)");
	assert_true(lw_poll_why(buf, sizeof(buf), POLLIN | POLLHUP, 0));
	assert_string_equal(buf, "hung up (POLLHUP)");
	assert_true(lw_poll_why(buf, sizeof(buf), POLLERR, ECONNREFUSED));
	assert_string_equal(buf, "failed: Connection refused (POLLERR)");
	assert_true(lw_poll_why(buf, sizeof(buf), POLLERR | POLLHUP, 0));
	assert_string_equal(buf, "failed (POLLERR)");
	assert_true(lw_poll_why(buf, sizeof(buf), POLLNVAL, 0));
	assert_string_equal(buf, "is not open (POLLNVAL)");
	assert_false(lw_poll_why(buf, sizeof(buf), POLLIN, 0));
	assert_string_equal(buf, "");
	assert_false(lw_poll_why(buf, sizeof(buf), 0, EIO));
	assert_string_equal(buf, "");
}

/* What poll() says of real descriptors, and what that reads as. */
static void test_poll_real(void **state)
{
	struct pollfd p = { .events = POLLIN };
	char buf[LW_ERR_LEN];
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	assert_int_equal(lw_sock_error(sv[0]), 0);
	close(sv[1]);
	p.fd = sv[0];
	assert_int_equal(poll(&p, 1, 0), 1);
	assert_true(lw_poll_why(buf, sizeof(buf), p.revents,
				lw_sock_error(p.fd)));
	assert_string_equal(buf, "hung up (POLLHUP)");
	close(sv[0]);
	/* sv[0] is closed now, and nothing opened since */
	assert_int_equal(poll(&p, 1, 0), 1);
	assert_int_equal(p.revents, POLLNVAL);
	assert_true(lw_poll_why(buf, sizeof(buf), p.revents,
				lw_sock_error(p.fd)));
	assert_string_equal(buf, "is not open (POLLNVAL)");
	/* not a socket */
	assert_int_equal(lw_sock_error(STDERR_FILENO), 0);
}

static void test_flush_ok(void **state)
{
	struct lw_out o = { 0 };
	struct capture c;

	(void)state;
	cap_open(&c);
	o.f = c.f;
	errno = 0;
	fputs("event\n", c.f);
	lw_out_note(&o);
	assert_int_equal(lw_flush(&o), 0);
	assert_string_equal(cap_close(&c), "event\n");
	cap_free(&c);
}

static void test_flush_full(void **state)
{
	struct lw_out o = { 0 };

	(void)state;
	o.f = fopen("/dev/full", "w");
	if (!o.f)
		skip();
	fputs("event\n", o.f);
	assert_int_equal(lw_flush(&o), ENOSPC);
	/* Whatever became of the line, the failure stays. */
	assert_int_equal(lw_flush(&o), ENOSPC);
	fclose(o.f);
}

/* A pipe whose reader went away, with SIGPIPE ignored as watch does. */
static FILE *broken_pipe(void (**old)(int))
{
	int fds[2];
	FILE *f;

	*old = signal(SIGPIPE, SIG_IGN);
	assert_int_equal(pipe(fds), 0);
	close(fds[0]);
	f = fdopen(fds[1], "w");
	assert_non_null(f);
	return f;
}

static void test_flush_epipe(void **state)
{
	struct lw_out o = { 0 };
	void (*old)(int);

	(void)state;
	o.f = broken_pipe(&old);
	errno = 0;
	fputs("event\n", o.f);
	lw_out_note(&o);
	assert_int_equal(o.err, 0);	/* still in the buffer */
	assert_int_equal(lw_flush(&o), EPIPE);
	fclose(o.f);
	signal(SIGPIPE, old);
}

/*
 * More than the buffer holds: the write fails in fputs(), which drops
 * what it could not write. The note keeps why.
 */
static void test_flush_overflow(void **state)
{
	char line[256], buf[64];
	struct lw_out o = { 0 };
	void (*old)(int);

	(void)state;
	memset(line, 'x', sizeof(line) - 2);
	line[sizeof(line) - 2] = '\n';
	line[sizeof(line) - 1] = '\0';
	o.f = broken_pipe(&old);
	assert_int_equal(setvbuf(o.f, buf, _IOFBF, sizeof(buf)), 0);
	errno = 0;
	assert_int_equal(fputs(line, o.f), EOF);
	lw_out_note(&o);
	assert_int_equal(o.err, EPIPE);
	errno = EAGAIN;		/* what a recv() in between leaves */
	assert_int_equal(lw_flush(&o), EPIPE);
	fclose(o.f);
	signal(SIGPIPE, old);
}

/*
 * A line-buffered stream (a terminal) fails in fputs() already and drops
 * the line: fflush() succeeds, and only the error flag is left.
 */
static void test_flush_line_buffered(void **state)
{
	struct lw_out o = { 0 };
	void (*old)(int);

	(void)state;
	o.f = broken_pipe(&old);
	assert_int_equal(setvbuf(o.f, NULL, _IOLBF, 0), 0);
	errno = 0;
	assert_int_equal(fputs("event\n", o.f), EOF);
	lw_out_note(&o);
	assert_int_equal(fflush(o.f), 0);
	assert_int_equal(lw_flush(&o), EPIPE);

	/* Not noted: the flag still says it failed. */
	o.err = 0;
	assert_int_equal(lw_flush(&o), EIO);
	fclose(o.f);
	signal(SIGPIPE, old);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signal_name),
		cmocka_unit_test(test_signal_sender),
		cmocka_unit_test(test_signalfd),
		cmocka_unit_test(test_poll_why),
		cmocka_unit_test(test_poll_real),
		cmocka_unit_test(test_flush_ok),
		cmocka_unit_test(test_flush_full),
		cmocka_unit_test(test_flush_epipe),
		cmocka_unit_test(test_flush_overflow),
		cmocka_unit_test(test_flush_line_buffered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
