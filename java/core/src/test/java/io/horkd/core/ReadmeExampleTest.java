package io.horkd.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horkd.core.backend.Backends;
import io.horkd.core.loss.ClassCenters;
import io.horkd.core.loss.GradientSink;
import io.horkd.core.loss.Objective;
import io.horkd.core.loss.LossInput;
import io.horkd.core.loss.Projection;
import io.horkd.core.tensor.Features;
import io.horkd.core.testing.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The "In Java" example of README.md, verbatim between the markers, so that it keeps compiling. */
class ReadmeExampleTest {
    @Test
    void readmeExample() {
        int m = 16;
        int ds = 8;
        int dt = 12;
        SplittableRandom rnd = TestData.random(1);
        float[] student = TestData.features(rnd, 1, m, ds, 1, 0).toArray();
        float[] teacher = TestData.features(rnd, 1, m, dt, 1, 2).toArray();
        float[] p = TestData.features(rnd, 1, dt, ds, 0.3, 0).toArray();
        ClassCenters centers = ClassCenters.of(TestData.features(rnd, 1, 3, dt, 1, 2).toArray(), 3, dt);

        // README: begin
        LossInput in = LossInput.of(Features.of(student, m, ds), Features.of(teacher, m, dt))
                .withCenters(centers)                         // ClassCenters [C, dt], e.g. from CenterAccumulator
                .withProjection(Projection.of(p, dt, ds));    // needed by L1 and LC when ds != dt
        Objective loss = Objective.PAPER;                     // L1 + 0.02 L2 + 0.01 L3 + LC
        Features grad = Features.zeros(1, m, ds);
        Objective.Values v = loss.computeTerms(Backends.auto(), in, GradientSink.into(grad));
        double total = v.totalSum();
        // README: end

        assertTrue(total > 0);
        assertEquals(total, loss.value(Backends.reference(), in), 1e-6 * total);
    }

    @Test
    void readmeShowsThisCode() throws IOException {
        String readme = Files.readString(Path.of("../../README.md"));
        int start = readme.indexOf("```java\n") + "```java\n".length();
        String shown = readme.substring(start, readme.indexOf("```", start));
        String source = Files.readString(Path.of("src/test/java/io/horkd/core/ReadmeExampleTest.java"));
        String begin = "// README: begin\n";
        String tested = source.substring(source.indexOf(begin) + begin.length(), source.indexOf("        // README: end"));
        assertEquals(stripLines(shown), stripLines(tested),
                "README.md's Java example and this test must show the same code");
    }

    private static String stripLines(String code) {
        return code.lines().map(String::strip).filter(l -> !l.isEmpty()).collect(Collectors.joining("\n"));
    }
}
