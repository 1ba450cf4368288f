package io.horkd.train.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        assertEquals(0.02, d.loss().alpha());
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

    @Test
    void theStudentsLossOverridesOnlyTheKeysItGives(@TempDir Path dir) throws Exception {
        DistillConfig d = DistillConfig.load("default", List.of("loss.gamma=0.7", "loss.alpha=0.3", "student.loss.gamma=0.05"));
        assertEquals(0.7, d.assistantLoss().gamma());
        assertEquals(0.3, d.assistantLoss().alpha());
        assertEquals(0.05, d.studentLoss().gamma());
        assertEquals(0.02, d.studentLoss().alpha()); // the preset's student block gives alpha itself
        assertEquals(d.studentLoss().alpha(), d.rkdLoss().alpha());
        assertEquals(0, d.rkdLoss().gamma());
        // A file whose student block names only gamma takes the rest from the shared block.
        Path f = dir.resolve("partial.yaml");
        Files.writeString(f, DistillConfig.load("default", List.of()).toYaml()
                .replaceAll("(?s)  loss:\\n    w1: [^\\n]*\\n    alpha: [^\\n]*\\n    beta: [^\\n]*\\n", "  loss:\n")
                .replaceAll("(?m)^  alpha: 0\\.02$", "  alpha: 0.4"));
        DistillConfig p = DistillConfig.load(f.toString(), List.of());
        assertEquals(0.4, p.assistantLoss().alpha());
        assertEquals(0.4, p.studentLoss().alpha());
        assertEquals(0.1, p.studentLoss().gamma());
        assertEquals(1.0, p.assistantLoss().gamma());
        // No student block at all: the students use the shared weights.
        Path g = dir.resolve("none.yaml");
        Files.writeString(g, DistillConfig.load("paper", List.of()).toYaml().replaceAll("(?s)  loss:\\n(    [^\\n]*\\n)+", ""));
        assertEquals(DistillConfig.load(g.toString(), List.of()).assistantLoss(), DistillConfig.load(g.toString(), List.of()).studentLoss());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DistillConfig.load("default", List.of("student.loss.gamma=-1")))
                .getMessage().contains("gamma"));
    }

    @Test
    void aSavedConfigurationReadsBackEqual(@TempDir Path dir) throws Exception {
        DistillConfig d = DistillConfig.load("default", List.of("student.initFromAssistant=true"));
        Path f = dir.resolve("config.yaml");
        Files.writeString(f, d.toYaml());
        assertEquals(d, DistillConfig.load(f.toString(), List.of()));
    }

    @Test
    void mistakesAreNamed(@TempDir Path dir) throws Exception {
        Path broken = Files.writeString(dir.resolve("broken.yaml"), "student:\n  loss: gamma: 0.1\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DistillConfig.load(broken.toString(), List.of()))
                .getMessage().contains("not valid YAML"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DistillConfig.load("default", List.of("teacher.epoch=3")))
                .getMessage().contains("unknown configuration key 'teacher.epoch'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DistillConfig.load("default", List.of("baselines=scratch,fitnet")))
                .getMessage().contains("fitnet"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DistillConfig.load("default", List.of("lowResolution.factors=1")))
                .getMessage().contains("factors"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DistillConfig.load("nope", List.of())).getMessage().contains("preset"));
        assertThrows(IllegalArgumentException.class, () -> DistillConfig.load("default", List.of("teacher.network=vgg11")));
        assertThrows(IllegalArgumentException.class, () -> DistillConfig.load("default", List.of("teacher.epochs=many")));
    }
}
