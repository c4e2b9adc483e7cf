package dev.ckpt.suite.report;

import java.io.IOException;
import java.io.Writer;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Writes JUnit XML as Jenkins, GitLab and Surefire read it: {@code <testsuites>}
 * with one {@code <testsuite>} per scenario file and one {@code <testcase>} per case
 * (per repeat: "name #k"); a failed case has a {@code <failure>} whose message is the
 * verdict and whose text is the diff; a scenario that could not run (bad file, no
 * checkpoint) is one {@code <testcase>} with an {@code <error>}.
 * (JUnit's LegacyXmlReportGeneratingListener writes one testsuite per engine, hence this.)
 */
public final class JUnitXml extends Outcomes {
    private final Path out;
    private final String shard;
    private TestPlan plan;
    private final String timestamp = LocalDateTime.now(ZoneOffset.UTC).withNano(0).format(DateTimeFormatter.ISO_LOCAL_DATE_TIME);

    public JUnitXml(Path out, String shard) {
        this.out = out;
        this.shard = shard;
    }

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        this.plan = testPlan;
    }

    @Override
    public void testPlanExecutionFinished(TestPlan testPlan) {
        try {
            write();
        } catch (IOException | XMLStreamException e) {
            throw new IllegalStateException(out + ": cannot write the JUnit XML: " + e.getMessage(), e);
        }
    }

    private record Row(String name, long nanos, String kind, String message, String text) {}

    private record Suite(String name, List<Row> rows, long nanos) {
        long count(String k) {
            return rows.stream().filter(r -> k.equals(r.kind)).count();
        }
    }

    private void write() throws IOException, XMLStreamException {
        List<Suite> suites = new ArrayList<>();
        for (TestIdentifier root : plan.getRoots()) {
            for (TestIdentifier file : plan.getChildren(root)) {
                suites.add(suite(file));
            }
        }
        Path parent = out.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, ".junit-", ".xml");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            XMLStreamWriter x = XMLOutputFactory.newFactory().createXMLStreamWriter(w);
            x.writeStartDocument("UTF-8", "1.0");
            x.writeCharacters("\n");
            x.writeStartElement("testsuites");
            x.writeAttribute("name", "ckpt suite");
            x.writeAttribute("tests", Long.toString(suites.stream().mapToLong(s -> s.rows.size()).sum()));
            x.writeAttribute("failures", Long.toString(suites.stream().mapToLong(s -> s.count("failure")).sum()));
            x.writeAttribute("errors", Long.toString(suites.stream().mapToLong(s -> s.count("error")).sum()));
            x.writeAttribute("skipped", Long.toString(suites.stream().mapToLong(s -> s.count("skipped")).sum()));
            x.writeAttribute("time", seconds(suites.stream().mapToLong(Suite::nanos).sum()));
            int id = 0;
            for (Suite s : suites) {
                x.writeCharacters("\n  ");
                x.writeStartElement("testsuite");
                x.writeAttribute("name", s.name);
                x.writeAttribute("tests", Integer.toString(s.rows.size()));
                x.writeAttribute("failures", Long.toString(s.count("failure")));
                x.writeAttribute("errors", Long.toString(s.count("error")));
                x.writeAttribute("skipped", Long.toString(s.count("skipped")));
                x.writeAttribute("time", seconds(s.nanos));
                x.writeAttribute("timestamp", timestamp);
                x.writeAttribute("hostname", hostname());
                x.writeAttribute("id", Integer.toString(id++));
                x.writeAttribute("package", "ckpt");
                x.writeCharacters("\n    ");
                x.writeStartElement("properties");
                x.writeEmptyElement("property");
                x.writeAttribute("name", "ckpt.shard");
                x.writeAttribute("value", shard);
                x.writeEndElement();
                for (Row r : s.rows) {
                    x.writeCharacters("\n    ");
                    x.writeStartElement("testcase");
                    x.writeAttribute("name", clean(r.name));
                    x.writeAttribute("classname", s.name);
                    x.writeAttribute("time", seconds(r.nanos));
                    if (r.kind != null) {
                        x.writeStartElement(r.kind);
                        x.writeAttribute("message", clean(r.message));
                        if (!r.kind.equals("skipped")) {
                            x.writeAttribute("type", r.kind.equals("failure") ? "AssertionFailedError" : "ScenarioError");
                            x.writeCharacters(clean(r.message + (r.text.isEmpty() ? "" : "\n" + r.text)));
                        }
                        x.writeEndElement();
                    }
                    x.writeEndElement();
                }
                x.writeCharacters("\n    ");
                x.writeEmptyElement("system-out");
                x.writeCharacters("\n    ");
                x.writeEmptyElement("system-err");
                x.writeCharacters("\n  ");
                x.writeEndElement();
            }
            x.writeCharacters("\n");
            x.writeEndElement();
            x.writeCharacters("\n");
            x.writeEndDocument();
            x.close();
        }
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private Suite suite(TestIdentifier file) {
        String name = file.getDisplayName().replaceFirst("\\.ya?ml$", "").replace('/', '.');
        List<Row> rows = new ArrayList<>();
        Outcome fo = outcome(file);
        if (fo != null && fo.result() != null && fo.result().getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
            String[] m = message(fo.result());
            rows.add(new Row("(scenario)", fo.nanos(), "error", m[0], m[1]));
        }
        for (TestIdentifier t : tests(file)) {
            Outcome o = outcome(t);
            if (o == null) {
                rows.add(new Row(t.getDisplayName(), 0, "skipped", "not run", ""));
            } else if (o.result() == null) {
                rows.add(new Row(t.getDisplayName(), 0, "skipped", o.skipReason(), ""));
            } else if (o.result().getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                rows.add(new Row(t.getDisplayName(), o.nanos(), null, null, null));
            } else {
                String[] m = message(o.result());
                boolean assertion = o.result().getThrowable().map(x -> x instanceof AssertionError).orElse(false);
                rows.add(new Row(t.getDisplayName(), o.nanos(), assertion ? "failure" : "error", m[0], m[1]));
            }
        }
        return new Suite(name, rows, fo == null ? 0 : fo.nanos());
    }

    private List<TestIdentifier> tests(TestIdentifier node) {
        List<TestIdentifier> out = new ArrayList<>();
        for (TestIdentifier c : plan.getChildren(node)) {
            if (c.isTest()) {
                out.add(c);
            } else {
                out.addAll(tests(c));
            }
        }
        return out;
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e9);
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** XML 1.0 cannot hold most control characters: shown as \\xNN. */
    static String clean(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 && c != '\n' && c != '\t' && c != '\r' || c == 0xfffe || c == 0xffff) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
