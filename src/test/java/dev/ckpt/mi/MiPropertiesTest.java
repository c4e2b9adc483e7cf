package dev.ckpt.mi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Generated MI values and records: printing then parsing gives back the same thing. */
class MiPropertiesTest {

    @Property(tries = 500)
    void valuesRoundTrip(@ForAll("values") MiValue value) throws Exception {
        MiResultRecord r = new MiResultRecord(1L, "done", List.of(new MiResult("v", value)));
        MiRecord back = MiParser.parseRecord(r.toString());
        assertThat(back).isEqualTo(r);
        assertThat(back.toString()).isEqualTo(r.toString());
    }

    @Property(tries = 300)
    void resultRecordsRoundTrip(@ForAll("resultRecords") MiResultRecord r) throws Exception {
        assertThat(MiParser.parseRecord(r.toString())).isEqualTo(r);
    }

    @Property(tries = 300)
    void asyncRecordsRoundTrip(@ForAll("asyncRecords") MiAsyncRecord r) throws Exception {
        assertThat(MiParser.parseRecord(r.toString())).isEqualTo(r);
    }

    @Property(tries = 500)
    void streamRecordsRoundTrip(@ForAll("texts") String text, @ForAll MiStreamRecord.Kind kind) throws Exception {
        MiStreamRecord r = new MiStreamRecord(kind, text);
        assertThat(MiParser.parseRecord(r.toString())).isEqualTo(r);
    }

    @Property(tries = 500)
    void quotingRoundTrips(@ForAll("texts") String text) throws Exception {
        String q = MiStrings.quote(text);
        assertThat(q.chars()).allMatch(c -> c >= 0x20 && c < 0x7f);
        assertThat(MiStrings.unquote(q)).isEqualTo(text);
    }

    @Provide
    Arbitrary<String> texts() {
        // any Unicode scalar value (no lone surrogates: they have no UTF-8 form)
        Arbitrary<Integer> codePoint = Arbitraries.oneOf(
                Arbitraries.integers().between(0, 0x7f),
                Arbitraries.integers().between(0, 0xd7ff),
                Arbitraries.integers().between(0xe000, 0x10ffff));
        return codePoint.list().ofMaxSize(24).map(cps -> {
            StringBuilder sb = new StringBuilder();
            cps.forEach(sb::appendCodePoint);
            return sb.toString();
        });
    }

    Arbitrary<String> names() {
        return Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyzABCZ0189-_.").ofMinLength(1).ofMaxLength(12);
    }

    @Provide
    Arbitrary<MiValue> values() {
        return values(3);
    }

    /** Values nested at most {@code depth} levels. */
    Arbitrary<MiValue> values(int depth) {
        Arbitrary<MiValue> constant = texts().map(MiConst::new);
        if (depth == 0) {
            return constant;
        }
        return Arbitraries.oneOf(
                constant,
                results(depth - 1).list().ofMaxSize(4).map(MiTuple::new),
                values(depth - 1).list().ofMaxSize(4).map(MiList::ofValues),
                results(depth - 1).list().ofMaxSize(4).map(MiList::ofResults));
    }

    Arbitrary<MiResult> results(int depth) {
        return Combinators.combine(names(), values(depth)).as(MiResult::new);
    }

    Arbitrary<Long> tokens() {
        return Arbitraries.longs().between(0, Long.MAX_VALUE).injectNull(0.3);
    }

    @Provide
    Arbitrary<MiResultRecord> resultRecords() {
        return Combinators.combine(tokens(), Arbitraries.of("done", "running", "connected", "error", "exit"),
                results(2).list().ofMaxSize(4)).as(MiResultRecord::new);
    }

    @Provide
    Arbitrary<MiAsyncRecord> asyncRecords() {
        return Combinators.combine(tokens(), Arbitraries.of(MiAsyncRecord.Kind.class), names(),
                results(2).list().ofMaxSize(4)).as(MiAsyncRecord::new);
    }
}
