/**
 * The ruleset through the analysts' API (ARCHITECTURE.md, "Decision rules and lists"): read it with
 * each rule's hits, change one rule (each change is a new version), list the versions and restore
 * one. Every change is validated by core's ruleSchema and the rule engine's expression check, and
 * written with its audit row in one transaction (rules-store.ts).
 */
import { MAX_RULES, RULE_ID, ruleSchema, type Rule } from '@vigil/core';
import { Hono } from 'hono';
import type { Sql } from 'postgres';
import * as z from 'zod/mini';
import type { ApiEnv } from '../api-env.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { ProblemError, validationProblem } from '../../http/problem.js';
import { integerParam, noQuery, parseBody, parseQuery, parseWith } from '../validate.js';
import { assertExpression, assertRuleset } from './expression-check.js';
import {
  changeRuleset,
  currentRuleset,
  listVersions,
  ruleHits,
  rulesOfVersion,
} from './rules-store.js';

const HOUR_MS = 3_600_000;
const DEFAULT_VERSIONS = 50;
const MAX_VERSIONS = 500;

/** PUT's body: the rule without its id (the path names it), or with the same id. */
const putBody = z.extend(z.omit(ruleSchema, { id: true }), {
  id: z.optional(ruleSchema.shape.id),
});

const idParam = z.object({
  id: z.string().check(z.regex(RULE_ID, 'id must be 1–64 characters of a–z, 0–9 and _')),
});
/**
 * A version in the path: any run of digits (a version that was never written, however large, is a
 * 404 like any other unknown one); versions are int4 in Postgres, so a larger one is looked up as 0.
 */
const versionParam = z.object({
  version: z.pipe(
    z.string().check(z.regex(/^[0-9]{1,40}$/, 'version must be a positive integer')),
    z.transform((v) => (Number(v) <= 2 ** 31 - 1 ? Number(v) : 0)),
  ),
});
const versionsQuery = z.strictObject({
  limit: z.optional(integerParam('limit', 1, MAX_VERSIONS)),
  cursor: z.optional(z.string()),
});

/** The fields of a rule that differ between two versions of it, for the change's summary. */
function changedFields(before: Rule, after: Rule): string[] {
  return (Object.keys(after) as (keyof Rule)[]).filter((k) => before[k] !== after[k]);
}

/** GET/POST /rules, PUT/DELETE /rules/:id, GET /rules/versions, POST /rules/versions/:v/restore. */
export function rulesRoutes(deps: { sql: Sql; now: () => Date }): Hono<ApiEnv> {
  const { sql, now } = deps;
  const r = new Hono<ApiEnv>();

  r.get('/rules', noQuery, async (c) => {
    const t = now().getTime();
    const [ruleset, hits] = await Promise.all([
      currentRuleset(sql),
      ruleHits(sql, new Date(t - HOUR_MS), new Date(t - 24 * HOUR_MS)),
    ]);
    return c.json({
      version: ruleset.version,
      rules: ruleset.rules.map((rule) => ({
        ...rule,
        hits: hits.get(rule.id) ?? { hour: 0, day: 0 },
      })),
    });
  });

  r.post('/rules', noQuery, async (c) => {
    const rule = await parseBody(c, ruleSchema);
    const actor = c.get('principal').subject;
    const out = await changeRuleset(sql, actor, now(), (current, lists) => {
      if (current.rules.some((x) => x.id === rule.id)) {
        throw new ProblemError('already-exists', `a rule ${rule.id} exists: change it with PUT`);
      }
      if (current.rules.length >= MAX_RULES) {
        throw validationProblem([
          { path: '', message: `a ruleset holds at most ${MAX_RULES} rules` },
        ]);
      }
      assertExpression(rule.expression, lists);
      const rules = [...current.rules, rule];
      assertRuleset(rules, lists);
      return {
        rules,
        summary: `added rule ${rule.id}`,
        audit: { action: 'rule.create', target: `rule:${rule.id}`, before: null, after: rule },
        result: rule,
      };
    });
    return c.json({ version: out.version, rule: out.result }, 201);
  });

  r.put('/rules/:id', noQuery, async (c) => {
    const { id } = parseWith(idParam, c.req.param());
    const body = await parseBody(c, putBody);
    if (body.id !== undefined && body.id !== id) {
      throw validationProblem([{ path: '/id', message: `id must be ${id}, as in the path` }]);
    }
    const rule: Rule = { ...body, id };
    const actor = c.get('principal').subject;
    const out = await changeRuleset(sql, actor, now(), (current, lists) => {
      const before = current.rules.find((x) => x.id === id);
      if (!before) throw new ProblemError('not-found', `no rule ${id}`);
      assertExpression(rule.expression, lists);
      const changed = changedFields(before, rule);
      // Nothing changed: the version in force stands (no new version an edge would fetch, no audit).
      if (changed.length === 0) return { unchanged: true, result: before };
      const rules = current.rules.map((x) => (x.id === id ? rule : x));
      assertRuleset(rules, lists);
      return {
        rules,
        summary: `changed rule ${id} (${changed.join(', ')})`,
        audit: { action: 'rule.update', target: `rule:${id}`, before, after: rule },
        result: rule,
      };
    });
    return c.json({ version: out.version, rule: out.result });
  });

  r.delete('/rules/:id', noQuery, async (c) => {
    const { id } = parseWith(idParam, c.req.param());
    const actor = c.get('principal').subject;
    const out = await changeRuleset(sql, actor, now(), (current) => {
      const before = current.rules.find((x) => x.id === id);
      if (!before) throw new ProblemError('not-found', `no rule ${id}`);
      return {
        rules: current.rules.filter((x) => x.id !== id),
        summary: `deleted rule ${id}`,
        audit: { action: 'rule.delete', target: `rule:${id}`, before, after: null },
        result: before,
      };
    });
    return c.json({ version: out.version, rule: out.result });
  });

  r.get('/rules/versions', async (c) => {
    const q = parseQuery(c, versionsQuery);
    const limit = q.limit ?? DEFAULT_VERSIONS;
    const before =
      q.cursor === undefined ? undefined : Number(decodeCursor('version', q.cursor, 'n')[0]);
    const rows = await listVersions(sql, limit + 1, before);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return c.json({
      versions: page,
      next_cursor: rows.length > limit && last ? encodeCursor('version', [last.version]) : null,
    });
  });

  r.post('/rules/versions/:version/restore', noQuery, async (c) => {
    const { version } = parseWith(versionParam, c.req.param());
    const actor = c.get('principal').subject;
    const old = await rulesOfVersion(sql, version);
    if (old === null) throw new ProblemError('not-found', `no ruleset version ${version}`);
    const out = await changeRuleset(sql, actor, now(), (current, lists) => {
      // Lists are never deleted, so an old version's in_list names are still known; but a version
      // written before the ruleset budget may exceed it, and the edges would refuse it.
      assertRuleset(old, lists);
      return {
        rules: old,
        summary: `restored version ${version}`,
        audit: {
          action: 'ruleset.restore',
          target: `ruleset:${current.version + 1}`,
          before: current,
          after: { version: current.version + 1, restored_from: version, rules: old },
        },
        result: old,
      };
    });
    return c.json({ version: out.version, rules: out.result });
  });

  return r;
}
