/* rt_stdio.c: see rt_stdio.h. */
#include "runtime/rt_stdio.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int rt_stdout_finish(const char *prog, int status, int error_status)
{
	int err = 0;

	if (fflush(stdout) != 0)
		err = errno;
	else if (ferror(stdout))
		err = EIO;
	if (!err)
		return status;
	fprintf(stderr, "%s: cannot write standard output: %s\n", prog, strerror(err));
	return error_status;
}
