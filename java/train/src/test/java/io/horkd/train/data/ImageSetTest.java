package io.horkd.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ImageSetTest {
    /** The metric protocol's split: the images of the named classes in their order, renumbered in the list's order. */
    @Test
    void ofClassesKeepsRenumbersAndNames() {
        ImageSet all = Synthetic.bars(20, 8, 3, 4); // labels 0, 1, 2, 3, 0, 1, ...
        ImageSet two = all.ofClasses(List.of(3, 1));
        assertEquals(List.of("strip 3", "strip 1"), two.classNames());
        assertEquals(10, two.size());
        // Images 1, 3, 5, 7, ... (classes 1, 3, 1, 3, ...): class 3 is label 0 now, class 1 label 1.
        assertArrayEquals(new int[] {1, 0, 1, 0, 1, 0, 1, 0, 1, 0}, two.labels());
        int d = all.imageSize();
        for (int i = 0; i < two.size(); i++) {
            assertArrayEquals(java.util.Arrays.copyOfRange(all.pixels(), (2 * i + 1) * d, (2 * i + 2) * d),
                    java.util.Arrays.copyOfRange(two.pixels(), i * d, (i + 1) * d), "image " + i);
        }
        var e = assertThrows(IllegalArgumentException.class, () -> all.ofClasses(List.of(0, 4)));
        assertTrue(e.getMessage().contains("class 4 is outside 0..3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> all.ofClasses(List.of(2, 2)));
        assertTrue(e.getMessage().contains("class 2 is named twice"), e.getMessage());
    }
}
