// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analysis/rules.h"
#include "cmd/agent_conf.h"
#include "lib/units.h"
#include "lib/utils.h"

#define LW_MS		1000000ull
#define LW_S		1000000000ull
#define LW_MODULE_PREFIX	"module."

enum lw_opt_kind {
	LW_OPT_RULE,		/* appends to rules[] */
	LW_OPT_STR,		/* char *, copied */
	LW_OPT_ADDR,		/* char *, copied: ADDR:PORT */
	LW_OPT_DUR,		/* uint64_t ns, with a unit */
	LW_OPT_BOOL,		/* bool */
};

struct lw_opt {
	const char *name;
	enum lw_opt_kind kind;
	size_t off;		/* of the member in struct lw_agent_opts */
	uint64_t min, max;	/* LW_OPT_DUR: the range, in ns ... */
	const char *min_text, *max_text;	/* ... and as it is written */
};

#define LW_OFF(m)	offsetof(struct lw_agent_opts, m)

static const struct lw_opt lw_opts[] = {
	{ "alert", LW_OPT_RULE, 0, 0, 0, NULL, NULL },
	{ "log", LW_OPT_STR, LW_OFF(log_file), 0, 0, NULL, NULL },
	{ "exec", LW_OPT_STR, LW_OFF(exec_cmd), 0, 0, NULL, NULL },
	{ "exec_timeout", LW_OPT_DUR, LW_OFF(exec_timeout_ns),
	  LW_MS, 3600 * LW_S, "1 ms", "1 h" },
	{ "metrics", LW_OPT_ADDR, LW_OFF(metrics_addr), 0, 0, NULL, NULL },
	{ "interval", LW_OPT_DUR, LW_OFF(interval_ns),
	  LW_MS, 60 * LW_S, "1 ms", "60 s" },
	{ "settle", LW_OPT_DUR, LW_OFF(settle_ns), 0, 60 * LW_S, "0", "60 s" },
	{ "rate_limit", LW_OPT_DUR, LW_OFF(alert_window_ns),
	  0, 86400 * LW_S, "0", "1 day" },
	{ "json", LW_OPT_BOOL, LW_OFF(json), 0, 0, NULL, NULL },
	{ "syslog", LW_OPT_BOOL, LW_OFF(syslog), 0, 0, NULL, NULL },
	{ "state", LW_OPT_STR, LW_OFF(state_file), 0, 0, NULL, NULL },
	{ "wait_module", LW_OPT_BOOL, LW_OFF(wait_module), 0, 0, NULL, NULL },
};

#define LW_NOPTS	(sizeof(lw_opts) / sizeof(lw_opts[0]))
/* Slots for duplicate checks: lw_opts[], then the module keys. */
#define LW_NSLOTS	(LW_NOPTS + LW_CFG_MAX_KEYS)
#define LW_SLOT_RULE	(-1)
#define LW_SLOT_UNKNOWN	(-2)

static bool lw_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

void lw_agent_opts_defaults(struct lw_agent_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->exec_timeout_ns = 10 * LW_S;
	o->interval_ns = 100 * LW_MS;
	o->settle_ns = 200 * LW_MS;
	o->alert_window_ns = 60 * LW_S;
}

void lw_agent_opts_free(struct lw_agent_opts *o)
{
	free(o->log_file);
	free(o->exec_cmd);
	free(o->metrics_addr);
	free(o->state_file);
	o->state_file = NULL;
	o->log_file = NULL;
	o->exec_cmd = NULL;
	o->metrics_addr = NULL;
}

static int lw_module_key(const char *name)
{
	size_t i;

	for (i = 0; i < lw_cfg_nkeys; i++)
		if (!strcmp(lw_cfg_keys[i].name, name))
			return (int)i;
	return -1;
}

/* Which slot key fills, LW_SLOT_RULE or LW_SLOT_UNKNOWN. */
static int lw_opt_slot(const char *key)
{
	size_t i;
	int k;

	if (!strncmp(key, LW_MODULE_PREFIX, strlen(LW_MODULE_PREFIX))) {
		k = lw_module_key(key + strlen(LW_MODULE_PREFIX));
		return k < 0 ? LW_SLOT_UNKNOWN : (int)LW_NOPTS + k;
	}
	for (i = 0; i < LW_NOPTS; i++)
		if (!strcmp(lw_opts[i].name, key))
			return lw_opts[i].kind == LW_OPT_RULE ? LW_SLOT_RULE :
								(int)i;
	return LW_SLOT_UNKNOWN;
}

static int lw_opt_rule(struct lw_agent_opts *o, const char *value, char *err,
		       size_t errlen)
{
	char msg[LW_ERR_LEN];
	struct lw_rule r;
	unsigned int i;

	if (lw_rule_parse(value, &r, msg, sizeof(msg)))
		return lw_seterr(err, errlen, "bad alert rule '%s': %s",
				 lw_show(value).s, msg);
	for (i = 0; i < o->nrules; i++)
		if (!strcmp(o->rules[i].text, r.text))
			return lw_seterr(err, errlen,
					 "alert rule '%s' given twice", r.text);
	if (o->nrules >= LW_AGENT_MAX_RULES)
		return lw_seterr(err, errlen,
				 "too many alert rules (at most %d)",
				 LW_AGENT_MAX_RULES);
	o->rules[o->nrules++] = r;
	return 0;
}

static int lw_opt_dur(const struct lw_opt *opt, const char *value,
		      uint64_t *ns, char *err, size_t errlen)
{
	enum lw_dur_err derr;

	if (*value && strspn(value, "0123456789.") == strlen(value))
		return lw_seterr(err, errlen,
				 "bad value for %s: '%s': needs a unit (ns, us, ms or s)",
				 opt->name, lw_show(value).s);
	if (strpbrk(value, " \t"))
		return lw_seterr(err, errlen,
				 "bad value for %s: '%s': no spaces allowed in a duration",
				 opt->name, lw_show(value).s);
	derr = lw_parse_duration(value, 0, ns);
	if (derr)
		return lw_seterr(err, errlen, "bad value for %s: '%s': %s",
				 opt->name, lw_show(value).s,
				 lw_dur_strerror(derr));
	if (*ns < opt->min)
		return lw_seterr(err, errlen,
				 "bad value for %s: '%s': less than %s",
				 opt->name, value, opt->min_text);
	if (*ns > opt->max)
		return lw_seterr(err, errlen,
				 "bad value for %s: '%s': more than %s",
				 opt->name, value, opt->max_text);
	return 0;
}

static int lw_opt_bool(const struct lw_opt *opt, const char *value, bool *b,
		       char *err, size_t errlen)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcasecmp(value, yes[i])) {
			*b = true;
			return 0;
		}
		if (!strcasecmp(value, no[i])) {
			*b = false;
			return 0;
		}
	}
	return lw_seterr(err, errlen,
			 "bad value for %s: '%s': expected yes or no (or true/false, on/off, 1/0)",
			 opt->name, lw_show(value).s);
}

static bool lw_host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.';
}

/* Why "ADDR:PORT" is not one, or NULL if it is. */
static const char *lw_addr_problem(const char *v)
{
	const char *colon = strrchr(v, ':'), *p;
	char host[256];
	unsigned char bin[16];
	unsigned long port = 0;
	size_t hlen;
	bool numeric = true;

	if (!colon)
		return "expected ADDR:PORT, e.g. 127.0.0.1:9101";
	if (!colon[1])
		return "missing port after ':'";
	for (p = colon + 1; *p; p++) {
		if (*p < '0' || *p > '9')
			return "the port is not a number";
		port = port * 10 + (unsigned long)(*p - '0');
		if (port > 65535)
			return "the port is more than 65535";
	}
	if (!port)
		return "the port is 0";
	hlen = (size_t)(colon - v);
	if (!hlen)
		return "missing address before the port (0.0.0.0:PORT is every address)";
	if (hlen >= sizeof(host))
		return "the address is too long";
	memcpy(host, v, hlen);
	host[hlen] = '\0';
	if (host[0] == '[') {
		if (hlen < 3 || host[hlen - 1] != ']')
			return "an IPv6 address goes in brackets, e.g. [::1]:9101";
		host[hlen - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, bin) != 1)
			return "bad IPv6 address";
		return NULL;
	}
	if (strchr(host, ':'))
		return "an IPv6 address goes in brackets, e.g. [::1]:9101";
	for (p = host; *p; p++) {
		if (!lw_host_char(*p))
			return "bad character in the address";
		if (*p != '.' && (*p < '0' || *p > '9'))
			numeric = false;
	}
	if (numeric && inet_pton(AF_INET, host, bin) != 1)
		return "bad IPv4 address";
	return NULL;
}

static int lw_opt_str(const struct lw_opt *opt, char **dst, const char *value,
		      char *err, size_t errlen)
{
	const char *why;
	char *copy;

	if (!*value)
		return lw_seterr(err, errlen, "empty value for %s", opt->name);
	if (opt->kind == LW_OPT_ADDR) {
		why = lw_addr_problem(value);
		if (why)
			return lw_seterr(err, errlen,
					 "bad value for %s: '%s': %s",
					 opt->name, lw_show(value).s, why);
	}
	copy = strdup(value);
	if (!copy)
		return lw_seterr(err, errlen, "%s: %s", opt->name,
				 strerror(ENOMEM));
	free(*dst);
	*dst = copy;
	return 0;
}

static int lw_opt_module(struct lw_agent_opts *o, int k, const char *value,
			 char *err, size_t errlen)
{
	const char *name = lw_cfg_keys[k].name;
	struct lw_cfg one = { 0 };
	char msg[LW_ERR_LEN];
	size_t nlen = strlen(name), vlen = strlen(value);
	char *arg;
	int ret;

	arg = malloc(nlen + vlen + 2);
	if (!arg)
		return lw_seterr(err, errlen, "%s%s: %s", LW_MODULE_PREFIX,
				 name, strerror(ENOMEM));
	memcpy(arg, name, nlen);
	arg[nlen] = '=';
	memcpy(arg + nlen + 1, value, vlen + 1);
	ret = lw_cfg_parse_arg(arg, &one, msg);
	free(arg);
	if (ret)
		return lw_seterr(err, errlen, "%s", msg);
	o->module.val[k] = one.val[k];
	o->module.has |= 1u << k;
	return 0;
}

int lw_agent_opt_set(struct lw_agent_opts *o, const char *key,
		     const char *value, char *err, size_t errlen)
{
	int slot = lw_opt_slot(key);
	const struct lw_opt *opt;
	char *member;

	if (slot == LW_SLOT_RULE)
		return lw_opt_rule(o, value, err, errlen);
	if (slot == LW_SLOT_UNKNOWN) {
		if (!strncmp(key, LW_MODULE_PREFIX, strlen(LW_MODULE_PREFIX)))
			return lw_seterr(err, errlen,
					 "unknown module key '%s' (see latwatch config --help)",
					 lw_show(key).s);
		return lw_seterr(err, errlen,
				 "unknown key '%s' (alert, log, exec, exec_timeout, metrics, interval, settle, rate_limit, json, syslog, module.KEY)",
				 lw_show(key).s);
	}
	if (slot >= (int)LW_NOPTS)
		return lw_opt_module(o, slot - (int)LW_NOPTS, value, err,
				     errlen);

	opt = &lw_opts[slot];
	member = (char *)o + opt->off;
	switch (opt->kind) {
	case LW_OPT_STR:
	case LW_OPT_ADDR:
		return lw_opt_str(opt, (char **)(void *)member, value, err,
				  errlen);
	case LW_OPT_DUR:
		return lw_opt_dur(opt, value, (uint64_t *)(void *)member, err,
				  errlen);
	case LW_OPT_BOOL:
		return lw_opt_bool(opt, value, (bool *)(void *)member, err,
				   errlen);
	case LW_OPT_RULE:
		break;
	}
	return lw_seterr(err, errlen, "unknown key '%s'", lw_show(key).s);
}

int lw_agent_opt_set_module(struct lw_agent_opts *o, const char *arg,
			    char *err, size_t errlen)
{
	const char *eq = strchr(arg, '=');
	size_t plen = strlen(LW_MODULE_PREFIX);
	char *key;
	int ret;

	if (!eq)
		return lw_seterr(err, errlen, "'%s': expected KEY=VALUE",
				 lw_show(arg).s);
	key = malloc(plen + (size_t)(eq - arg) + 1);
	if (!key)
		return lw_seterr(err, errlen, "%s", strerror(ENOMEM));
	memcpy(key, LW_MODULE_PREFIX, plen);
	memcpy(key + plen, arg, (size_t)(eq - arg));
	key[plen + (size_t)(eq - arg)] = '\0';
	ret = lw_agent_opt_set(o, key, eq + 1, err, errlen);
	free(key);
	return ret;
}

enum lw_line_status {
	LW_LINE_OK,
	LW_LINE_EOF,
	LW_LINE_LONG,
	LW_LINE_NUL,
	LW_LINE_ERROR,
};

/*
 * The next line into buf, without its "\n" or "\r\n". A line that does
 * not fit in size - 1 bytes is an error, so a line costs at most size.
 */
static enum lw_line_status lw_conf_getline(FILE *f, char *buf, size_t size)
{
	bool nul = false, cut = false;
	size_t n = 0;
	int c;

	while ((c = getc(f)) != EOF && c != '\n') {
		if (!c)
			nul = true;
		if (n + 1 < size)
			buf[n++] = (char)c;
		else
			cut = true;
	}
	if (c == EOF && ferror(f))
		return LW_LINE_ERROR;
	if (c == EOF && !n && !nul && !cut)
		return LW_LINE_EOF;
	buf[n] = '\0';
	if (n && buf[n - 1] == '\r')
		buf[n - 1] = '\0';
	if (cut)
		return LW_LINE_LONG;
	return nul ? LW_LINE_NUL : LW_LINE_OK;
}

/*
 * Split a line, in place, into *key and *value; both NULL for a blank
 * line or a comment. Returns -1 with a message on a malformed line.
 */
static int lw_conf_split(char *line, char **key, char **value, char *msg,
			 size_t msglen)
{
	char *p = line, *eq, *end, *v, *src, *dst;

	*key = *value = NULL;
	while (lw_space(*p))
		p++;
	if (!*p || *p == '#')
		return 0;
	eq = strchr(p, '=');
	if (!eq)
		return lw_seterr(msg, msglen, "expected KEY = VALUE, got '%s'",
				 lw_show(p).s);
	end = eq;
	while (end > p && lw_space(end[-1]))
		end--;
	if (end == p)
		return lw_seterr(msg, msglen, "missing key before '='");
	*end = '\0';

	v = eq + 1;
	while (lw_space(*v))
		v++;
	if (*v == '"') {
		dst = v;
		for (src = v + 1; *src != '"'; ) {
			if (!*src)
				return lw_seterr(msg, msglen,
						 "missing closing quote in the value of %s",
						 p);
			if (*src == '\\' && (src[1] == '"' || src[1] == '\\'))
				src++;
			*dst++ = *src++;
		}
		*dst = '\0';
		src++;
		while (lw_space(*src))
			src++;
		if (*src && *src != '#')
			return lw_seterr(msg, msglen,
					 "unexpected '%s' after the closing quote",
					 lw_show(src).s);
	} else {
		for (end = v; *end; end++) {
			if (*end == '#' && (end == v || lw_space(end[-1]))) {
				*end = '\0';
				break;
			}
		}
		while (end > v && lw_space(end[-1]))
			end--;
		*end = '\0';
	}
	*key = p;
	*value = v;
	return 0;
}

int lw_conf_read(FILE *f, const char *path, struct lw_agent_opts *o,
		 char *err, size_t errlen)
{
	/* The line each slot was set on, to report a second one. */
	unsigned int seen[LW_NSLOTS] = { 0 };
	char line[LW_CONF_LINE_MAX + 1];
	char msg[LW_ERR_LEN];
	enum lw_line_status st;
	unsigned int lineno = 0;
	char *key, *value;
	int slot, ret = 0, e;

	for (;;) {
		errno = 0;
		st = lw_conf_getline(f, line, sizeof(line));
		if (st == LW_LINE_EOF)
			break;
		if (st == LW_LINE_ERROR) {
			e = errno ? errno : EIO;
			lw_seterr(err, errlen, "%s: %s", path, strerror(e));
			ret = -e;
			break;
		}
		lineno++;
		if (st == LW_LINE_LONG) {
			lw_seterr(err, errlen, "%s:%u: line longer than %d bytes",
				  path, lineno, LW_CONF_LINE_MAX);
			ret = -EINVAL;
			break;
		}
		if (st == LW_LINE_NUL) {
			lw_seterr(err, errlen, "%s:%u: NUL byte in the line",
				  path, lineno);
			ret = -EINVAL;
			break;
		}
		if (lw_conf_split(line, &key, &value, msg, sizeof(msg))) {
			lw_seterr(err, errlen, "%s:%u: %s", path, lineno, msg);
			ret = -EINVAL;
			break;
		}
		if (!key)
			continue;
		slot = lw_opt_slot(key);
		if (slot >= 0 && seen[slot]) {
			lw_seterr(err, errlen,
				  "%s:%u: %s given twice (first on line %u)",
				  path, lineno, key, seen[slot]);
			ret = -EINVAL;
			break;
		}
		if (lw_agent_opt_set(o, key, value, msg, sizeof(msg))) {
			lw_seterr(err, errlen, "%s:%u: %s", path, lineno, msg);
			ret = -EINVAL;
			break;
		}
		if (slot >= 0)
			seen[slot] = lineno;
	}
	return ret;
}

int lw_conf_load(const char *path, struct lw_agent_opts *o, char *err,
		 size_t errlen)
{
	FILE *f = fopen(path, "re");
	int ret, e;

	if (!f) {
		e = errno;
		lw_seterr(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	ret = lw_conf_read(f, path, o, err, errlen);
	fclose(f);
	return ret;
}
