package io.horkd.nd4j.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.function.Supplier;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.validation.GradCheckUtil;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** SameDiff's finite-difference check of a float64 graph, for the layer ops' tests. */
final class GradChecks {
    private GradChecks() {}

    /**
     * Builds the graph (with its loss variables set) under float64 defaults, which GradCheckUtil demands,
     * and asserts that every gradient matches central differences (step 1e-6, relative error 1e-5 above
     * an absolute 1e-9); the defaults are restored afterwards.
     */
    static void assertGradientsMatchFiniteDifferences(Supplier<SameDiff> graph) {
        DataType before = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            assertTrue(GradCheckUtil.checkGradients(graph.get(), Map.of(), 1e-6, 1e-5, 1e-9, true, false));
        } finally {
            Nd4j.setDefaultDataTypes(before, before);
        }
    }
}
