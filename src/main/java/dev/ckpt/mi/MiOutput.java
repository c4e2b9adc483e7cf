package dev.ckpt.mi;

import java.util.List;
import java.util.Optional;

/**
 * {@code output -> ( out-of-band-record )* [ result-record ] "(gdb)" nl}: what gdb
 * prints between two prompts, in wire order. At most one record is a result record;
 * gdb 13 sometimes prints out-of-band records after it (e.g. {@code *stopped} after
 * {@code -target-attach}'s {@code ^done}), so they may follow it. {@code toString()}
 * gives the lines in wire syntax, prompt included.
 */
public record MiOutput(List<MiRecord> records) {
    public MiOutput {
        records = List.copyOf(records);
        if (records.stream().filter(r -> r instanceof MiResultRecord).count() > 1) {
            throw new IllegalArgumentException("an MI output holds at most one result record");
        }
    }

    /** The out-of-band records, in order. */
    public List<MiOobRecord> outOfBand() {
        return records.stream().filter(r -> r instanceof MiOobRecord).map(r -> (MiOobRecord) r).toList();
    }

    /** The result record, if the output has one. */
    public Optional<MiResultRecord> result() {
        return records.stream().filter(r -> r instanceof MiResultRecord).map(r -> (MiResultRecord) r).findFirst();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (MiRecord r : records) {
            sb.append(r).append('\n');
        }
        return sb.append(MiParser.PROMPT).append('\n').toString();
    }
}
