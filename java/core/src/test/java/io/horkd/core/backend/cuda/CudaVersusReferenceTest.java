package io.horkd.core.backend.cuda;


import io.horkd.core.backend.BackendVersusReferenceTest;
import io.horkd.core.backend.Backends;
import io.horkd.core.loss.LossBackend;
import io.horkd.core.testing.CudaTests;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;

/**
 * The CUDA backend against the float64 reference, on the same cases and tolerances as the CPU backend
 * (the kernels compute in float64 too). Skips itself where no device can run it
 * ({@link CudaTests}); runs on the emulated device in every build.
 */
@Tag("gpu")
class CudaVersusReferenceTest extends BackendVersusReferenceTest {
    @BeforeEach
    void needsADevice() {
        CudaTests.assumeDevice();
    }

    @Override
    protected LossBackend backend() {
        return Backends.cuda();
    }
}
