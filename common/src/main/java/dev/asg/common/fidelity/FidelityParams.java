package dev.asg.common.fidelity;

import java.nio.file.Path;
import java.util.List;

/**
 * What a model-output fidelity run needs.
 *
 * @param model the ONNX model the artifact's table came from (local file: ONNX Runtime reads it directly)
 * @param tokenizer the model's Hugging Face tokenizer.json, so the texts become the ids the model was trained on
 * @param tensor the initializer the artifact compresses (manifest source.tensor); replaced in the second run
 * @param rows rows of that initializer, as the artifact's source.shape
 * @param dim its columns
 * @param textsFile where the texts came from (for the report)
 * @param texts real sentences, one vector each per run
 */
public record FidelityParams(Path model, Path tokenizer, String tensor, int rows, int dim, Path textsFile,
    List<String> texts) {}
