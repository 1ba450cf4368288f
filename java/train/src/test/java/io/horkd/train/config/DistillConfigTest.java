package io.horkd.train.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.horkd.core.loss.Objective;
import io.horkd.train.model.ResNetSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DistillConfigTest {
    @Test
    void presetsLoadAndOverridesApply() {
        DistillConfig d = DistillConfig.load("default", List.of());
        assertEquals("fashion-mnist", d.data().dataset());
        assertEquals(List.of(2, 4), d.lowResolution().factors());
        assertEquals(0.02, d.loss().weight("l2"));
        DistillConfig o = DistillConfig.load("default", List.of("teacher.epochs=9", "seeds=1,2,3", "lowResolution.filter=bicubic",
                "teacher.stem=imagenet"));
        assertEquals(9, o.teacher().epochs());
        assertEquals(List.of(1L, 2L, 3L), o.seeds());
        assertEquals(ResNetSpec.Stem.IMAGENET, o.teacher().spec().stem());
        DistillConfig p = DistillConfig.load("paper", List.of());
        assertEquals("resnet50", p.teacher().network());
        assertEquals(ResNetSpec.Stem.SMALL, p.teacher().spec().stem());
        assertEquals(2048, p.teacher().spec().featureSize());
        assertEquals(List.of(2), p.lowResolution().factors());
    }

    /** The full preset: all the data, the longer schedules, and the control init-ce among its baselines. */
    @Test
    void fullPresetTrainsOnEverythingWithTheControl() {
        DistillConfig f = DistillConfig.load("full", List.of());
        assertEquals(0, f.data().trainLimit());
        assertEquals(0, f.data().testLimit());
        assertEquals(12, f.teacher().epochs());
        assertEquals(8, f.assistant().epochs());
        assertEquals(8, f.student().epochs());
        assertEquals(List.of(2, 4), f.lowResolution().factors());
        assertEquals(List.of("scratch", "init-ce"), f.baselines());
        assertEquals(DistillConfig.load("default", List.of()).studentLoss(), f.studentLoss());
        assertFalse(f.metricLearning());
    }

    /** The metric preset: the class split, the cosine head on every stream, RKD's weights; classification has neither. */
    @Test
    void metricPresetSplitsTheClassesAndGivesCosineHeads() {
        DistillConfig m = DistillConfig.load("metric", List.of("metric.testClasses=6,8"));
        assertTrue(m.metricLearning());
        assertEquals(List.of(0, 1, 2, 3, 4), m.metric().trainClasses());
        assertEquals(List.of(6, 8), m.metric().testClasses());
        assertEquals(ResNetSpec.Head.COSINE, m.network(m.teacher()).head());
        assertEquals(ResNetSpec.Head.COSINE, m.network(m.assistant()).head());
        assertEquals(Objective.parse("l2(function=huber, reduction=rkd) + 2*l3(reduction=rkd)"), m.method("rkd-only"));
        assertEquals(Objective.parse("ce + l2(function=huber, reduction=rkd) + 2*l3(reduction=rkd)"), m.method("rkd"));
        DistillConfig d = DistillConfig.load("default", List.of());
        assertTrue(!d.metricLearning());
        assertEquals(ResNetSpec.Head.LINEAR, d.network(d.teacher()).head());
        var e = assertThrows(IllegalArgumentException.class, () -> DistillConfig.load("metric", List.of("metric.trainClasses=3")));
        assertTrue(e.getMessage().contains("metric.trainClasses must name at least 2 classes, got [3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DistillConfig.load("metric", List.of("metric.testClasses=5,5,6")));
        assertTrue(e.getMessage().contains("must not repeat a class"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DistillConfig.load("metric", List.of("metric.testClasses=4,5")));
        assertTrue(e.getMessage().contains("share [4]: the protocol evaluates on classes the networks never saw"), e.getMessage());
        // A run's config.yaml reads back as the same configuration.
        assertEquals(m, DistillConfig.load(writeTemp(m.toYaml()), List.of()));
    }

    private static String writeTemp(String yaml) {
        try {
            Path f = Files.createTempFile("metric", ".yaml");
            Files.writeString(f, yaml);
            f.toFile().deleteOnExit();
            return f.toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void objectivesAreMapsOrTextAndTheStudentsDefaultToTheShared(@TempDir Path dir) throws Exception {
        DistillConfig d = DistillConfig.load("default", List.of("loss.lc=0.7", "loss.l2=0.3", "student.loss.lc=0.05",
                "methods.kd.kd.temperature=2"));
        assertEquals(Objective.parse("ce + 0.3*l2 + 0.01*l3 + 0.7*lc"), d.assistantLoss());
        assertEquals(Objective.parse("ce + 0.02*l2 + 0.01*l3 + 0.05*lc"), d.studentLoss());
        assertEquals(Objective.parse("ce + kd(temperature=2)"), d.method("kd"));
        assertEquals(Objective.parse("ce + 0.02*l2 + 0.01*l3"), d.method("rkd"));
        // The text form, options, and a new method one --set away.
        DistillConfig t = DistillConfig.load("default", List.of("student.loss=ce + 0.05*l2(function=huber) + lc(scope=batch)",
                "methods.l2only=ce + 0.02*l2", "baselines=l2only,scratch"));
        assertEquals(Objective.parse("ce + 0.05*l2(function=huber) + lc(scope=batch)"), t.studentLoss());
        assertEquals(Objective.parse("ce + 0.02*l2"), t.method("l2only"));
        // No student loss: the students use the shared objective.
        Path g = dir.resolve("none.yaml");
        Files.writeString(g, DistillConfig.load("paper", List.of()).toYaml().replaceAll("(?s)  loss:\\n(    [^\\n]*\\n)+", ""));
        DistillConfig n = DistillConfig.load(g.toString(), List.of());
        assertEquals(n.assistantLoss(), n.studentLoss());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DistillConfig.load("default", List.of("student.loss.lc=-1")))
                .getMessage().contains("the weight of lc must be finite and >= 0, got -1.0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DistillConfig.load("default", List.of("loss=ce + l9")))
                .getMessage().contains("unknown term 'l9'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DistillConfig.load("default", List.of("methods.kd=ce + kd(scope=batch)")))
                .getMessage().contains("kd has no option 'scope'"));
    }

    @Test
    void aSavedConfigurationReadsBackEqual(@TempDir Path dir) throws Exception {
        DistillConfig d = DistillConfig.load("default", List.of("student.initFromAssistant=true"));
        Path f = dir.resolve("config.yaml");
        Files.writeString(f, d.toYaml());
        assertEquals(d, DistillConfig.load(f.toString(), List.of()));
    }

    /** A method is taught by the assistant, and as direct-<method> by the HR teacher; resolution-aware KD is one of them. */
    @Test
    void methodsTaughtByTheTeacherDirectly() {
        DistillConfig d = DistillConfig.load("default", List.of("baselines=rakd,direct-rakd,direct-rakd-noadv,direct"));
        assertEquals(List.of("rakd", "direct-rakd", "direct-rakd-noadv", "direct"), d.baselines());
        assertEquals(Objective.parse("ce + kd + pairwise + mmd + 0.1*adv"), d.method("rakd"));
        assertEquals(Objective.parse("ce + kd + pairwise + mmd"), d.method(DistillConfig.directMethod("direct-rakd-noadv")));
        assertEquals(null, DistillConfig.directMethod("rakd"));
        var e = assertThrows(IllegalArgumentException.class, () -> DistillConfig.load("default", List.of("baselines=direct-nope")));
        assertTrue(e.getMessage().contains("unknown baseline 'direct-nope'") && e.getMessage().contains("direct-<method>"), e.getMessage());
    }

    /** The configuration of a run written before objectives (2026-11-21's default, abridged) reads as what it meant. */
    @Test
    void configurationsOfEarlierVersionsReadAsTheyMeant(@TempDir Path dir) throws Exception {
        String old = DistillConfig.load("default", List.of()).toYaml()
                .replaceAll("(?s)\nstudent:.*?\ntrain:", """

                student:
                  epochs: 6
                  initFromAssistant: true
                  loss: {w1: 0.0, alpha: 0.02, beta: 0.01, gamma: 0.1, batchCenters: false}
                loss: {w1: 0.5, alpha: 0.02, beta: 0.01, gamma: 1.0, batchCenters: true}
                kd: {weight: 1.0, temperature: 4.0}
                train:""")
                .replaceAll("baselines:[^\n]*\n(- [^\n]*\n)*", "baselines: [scratch, kd, rkd, direct, init-ce, init-kd]\n");
        assertTrue(old.contains("alpha") && !old.contains("methods"), old);
        Path f = dir.resolve("config.yaml");
        Files.writeString(f, old);
        DistillConfig d = DistillConfig.load(f.toString(), List.of());
        assertEquals(Objective.parse("ce + 0.02*l2 + 0.01*l3 + 0.1*lc"), d.studentLoss());
        assertEquals(Objective.parse("ce + 0.5*l1 + 0.02*l2 + 0.01*l3 + lc(scope=batch)"), d.assistantLoss());
        assertEquals(Objective.parse("ce + kd(temperature=4)"), d.method("kd"));
        assertEquals(Objective.parse("ce + 0.02*l2 + 0.01*l3"), d.method("rkd"), "the students' L2 and L3, as it was built in");
        assertEquals(List.of("scratch", "kd", "rkd", "direct", "init-ce", "init-kd"), d.baselines());
        assertEquals(d, DistillConfig.load(f.toString(), List.of()));
    }

    @Test
    void mistakesAreNamed(@TempDir Path dir) throws Exception {
        Path broken = Files.writeString(dir.resolve("broken.yaml"), "student:\n  loss: gamma: 0.1\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DistillConfig.load(broken.toString(), List.of()))
                .getMessage().contains("not valid YAML"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DistillConfig.load("default", List.of("teacher.epoch=3")))
                .getMessage().contains("unknown configuration key 'teacher.epoch'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DistillConfig.load("default", List.of("baselines=scratch,fitnet0")))
                .getMessage().contains("unknown baseline 'fitnet0'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DistillConfig.load("default", List.of("lowResolution.factors=1")))
                .getMessage().contains("factors"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DistillConfig.load("nope", List.of())).getMessage().contains("preset"));
        assertThrows(IllegalArgumentException.class, () -> DistillConfig.load("default", List.of("teacher.network=vgg11")));
        assertThrows(IllegalArgumentException.class, () -> DistillConfig.load("default", List.of("teacher.epochs=many")));
    }
}
