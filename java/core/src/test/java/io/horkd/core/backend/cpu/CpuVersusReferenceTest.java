package io.horkd.core.backend.cpu;

import io.horkd.core.backend.BackendVersusReferenceTest;
import io.horkd.core.loss.LossBackend;
import org.junit.jupiter.api.AfterAll;

/** The fast CPU backend (2 threads) against the float64 reference. */
class CpuVersusReferenceTest extends BackendVersusReferenceTest {
    private static final CpuBackend CPU = new CpuBackend(2);

    @AfterAll
    static void close() {
        CPU.close();
    }

    @Override
    protected LossBackend backend() {
        return CPU;
    }
}
