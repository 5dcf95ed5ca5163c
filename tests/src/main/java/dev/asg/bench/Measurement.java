package dev.asg.bench;

/**
 * One engine's numbers on one workload.
 *
 * @param wallSeconds whole process, start to exit (extrapolated to all codebooks for a partial mllib run)
 * @param secondsPerIteration one Lloyd iteration over all codebooks
 * @param relativeMse sum ||x - x_hat||^2 / sum ||x||^2 over all tokens (trained segments only for partial mllib)
 * @param iterationsRun Lloyd iterations the engine really ran (its relative MSE is after these; fewer than the
 *     workload's when its wall time is extrapolated)
 */
record Measurement(String workload, String engine, double wallSeconds, double secondsPerIteration,
    double gflops, double relativeMse, int iterationsRun, long peakRssKb, double load, String note) {}
