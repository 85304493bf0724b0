/*
 * symtab.h - the stack-deduplicating symbolizer (internal side).
 *
 * Strings, frames and stacks are interned by content, hashed with XXH3, so a
 * stack that appears in many generations (each with its own wire ids) gets one
 * id for the whole trace.  Ids are dense from 1; 0 means none (for strings, 0
 * is the empty string).  Interned memory never moves.
 */
#ifndef GT_SYMTAB_H
#define GT_SYMTAB_H

#include "gotrace.h"

gt_symtab *sym_new(void);
void sym_free(gt_symtab *s);

/* Intern content and store its id in *id.  Return 0, or -1 if out of memory.
 * The empty string is id 0. */
int sym_string(gt_symtab *s, const char *p, size_t len, uint32_t *id);
int sym_frame(gt_symtab *s, uint64_t pc, uint32_t func, uint32_t file, uint64_t line,
	      uint32_t *id);
int sym_stack(gt_symtab *s, const uint32_t *frames, size_t n, uint32_t *id);

/* The id of the stack with no frames (interned on first use). */
int sym_empty_stack(gt_symtab *s, uint32_t *id);


#endif
