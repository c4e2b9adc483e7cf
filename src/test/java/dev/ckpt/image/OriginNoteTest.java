package dev.ckpt.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ckpt.core.Bytes;
import dev.ckpt.core.CoreFormatException;
import dev.ckpt.core.Note;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** CKPT_NT_ORIGIN as ckpt.py's make_origin writes it: struct ckpt_origin, then the location. */
class OriginNoteTest {

    static Note note(long hit, long len, byte[] location) {
        ByteBuffer b = ByteBuffer.allocate(16 + location.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(hit).putInt((int) len).putInt(0).put(location).flip();
        return new Note("CKPT", CkptImage.NT_ORIGIN, 0x100, new Bytes(Path.of("core.x"), b, "note"));
    }

    @Test
    void readsLocationAndHit() throws Exception {
        byte[] loc = "linklist.c:29\0".getBytes(StandardCharsets.UTF_8);
        assertThat(OriginNote.parse(note(8991, loc.length, loc))).isEqualTo(new OriginNote("linklist.c:29", 8991));
    }

    @Test
    void refusesAWrongLength() {
        byte[] loc = "main\0".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> OriginNote.parse(note(1, 9, loc))).isInstanceOf(CoreFormatException.class)
                .hasMessageContaining("CKPT_NT_ORIGIN");
        assertThatThrownBy(() -> OriginNote.parse(note(1, 0, new byte[0]))).isInstanceOf(CoreFormatException.class);
        Note tiny = new Note("CKPT", CkptImage.NT_ORIGIN, 0x100,
                new Bytes(Path.of("core.x"), ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN), "note"));
        assertThatThrownBy(() -> OriginNote.parse(tiny)).isInstanceOf(CoreFormatException.class)
                .hasMessageContaining("expected at least 16");
    }
}
