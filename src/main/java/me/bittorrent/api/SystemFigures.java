package me.bittorrent.api;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/** Memory and CPU figures of this process and machine, as the JVM reports them (-1 when it cannot tell). */
public final class SystemFigures {

    public record Memory(long usedBytes, long committedBytes, long maxBytes, double usedPercent) {
    }

    public record Cpu(double processPercent, double systemPercent, double loadAverage, int cores) {
    }

    private SystemFigures() {
    }

    public static Memory memory() {
        Runtime runtime = Runtime.getRuntime();
        long used = runtime.totalMemory() - runtime.freeMemory();
        long max = runtime.maxMemory();
        return new Memory(used, runtime.totalMemory(), max, max > 0 ? round(used * 100.0 / max) : -1);
    }

    public static Cpu cpu() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        double process = -1;
        double system = -1;
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            process = percent(sun.getProcessCpuLoad());
            system = percent(sun.getCpuLoad());
        }
        return new Cpu(process, system, round(os.getSystemLoadAverage()), os.getAvailableProcessors());
    }

    private static double percent(double fraction) {
        return fraction < 0 ? -1 : round(fraction * 100);
    }

    static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
