package io.horkd.core.backend.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.horkd.core.backend.BackendVersusReferenceTest;
import io.horkd.core.backend.Backends;
import io.horkd.core.cuda.CudaProbe;
import io.horkd.core.loss.LossBackend;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;

/**
 * The CUDA backend against the float64 reference, on the same cases and tolerances as the CPU backend
 * (the kernels compute in float64 too). Skips itself where {@link CudaProbe} finds no device.
 */
@Tag("gpu")
class CudaVersusReferenceTest extends BackendVersusReferenceTest {
    @BeforeEach
    void needsADevice() {
        assumeTrue(CudaProbe.available(), () -> "no CUDA device: " + CudaProbe.result().reason());
    }

    @Override
    protected LossBackend backend() {
        return Backends.cuda();
    }
}
