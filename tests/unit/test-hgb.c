/* SPDX-License-Identifier: MIT */
/* Placeholder: being written this session. */
int main(void)
{
	return 0;
}
