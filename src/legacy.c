/*
 * legacy.c - Go 1.11-1.21 traces (see legacy.h).
 */
#include <stdlib.h>

#include "legacy.h"

struct legacy_reader {
	int version;
};

gt_status legacy_open(legacy_reader **out, wire_src *src, int version, gt_symtab *sym, gt_err *e)
{
	(void)src;
	(void)sym;
	*out = NULL;
	return gt_fail(e, GT_ERR_VERSION, 0, "go 1.%d traces are not supported yet", version);
}

gt_status legacy_next(legacy_reader *l, gt_event *ev, gt_err *e)
{
	(void)l;
	(void)ev;
	return gt_fail(e, GT_ERR_VERSION, 0, "legacy traces are not supported yet");
}

void legacy_free(legacy_reader *l)
{
	free(l);
}

size_t legacy_memory(const legacy_reader *l)
{
	(void)l;
	return 0;
}
