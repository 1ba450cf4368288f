package io.horkd.core.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.horkd.core.cuda.CudaProbe;

/**
 * The start of every CUDA test: it skips where no device can run it, except where the build says it
 * must run ({@code -Dhorkd.test.requireCuda=true}: Maven's {@code emulated-device} executions, on the
 * emulated device of cuda/emu, which needs no GPU), where "no device" is a failure with the probe's
 * reason.
 */
public final class CudaTests {
    /** The system property that turns a missing device from a skip into a failure. */
    public static final String REQUIRE = "horkd.test.requireCuda";

    private CudaTests() {}

    public static void assumeDevice() {
        CudaProbe.Result r = CudaProbe.result();
        if (Boolean.getBoolean(REQUIRE)) {
            assertTrue(r.usable(), () -> "-D" + REQUIRE + " but the CUDA backend cannot run: " + r.reason());
        } else {
            assumeTrue(r.usable(), () -> "no CUDA device: " + r.reason());
        }
    }
}
