/**
 * The request side of the Upstash REST protocol: a command is a JSON array
 * `["SET", "k", "v"]`; `/pipeline` and `/multi-exec` take an array of such arrays.
 */

/** One Redis command as the wire sends it: name first, then its arguments. */
export type RedisCommand = readonly string[];

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * Commands that would block or change the state of the one shared connection (Upstash's REST API
 * refuses the same families: blocking pops, pub/sub, MULTI/WATCH, SELECT, connection commands).
 */
const REFUSED = new Set([
  'AUTH',
  'HELLO',
  'RESET',
  'QUIT',
  'SELECT',
  'CLIENT',
  'MONITOR',
  'SYNC',
  'PSYNC',
  'REPLCONF',
  'SUBSCRIBE',
  'PSUBSCRIBE',
  'SSUBSCRIBE',
  'UNSUBSCRIBE',
  'PUNSUBSCRIBE',
  'SUNSUBSCRIBE',
  'MULTI',
  'EXEC',
  'DISCARD',
  'WATCH',
  'UNWATCH',
  'BLPOP',
  'BRPOP',
  'BRPOPLPUSH',
  'BLMOVE',
  'BLMPOP',
  'BZPOPMIN',
  'BZPOPMAX',
  'BZMPOP',
  'WAIT',
  'WAITAOF',
  'SHUTDOWN',
  'DEBUG',
]);

/** Why a well-formed command is not run through the bridge, or undefined when it may run. */
export function refusalOf(command: RedisCommand): string | undefined {
  const name = (command[0] ?? '').toUpperCase();
  if (REFUSED.has(name)) return `ERR Command is not allowed through the REST bridge: ${name}`;
  // XREAD/XREADGROUP are fine unless they ask to block.
  if (
    (name === 'XREAD' || name === 'XREADGROUP') &&
    command.some((a) => a.toUpperCase() === 'BLOCK')
  ) {
    return `ERR Blocking ${name} is not allowed through the REST bridge`;
  }
  return undefined;
}

function toArgument(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return Number.isFinite(value) ? String(value) : undefined;
    case 'boolean':
      return String(value);
    default:
      return undefined;
  }
}

function parseOne(body: unknown, where: string): Parsed<RedisCommand> {
  if (!Array.isArray(body) || body.length === 0) {
    return {
      ok: false,
      error: `ERR ${where} must be a non-empty JSON array like ["SET","key","value"]`,
    };
  }
  const command: string[] = [];
  for (let i = 0; i < body.length; i++) {
    const arg = toArgument(body[i]);
    if (arg === undefined) {
      return {
        ok: false,
        error: `ERR ${where}[${i}] must be a string, a finite number or a boolean`,
      };
    }
    command.push(arg);
  }
  if (command[0] === '') return { ok: false, error: `ERR ${where}[0] (the command name) is empty` };
  return { ok: true, value: command };
}

/** Validates the body of `POST /`. */
export function parseCommand(body: unknown): Parsed<RedisCommand> {
  return parseOne(body, 'command');
}

/** Validates the body of `POST /pipeline` and `POST /multi-exec`: a non-empty array of commands. */
export function parseCommandList(body: unknown): Parsed<RedisCommand[]> {
  if (!Array.isArray(body) || body.length === 0) {
    return {
      ok: false,
      error:
        'ERR body must be a non-empty JSON array of commands like [["SET","k","v"],["GET","k"]]',
    };
  }
  const commands: RedisCommand[] = [];
  for (let i = 0; i < body.length; i++) {
    const parsed = parseOne(body[i], `command ${i}`);
    if (!parsed.ok) return parsed;
    commands.push(parsed.value);
  }
  return { ok: true, value: commands };
}
