/**
 * Why this file exists: workerd refuses to compile WebAssembly from bytes at run time
 * (`WebAssembly.instantiate(bytes)` and `new WebAssembly.Module(bytes)` throw "Wasm code
 * generation disallowed by embedder"); Wasm must arrive as a `CompiledWasm` module, compiled when
 * the Worker is uploaded. onnxruntime-web 1.30 cannot be handed a compiled module: the Emscripten
 * glue has an `instantiateWasm` hook, but ORT builds the glue's config itself and only passes
 * `numThreads`, `wasmBinary` and `locateFile` through.
 *
 * The route, read from dist/ort.wasm.bundle.min.mjs and its inlined ort-wasm-simd-threaded glue:
 * - `env.wasm.wasmBinary` set ⇒ the glue skips `fetch`/`instantiateStreaming` and calls
 *   `WebAssembly.instantiate(new Uint8Array(wasmBinary), imports)` once, from ORT's first
 *   `InferenceSession.create`. It also makes ORT use the glue inlined in the `…bundle` build
 *   rather than `import()` ort-wasm-simd-threaded.mjs by URL (single-threaded only).
 * - So `wasmBinary` is a tiny sentinel `ArrayBuffer` (never Wasm bytes), and for the duration of
 *   that first session creation `WebAssembly.instantiate` is wrapped: a call whose source views the
 *   sentinel instantiates the imported compiled module instead, answering in the
 *   `{ module, instance }` shape that the bytes overload has. Any other call passes through
 *   untouched, and the original is restored afterwards, so the patch is narrow in both what it
 *   matches and how long it lives.
 * - `numThreads = 1`: no SharedArrayBuffer workers in workerd; `proxy = false`: no Web Worker.
 *
 * The module must be the Wasm of the same ORT build (ort-wasm-simd-threaded.wasm for
 * `onnxruntime-web/wasm` 1.30): its imports are the glue's, name for name.
 */
import * as ort from 'onnxruntime-web/wasm';

const SENTINEL = new ArrayBuffer(8);

function viewsSentinel(source: unknown): boolean {
  return source === SENTINEL || (ArrayBuffer.isView(source) && source.buffer === SENTINEL);
}

/**
 * Run `init` (which must create ORT's first InferenceSession) with onnxruntime-web's Wasm backend
 * instantiated from `compiled` instead of compiled from bytes. Call once per isolate.
 */
export async function withCompiledOrtWasm<T>(
  compiled: WebAssembly.Module,
  init: () => Promise<T>,
): Promise<T> {
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.wasm.wasmBinary = SENTINEL;
  const wasm = WebAssembly as { instantiate: (...args: unknown[]) => Promise<unknown> };
  const original = wasm.instantiate;
  wasm.instantiate = async (source: unknown, imports?: unknown) => {
    if (!viewsSentinel(source)) return original.call(WebAssembly, source, imports);
    // The Module overload resolves to a bare Instance; the bytes overload's callers expect both.
    const instance = await original.call(WebAssembly, compiled, imports);
    return { module: compiled, instance };
  };
  try {
    return await init();
  } finally {
    wasm.instantiate = original;
  }
}
