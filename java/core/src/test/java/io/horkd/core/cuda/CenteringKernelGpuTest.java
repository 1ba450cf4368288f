package io.horkd.core.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.horkd.core.testing.CudaTests;
import io.horkd.core.testing.TestData;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.FloatPointer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The centring kernel on a GPU (or the emulated device) against a float64 CPU centring of the same
 * float32 rows. Skips itself where no device can run it ({@link CudaTests}). Tolerance: each centred
 * value within 1 ulp of the float64 result rounded to float32 (the kernel takes the mean in double too);
 * squared norms within 1e-5 relative (a float32 warp reduction over d terms).
 */
@Tag("gpu")
class CenteringKernelGpuTest {
    @Test
    void matchesCpuCentring() {
        CudaTests.assumeDevice();
        int[][] shapes = {{1, 3, 1}, {2, 37, 33}, {3, 129, 1000}, {1, 4096, 64}};
        for (int[] shape : shapes) {
            int batch = shape[0];
            int m = shape[1];
            int d = shape[2];
            int n = batch * m * d;
            SplittableRandom rnd = TestData.random(1000 + n);
            float[] x = TestData.features(rnd, batch, m, d, 0.1, 1000).toArray();
            long[] dx = new long[1];
            long[] dOut = new long[1];
            long[] dNorms = new long[1];
            HorkdStatus.check("horkd_malloc", HorkdNative.horkd_malloc(dx, 4L * n));
            HorkdStatus.check("horkd_malloc", HorkdNative.horkd_malloc(dOut, 4L * n));
            HorkdStatus.check("horkd_malloc", HorkdNative.horkd_malloc(dNorms, 4L * batch * m));
            try (FloatPointer hx = new FloatPointer(x); FloatPointer hOut = new FloatPointer(n);
                    FloatPointer hNorms = new FloatPointer((long) batch * m)) {
                HorkdStatus.check("h2d", HorkdNative.horkd_memcpy_h2d(dx[0], hx.address(), 4L * n, 0));
                HorkdStatus.check("center", HorkdNative.horkd_center_rows(dx[0], dOut[0], dNorms[0], batch, m, d, 0));
                HorkdStatus.check("d2h", HorkdNative.horkd_memcpy_d2h(hOut.address(), dOut[0], 4L * n, 0));
                HorkdStatus.check("d2h", HorkdNative.horkd_memcpy_d2h(hNorms.address(), dNorms[0], 4L * batch * m, 0));
                HorkdStatus.check("sync", HorkdNative.horkd_stream_synchronize(0));
                for (int b = 0; b < batch; b++) {
                    double[] mean = new double[d];
                    for (int i = 0; i < m; i++) {
                        for (int k = 0; k < d; k++) mean[k] += x[(b * m + i) * d + k];
                    }
                    for (int i = 0; i < m; i++) {
                        double norm = 0;
                        for (int k = 0; k < d; k++) {
                            float expected = (float) (x[(b * m + i) * d + k] - mean[k] / m);
                            float got = hOut.get((long) (b * m + i) * d + k);
                            assertEquals(expected, got, Math.ulp(expected), "centred value " + b + "," + i + "," + k);
                            norm += (double) expected * expected;
                        }
                        assertEquals(norm, hNorms.get((long) b * m + i), 1e-5 * norm + 1e-30, "squared norm " + b + "," + i);
                    }
                }
            } finally {
                HorkdNative.horkd_free(dx[0]);
                HorkdNative.horkd_free(dOut[0]);
                HorkdNative.horkd_free(dNorms[0]);
            }
        }
    }
}
