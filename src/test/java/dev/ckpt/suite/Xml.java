package dev.ckpt.suite;

import dev.ckpt.testing.Build;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.SchemaFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** JUnit XML reports in tests: validated against src/test/resources/junit-xml/junit.xsd, read as verdicts. */
final class Xml {
    private Xml() {}

    static void validate(Path xml) throws Exception {
        SchemaFactory f = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
        f.newSchema(Build.basedir().resolve("src/test/resources/junit-xml/junit.xsd").toFile())
                .newValidator().validate(new StreamSource(xml.toFile()));
    }

    static Document read(Path xml) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml.toFile());
    }

    /** "suite » case" → "pass", "failure", "error" or "skipped". */
    static Map<String, String> verdicts(Path xml) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        NodeList cases = read(xml).getElementsByTagName("testcase");
        for (int i = 0; i < cases.getLength(); i++) {
            Element c = (Element) cases.item(i);
            String kind = "pass";
            for (String k : new String[] {"failure", "error", "skipped"}) {
                if (c.getElementsByTagName(k).getLength() > 0) {
                    kind = k;
                }
            }
            out.put(c.getAttribute("classname") + " » " + c.getAttribute("name"), kind);
        }
        return out;
    }
}
