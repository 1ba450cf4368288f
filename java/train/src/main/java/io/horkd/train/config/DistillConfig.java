package io.horkd.train.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.horkd.train.data.Resize;
import io.horkd.train.model.ResNetSpec;
import io.horkd.train.stage.LossWeights;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The whole distillation run, as read from YAML ({@code presets/default.yaml} documents every key):
 * data, the low-resolution factors, the three streams, the loss weights, training, baselines, seeds and
 * evaluation. {@link #load} starts from a preset or a file and applies {@code key.path=value} overrides.
 */
public record DistillConfig(Data data, LowResolution lowResolution, Stream teacher, Stream assistant, Student student,
        Loss loss, Kd kd, Train train, List<String> baselines, List<Long> seeds, Eval eval) {

    public record Data(String dataset, String path, int trainLimit, int testLimit, int imageSize) {}

    public record LowResolution(List<Integer> factors, String filter, boolean upsample) {}

    public record Stream(String network, int width, String stem, int epochs, String load) {
        /** The network, with the width and stem of this stream. */
        public ResNetSpec spec() {
            ResNetSpec s = ResNetSpec.of(network).withWidth(width);
            if (stem != null && !stem.isBlank()) s = s.withStem(ResNetSpec.Stem.valueOf(stem.trim().toUpperCase(Locale.ROOT)));
            return s;
        }
    }

    /**
     * The LR students' schedule, initialisation and, where {@code loss} is given, its weights in place of
     * the shared {@code loss} block's (a key left out keeps the shared value).
     */
    public record Student(int epochs, boolean initFromAssistant, LossOverride loss) {}

    /** The HORKD weights: {@code CE + w1 L1 + alpha L2 + beta L3 + gamma LC}. */
    public record Loss(double w1, double alpha, double beta, double gamma, boolean batchCenters) {
        public Loss {
            weight("w1", w1);
            weight("alpha", alpha);
            weight("beta", beta);
            weight("gamma", gamma);
        }
    }

    /** Some of {@link Loss}'s keys; null ones are taken from the shared block. */
    public record LossOverride(Double w1, Double alpha, Double beta, Double gamma, Boolean batchCenters) {
        public LossOverride {
            if (w1 != null) weight("student.loss.w1", w1);
            if (alpha != null) weight("student.loss.alpha", alpha);
            if (beta != null) weight("student.loss.beta", beta);
            if (gamma != null) weight("student.loss.gamma", gamma);
        }

        Loss over(Loss base) {
            return new Loss(w1 != null ? w1 : base.w1(), alpha != null ? alpha : base.alpha(), beta != null ? beta : base.beta(),
                    gamma != null ? gamma : base.gamma(), batchCenters != null ? batchCenters : base.batchCenters());
        }
    }

    public record Kd(double weight, double temperature) {}

    public record Train(int batch, double lr, double weightDecay, int cropPad, boolean flip) {}

    public record Eval(List<Integer> recallK, int recallQueries) {}

    private static void weight(String key, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) throw new IllegalArgumentException(key + " must be finite and >= 0, got " + v);
    }

    /** The baselines a run may add to the HORKD student. */
    public static final List<String> BASELINES = List.of("scratch", "kd", "rkd", "direct", "init-ce", "init-kd");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER))
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    /** Checks what the types cannot. */
    public DistillConfig {
        if (lowResolution.factors().isEmpty() || lowResolution.factors().stream().anyMatch(f -> f < 2)) {
            throw new IllegalArgumentException("lowResolution.factors must be one or more factors >= 2, got " + lowResolution.factors());
        }
        Resize.Filter.parse(lowResolution.filter());
        for (String b : baselines) {
            if (!BASELINES.contains(b)) throw new IllegalArgumentException("unknown baseline '" + b + "'; known: " + BASELINES);
        }
        if (seeds.isEmpty()) throw new IllegalArgumentException("seeds must name at least one seed");
        if (train.batch() < 3) throw new IllegalArgumentException("train.batch must be >= 3 (the angle loss), got " + train.batch());
        teacher.spec();
        assistant.spec();
        baselines = List.copyOf(baselines);
        seeds = List.copyOf(seeds);
    }

    /**
     * A preset ({@code default}, {@code paper}) or a YAML file, with {@code overrides} ({@code a.b=value};
     * lists comma-separated) applied.
     */
    public static DistillConfig load(String presetOrFile, List<String> overrides) {
        JsonNode tree = read(presetOrFile);
        for (String o : overrides) apply((ObjectNode) tree, o);
        try {
            return YAML.treeToValue(tree, DistillConfig.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("invalid configuration (" + presetOrFile + (overrides.isEmpty() ? "" : " with " + overrides)
                    + "): " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()), e);
        }
    }

    private static JsonNode read(String presetOrFile) {
        try {
            Path p = Path.of(presetOrFile);
            if (Files.isRegularFile(p)) return YAML.readTree(p.toFile());
            try (InputStream in = DistillConfig.class.getResourceAsStream("/io/horkd/train/presets/" + presetOrFile + ".yaml")) {
                if (in == null) {
                    throw new IllegalArgumentException("'" + presetOrFile + "' is neither a file nor a preset (default, paper)");
                }
                return YAML.readTree(in);
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("configuration " + presetOrFile + " is not valid YAML: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read configuration " + presetOrFile, e);
        }
    }

    /** Sets {@code a.b.c} to a value parsed as YAML (lists by commas), only where the key exists. */
    private static void apply(ObjectNode root, String override) {
        int eq = override.indexOf('=');
        if (eq <= 0) throw new IllegalArgumentException("override '" + override + "' is not key.path=value");
        String[] path = override.substring(0, eq).trim().split("\\.");
        String value = override.substring(eq + 1).trim();
        ObjectNode node = root;
        for (int i = 0; i < path.length - 1; i++) {
            JsonNode child = node.get(path[i]);
            if (!(child instanceof ObjectNode o)) throw new IllegalArgumentException("unknown configuration key '" + override.substring(0, eq) + "'");
            node = o;
        }
        String leaf = path[path.length - 1];
        JsonNode old = node.get(leaf);
        if (old == null) throw new IllegalArgumentException("unknown configuration key '" + override.substring(0, eq) + "'");
        if (old.isArray()) {
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            for (String part : value.split(",")) if (!part.isBlank()) a.add(scalar(part.trim()));
            node.set(leaf, a);
        } else {
            node.set(leaf, scalar(value));
        }
    }

    private static JsonNode scalar(String v) {
        try {
            return YAML.readTree(v.isEmpty() ? "\"\"" : v);
        } catch (IOException e) {
            return JsonNodeFactory.instance.textNode(v);
        }
    }

    /** The configuration as YAML (written into the run directory). */
    public String toYaml() {
        try {
            return YAML.writeValueAsString(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The assistant's HORKD loss (the shared {@code loss} block). */
    public LossWeights assistantLoss() {
        return horkd(loss);
    }

    /** The LR students' HORKD loss: the shared block with {@code student.loss}'s keys over it. */
    public LossWeights studentLoss() {
        return horkd(student.loss() == null ? loss : student.loss().over(loss));
    }

    /** The KD-only baselines' loss: CE plus Hinton's KD with {@code kd}'s weight and temperature. */
    public LossWeights kdLoss() {
        return new LossWeights(1, 0, 0, 0, 0, false, kd.weight(), kd.temperature());
    }

    /** The RKD baseline's loss: CE plus the students' L2 and L3 weights, no centres. */
    public LossWeights rkdLoss() {
        LossWeights s = studentLoss();
        return new LossWeights(1, 0, s.alpha(), s.beta(), 0, false, 0, kd.temperature());
    }

    private LossWeights horkd(Loss l) {
        return new LossWeights(1, l.w1(), l.alpha(), l.beta(), l.gamma(), l.batchCenters(), 0, kd.temperature());
    }

    /** The filter named by {@link LowResolution#filter()}. */
    public Resize.Filter filter() {
        return Resize.Filter.parse(lowResolution.filter());
    }

    /** The low-resolution view at {@code factor}, with the configured filter and up-sampling. */
    public io.horkd.train.data.Degrade degrade(int factor) {
        return new io.horkd.train.data.Degrade(factor, filter(), lowResolution.upsample());
    }
}
