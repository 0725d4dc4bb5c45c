/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * [eal] args as words: the quoting of a shell, none of its expansion, so
 * that an argument with a blank (--vdev='net_x,iface=a b') survives the
 * config file, and the effective configuration can be printed back.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "netdmad.h"

int
netdmad_split_words(const char *s, char *buf, char **words, unsigned int max, const char **why)
{
	unsigned int n = 0;
	const char *c;
	char *o = buf;

	*why = NULL;
	/* no EAL argument holds a control character; a CR would not survive printing */
	for (c = s; *c != '\0'; c++)
		if ((*c > 0 && *c < ' ' && *c != '\t' && *c != '\n') || *c == 0x7f) {
			*why = "a control character";
			return -EINVAL;
		}
	for (;;) {
		bool in_word = false;

		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		if (*s == '\0')
			break;
		if (n + 1 >= max) {
			*why = "too many words";
			return -E2BIG;
		}
		words[n++] = o;
		/* one word: up to an unquoted blank */
		while (*s != '\0' && (in_word || (*s != ' ' && *s != '\t' && *s != '\n'))) {
			if (*s == '\'') {
				const char *end = strchr(s + 1, '\'');

				if (end == NULL) {
					*why = "a ' without its closing '";
					return -EINVAL;
				}
				memcpy(o, s + 1, (size_t)(end - s - 1));
				o += end - s - 1;
				s = end + 1;
			} else if (*s == '"') {
				for (s++; *s != '"'; s++) {
					if (*s == '\0') {
						*why = "a \" without its closing \"";
						return -EINVAL;
					}
					/* in double quotes a backslash escapes only " and itself */
					if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
						s++;
					*o++ = *s;
				}
				s++;
			} else if (*s == '\\') {
				if (s[1] == '\0') {
					*why = "a backslash at the end";
					return -EINVAL;
				}
				*o++ = s[1];
				s += 2;
			} else {
				*o++ = *s++;
			}
		}
		*o++ = '\0';
	}
	words[n] = NULL;
	return (int)n;
}

int
netdmad_quote_word(const char *w, char *out, size_t size)
{
	size_t len = 0;
	const char *p;

	if (*w != '\0' && strpbrk(w, " \t\n'\"\\;#") == NULL) {
		if (strlen(w) >= size)
			return -ENOSPC;
		memcpy(out, w, strlen(w) + 1);
		return 0;
	}
	/* '...', each ' inside as '\'' */
#define PUT(c) do { if (len + 1 >= size) return -ENOSPC; out[len++] = (c); } while (0)
	PUT('\'');
	for (p = w; *p != '\0'; p++) {
		if (*p == '\'') {
			PUT('\'');
			PUT('\\');
			PUT('\'');
		}
		PUT(*p);
	}
	PUT('\'');
#undef PUT
	out[len] = '\0';
	return 0;
}
