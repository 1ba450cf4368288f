package io.horkd.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.horkd.core.backend.Backends;
import io.horkd.core.io.Npy;
import io.horkd.core.loss.Objective;
import io.horkd.core.loss.LossInput;
import io.horkd.core.loss.LossResult;
import io.horkd.core.tensor.Features;
import io.horkd.core.tensor.Labels;
import io.horkd.core.testing.CudaTests;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code horkd losses} end to end on .npy files: values, gradient file, errors and exit codes. */
class LossesCommandTest {
    private static final Path EXAMPLES = Path.of("../../examples/losses");
    private static final double R2 = Math.sqrt(2);

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
        JsonNode json() throws IOException {
            return new ObjectMapper().readTree(out);
        }
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Horkd.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static String triangle(String name) {
        return EXAMPLES.resolve("triangle").resolve(name).toString();
    }

    /** The hand-worked triangle of ReferenceDefinitionTest, through the command line. */
    @Test
    void triangleGivesTheHandWorkedValues() throws IOException {
        Path grad = dir.resolve("g.npy");
        Run r = run("losses", "--student", triangle("student.npy"), "--teacher", triangle("teacher.npy"), "--labels",
                triangle("labels.npy"), "--objective", "l1 + 0.02*l2 + 0.01*l3 + lc(scope=batch)", "--backend", "reference", "--grad-out", grad.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(1, r.out().strip().lines().count(), "exactly one line of JSON");
        JsonNode j = r.json();
        double e12 = 2.25 - 1.5 * R2;
        double e13 = 2 - 1.5 * R2;
        double e23 = 3 * R2 - 4.25;
        double l2 = (e12 * e12 + e13 * e13 + e23 * e23) / 3;
        double a = 1 / R2 - 0.6;
        double b = 1 / R2 - 0.8;
        double l3 = (a * a + b * b) / 6;
        double lc = (4 + Math.pow(Math.sqrt(4.25) - 2.5, 2) + 9 + Math.pow(Math.sqrt(3.25) - 2.5, 2)) / 6;
        assertEquals(5.0 / 6, j.get("l1").asDouble(), 1e-15);
        assertEquals(l2, j.get("l2").asDouble(), 1e-15);
        assertEquals(l3, j.get("l3").asDouble(), 1e-15);
        assertEquals(lc, j.get("lc").asDouble(), 1e-15);
        assertEquals(5.0 / 6 + 0.02 * l2 + 0.01 * l3 + lc, j.get("total").asDouble(), 1e-14);
        assertEquals("reference", j.get("backend").asText());
        Npy.Array g = Npy.read(grad);
        assertArrayEquals(new int[] {3, 2}, g.shape());
        assertEquals(Npy.DType.FLOAT32, g.dtype());
    }

    /** The gradient file holds exactly what the library computes for the same inputs. */
    @Test
    void gradientFileMatchesTheLibrary() throws IOException {
        Path batch = EXAMPLES.resolve("batch");
        Path grad = dir.resolve("g.npy");
        Run r = run("losses", "--student", batch.resolve("student.npy").toString(), "--teacher",
                batch.resolve("teacher.npy").toString(), "--labels", batch.resolve("labels.npy").toString(),
                "--projection", batch.resolve("projection.npy").toString(), "--objective", "l1 + 0.02*l2 + 0.01*l3 + lc(scope=batch)", "--backend", "cpu",
                "--grad-out", grad.toString());
        assertEquals(0, r.exit(), r.err());
        Npy.Array s = Npy.read(batch.resolve("student.npy"));
        Npy.Array t = Npy.read(batch.resolve("teacher.npy"));
        Npy.Array p = Npy.read(batch.resolve("projection.npy"));
        LossInput in = LossInput.of(Features.of(s.toFloatArray(), s.shape()[0], s.shape()[1]),
                Features.of(t.toFloatArray(), t.shape()[0], t.shape()[1]))
                .withLabels(Labels.of(Npy.read(batch.resolve("labels.npy")).toIntArray()))
                .withProjection(io.horkd.core.loss.Projection.of(p.toFloatArray(), p.shape()[0], p.shape()[1]));
        LossResult expected = Objective.parse("l1 + 0.02*l2 + 0.01*l3 + lc(scope=batch)").computeWithGradient(Backends.cpu(), in);
        assertEquals(expected.value(), r.json().get("total").asDouble(), 0.0);
        assertArrayEquals(expected.studentGradient().toArray(), Npy.read(grad).toFloatArray(), 0f);
    }

    @Test
    void batchedInputReportsSumsAndPerProblemValues() throws IOException {
        Path s = dir.resolve("s.npy");
        Path t = dir.resolve("t.npy");
        float[] sv = new float[2 * 4 * 3];
        float[] tv = new float[2 * 4 * 2];
        for (int q = 0; q < sv.length; q++) sv[q] = (float) Math.sin(q * 1.7);
        for (int q = 0; q < tv.length; q++) tv[q] = (float) Math.cos(q * 0.9);
        Npy.writeFloat32(s, sv, 2, 4, 3);
        Npy.writeFloat32(t, tv, 2, 4, 2);
        Path grad = dir.resolve("g.npy");
        Run r = run("losses", "--student", s.toString(), "--teacher", t.toString(), "--objective", "l2 + l3", "--grad-out",
                grad.toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode j = r.json();
        assertEquals(2, j.get("batch").asInt());
        assertTrue(!j.has("l1") && !j.has("lc"), "only the objective's terms are reported");
        assertEquals(j.get("l2").asDouble() + j.get("l3").asDouble(), j.get("total").asDouble(), 1e-15);
        JsonNode per = j.get("per_problem").get("l3");
        assertEquals(per.get(0).asDouble() + per.get(1).asDouble(), j.get("l3").asDouble(), 1e-15);
        assertArrayEquals(new int[] {2, 4, 3}, Npy.read(grad).shape());
    }

    @Test
    void hintonKdFromLogits() throws IOException {
        Run r = run("losses", "--student", triangle("student.npy"), "--teacher", triangle("teacher.npy"), "--objective",
                "l2 + l3 + kd(temperature=2)", "--student-logits", triangle("student.npy"), "--teacher-logits", triangle("teacher.npy"));
        assertEquals(0, r.exit(), r.err());
        double expected = io.horkd.core.backend.reference.ReferenceLosses.hinton(
                new double[][] {{0, 0}, {1, 0}, {0, 1}}, new double[][] {{0, 0}, {3, 0}, {0, 4}}, 2.0).value();
        assertEquals(expected, r.json().get("kd").asDouble(), 1e-12 * expected);
        assertEquals(r.json().get("l2").asDouble() + r.json().get("l3").asDouble() + expected, r.json().get("total").asDouble(),
                1e-12);
        r = run("losses", "--student", triangle("student.npy"), "--teacher", triangle("teacher.npy"), "--objective",
                "l2 + kd", "--student-logits", triangle("student.npy"));
        assertEquals(1, r.exit());
        assertEquals("losses: kd reads logits: give --student-logits and --teacher-logits", r.err().strip());
        r = run("losses", "--student", triangle("student.npy"), "--teacher", triangle("teacher.npy"), "--objective",
                "l2", "--student-logits", triangle("student.npy"));
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("the objective l2 has none"), r.err());
    }

    @Test
    void errorsAreOneClearLineWithExitCode1() throws IOException {
        Run r = run("losses", "--student", triangle("student.npy"), "--teacher", triangle("teacher.npy"));
        assertEquals(1, r.exit());
        assertEquals("losses: lc needs --centers (dataset-scope centres), or lc(scope=batch) with --labels", r.err().strip());
        r = run("losses", "--student", triangle("student.npy"), "--teacher", triangle("labels.npy"), "--objective",
                "l2 + l3");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("features must be float32 or float64, found int64"), r.err());
        r = run("losses", "--student", triangle("student.npy"), "--teacher", triangle("teacher.npy"), "--objective", "l2 +");
        assertEquals(1, r.exit());
        assertEquals("losses: objective \"l2 +\": expected a term (ce, l1, l2, l3, lc, kd, at, fitnet, dct, sp, pkt, dkd, pairwise, mmd, adv) at position 4 (the end)", r.err().strip());
        r = run("losses", "--student", triangle("student.npy"), "--teacher", triangle("teacher.npy"), "--labels",
                triangle("labels.npy"), "--num-classes", "1", "--objective", "l2 + lc(scope=batch)");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("has label 1 at [0, 1], outside 0..0 (1 classes)"), r.err());
        Path out = dir.resolve("never.npy");
        r = run("losses", "--student", triangle("student.npy"), "--teacher", triangle("teacher.npy"), "--objective",
                "l2 + l3", "--backend", "gpu", "--grad-out", out.toString());
        assertEquals(1, r.exit());
        assertEquals("losses: unknown backend 'gpu': use auto, cpu, cuda or reference", r.err().strip());
        assertTrue(!Files.exists(out), "nothing is written when the command fails");
    }

    /** The CUDA backend (a GPU, or the emulated device in Maven's emulated-device run) gives the CPU's numbers. */
    @Test
    @Tag("gpu")
    void cudaBackendAgreesWithTheCpu() throws IOException {
        CudaTests.assumeDevice();
        Path batch = EXAMPLES.resolve("batch");
        JsonNode[] json = new JsonNode[2];
        float[][] grads = new float[2][];
        String[] backends = {"cpu", "cuda"};
        for (int k = 0; k < 2; k++) {
            Path grad = dir.resolve(backends[k] + ".npy");
            Run r = run("losses", "--student", batch.resolve("student.npy").toString(), "--teacher",
                    batch.resolve("teacher.npy").toString(), "--labels", batch.resolve("labels.npy").toString(),
                    "--centers", batch.resolve("centers.npy").toString(), "--projection",
                    batch.resolve("projection.npy").toString(), "--backend", backends[k], "--grad-out", grad.toString());
            assertEquals(0, r.exit(), r.err());
            json[k] = r.json();
            grads[k] = Npy.read(grad).toFloatArray();
        }
        assertEquals("cuda", json[1].get("backend").asText());
        for (String term : new String[] {"l1", "l2", "l3", "lc", "total"}) {
            double cpu = json[0].get(term).asDouble();
            assertEquals(cpu, json[1].get(term).asDouble(), 1e-9 * Math.abs(cpu), term);
        }
        double max = 0;
        double err = 0;
        for (int q = 0; q < grads[0].length; q++) {
            max = Math.max(max, Math.abs(grads[0][q]));
            err = Math.max(err, Math.abs(grads[0][q] - grads[1][q]));
        }
        assertTrue(err <= 2e-6 * max, "gradient: max |cuda - cpu| " + err + " of " + max);
    }

    /**
     * A native library that is there but does not load says why, on the command line and once in the log
     * (a JVM of its own: the probe runs once per JVM).
     */
    @Test
    void aBrokenNativeLibraryIsNamed() throws IOException, InterruptedException {
        Path broken = Files.writeString(Files.createDirectories(dir.resolve("broken")).resolve("libhorkd_cuda.so"), "not ELF");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dhorkd.cuda.library=" + broken, "-cp", System.getProperty("java.class.path"), Horkd.class.getName(), "losses",
                "--student", triangle("student.npy"), "--teacher", triangle("teacher.npy"), "--objective", "l2 + l3",
                "--backend", "cuda").redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(1, p.waitFor(), output);
        String why = "native library not loaded (-Dhorkd.cuda.library=" + broken + "): java.lang.UnsatisfiedLinkError";
        assertTrue(output.contains("losses: the CUDA backend cannot run here: " + why), output);
        assertTrue(output.contains("WARN") && output.contains("CUDA unavailable: " + why), output);
        assertTrue(output.contains("invalid ELF header") || output.contains("too short"), "the loader's own words: " + output);
    }

    @Test
    void usageErrorsExitWith2() {
        Run r = run("losses", "--student", triangle("student.npy"), "--objective", "l2", "--method", "at");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("mutually exclusive"), r.err());
        r = run("losses", "--student", triangle("student.npy"));
        assertEquals(1, r.exit());
        assertEquals("losses: l1 + 0.02*l2 + 0.01*l3 + lc needs --student and --teacher", r.err().strip());
        r = run("losses", "--student", "a", "--teacher", "b", "--centers", "c", "--num-classes", "3");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("mutually exclusive"), r.err());
    }

    /** The maps mode: each method on saved stage outputs gives the library's value and gradient; its errors are named. */
    @Test
    void methodsOnSavedMapsMatchTheLibrary() throws IOException {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(5);
        int m = 6;
        float[] sv = new float[m * 3 * 4 * 4];
        float[] tv = new float[m * 5 * 8 * 8];
        float[] rv = new float[5 * 3];
        float[] zt = new float[m * 4];
        for (float[] a : new float[][] {sv, tv, rv, zt}) for (int q = 0; q < a.length; q++) a[q] = (float) rnd.nextGaussian();
        Path sm = dir.resolve("sm.npy");
        Path tm = dir.resolve("tm.npy");
        Path reg = dir.resolve("r.npy");
        Path z = dir.resolve("zt.npy");
        Path lab = dir.resolve("l.npy");
        Npy.writeFloat32(sm, sv, m, 3, 4, 4);
        Npy.writeFloat32(tm, tv, m, 5, 8, 8);
        Npy.writeFloat32(reg, rv, 5, 3);
        Npy.writeFloat32(z, zt, m, 4);
        int[] labels = {0, 1, 2, 3, 0, 1};
        Npy.writeInt32(lab, labels, m);
        io.horkd.core.tensor.MapShape ss = new io.horkd.core.tensor.MapShape(3, 4, 4);
        io.horkd.core.tensor.MapShape ts = new io.horkd.core.tensor.MapShape(5, 8, 8);
        LossInput in = LossInput.maps(Features.of(sv, 1, m, 48), ss, Features.of(tv, 1, m, 320), ts)
                .withProjection(io.horkd.core.loss.Projection.of(rv, 5, 3)).withTeacherLogits(Features.of(zt, 1, m, 4))
                .withLabels(Labels.of(labels));
        for (String[] c : new String[][] {{"at", "at"}, {"sp", "sp"}, {"fitnet", "fitnet"}, {"dct", "dct"},
            {"dft", "dct(transform=dft-real)"}}) {
            Path grad = dir.resolve(c[0] + "-g.npy");
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("losses", "--student-maps", sm.toString(),
                    "--teacher-maps", tm.toString(), "--method", c[0], "--backend", "cpu", "--grad-out", grad.toString()));
            if (c[0].equals("fitnet")) args.addAll(java.util.List.of("--regressor", reg.toString()));
            if (c[0].startsWith("d")) args.addAll(java.util.List.of("--teacher-logits", z.toString(), "--labels", lab.toString()));
            Run r = run(args.toArray(new String[0]));
            assertEquals(0, r.exit(), r.err());
            LossResult expected = Objective.parse(c[1]).computeWithGradient(Backends.cpu(), in);
            assertEquals(expected.value(), r.json().get(c[1].startsWith("dct") ? "dct" : c[0]).asDouble(), 0.0, c[0]);
            assertEquals(c[1], r.json().get("objective").asText());
            Npy.Array g = Npy.read(grad);
            assertArrayEquals(new int[] {m, 3, 4, 4}, g.shape());
            assertArrayEquals(expected.studentGradient().toArray(), g.toFloatArray(), 0f, c[0]);
        }
        Run r = run("losses", "--student-maps", sm.toString(), "--teacher-maps", tm.toString(), "--method", "fitnet");
        assertEquals(1, r.exit());
        assertEquals("losses: fitnet needs --regressor [5, 3] (student maps have 3 channels, the teacher's 5)", r.err().strip());
        r = run("losses", "--student-maps", tm.toString(), "--teacher-maps", sm.toString(), "--method", "at");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("at: the student's map [5, 8, 8] is larger than the teacher's [3, 4, 4]"), r.err());
        r = run("losses", "--student-maps", sm.toString(), "--method", "attention");
        assertEquals(1, r.exit());
        assertEquals("losses: unknown method 'attention'; known: at, dct, dft, fitnet, sp, pkt, dkd, pairwise, mmd (or any objective with "
                + "--objective)", r.err().strip());
        r = run("losses", "--student-maps", sm.toString(), "--method", "sp");
        assertEquals(1, r.exit());
        assertEquals("losses: sp needs --student-maps and --teacher-maps", r.err().strip());
        r = run("losses", "--student-maps", sm.toString(), "--teacher-maps", lab.toString(), "--method", "sp");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("expected float maps [m, C, H, W], got int32 [6]"), r.err());
    }
}
