package dev.asg.bench;

/**
 * One engine's numbers on one workload.
 *
 * @param wallSeconds whole process, start to exit (extrapolated to all codebooks for a partial mllib run)
 * @param secondsPerIteration one Lloyd iteration over all codebooks
 * @param relativeMse sum ||x - x_hat||^2 / sum ||x||^2 over all tokens (trained segments only for partial mllib)
 */
record Measurement(String workload, String engine, double wallSeconds, double secondsPerIteration,
    double gflops, double relativeMse, long peakRssKb, double load, String note) {}
