package io.horkd.train.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.horkd.core.loss.Objective;
import io.horkd.core.mem.NativeHeap;
import io.horkd.train.config.DistillConfig;
import io.horkd.train.data.Augment;
import io.horkd.train.data.Datasets;
import io.horkd.train.data.Degrade;
import io.horkd.train.data.ImageSet;
import io.horkd.train.data.Views;
import io.horkd.train.eval.Evaluator;
import io.horkd.train.model.Network;
import io.horkd.train.stage.StageConfig;
import io.horkd.train.stage.StageTrainer;
import io.horkd.train.stage.TeacherCache;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The paper's two-stage cross-resolution distillation, end to end, with its baselines: per seed, a
 * teacher on HR images (or a loaded one); an assistant from the teacher on HR (cross-structure); per LR
 * factor, the HORKD student from the assistant on LR (cross-resolution), and the baselines on the same
 * LR images: from scratch ({@code scratch}), KD only from the assistant ({@code kd}), RKD (L2 + L3) only
 * from the assistant ({@code rkd}), HORKD from the teacher directly, without the assistant ({@code direct}),
 * and, as controls for {@code student.initFromAssistant}, CE only and KD only from the assistant's weights
 * ({@code init-ce}, {@code init-kd}).
 * Every network is evaluated on the test set (top-1, top-5, confusion; Recall@K of LR queries against
 * the HR gallery), the teacher and assistant also at each LR factor (the resolution gap).
 *
 * <p>The run directory holds {@code config.yaml}, {@code metrics.jsonl} (an epoch per line),
 * {@code checkpoints/} (resume), {@code models/} (SameDiff), {@code results.json} and the report.
 */
public final class Pipeline {
    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .registerModule(DistillConfig.OBJECTIVES);
    private static final int EVAL_BATCH = 256;

    private final DistillConfig cfg;
    private final Path run;
    private final StageTrainer.Listener listener;

    public Pipeline(DistillConfig cfg, Path runDir, StageTrainer.Listener listener) {
        this.cfg = cfg;
        this.run = runDir;
        this.listener = listener;
    }

    /** An LR student of the run: the method's name, its loss, and the network it learns from (or null). */
    private record Student(String method, Objective loss, TeacherCache teacher) {}

    /**
     * One evaluated network at one input view: top-1, top-5 and the confusion matrix (NaN and null on the
     * metric protocol); Recall@K of the view's queries against the same network's HR gallery ({@code recall})
     * and against the queries themselves ({@code recallWithin}: LR against LR, the paper's Table 4; null in
     * runs before 2026-12-02).
     */
    public record Evaluation(String method, String stage, long seed, int factor, int side, double top1, double top5, double[] recall,
            long[][] confusion, double[] recallWithin) {}

    /**
     * Everything the report needs. {@code classNames}: the training classes; {@code testClassNames}: the
     * test set's where they differ (the metric protocol), else null. {@code processes}: one entry per process
     * that worked on the run (one more per {@code --resume}); empty in runs of versions before 2026-12-02.
     */
    public record Results(DistillConfig config, int hrSide, List<String> classNames, List<String> testClassNames,
            List<Evaluation> evaluations, List<StageTrainer.EpochMetrics> epochs, List<RunProcess> processes) {
        public Results {
            processes = processes == null ? List.of() : List.copyOf(processes);
        }

        /** Wall time of all the processes together, in seconds. */
        public double seconds() {
            return processes.stream().mapToDouble(RunProcess::seconds).sum();
        }

        /** The largest peak resident memory of the processes, in bytes; -1 where none was measured. */
        public long peakResidentBytes() {
            return processes.stream().mapToLong(RunProcess::peakResidentBytes).max().orElse(-1);
        }
    }

    /**
     * One process's part of a run: when it started (ISO-8601), its wall time until the last write, and its
     * peak resident memory ({@code VmHWM}; -1 where the system does not say).
     */
    public record RunProcess(String started, double seconds, long peakResidentBytes) {}

    /**
     * Loads the configured data: the train and test sets, on the metric protocol only their images of
     * {@code metric.trainClasses} and {@code metric.testClasses}, then limited as configured.
     */
    public static Datasets.Split data(DistillConfig cfg) {
        DistillConfig.Data d = cfg.data();
        Datasets.Split s = switch (d.dataset()) {
            case "fashion-mnist" -> Datasets.fashionMnist(Path.of(d.path()));
            case "cifar" -> Datasets.cifar(Path.of(d.path()));
            case "folder" -> {
                if (d.imageSize() < 1) throw new IllegalArgumentException("data.imageSize must be set for folder datasets");
                yield new Datasets.Split(Datasets.imageFolder(Path.of(d.path(), "train"), d.imageSize()),
                        Datasets.imageFolder(Path.of(d.path(), "test"), d.imageSize()));
            }
            default -> throw new IllegalArgumentException("unknown dataset '" + d.dataset() + "': fashion-mnist, cifar or folder");
        };
        ImageSet train = cfg.metricLearning() ? s.train().ofClasses(cfg.metric().trainClasses()) : s.train();
        ImageSet test = cfg.metricLearning() ? s.test().ofClasses(cfg.metric().testClasses()) : s.test();
        if (d.trainLimit() > 0) train = train.head(d.trainLimit());
        if (d.testLimit() > 0) test = test.head(d.testLimit());
        return new Datasets.Split(train, test);
    }

    public Results run() {
        String started = java.time.OffsetDateTime.now().withNano(0).toString();
        long t0 = System.nanoTime();
        List<RunProcess> earlier = earlierProcesses();
        java.util.function.Supplier<List<RunProcess>> processes = () -> {
            List<RunProcess> all = new ArrayList<>(earlier);
            all.add(new RunProcess(started, (System.nanoTime() - t0) / 1e9, NativeHeap.peakResidentBytes()));
            return all;
        };
        try {
            Files.createDirectories(run.resolve("models"));
            Files.writeString(run.resolve("config.yaml"), cfg.toYaml());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create run directory " + run, e);
        }
        Datasets.Split data = data(cfg);
        ImageSet train = data.train();
        ImageSet test = data.test();
        LOG.info("data: {} training and {} test images of {}x{}x{}, {} classes", train.size(), test.size(), train.channels(),
                train.height(), train.width(), train.classes());
        Views views = Views.standardising(train);
        List<String> testNames = test.classNames().equals(train.classNames()) ? null : test.classNames();
        List<Evaluation> evals = new ArrayList<>();
        List<StageTrainer.EpochMetrics> epochs = new ArrayList<>();
        StageTrainer.Listener recording = recorder();
        int side = train.height();
        DistillConfig.Train t = cfg.train();
        Augment augment = new Augment(t.cropPad(), t.flip());
        Objective assistantLoss = cfg.assistantLoss();
        Objective horkd = cfg.studentLoss();
        for (long seed : cfg.seeds()) {
            Network teacher;
            if (cfg.teacher().load() != null && !cfg.teacher().load().isBlank()) {
                teacher = Network.load(Path.of(cfg.teacher().load()), "teacher-s" + seed);
            } else {
                teacher = stage(new StageConfig("teacher-s" + seed, cfg.network(cfg.teacher()), Degrade.NONE, Degrade.NONE, DistillConfig.CE,
                        cfg.teacher().epochs(), t.batch(), t.lr(), t.weightDecay(), augment, seed), train, test, views, null, null, recording, epochs);
            }
            // The run's caches of what each frozen teacher computes, shared by the stages it teaches.
            TeacherCache teacherCache = new TeacherCache(teacher);
            Network assistant = stage(new StageConfig("assistant-s" + seed, cfg.network(cfg.assistant()), Degrade.NONE, Degrade.NONE, assistantLoss,
                    cfg.assistant().epochs(), t.batch(), t.lr(), t.weightDecay(), augment, seed), train, test, views, teacherCache, null, recording, epochs);
            TeacherCache assistantCache = new TeacherCache(assistant);
            evals.addAll(evaluateHr("teacher", "teacher-s" + seed, teacher, seed, test, views, side));
            evals.addAll(evaluateHr("assistant", "assistant-s" + seed, assistant, seed, test, views, side));
            for (int factor : cfg.lowResolution().factors()) {
                Degrade lr = cfg.degrade(factor);
                List<Student> students = new ArrayList<>();
                students.add(new Student("horkd", horkd, assistantCache));
                for (String b : cfg.baselines()) {
                    switch (b) {
                        case "scratch", "init-ce" -> students.add(new Student(b, DistillConfig.CE, null));
                        case "direct" -> students.add(new Student(b, horkd, teacherCache));
                        case "init-kd" -> students.add(new Student(b, cfg.method("kd"), assistantCache));
                        default -> students.add(DistillConfig.directMethod(b) != null && !cfg.methods().containsKey(b)
                                ? new Student(b, cfg.method(DistillConfig.directMethod(b)), teacherCache)
                                : new Student(b, cfg.method(b), assistantCache));
                    }
                }
                for (Student st : students) {
                    String name = st.method() + "-x" + factor + "-s" + seed;
                    boolean fromAssistant = st.method().startsWith("init-") || st.method().equals("horkd") && cfg.student().initFromAssistant();
                    Network init = fromAssistant ? assistant : null;
                    Network s = stage(new StageConfig(name, cfg.network(cfg.assistant()), lr, Degrade.NONE, st.loss(), cfg.student().epochs(),
                            t.batch(), t.lr(), t.weightDecay(), augment, seed), train, test, views, st.teacher(), init, recording, epochs);
                    evals.add(evaluateLr(st.method(), name, s, seed, test, views, lr, factor, side));
                }
            }
            writeResults(new Results(cfg, side, train.classNames(), testNames, evals, epochs, processes.get()));
        }
        Results r = new Results(cfg, side, train.classNames(), testNames, evals, epochs, processes.get());
        writeResults(r);
        return r;
    }

    /** The processes that worked on this run before this one (a resumed run), from its results.json. */
    private List<RunProcess> earlierProcesses() {
        Path json = run.resolve("results.json");
        if (!Files.isRegularFile(json)) return List.of();
        try {
            var node = JSON.readTree(json.toFile()).get("processes");
            return node == null ? List.of() : List.of(JSON.treeToValue(node, RunProcess[].class));
        } catch (IOException e) {
            LOG.warn("cannot read the earlier processes' times from {} ({}); the run's time will count this process only", json, e.toString());
            return List.of();
        }
    }

    private Network stage(StageConfig sc, ImageSet train, ImageSet test, Views views, TeacherCache teacher, Network init,
            StageTrainer.Listener recording, List<StageTrainer.EpochMetrics> epochs) {
        LOG.info("stage {}: {} on {} with {}", sc.name(), sc.network(), sc.input().describe(train.height()), sc.loss());
        StageTrainer.Result r = new StageTrainer(sc, train, test, views, teacher, run.resolve("checkpoints"), recording).run(init);
        epochs.addAll(r.history()); // with the epochs of earlier runs where this one resumed
        r.network().save(run.resolve("models"), sc.name());
        return r.network();
    }

    /** An HR network at HR and at every LR factor (the resolution gap); its HR pass is also the gallery. */
    private List<Evaluation> evaluateHr(String method, String stage, Network n, long seed, ImageSet test, Views views, int side) {
        Evaluator.Embedding hr = Evaluator.embed(n, test, views, Degrade.NONE, EVAL_BATCH);
        float[][] gallery = retrievalSpace(hr.features(cfg.eval().recallQueries()));
        List<Evaluation> out = new ArrayList<>();
        out.add(evaluation(method, stage, seed, test, hr, gallery, Degrade.NONE, 1, side));
        for (int f : cfg.lowResolution().factors()) {
            Degrade lr = cfg.degrade(f);
            out.add(evaluation(method, stage, seed, test, Evaluator.embed(n, test, views, lr, EVAL_BATCH), gallery, lr, f, side));
        }
        NativeHeap.release(); // the embeddings' buffers
        return out;
    }

    /** An LR student at its view, its queries searching its own embedding of the HR images and of the LR images. */
    private Evaluation evaluateLr(String method, String stage, Network n, long seed, ImageSet test, Views views, Degrade lr, int factor,
            int side) {
        float[][] gallery = retrievalSpace(Evaluator.embed(n, test.head(cfg.eval().recallQueries()), views, Degrade.NONE, EVAL_BATCH).features());
        Evaluation e = evaluation(method, stage, seed, test, Evaluator.embed(n, test, views, lr, EVAL_BATCH), gallery, lr, factor, side);
        NativeHeap.release(); // the embeddings' buffers
        return e;
    }

    /** The features retrieval compares: as they are for classification, unit length (cosine) on the metric protocol. */
    private float[][] retrievalSpace(float[][] features) {
        return retrievalSpace(cfg, features);
    }

    /** The features retrieval compares under {@code cfg}: as they are, or unit length on the metric protocol ({@code horkd eval} too). */
    public static float[][] retrievalSpace(DistillConfig cfg, float[][] features) {
        return cfg.metricLearning() ? Evaluator.normalized(features) : features;
    }

    /**
     * Top-1, top-5 and confusion from the view's logits (NaN and none on the metric protocol, whose test
     * classes the heads do not have); Recall@K of its first features against the HR gallery and among
     * themselves.
     */
    private Evaluation evaluation(String method, String stage, long seed, ImageSet test, Evaluator.Embedding e, float[][] gallery,
            Degrade view, int factor, int side) {
        int[] ks = cfg.eval().recallK().stream().mapToInt(Integer::intValue).toArray();
        float[][] queries = retrievalSpace(e.features(gallery.length));
        double[] recall = Evaluator.recallAtK(queries, gallery, test.labels(), ks);
        double[] within = Evaluator.recallAtK(queries, queries, test.labels(), ks);
        if (cfg.metricLearning()) {
            LOG.info("{} at {}: Recall@{} {} among {} queries, {} against the HR gallery", stage, view.describe(side), ks[0], pct(within[0]),
                    view.describe(side), pct(recall[0]));
            return new Evaluation(method, stage, seed, factor, view.outSide(side), Double.NaN, Double.NaN, recall, null, within);
        }
        Evaluator.Classification c = Evaluator.classify(e.logits(), test.labels(), test.classes());
        LOG.info("{} at {}: top-1 {}, top-5 {}, Recall@{} {}", stage, view.describe(side), pct(c.top1()), pct(c.top5()), ks[0], pct(recall[0]));
        return new Evaluation(method, stage, seed, factor, view.outSide(side), c.top1(), c.top5(), recall, c.confusion(), within);
    }

    private static String pct(double v) {
        return String.format(java.util.Locale.ROOT, "%.2f%%", 100 * v);
    }

    /** Forwards to the caller's listener and appends each epoch to metrics.jsonl as it ends. */
    private StageTrainer.Listener recorder() {
        Path metrics = run.resolve("metrics.jsonl");
        return new StageTrainer.Listener() {
            @Override
            public void epochStarted(String stage, int epoch, int total, int steps) {
                if (listener != null) listener.epochStarted(stage, epoch, total, steps);
            }

            @Override
            public void step(String stage, int epoch, int step, int steps, double loss, double ips) {
                if (listener != null) listener.step(stage, epoch, step, steps, loss, ips);
            }

            @Override
            public void epochEnded(String stage, StageTrainer.EpochMetrics m) {
                try (Writer w = Files.newBufferedWriter(metrics, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                    w.write(new ObjectMapper().writeValueAsString(m) + "\n");
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot append to " + metrics, e);
                }
                if (listener != null) listener.epochEnded(stage, m);
            }
        };
    }

    private void writeResults(Results r) {
        try {
            JSON.writeValue(run.resolve("results.json").toFile(), r);
            Report.write(r, run);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write results to " + run, e);
        }
    }
}
