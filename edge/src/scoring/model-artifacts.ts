/**
 * Fetching a registered model's artifact from the backplane (core's signed
 * `GET /internal/models/{version}`) and checking it before anything is built from it: the answer's
 * shape (core's modelArtifactSchema), the SHA-256 of the decoded ONNX bytes against both the
 * digest the answer states and the one the rules sync named.
 */
import {
  modelArtifactPath,
  modelArtifactSchema,
  SIGNATURE_HEADER,
  signBody,
  type HmacSha256,
  type ModelRef,
  type TrainedModelMetadata,
} from '@vigil/core';
import * as z from 'zod/mini';

/** An artifact whose bytes match the digest the registry named. */
export interface VerifiedArtifact {
  readonly ref: ModelRef;
  readonly metadata: TrainedModelMetadata;
  readonly onnx: Uint8Array;
}

/**
 * The artifact is not what was named (digest, version or shape): refused for good — fetching the
 * same version again would give the same bytes. Other failures (network, 5xx) are retried.
 */
export class BadArtifactError extends Error {
  override readonly name = 'BadArtifactError';
}

export interface ArtifactSource {
  readonly backplaneUrl: string;
  readonly secret: string;
  readonly hmac: HmacSha256;
  readonly fetch?: typeof fetch;
  /** Deadline of one artifact request (default 20 s: a 16 MB model over a slow link). */
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

/** Lowercase hex SHA-256 (WebCrypto: the same on Node and workerd). */
export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}

function fromBase64(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Fetch, validate and verify one artifact; throws BadArtifactError when it is not `ref`. */
export async function fetchArtifact(src: ArtifactSource, ref: ModelRef): Promise<VerifiedArtifact> {
  const path = modelArtifactPath(ref.version);
  const nowS = (src.now ?? Date.now)() / 1000;
  const signature = await signBody(src.hmac, src.secret, path, nowS);
  const res = await (src.fetch ?? fetch)(src.backplaneUrl + path, {
    headers: { [SIGNATURE_HEADER]: signature },
    signal: AbortSignal.timeout(src.timeoutMs ?? 20_000),
  });
  const text = await res.text();
  if (res.status === 404) throw new BadArtifactError(`model ${ref.version}: the registry has none`);
  if (!res.ok) throw new Error(`model ${ref.version}: HTTP ${res.status}: ${text.slice(0, 200)}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new BadArtifactError(`model ${ref.version}: the artifact is not JSON`, { cause });
  }
  const parsed = z.safeParse(modelArtifactSchema, json);
  if (!parsed.success) {
    throw new BadArtifactError(
      `model ${ref.version}: unexpected artifact: ${z.prettifyError(parsed.error)}`,
    );
  }
  return verifyArtifact(ref, parsed.data);
}

/** Check an artifact's bytes against the digest the sync named and the one it states. */
export async function verifyArtifact(
  ref: ModelRef,
  a: { version: string; sha256: string; metadata: TrainedModelMetadata; onnx: string },
): Promise<VerifiedArtifact> {
  if (a.version !== ref.version || a.metadata.version !== ref.version) {
    throw new BadArtifactError(
      `model ${ref.version}: the artifact is version ${a.version} (metadata ${a.metadata.version})`,
    );
  }
  const onnx = fromBase64(a.onnx);
  const digest = await sha256Hex(onnx);
  if (digest !== ref.sha256 || digest !== a.sha256) {
    throw new BadArtifactError(
      `model ${ref.version}: the ONNX bytes hash to ${digest}, the registry named ${ref.sha256}`,
    );
  }
  return { ref, metadata: a.metadata, onnx };
}
