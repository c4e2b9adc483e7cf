/* options.c - restart's command line. */
#include "log.h"
#include "restore.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void usage(FILE *f)
{
	fprintf(f,
		"usage: restart [options] [EXECUTABLE] CORE\n"
		"Restart a process from an ELF core file (gdb gcore, kernel core, libsavefds.so).\n"
		"  -b, --breakpoint=ADDR  stop the restored process when it reaches ADDR (left stopped, as without -n)\n"
		"  -f, --filedes[=FILE]   reopen the files listed in FILE (default: filedescriptors);\n"
		"                         `-f FILE EXECUTABLE CORE` works too\n"
		"  -k, --skip-missing     leave out saved files that no longer exist\n"
		"  -n, --nostop           let the restored process run (default: leave it stopped with SIGSTOP)\n"
		"  -p, --same-pid         give it its old pid back (needs the pid free and CAP_CHECKPOINT_RESTORE)\n"
		"  -s, --select           ask, region by region, which memory to restore\n"
		"  -V, --verbose          say what is done (twice: more)\n"
		"  -w, --wait             wait for the restored process and exit with its status\n"
		"      --check            only check: print the problems a restart would meet, run nothing\n"
		"                         (exit 0 none, 1 problems or a crash core, 2 unusable core)\n"
		"      --json             with --check: the problems as JSON on stdout\n"
		"      --force            restart even when a file is not the build checkpointed, or an open\n"
		"                         file is missing (left closed); each such problem is said\n"
		"      --fork-server      restore once, then start a copy per request (docs/RESTART.md)\n"
		"      --failed-status=N  exit with N (not 1) when restoring fails, to keep it apart from\n"
		"                         the program's own status (ckpt restart passes 126)\n"
		"      --pid-file=FILE    once the restored process runs (or is left stopped), write its pid\n"
		"                         to FILE, so a caller knows it even when the process ends at once\n"
		"  -h, --help             this text\n"
		"  -v, --version          the version\n"
		"EXECUTABLE may be left out when the core names it. Exit status: with -w the\n"
		"restored program's (128+signal when killed), 2 for bad input, 1 when restoring failed.\n");
}

/* A usage error: one line saying what is wrong, one saying where to read more. */
static int usage_error(const char *fmt, ...)
{
	va_list ap;
	fputs("restart: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'restart --help' for more information.\n", stderr);
	return -1;
}

int options_parse(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = {
		{ "breakpoint", required_argument, 0, 'b' }, { "filedes", optional_argument, 0, 'f' },
		{ "skip-missing", no_argument, 0, 'k' }, { "nostop", no_argument, 0, 'n' },
		{ "same-pid", no_argument, 0, 'p' }, { "select", no_argument, 0, 's' },
		{ "verbose", no_argument, 0, 'V' }, { "wait", no_argument, 0, 'w' },
		{ "help", no_argument, 0, 'h' }, { "version", no_argument, 0, 'v' },
		{ "check", no_argument, 0, 'C' }, { "json", no_argument, 0, 'J' }, { "force", no_argument, 0, 'F' },
		{ "fork-server", no_argument, 0, 'S' }, { "failed-status", required_argument, 0, 'X' },
		{ "pid-file", required_argument, 0, 'P' },
		{ 0, 0, 0, 0 } };
	int ch;
	memset(o, 0, sizeof *o);
	o->failed_status = EXIT_FAILED;
	opterr = 0;                     /* getopt's own message is said below, in one line */
	while ((ch = getopt_long(argc, argv, "+:b:f::knpsVwhv", longs, NULL)) != -1) {
		char *end;
		switch (ch) {
		case 'b':
			errno = 0;
			o->breakpoint = strtoull(optarg, &end, 0);
			if (errno || *end || o->breakpoint == 0) {
				return usage_error("bad breakpoint address '%s'", optarg);
			}
			break;
		case 'f':
			o->filedes = optarg ? optarg : "filedescriptors";
			o->filedes_default = optarg == NULL;
			break;
		case 'k': o->skip_missing = 1; break;
		case 'n': o->nostop = 1; break;
		case 'p': o->same_pid = 1; break;
		case 's': o->select = 1; break;
		case 'V': log_verbose++; break;
		case 'w': o->wait = 1; break;
		case 'C': o->check = 1; break;
		case 'J': o->json = 1; break;
		case 'F': o->force = 1; break;
		case 'S': o->fork_server = 1; break;
		case 'P': o->pid_file = optarg; break;
		case 'X':
			errno = 0;
			o->failed_status = (int)strtol(optarg, &end, 10);
			if (errno || *end || o->failed_status < 1 || o->failed_status > 255)
				return usage_error("bad --failed-status '%s' (1 to 255)", optarg);
			break;
		case 'h': usage(stdout); exit(0);
		case 'v': printf("%s\n", VERSION); exit(0);
		case ':': return usage_error("option %s needs an argument", argv[optind - 1]);
		default:
			if (optopt)
				return usage_error("unknown option -%c", optopt);
			return usage_error("unknown option %s", argv[optind - 1]);
		}
	}
	if (argc - optind == 1) {
		o->core = argv[optind];
	} else if (argc - optind == 2) {
		o->exe = argv[optind];
		o->core = argv[optind + 1];
	} else if (argc - optind == 3 && o->filedes_default) {
		/* `restart -f FILE EXECUTABLE CORE`: the list of files given apart */
		o->filedes = argv[optind];
		o->exe = argv[optind + 1];
		o->core = argv[optind + 2];
	} else {
		return usage_error(argc == optind ? "no core file given" : "too many arguments");
	}
	return 0;
}
