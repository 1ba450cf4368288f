package io.horkd.train.config;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.horkd.train.data.Resize;
import io.horkd.train.model.ResNetSpec;
import io.horkd.core.loss.Objective;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/**
 * The whole distillation run, as read from YAML ({@code presets/default.yaml} documents every key):
 * data, the low-resolution factors, the three streams, the HORKD objectives, the baselines' methods (each
 * an {@link Objective}), training, seeds and evaluation. {@link #load} starts from a preset or a file and applies {@code key.path=value} overrides.
 */
public record DistillConfig(Data data, LowResolution lowResolution, Stream teacher, Stream assistant, Student student,
        Objective loss, Map<String, Objective> methods, Train train, List<String> baselines, List<Long> seeds, Eval eval,
        Metric metric) {

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
     * The LR students' schedule, initialisation and, where {@code loss} is given, their HORKD objective in
     * place of the shared {@code loss} (the assistant's).
     */
    public record Student(int epochs, boolean initFromAssistant, Objective loss) {}

    public record Train(int batch, double lr, double weightDecay, int cropPad, boolean flip) {}

    public record Eval(List<Integer> recallK, int recallQueries) {}

    /**
     * The metric-learning protocol (the paper's section 4.3; {@code presets/metric.yaml}), where given: the
     * streams train on the images of {@code trainClasses} (labels renumbered in that order) and are evaluated
     * by retrieval on the test images of {@code testClasses}, classes they never saw. Every stream gets the
     * cosine head ({@link ResNetSpec.Head#COSINE}), so that CE is the normalised-softmax metric loss, and
     * retrieval ranks by cosine similarity of the pooled features. Absent (null): classification.
     */
    public record Metric(List<Integer> trainClasses, List<Integer> testClasses) {
        public Metric {
            if (trainClasses == null || trainClasses.size() < 2) {
                throw new IllegalArgumentException("metric.trainClasses must name at least 2 classes, got " + trainClasses);
            }
            if (testClasses == null || testClasses.size() < 2) {
                throw new IllegalArgumentException("metric.testClasses must name at least 2 classes, got " + testClasses);
            }
            if (new java.util.HashSet<>(trainClasses).size() != trainClasses.size() || new java.util.HashSet<>(testClasses).size() != testClasses.size()) {
                throw new IllegalArgumentException("metric.trainClasses " + trainClasses + " and metric.testClasses " + testClasses
                        + " must not repeat a class");
            }
            List<Integer> both = trainClasses.stream().filter(testClasses::contains).toList();
            if (!both.isEmpty()) {
                throw new IllegalArgumentException("metric.trainClasses " + trainClasses + " and metric.testClasses " + testClasses
                        + " share " + both + ": the protocol evaluates on classes the networks never saw");
            }
            trainClasses = List.copyOf(trainClasses);
            testClasses = List.copyOf(testClasses);
        }
    }

    /**
     * The students a run may add to the HORKD student besides its {@code methods}: {@code scratch} (CE, no
     * teacher), {@code direct} (HORKD from the HR teacher, skipping the assistant), and the controls for
     * the two-stage weight transfer, {@code init-ce} and {@code init-kd} (CE, or the {@code kd} method,
     * from the assistant's weights). A method is taught by the assistant; as {@code direct-<method>}, by the
     * HR teacher directly.
     */
    public static final List<String> CONTROLS = List.of("scratch", "direct", "init-ce", "init-kd");

    /** The prefix of a baseline taught by the HR teacher directly: {@code direct-<method>} (as {@code direct} is HORKD so). */
    public static final String DIRECT = "direct-";

    /** The method of baseline {@code direct-<method>}, or null for any other name. */
    public static String directMethod(String baseline) {
        return baseline.startsWith(DIRECT) ? baseline.substring(DIRECT.length()) : null;
    }

    /** CE alone: a teacher, or a student from scratch. */
    public static final Objective CE = Objective.parse("ce");

    /** Objectives in YAML: a map ({@link Objective#fromMap}) or the text form ({@link Objective#parse}). */
    public static final SimpleModule OBJECTIVES = new SimpleModule("horkd-objectives")
            .addSerializer(Objective.class, new JsonSerializer<>() {
                @Override
                public void serialize(Objective o, JsonGenerator gen, SerializerProvider p) throws IOException {
                    gen.writeObject(o.toMap());
                }
            })
            .addDeserializer(Objective.class, new JsonDeserializer<>() {
                @Override
                public Objective deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
                    JsonNode n = p.readValueAsTree();
                    try {
                        if (n.isTextual()) return Objective.parse(n.asText());
                        if (n.isObject()) return Objective.fromMap(p.getCodec().treeToValue(n, Map.class));
                    } catch (IllegalArgumentException e) {
                        throw JsonMappingException.from(p, e.getMessage(), e);
                    }
                    throw JsonMappingException.from(p, "an objective is a map {term: weight or {weight: w, option: value}} "
                            + "or a text like \"ce + 0.02*l2\", got " + n);
                }
            });

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER))
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .registerModule(OBJECTIVES);

    /** Checks what the types cannot. */
    public DistillConfig {
        if (lowResolution.factors().isEmpty() || lowResolution.factors().stream().anyMatch(f -> f < 2)) {
            throw new IllegalArgumentException("lowResolution.factors must be one or more factors >= 2, got " + lowResolution.factors());
        }
        Resize.Filter.parse(lowResolution.filter());
        methods = methods == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(methods));
        for (String b : baselines) {
            if (!CONTROLS.contains(b) && !methods.containsKey(b) && !methods.containsKey(directMethod(b))) {
                throw new IllegalArgumentException("unknown baseline '" + b + "'; known: the methods " + methods.keySet()
                        + ", each also as direct-<method> (taught by the HR teacher directly), and the controls " + CONTROLS);
            }
            if (CONTROLS.contains(b) && methods.containsKey(b)) {
                throw new IllegalArgumentException("method '" + b + "' has the name of a control; rename it");
            }
        }
        if (baselines.contains("init-kd") && !methods.containsKey("kd")) {
            throw new IllegalArgumentException("baseline init-kd trains the kd method from the assistant's weights: "
                    + "methods must define kd");
        }
        if (loss == null || loss.isEmpty()) throw new IllegalArgumentException("loss must name at least one term");
        if (seeds.isEmpty()) throw new IllegalArgumentException("seeds must name at least one seed");
        if (train.batch() < 3) throw new IllegalArgumentException("train.batch must be >= 3 (the angle loss), got " + train.batch());
        teacher.spec();
        assistant.spec();
        baselines = List.copyOf(baselines);
        seeds = List.copyOf(seeds);
    }

    /**
     * A preset ({@code default}, {@code metric}, {@code paper}) or a YAML file, with {@code overrides} ({@code a.b=value};
     * lists comma-separated) applied.
     */
    public static DistillConfig load(String presetOrFile, List<String> overrides) {
        JsonNode tree = upgrade(read(presetOrFile));
        for (String o : overrides) apply((ObjectNode) tree, o);
        try {
            return YAML.treeToValue(tree, DistillConfig.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("invalid configuration (" + presetOrFile + (overrides.isEmpty() ? "" : " with " + overrides)
                    + "): " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()), e);
        }
    }

    /** The keys of a loss in configurations written before objectives (horkd up to 2026-11-30). */
    private static final java.util.Set<String> LEGACY_LOSS = java.util.Set.of("w1", "alpha", "beta", "gamma", "batchCenters");

    /**
     * A configuration written by an earlier horkd (a run's {@code config.yaml} or {@code results.json}),
     * rewritten in place to the current form, so that old runs still report: a loss
     * {@code {w1, alpha, beta, gamma, batchCenters}} meant {@code ce + w1*l1 + alpha*l2 + beta*l3 + gamma*lc}
     * (centres of the batch or of the dataset), and the top-level {@code kd: {weight, temperature}} defined
     * the two baselines that were built in: {@code kd} (CE + KD) and {@code rkd} (CE and the students' L2
     * and L3). A current configuration is returned unchanged.
     */
    public static JsonNode upgrade(JsonNode config) {
        if (!(config instanceof ObjectNode root)) return config;
        JsonNode student = root.get("student");
        if (root.get("loss") instanceof ObjectNode l && isLegacyLoss(l)) root.set("loss", objectiveOf(l));
        if (student instanceof ObjectNode st && st.get("loss") instanceof ObjectNode l && isLegacyLoss(l)) {
            st.set("loss", objectiveOf(l));
        }
        if (root.get("kd") instanceof ObjectNode kd && !root.has("methods")) {
            JsonNode horkd = student != null && student.get("loss") instanceof ObjectNode sl ? sl : root.get("loss");
            ObjectNode methods = JsonNodeFactory.instance.objectNode();
            ObjectNode kdMethod = methods.putObject("kd");
            kdMethod.put("ce", 1.0);
            kdMethod.putObject("kd").put("weight", kd.path("weight").asDouble(1)).put("temperature", kd.path("temperature").asDouble(4));
            ObjectNode rkd = methods.putObject("rkd");
            rkd.put("ce", 1.0);
            rkd.put("l2", horkd.path("l2").asDouble(0));
            rkd.put("l3", horkd.path("l3").asDouble(0));
            root.remove("kd");
            root.set("methods", methods);
        }
        return root;
    }

    private static boolean isLegacyLoss(ObjectNode loss) {
        java.util.Iterator<String> names = loss.fieldNames();
        boolean any = false;
        while (names.hasNext()) {
            if (!LEGACY_LOSS.contains(names.next())) return false;
            any = true;
        }
        return any;
    }

    private static ObjectNode objectiveOf(ObjectNode legacy) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("ce", 1.0);
        o.put("l1", legacy.path("w1").asDouble(0));
        o.put("l2", legacy.path("alpha").asDouble(0));
        o.put("l3", legacy.path("beta").asDouble(0));
        o.putObject("lc").put("weight", legacy.path("gamma").asDouble(0))
                .put("scope", legacy.path("batchCenters").asBoolean(false) ? "batch" : "dataset");
        return o;
    }

    private static JsonNode read(String presetOrFile) {
        try {
            Path p = Path.of(presetOrFile);
            if (Files.isRegularFile(p)) return YAML.readTree(p.toFile());
            try (InputStream in = DistillConfig.class.getResourceAsStream("/io/horkd/train/presets/" + presetOrFile + ".yaml")) {
                if (in == null) {
                    throw new IllegalArgumentException("'" + presetOrFile + "' is neither a file nor a preset (default, full, metric, paper)");
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
        boolean newMethod = path.length == 2 && path[0].equals("methods");
        if (old == null && !newMethod) throw new IllegalArgumentException("unknown configuration key '" + override.substring(0, eq) + "'");
        if (old != null && old.isArray()) {
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

    /** The assistant's HORKD objective (the shared {@code loss}). */
    public Objective assistantLoss() {
        return loss;
    }

    /** The LR students' HORKD objective: {@code student.loss}, or the shared {@code loss} where it is not given. */
    public Objective studentLoss() {
        return student.loss() == null ? loss : student.loss();
    }

    /** The objective of method {@code name} ({@code methods}). */
    public Objective method(String name) {
        Objective o = methods.get(name);
        if (o == null) throw new IllegalArgumentException("unknown method '" + name + "'; the configuration defines " + methods.keySet());
        return o;
    }

    /** Whether this is the metric-learning protocol ({@link Metric}) rather than classification. */
    public boolean metricLearning() { // not isMetric(): Jackson would take it for the metric property's getter
        return metric != null;
    }

    /** {@code stream}'s network, with the cosine head on the metric protocol. */
    public ResNetSpec network(Stream stream) {
        return stream.spec().withHead(metricLearning() ? ResNetSpec.Head.COSINE : ResNetSpec.Head.LINEAR);
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
