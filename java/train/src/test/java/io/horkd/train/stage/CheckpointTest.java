package io.horkd.train.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** A checkpoint reads back field for field, with its graph, and leaves no temporary file. */
class CheckpointTest {
    @Test
    void writesAndReadsBackEveryField(@TempDir Path dir) throws Exception {
        assertNull(Checkpoint.read(dir, "s"));
        SameDiff sd = SameDiff.create();
        sd.var("w", Nd4j.createFromArray(1.5f, -2f).castTo(DataType.FLOAT));
        List<StageTrainer.EpochMetrics> history = List.of(new StageTrainer.EpochMetrics("s", 1, 0.9, 0.8, 0.5, 0.1, 12.5),
                new StageTrainer.EpochMetrics("s", 2, 0.4 + 1e-17, Math.PI, 0.75, 0.05, 11.0, 5_368_709_120L,
                        new StageTrainer.Discrimination(0.61, 0.8125)));
        Checkpoint c = new Checkpoint("cfg|20000x28|-", history);
        c.write(sd, dir, "s");
        Checkpoint back = Checkpoint.read(dir, "s");
        assertEquals(c, back);
        assertEquals(2, back.epochsDone());
        assertEquals(-2f, Checkpoint.graph(dir, "s").getVariable("w").getArr().getFloat(1));
        new Checkpoint("cfg|20000x28|-", history.subList(0, 1)).write(sd, dir, "s"); // overwritten in place
        assertEquals(1, Checkpoint.read(dir, "s").epochsDone());
        try (var files = Files.list(dir)) {
            assertFalse(files.anyMatch(f -> f.toString().endsWith(".tmp")), "no temporary file is left");
        }
    }
}
