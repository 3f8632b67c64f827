/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LATWATCH_TEST_JSONCHECK_H
#define LATWATCH_TEST_JSONCHECK_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A strict RFC 8259 validator: one JSON value with optional whitespace
 * around it, strings of well-formed UTF-8 without raw control characters.
 * Written apart from the agent's escaper so that it can catch it.
 */
bool json_check(const char *s, size_t len);

#endif
