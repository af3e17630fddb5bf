// Non-JavaScript modules of the Worker, as wrangler.toml's rules import them.

/** CompiledWasm rule: compiled when the Worker is uploaded, never from bytes at run time. */
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}

/** Data rule: the file's bytes. */
declare module '*.onnx' {
  const data: ArrayBuffer;
  export default data;
}
