/* log.h - restart's messages: all on stderr, prefixed "restart: ". */
#ifndef CKPT_LOG_H
#define CKPT_LOG_H

extern int log_verbose;   /* -V */

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* log_error with ": strerror(errno)" appended; returns -1 */
int log_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
