/**
 * The served model (edge/model/, written by `npm run train`), bundled into the Worker (a Worker
 * has no file system): the ONNX graph as a Data module (wrangler.toml's rule for *.onnx), metadata
 * and trees as JSON, which the bundler inlines. Nothing is validated here: loadServedModel runs core's parsers on first use.
 */
import type { ModelFiles } from '../../scoring/served-model.js';
import metadata from '../../../model/vigil-model.json';
import onnx from '../../../model/vigil-model.onnx';
import trees from '../../../model/vigil-model.trees.json';

/** The three model files as loadServedModel takes them. */
export function bundledModelFiles(): ModelFiles {
  return { onnx: new Uint8Array(onnx), metadata, trees };
}
