package io.horkd.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.horkd.train.data.Datasets;
import io.horkd.train.data.Synthetic;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** distill, train and eval through the command line, on a tiny dataset in Fashion-MNIST's format. */
class PipelineCommandsTest {
    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Horkd.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(exit, out.toString(), err.toString());
    }

    static List<String> tiny(Path data) {
        List<String> a = new ArrayList<>();
        for (String s : new String[] {"data.path=" + data, "data.trainLimit=0", "data.testLimit=0", "teacher.network=resnet8",
                "teacher.width=4", "assistant.width=4", "teacher.epochs=1", "assistant.epochs=1", "student.epochs=1",
                "lowResolution.factors=2", "train.batch=32", "eval.recallQueries=30", "baselines=scratch"}) {
            a.add("--set");
            a.add(s);
        }
        return a;
    }

    @Test
    void distillThenTrainAndEvalOneStage(@TempDir Path tmp) throws Exception {
        Path data = Datasets.writeIdx(tmp.resolve("data"), Synthetic.bars(96, 12, 1), Synthetic.bars(30, 12, 2));
        List<String> args = new ArrayList<>(List.of("distill", "--run", tmp.resolve("run").toString()));
        args.addAll(tiny(data));
        Run d = run(args.toArray(new String[0]));
        assertEquals(0, d.exit(), d.err());
        assertTrue(d.out().contains("report: " + tmp.resolve("run").resolve("report.md")), d.out());
        assertTrue(Files.exists(tmp.resolve("run/report.md")));

        // The same run directory again without --resume is refused; with --resume it completes at once.
        Run again = run(args.toArray(new String[0]));
        assertEquals(1, again.exit());
        assertTrue(again.err().contains("--resume"), again.err());
        Run resumed = run("distill", "--resume", tmp.resolve("run").toString());
        assertEquals(0, resumed.exit(), resumed.err());

        List<String> train = new ArrayList<>(List.of("train", "--stage", "student", "--factor", "2", "--loss", "kd", "--teacher",
                tmp.resolve("run/models/assistant-s1").toString(), "--run", tmp.resolve("one").toString()));
        train.addAll(tiny(data));
        Run t = run(train.toArray(new String[0]));
        assertEquals(0, t.exit(), t.err());
        JsonNode tj = new ObjectMapper().readTree(t.out());
        assertEquals(tmp.resolve("one/models/student-kd-x2-s1").toString(), tj.get("model").asText());

        List<String> eval = new ArrayList<>(List.of("eval", "--model", tj.get("model").asText(), "--factor", "2"));
        eval.addAll(tiny(data));
        Run e = run(eval.toArray(new String[0]));
        assertEquals(0, e.exit(), e.err());
        JsonNode ej = new ObjectMapper().readTree(e.out());
        assertEquals(6, ej.get("resolution").asInt());
        assertEquals(tj.get("testTop1").asDouble(), ej.get("top1").asDouble(), 1e-9);
        assertEquals(3, ej.get("confusion").size());

        Run bad = run("train", "--stage", "assistant", "--run", tmp.resolve("x").toString(), "--loss", "horkd");
        assertEquals(1, bad.exit());
        assertTrue(bad.err().contains("needs --teacher"), bad.err());
    }
}
