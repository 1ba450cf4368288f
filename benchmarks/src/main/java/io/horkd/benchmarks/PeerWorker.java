package io.horkd.benchmarks;

import io.horkd.core.backend.cpu.CpuBackend;
import io.horkd.core.io.Npy;
import io.horkd.core.loss.GradientSink;
import io.horkd.core.loss.LossInput;
import io.horkd.core.loss.Objective;
import io.horkd.core.tensor.Features;
import io.horkd.core.tensor.Labels;
import io.horkd.train.config.DistillConfig;
import io.horkd.train.data.Degrade;
import io.horkd.train.model.Network;
import io.horkd.train.model.ResNetSpec;
import io.horkd.train.stage.StageTrainer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.listeners.profiler.ProfilingListener;
import org.nd4j.autodiff.listeners.profiler.comparison.ProfileAnalyzer;
import org.nd4j.autodiff.listeners.profiler.data.TraceEvent;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.dataset.MultiDataSet;

/**
 * horkd's side of the PyTorch peer benchmark ({@code benchmarks/torch-cpu/peer.py}), one command per line
 * on stdin, one JSON line back on stdout, after {@value #REPLY} (ND4J's start-up logs there too):
 * <pre>
 *   load DIR OBJECTIVE   s.npy, t.npy [, labels.npy] from DIR; computes once and writes grad.npy there
 *                        -> {"value": v, "rss_before": bytes, "hwm_after": bytes}
 *   train NETWORK SIZE   a CE training step of the pipeline's NETWORK (resnet8, resnet14: width 16) on
 *                        batches of 128 Fashion-MNIST images at SIZE (28, or 14: down-sampled by 2) -> {"params": n}
 *   time N               N forward + backward passes, or N training steps -> {"ms": [..]}
 *   profile N FILE       N training steps under SameDiff's ProfilingListener (trace in FILE) -> {"step_ms": t,
 *                        "ops": {op type: ms a step}} (where a step's time goes: the rest is SameDiff's own)
 *   quit
 * </pre>
 * The driver sends {@code load} to a fresh process for the peak-memory figure (the growth of the
 * resident high-water mark over that first pass), and {@code load} then {@code time} to a long-lived
 * one for the timings, interleaved with PyTorch's. {@code CpuBackend} on all cores, as a user gets it.
 */
public final class PeerWorker {
    static final String REPLY = "@@ ";

    private PeerWorker() {}

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (CpuBackend cpu = new CpuBackend()) {
            Runnable job = null;
            TrainStep training = null;
            for (String line; (line = in.readLine()) != null; ) {
                String[] w = line.trim().split(" ", 3);
                switch (w[0]) {
                    case "load" -> {
                        Path dir = Path.of(w[1]);
                        Objective objective = Objective.parse(w[2]);
                        LossInput input = read(dir);
                        long before = status("VmRSS");
                        Features grad = Features.zerosLike(input.student());
                        double value = objective.compute(cpu, input, GradientSink.into(grad))[0];
                        job = () -> objective.compute(cpu, input, GradientSink.into(grad));
                        long hwm = status("VmHWM");
                        Npy.writeFloat32(dir.resolve("grad.npy"), grad.toArray(), input.student().rows(), input.student().cols());
                        out.printf(Locale.ROOT, REPLY + "{\"value\": %.17g, \"rss_before\": %d, \"hwm_after\": %d}%n", value, before, hwm);
                    }
                    case "train" -> {
                        TrainStep step = new TrainStep(w[1], Integer.parseInt(w[2].trim()));
                        training = step;
                        job = step::run;
                        out.println(REPLY + "{\"params\": " + step.params() + "}");
                    }
                    case "time" -> {
                        int n = Integer.parseInt(w[1]);
                        List<String> ms = new ArrayList<>();
                        for (int r = 0; r < n; r++) {
                            long t0 = System.nanoTime();
                            job.run();
                            ms.add(String.format(Locale.ROOT, "%.4f", (System.nanoTime() - t0) / 1e6));
                        }
                        out.println(REPLY + "{\"ms\": [" + String.join(", ", ms) + "]}");
                    }
                    case "profile" -> {
                        if (training == null) throw new IllegalStateException("profile needs a train command first");
                        out.println(REPLY + training.profile(Integer.parseInt(w[1]), new java.io.File(w[2].trim())));
                    }
                    case "quit" -> {
                        return;
                    }
                    default -> throw new IllegalArgumentException("unknown command: " + line);
                }
            }
        }
    }

    /**
     * One training step as the pipeline takes it (MethodStepBenchmark's set-up with CE): SameDiff's forward,
     * backward and Nesterov update of the network on a prepared batch (augmented and standardised outside
     * the measurement), cycling over 8 batches.
     */
    private static final class TrainStep {
        private final Network net;
        private final MultiDataSet[] batches = new MultiDataSet[MethodStepBenchmark.BATCHES];
        private int next;

        TrainStep(String network, int size) {
            if (size != 28 && size != 14) throw new IllegalArgumentException("size must be 28 or 14, got " + size);
            StageTrainer trainer = MethodStepBenchmark.trainer(DistillConfig.CE, ResNetSpec.of(network).withWidth(16),
                    size == 28 ? Degrade.NONE : Degrade.by(2), false);
            net = trainer.prepare(null);
            for (int b = 0; b < batches.length; b++) batches[b] = trainer.batch(net, 0, b);
            io.horkd.nd4j.nn.BatchNorm.setTraining(net.graph(), true);
        }

        long params() {
            long n = 0;
            for (SDVariable v : net.graph().variables()) {
                if (v.getVariableType() == VariableType.VARIABLE) n += v.getArr().length();
            }
            return n;
        }

        void run() {
            net.graph().fit(batches[next]);
            next = (next + 1) % batches.length;
        }

        /** JSON: the wall time a step and the time each op type took a step, largest first. */
        String profile(int steps, java.io.File trace) {
            try {
                java.nio.file.Files.deleteIfExists(trace.toPath()); // a rerun's trace replaces the last one's
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            ProfilingListener listener = ProfilingListener.builder(trace).recordAll().build();
            net.graph().addListeners(listener);
            long t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) run();
            double stepMs = (System.nanoTime() - t0) / 1e6 / steps;
            net.graph().getListeners().remove(listener);
            listener.operationEnd(net.graph(), Operation.TRAINING); // flushes the trace
            java.util.Map<String, Double> byOp = new java.util.HashMap<>();
            for (TraceEvent e : ProfileAnalyzer.getTraceEvents(trace, ProfileAnalyzer.ProfileFormat.SAMEDIFF)) {
                if (e.getDur() == null || e.getArgs() == null || e.getCategories() == null || !e.getCategories().contains("Op")) continue;
                Object op = e.getArgs().getOrDefault("op", e.getName());
                byOp.merge(String.valueOf(op), e.getDur() / 1e3 / steps, Double::sum);
            }
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "{\"step_ms\": %.3f, \"ops\": {", stepMs));
            String sep = "";
            for (var e : byOp.entrySet().stream().sorted(java.util.Map.Entry.<String, Double>comparingByValue().reversed()).toList()) {
                sb.append(sep).append('"').append(e.getKey()).append("\": ").append(String.format(Locale.ROOT, "%.3f", e.getValue()));
                sep = ", ";
            }
            return sb.append("}}").toString();
        }
    }

    private static LossInput read(Path dir) throws Exception {
        Npy.Array s = Npy.read(dir.resolve("s.npy"));
        Npy.Array t = Npy.read(dir.resolve("t.npy"));
        LossInput input = LossInput.of(Features.of(s.toFloatArray(), s.shape()[0], s.shape()[1]),
                Features.of(t.toFloatArray(), t.shape()[0], t.shape()[1]));
        Path labels = dir.resolve("labels.npy");
        return Files.exists(labels) ? input.withLabels(Labels.of(Npy.read(labels).toIntArray())) : input;
    }

    /** A {@code /proc/self/status} figure in bytes (-1 where there is none). */
    private static long status(String key) throws Exception {
        Path p = Path.of("/proc/self/status");
        if (!Files.exists(p)) return -1;
        for (String l : Files.readAllLines(p)) {
            if (l.startsWith(key + ":")) return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
        }
        return -1;
    }
}
