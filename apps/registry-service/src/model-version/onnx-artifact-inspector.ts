import { Injectable } from '@nestjs/common';
import { checkOnnxModelRuns, inspectOnnxModel, InvalidOnnxModelError } from '@strata/onnx';
import { ArtifactInspector, InvalidArtifactError } from './artifact-inspector';
import type { ModelSignature } from './model-version';

/** {@link ArtifactInspector} on @strata/onnx: the signature from the model file, then a load check in onnxruntime. */
@Injectable()
export class OnnxArtifactInspector extends ArtifactInspector {
  override async signatureOf(bytes: Uint8Array): Promise<ModelSignature> {
    try {
      const info = inspectOnnxModel(bytes);
      await checkOnnxModelRuns(bytes);
      const spec = ({ name, datatype, shape }: { name: string; datatype: string; shape: number[] }) => ({ name, datatype, shape });
      return { inputs: info.inputs.map(spec), outputs: info.outputs.map(spec) };
    } catch (error) {
      if (error instanceof InvalidOnnxModelError) throw new InvalidArtifactError(error.reason, error.message);
      throw error;
    }
  }
}
