package io.horkd.core.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horkd.core.backend.Backends;
import io.horkd.core.cuda.CudaProbe;
import io.horkd.core.cuda.ExplicitLibrary;
import io.horkd.core.cuda.HorkdNative;
import io.horkd.core.testing.CudaTests;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Where a device is found: {@code cuda} runs on it, and {@code auto} picks it only if it is a GPU. The
 * emulated device is used only when named ({@value ExplicitLibrary#PROPERTY}), and then it is the
 * named file that the process loaded.
 */
@Tag("gpu")
class BackendChoiceTest {
    @Test
    void autoPicksAGpuButNeverTheEmulatedDevice() throws IOException {
        CudaTests.assumeDevice();
        CudaProbe.Result r = CudaProbe.result();
        assertEquals("cuda", Backends.cuda().name());
        assertEquals(r.emulated() ? "cpu" : "cuda", Backends.auto().name(), r.reason());
        assertEquals(r.emulated() ? 1 : 0, HorkdNative.horkd_emulated());
        if (r.emulated()) {
            assertTrue(r.reason().startsWith("the emulated CUDA device"), r.reason());
            Path named = ExplicitLibrary.path();
            assertTrue(named != null, "the emulated device is loaded only when named");
            assertEquals(named.toRealPath(), Path.of(r.library()).toRealPath(), "the named library is the one loaded");
        }
    }
}
