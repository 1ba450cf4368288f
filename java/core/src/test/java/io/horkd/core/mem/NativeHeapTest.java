package io.horkd.core.mem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.junit.jupiter.api.Test;

/**
 * The C heap's free pages go back to the system on {@link NativeHeap#trim()}, where the build made the
 * glue (always, unless {@code -DskipNative}), as a long training run needs them to.
 */
class NativeHeapTest {
    private static final int BLOCK = 64 << 10; // under glibc's mmap threshold: from an arena
    private static final int COUNT = 4096; // 256 MB

    /** COUNT blocks of BLOCK bytes from the C heap, every page touched so that it is resident. */
    private static List<BytePointer> residentBlocks() {
        return residentBlocks(COUNT, BLOCK);
    }

    private static List<BytePointer> residentBlocks(int count, int size) {
        List<BytePointer> blocks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            BytePointer p = new BytePointer(size);
            for (long o = 0; o < size; o += 4096) p.put(o, (byte) 1);
            blocks.add(p);
        }
        return blocks;
    }
    private static boolean nativeBuilt() {
        return Glibc.class.getResource("linux-x86_64/libjniGlibc.so") != null;
    }

    @Test
    void availableExactlyWhenBuilt() {
        assertEquals(nativeBuilt(), NativeHeap.available());
    }

    @Test
    void residentMemoryIsReadAndThePeakIsNoLower() {
        long now = NativeHeap.residentBytes();
        long peak = NativeHeap.peakResidentBytes();
        assumeTrue(now > 0, "no /proc/self/status here");
        assertTrue(now > 10L << 20 && now < 1L << 40, "a JVM's resident memory: " + now);
        assertTrue(peak >= now, peak + " < " + now);
    }

    /**
     * 256 MB of 64 KB blocks (under glibc's mmap threshold, so they come from an arena), freed while the
     * last one pins the top of the heap: free() keeps those pages resident, malloc_trim hands them back.
     */
    @Test
    void trimHandsFreedArenaPagesBack() {
        assumeTrue(nativeBuilt(), "built with -DskipNative");
        List<BytePointer> blocks = residentBlocks();
        BytePointer pin = blocks.remove(COUNT - 1);
        long filled = NativeHeap.residentBytes();
        blocks.forEach(BytePointer::deallocate);
        long freed = NativeHeap.residentBytes();
        assertTrue(NativeHeap.trim(), "malloc_trim found free memory to return");
        long trimmed = NativeHeap.residentBytes();
        pin.deallocate();
        long kept = (long) (COUNT - 1) * BLOCK;
        assertTrue(freed - trimmed > kept / 2, String.format("resident %d MB filled, %d MB after free, %d MB after trim: "
                + "trim returned less than half of the %d MB freed", filled >> 20, freed >> 20, trimmed >> 20, kept >> 20));
    }

    /**
     * The same blocks left unreachable instead of freed, as ND4J leaves its arrays: their memory is freed
     * at a collection only, so trim() alone cannot return it and release() must.
     */
    @Test
    void releaseFreesUnreachableBuffersAndHandsThemBack() {
        assumeTrue(nativeBuilt(), "built with -DskipNative");
        List<BytePointer> blocks = residentBlocks();
        BytePointer pin = blocks.remove(COUNT - 1);
        blocks.clear(); // unreachable, not freed
        long before = NativeHeap.residentBytes();
        NativeHeap.release();
        long after = NativeHeap.residentBytes();
        pin.deallocate();
        long kept = (long) (COUNT - 1) * BLOCK;
        assertTrue(before - after > kept / 2, String.format("resident %d MB before release, %d MB after: it returned less than half "
                + "of the %d MB left unreachable", before >> 20, after >> 20, kept >> 20));
    }

    /**
     * After {@link NativeHeap#tune()}, 256 MB of activation-sized blocks (8 MB each: more than one 64 MB heap
     * of a thread's arena, which glibc's defaults unmap or shrink as soon as it is free, so that every step
     * faults them in afresh) stay resident when freed, are reused by the next allocation of the same sizes,
     * and go back on {@link NativeHeap#trim()}.
     */
    @Test
    void tunedHeapKeepsFreedActivationsForTheNextStepUntilTrim() {
        assumeTrue(nativeBuilt(), "built with -DskipNative");
        NativeHeap.tune();
        int n = 32, size = 8 << 20;
        long base = NativeHeap.residentBytes();
        List<BytePointer> step1 = residentBlocks(n, size);
        long filled = NativeHeap.residentBytes();
        java.util.Collections.reverse(step1); // the newest first, as the backward pass frees a step's activations
        step1.forEach(BytePointer::deallocate);
        long freed = NativeHeap.residentBytes();
        List<BytePointer> step2 = residentBlocks(n, size);
        long refilled = NativeHeap.residentBytes();
        step2.forEach(BytePointer::deallocate);
        NativeHeap.trim();
        long trimmed = NativeHeap.residentBytes();
        String figures = String.format("resident %d MB, %d MB filled, %d MB freed, %d MB filled again, %d MB trimmed",
                base >> 20, filled >> 20, freed >> 20, refilled >> 20, trimmed >> 20);
        long mb = 1 << 20;
        assertTrue(filled - base > 192 * mb, "the blocks were not resident: " + figures);
        assertTrue(filled - freed < 8 * mb, "free() handed the blocks back at once: " + figures);
        assertTrue(refilled - freed < 8 * mb, "the second allocation did not reuse the first's pages: " + figures);
        assertTrue(freed - trimmed > 128 * mb, "trim() kept the freed blocks: " + figures);
    }
}
