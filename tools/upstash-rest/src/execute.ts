/**
 * Runs parsed commands on Redis: one command, a pipeline, or a MULTI/EXEC transaction, and turns
 * each reply into an outcome. Redis error replies are outcomes; a lost connection is thrown.
 */
import { refusalOf, type RedisCommand } from './protocol.js';
import type { RawReply } from './encode.js';

/** The slice of a Redis connection the bridge needs; `server.ts` adapts node-redis to it. */
export interface RedisPort {
  /**
   * Queues one command. Commands queued in the same tick are written in order, back to back;
   * `chain` marks commands that must stay together (a MULTI … EXEC block).
   */
  send(command: RedisCommand, chain?: symbol): Promise<RawReply>;
  /** True for an error reply from Redis (as opposed to a connection failure). */
  isReplyError(error: unknown): error is Error;
}

export type CommandOutcome = { result: RawReply } | { error: string };

/** Redis could not be reached, or dropped the connection mid-request. */
export class RedisUnavailableError extends Error {
  readonly code = 'REDIS_UNAVAILABLE';
  constructor(cause: unknown) {
    super(`Redis is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = 'RedisUnavailableError';
  }
}

function outcomeOf(settled: PromiseSettledResult<RawReply>, redis: RedisPort): CommandOutcome {
  if (settled.status === 'fulfilled') return { result: settled.value };
  if (redis.isReplyError(settled.reason)) return { error: settled.reason.message };
  throw new RedisUnavailableError(settled.reason);
}

/** `POST /`: one command. */
export async function runCommand(redis: RedisPort, command: RedisCommand): Promise<CommandOutcome> {
  const refusal = refusalOf(command);
  if (refusal !== undefined) return { error: refusal };
  const [settled] = await Promise.allSettled([redis.send(command)]);
  return outcomeOf(settled, redis);
}

/** `POST /pipeline`: every command runs, in order, not atomically; one outcome each. */
export async function runPipeline(
  redis: RedisPort,
  commands: readonly RedisCommand[],
): Promise<CommandOutcome[]> {
  // All sends happen synchronously so node-redis writes them as one batch: one round trip.
  const pending = commands.map((command) => {
    const refusal = refusalOf(command);
    return refusal === undefined
      ? redis.send(command)
      : Promise.reject(new RefusedCommand(refusal));
  });
  const settled = await Promise.allSettled(pending);
  return settled.map((s) =>
    s.status === 'rejected' && s.reason instanceof RefusedCommand
      ? { error: s.reason.message }
      : outcomeOf(s, redis),
  );
}

class RefusedCommand extends Error {}

export type TransactionOutcome = { results: CommandOutcome[] } | { discarded: string };

/**
 * `POST /multi-exec`: MULTI, the commands, EXEC, written back to back on the shared connection.
 * A command Redis refuses to queue discards the whole transaction (one error, as Upstash does);
 * a command failing while EXEC runs is an error outcome among the results.
 */
export async function runTransaction(
  redis: RedisPort,
  commands: readonly RedisCommand[],
): Promise<TransactionOutcome> {
  for (const command of commands) {
    const refusal = refusalOf(command);
    if (refusal !== undefined) return { discarded: refusal };
  }
  const chain = Symbol('multi-exec');
  const pending = [['MULTI'], ...commands, ['EXEC']].map((command) => redis.send(command, chain));
  const settled = await Promise.allSettled(pending);

  const queued = settled.slice(0, -1);
  for (const s of queued) {
    if (s.status === 'rejected') {
      if (!redis.isReplyError(s.reason)) throw new RedisUnavailableError(s.reason);
      return { discarded: s.reason.message };
    }
  }
  const exec = settled[settled.length - 1]!;
  if (exec.status === 'rejected') {
    if (!redis.isReplyError(exec.reason)) throw new RedisUnavailableError(exec.reason);
    return { discarded: exec.reason.message };
  }
  if (!Array.isArray(exec.value)) return { discarded: 'EXECABORT Transaction was not executed' };
  return {
    results: exec.value.map((reply: RawReply) =>
      reply instanceof Error ? { error: reply.message } : { result: reply },
    ),
  };
}
