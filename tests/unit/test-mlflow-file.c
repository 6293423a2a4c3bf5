/* SPDX-License-Identifier: MIT */
/* Placeholder. */
#include "unit.h"
int main(void)
{
	return unit_done();
}
