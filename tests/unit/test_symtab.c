/*
 * test_symtab.c - interning gives one id per content, stable across calls,
 * and the public accessors return what went in.
 */
#include <string.h>

#include "check.h"
#include "symtab.h"

int main(void)
{
	gt_symtab *s = sym_new();
	uint32_t a, b, c, f1, f2, f3, st1, st2, st3, empty, frames[3];
	size_t n;
	const uint32_t *got;
	gt_frame f;
	char big[2000];

	CHECK(s != NULL);
	CHECK(sym_string(s, "main.main", 9, &a) == 0 && a != 0);
	CHECK(sym_string(s, "main.go", 7, &b) == 0 && b != a);
	CHECK(sym_string(s, "main.main", 9, &c) == 0 && c == a);
	CHECK(sym_string(s, "", 0, &c) == 0 && c == 0);
	CHECK(sym_frame(s, 0x401000, a, b, 12, &f1) == 0);
	CHECK(sym_frame(s, 0x401000, a, b, 13, &f2) == 0 && f2 != f1); /* line differs */
	CHECK(sym_frame(s, 0x401000, a, b, 12, &f3) == 0 && f3 == f1);
	frames[0] = f1, frames[1] = f2;
	CHECK(sym_stack(s, frames, 2, &st1) == 0);
	CHECK(sym_stack(s, frames, 1, &st2) == 0 && st2 != st1);
	CHECK(sym_stack(s, frames, 2, &st3) == 0 && st3 == st1);
	CHECK(sym_empty_stack(s, &empty) == 0 && empty != st1 && empty != 0);
	got = gt_symtab_stack(s, st1, &n);
	CHECK(n == 2 && got[0] == f1 && got[1] == f2);
	gt_symtab_stack(s, empty, &n);
	CHECK(n == 0);
	gt_symtab_frame(s, f2, &f);
	CHECK(f.pc == 0x401000 && f.line == 13 && f.func.len == 9 && memcmp(f.func.ptr, "main.main", 9) == 0 &&
	      f.func_id == a && f.file_id == b);
	/* Many strings: ids stay dense and contents survive index growth. */
	for (int i = 0; i < 5000; i++) {
		int len = snprintf(big, sizeof big, "func%d", i);

		CHECK(sym_string(s, big, (size_t)len, &c) == 0);
	}
	CHECK(sym_string(s, "func4321", 8, &c) == 0);
	CHECK(gt_symtab_string(s, c).len == 8 && memcmp(gt_symtab_string(s, c).ptr, "func4321", 8) == 0);
	memset(big, 'x', sizeof big);
	CHECK(sym_string(s, big, sizeof big, &c) == 0 && gt_symtab_string(s, c).len == sizeof big);
	CHECK(gt_symtab_stack_count(s) == 3);
	CHECK(gt_symtab_frame_count(s) == 2);  /* f1 == f3 */
	sym_free(s);
	return CHECK_DONE();
}
