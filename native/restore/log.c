#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int log_verbose;

static void vlog(const char *fmt, va_list ap, const char *suffix)
{
	char line[1024];
	vsnprintf(line, sizeof line, fmt, ap);
	fprintf(stderr, "restart: %s%s%s\n", line, suffix ? ": " : "", suffix ? suffix : "");
}

void log_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(fmt, ap, NULL);
	va_end(ap);
}

int log_errno(const char *fmt, ...)
{
	int e = errno;
	va_list ap;
	va_start(ap, fmt);
	vlog(fmt, ap, strerror(e));
	va_end(ap);
	errno = e;
	return -1;
}

void log_info(const char *fmt, ...)
{
	va_list ap;
	if (log_verbose < 1)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap, NULL);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;
	if (log_verbose < 2)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap, NULL);
	va_end(ap);
}
