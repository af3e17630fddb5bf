/**
 * The OpenAPI 3.1 document, generated from the zod schemas the handlers validate with (zod 4's
 * JSON Schema output is draft 2020-12, which OpenAPI 3.1 uses as is). Built once per app.
 */
import {
  feedbackSchema,
  MAX_SCORE_BATCH,
  modelMetadataSchema,
  scoreAnswerSchema,
  scoreBatchResponseSchema,
  transactionSchema,
} from '@vigil/core';
import * as z from 'zod/mini';
import { PROBLEMS, problemType } from './problem.js';
import {
  feedbackAcceptedSchema,
  feedbackBatchAcceptedSchema,
  feedbackBatchRequestSchema,
  healthSchema,
  problemSchema,
  scoreBatchRequestSchema,
} from './schemas.js';

/**
 * GET /v1/model: the champion's metadata with the thresholds in force and the model's own beside
 * them, where it comes from, and the challenger scored in shadow (or null).
 */
const modelInfoSchema = z.extend(modelMetadataSchema, {
  model_thresholds: modelMetadataSchema.shape.thresholds,
  thresholds_source: z.enum(['model', 'backplane']),
  source: z.enum(['deployed', 'registry']),
  challenger: z.nullable(
    z.object({
      version: z.string(),
      thresholds: modelMetadataSchema.shape.thresholds,
      source: z.enum(['deployed', 'registry']),
    }),
  ),
});

const COMPONENTS: Record<string, z.core.$ZodType> = {
  Transaction: transactionSchema,
  ScoreAnswer: scoreAnswerSchema,
  ScoreBatchRequest: scoreBatchRequestSchema,
  ScoreBatchResponse: scoreBatchResponseSchema,
  Feedback: feedbackSchema,
  FeedbackBatchRequest: feedbackBatchRequestSchema,
  FeedbackAccepted: feedbackAcceptedSchema,
  FeedbackBatchAccepted: feedbackBatchAcceptedSchema,
  Health: healthSchema,
  ModelInfo: modelInfoSchema,
  Problem: problemSchema,
};

type Json = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string) => ({ 'application/json': { schema: ref(name) } });

function problems(...statuses: number[]): Json {
  const out: Json = {};
  for (const status of statuses) {
    const kinds = Object.entries(PROBLEMS)
      .filter(([, p]) => p.status === status)
      .map(([k, p]) => `${p.title} (${problemType(k as keyof typeof PROBLEMS)})`);
    out[String(status)] = {
      description: kinds.join('; '),
      content: { 'application/problem+json': { schema: ref('Problem') } },
      ...(status === 409 ? { headers: { 'Retry-After': { schema: { type: 'integer' } } } } : {}),
    };
  }
  return out;
}

const SERVER_TIMING = {
  'Server-Timing': {
    description: 'features (store + engine), model (scores + reasons) and total, in ms',
    schema: { type: 'string' },
  },
};

function post(summary: string, description: string, body: string, ok: Json, errors: number[]) {
  return {
    post: {
      summary,
      description,
      requestBody: { required: true, content: json(body) },
      responses: { ...ok, ...problems(401, ...errors, 413, 415) },
    },
  };
}

/** Build the document; `version` is the served model's. */
export function buildOpenApiDocument(version: string): Json {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(COMPONENTS)) registry.add(schema, { id });
  const generated = z.toJSONSchema(registry, {
    uri: (id) => `#/components/schemas/${id}`,
    // Refinements (the card-number check) have no JSON Schema form; the handler still runs them.
    unrepresentable: 'any',
  }).schemas;
  const schemas: Json = {};
  for (const [id, s] of Object.entries(generated)) {
    const { $id: _id, $schema: _schema, ...rest } = s as Json;
    schemas[id] = rest;
  }
  const open = { security: [] };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Vigil scoring API',
      version: '1',
      description:
        `Real-time card-fraud scoring. Serving model ${version}. Every /v1 route except ` +
        '/v1/health, and /metrics, takes `Authorization: Bearer <API key>`. Errors are RFC 9457 ' +
        'problem details (application/problem+json) with a `urn:vigil:problem:*` type.',
    },
    components: {
      schemas,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
    security: [{ bearer: [] }],
    paths: {
      '/v1/score': post(
        'Score one transaction',
        'Idempotent by transaction_id: a repeat with the same customer_id, terminal_id, ' +
          'timestamp (instant) and amount returns the first answer with replayed: true and ' +
          'changes nothing; the same id with any of those different → 422 ' +
          'transaction-id-reused, changing nothing. If the feature store fails or is late, the ' +
          'answer is scored from fallback features and marked degraded: true.',
        'Transaction',
        {
          200: { description: 'The answer', headers: SERVER_TIMING, content: json('ScoreAnswer') },
        },
        [400, 409, 422],
      ),
      '/v1/score/batch': post(
        `Score up to ${MAX_SCORE_BATCH} transactions in order`,
        'Processed in order (later items see earlier ones), in one feature-store round trip and ' +
          'one model call. Any invalid item → 400 naming each bad index and field; any item ' +
          'reusing a transaction_id with another payload (also within the batch) → 422 naming ' +
          'each; in both cases nothing is scored.',
        'ScoreBatchRequest',
        {
          200: {
            description: 'One answer per transaction, in order',
            headers: SERVER_TIMING,
            content: json('ScoreBatchResponse'),
          },
        },
        [400, 409, 422],
      ),
      '/v1/feedback': post(
        'Label a scored transaction',
        'A fraud label raises the risk of the transaction’s terminal and card, counted on the ' +
          'transaction’s own day; legitimate after fraud withdraws it; the same label twice ' +
          'changes nothing.',
        'Feedback',
        { 202: { description: 'Applied', content: json('FeedbackAccepted') } },
        [400, 404, 503],
      ),
      '/v1/feedback/batch': post(
        `Label up to ${MAX_SCORE_BATCH} transactions, all or nothing`,
        'If any transaction_id is unknown, nothing is applied and the 404 names each one.',
        'FeedbackBatchRequest',
        { 202: { description: 'Applied', content: json('FeedbackBatchAccepted') } },
        [400, 404, 503],
      ),
      '/v1/health': {
        get: {
          summary: 'Liveness (no authentication)',
          ...open,
          responses: { 200: { description: 'Up', content: json('Health') } },
        },
      },
      '/v1/model': {
        get: {
          summary:
            'The served champion (version, feature names, thresholds in force, training metrics) and the challenger',
          responses: {
            200: { description: 'Model metadata', content: json('ModelInfo') },
            ...problems(401),
          },
        },
      },
      '/v1/live': {
        get: {
          summary: 'The live decision feed: a WebSocket to the LiveHub Durable Object',
          description:
            'Upgrade to a WebSocket (`Upgrade: websocket`). Authenticated by a bearer key ' +
            "(VIGIL_ANALYST_KEYS, else VIGIL_API_KEYS) or the dashboard's `vigil_session` " +
            'cookie (same-origin only). Text frames, JSON: `hello {last_seq, oldest_seq}` on ' +
            'connect; then `events {items: [{seq, event}]}` — event.kind is decision, feedback ' +
            'or case —; `gap {from_seq, to_seq}` when a resume asks for events no longer kept. ' +
            'Send `ping` for `pong`. Frames are defined in core/src/events/live.ts.',
          parameters: [
            {
              name: 'after',
              in: 'query',
              required: false,
              description: 'Resume: the last seq received; the missed events are sent first.',
              schema: { type: 'integer', minimum: 0 },
            },
          ],
          responses: {
            101: { description: 'Switching protocols: the feed follows' },
            ...problems(400, 401, 403, 426),
          },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics (text exposition format 0.0.4)',
          responses: {
            200: {
              description: 'Metrics',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
            ...problems(401),
          },
        },
      },
      '/openapi.json': {
        get: {
          summary: 'This document',
          ...open,
          responses: { 200: { description: 'OpenAPI 3.1' } },
        },
      },
      '/docs': {
        get: {
          summary: 'This document as HTML',
          ...open,
          responses: { 200: { description: 'HTML' } },
        },
      },
    },
  };
}
