/* The restorer blob (pie/restorer.c, built flat by the Makefile) inside restart. */
	.section .rodata
	.balign 64
	.globl restorer_blob
	.globl restorer_blob_end
restorer_blob:
	.incbin RESTORER_BIN
restorer_blob_end:
	.section .note.GNU-stack,"",@progbits
