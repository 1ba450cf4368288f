package io.horkd.core.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.horkd.core.backend.Backends;
import org.junit.jupiter.api.Test;

/**
 * The native library as this build made it: with native work (the default) it must load from the jar's
 * resources, report whether CUDA is compiled in, and answer without a GPU; with {@code -DskipNative}
 * the probe must say why it is absent. Nothing here needs a GPU.
 */
class NativeLibraryTest {
    private static boolean nativeBuilt() {
        return CudaProbe.class.getResource("linux-x86_64/libhorkd_cuda.so") != null;
    }

    @Test
    void probeExplainsItself() {
        CudaProbe.Result r = CudaProbe.result();
        assertFalse(r.reason().isBlank());
        assertEquals(nativeBuilt(), r.libraryLoaded(), "the library loads exactly when the build produced it: " + r);
        if (r.libraryLoaded() && ExplicitLibrary.path() == null) {
            assertFalse(r.emulated(), "the jar's library is never the emulated device");
            assertEquals(0, HorkdNative.horkd_emulated());
            assertTrue(r.library().endsWith("/libhorkd_cuda.so"), r.library());
        }
        if (!r.usable()) {
            var e = assertThrows(IllegalStateException.class, Backends::cuda);
            assertTrue(e.getMessage().startsWith("the CUDA backend cannot run here: "), e.getMessage());
            assertEquals("cpu", Backends.auto().name());
        }
    }

    @Test
    void statusStringsAndArgumentChecksWorkWithoutADevice() {
        assumeTrue(nativeBuilt(), "built with -DskipNative");
        assertEquals(100, HorkdNative.horkd_version());
        assertEquals("HORKD_ERROR_NO_DEVICE", HorkdNative.horkd_status_string(2));
        assertEquals("HORKD_ERROR_UNKNOWN", HorkdNative.horkd_status_string(99));
        int status = HorkdNative.horkd_center_rows(0, 0, 0, 1, 4, 4, 0);
        if (HorkdNative.horkd_built_with_cuda() != 0) {
            // Arguments are checked before CUDA is touched, so this works on a machine without a driver.
            assertEquals(HorkdStatus.INVALID_ARGUMENT, HorkdStatus.of(status));
            assertEquals("horkd_center_rows: d_x and d_out must not be NULL", HorkdNative.horkd_last_error());
            assertTrue(HorkdNative.horkd_cuda_runtime_version() >= 12000);
        } else {
            assertEquals(HorkdStatus.NO_CUDA, HorkdStatus.of(status));
        }
        var e = assertThrows(HorkdStatus.NativeException.class, () -> HorkdStatus.check("horkd_center_rows", status));
        assertTrue(e.getMessage().startsWith("horkd_center_rows failed with "), e.getMessage());
    }

    /** The loss entry points and workspaces answer without a device: argument checks come first. */
    @Test
    void lossEntryPointsCheckTheirArgumentsFirst() {
        assumeTrue(nativeBuilt(), "built with -DskipNative");
        float[] x = new float[12];
        double[] v = new double[1];
        int status = HorkdNative.horkd_relational_host(0, x, x, 1, 4, 3, 3, 1, 0, 0, 0, null, null, v, null, null);
        String detail = HorkdNative.horkd_last_error(); // per thread, until the next call
        long[] ws = {-1};
        int create = HorkdNative.horkd_workspace_create(ws);
        if (HorkdNative.horkd_built_with_cuda() != 0) {
            assertEquals(HorkdStatus.INVALID_ARGUMENT, HorkdStatus.of(status));
            assertEquals("horkd_relational_host: ws must not be NULL", detail);
            if (!CudaProbe.available()) {
                assertEquals(HorkdStatus.NO_DEVICE, HorkdStatus.of(create));
                assertEquals(0, ws[0], "no workspace without a device");
            }
        } else {
            assertEquals(HorkdStatus.NO_CUDA, HorkdStatus.of(status));
            assertEquals(HorkdStatus.NO_CUDA, HorkdStatus.of(create));
        }
        if (ws[0] != 0 && create == 0) HorkdNative.horkd_workspace_destroy(ws[0]);
    }
}
