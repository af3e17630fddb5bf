/**
 * The rule backtest's engine (pure, no I/O): the stored decisions of a window, one at a time, run
 * through the ruleset in force with the candidate rule in it — compiled by the same
 * compileRuleset and run by the same applyRules as at the edge, so a backtest and the edge can
 * never disagree on what a rule matches — and counted into the answer of
 * `POST /api/rules/backtest` (backtest-contract.ts). The backplane streams the rows in; memory is
 * bounded by the days of the window and the examples kept, not by the rows.
 */
import type { Decision } from '../policy/decision.js';
import type { FeedbackLabel } from '../schema/feedback.js';
import { applyRules } from './apply-rules.js';
import {
  BACKTEST_MAX_EXAMPLES,
  type BacktestAnswer,
  type BacktestCounts,
  type BacktestExample,
} from './backtest-contract.js';
import { checkExpression, compileRuleset, type CompiledRuleset } from './compile.js';
import type { ModelDecisions } from './model-decision.js';
import { ruleReads, type RuleReads } from './rule-reads.js';
import { LIST_KIND_FIELD, type RuleTransaction } from './rule-env.js';
import type { ListKind, ListRef, Rule, RuleAction, Ruleset } from './rules-contract.js';

/** The rule a backtest tries. */
export interface BacktestCandidate {
  readonly expression: string;
  readonly action: RuleAction;
  /** A rule of the ruleset in force it replaces; else it is added under this id (or a free one). */
  readonly ruleId?: string | undefined;
}

/** A backtest ready to run: both rulesets compiled, and what their rules read. */
export interface BacktestPlan {
  /** The id the candidate runs under. */
  readonly candidateId: string;
  /** The ruleset in force (active rules) without the candidate: the decisions it changes from. */
  readonly baseline: CompiledRuleset;
  /** The ruleset in force with the candidate, active, in its place. */
  readonly withCandidate: CompiledRuleset;
  /** What the rules of both read (the columns, features, lists and velocity to load). */
  readonly reads: RuleReads;
  /** Which of those rules read velocity: the candidate, and the others by id. */
  readonly velocityReadBy: BacktestAnswer['velocity_read_by'];
  readonly rulesetVersion: number;
  /** `ruleId` when it names a rule in `shadow` mode: its live counts are compared. */
  readonly shadowRuleId: string | null;
}

export type PlanResult =
  | { readonly ok: true; readonly plan: BacktestPlan }
  | { readonly ok: false; readonly message: string; readonly position: number | null };

const CANDIDATE_ID = 'backtest_candidate';

/**
 * Compile the backtest of `candidate` against the ruleset in force: the expression is checked as
 * a rule (the message and position the rules API gives), then both rulesets compile. Shadow and
 * disabled rules are left out of both: they never change a decision.
 */
export function planBacktest(
  current: Ruleset,
  lists: readonly ListRef[],
  candidate: BacktestCandidate,
): PlanResult {
  const check = checkExpression(candidate.expression, lists);
  if (!check.ok) return check;
  const existing = current.rules.find((r) => r.id === candidate.ruleId);
  let candidateId = candidate.ruleId ?? CANDIDATE_ID;
  while (existing === undefined && current.rules.some((r) => r.id === candidateId)) {
    candidateId += '_';
  }
  const rule: Rule = {
    id: candidateId,
    name: existing?.name ?? 'Backtest candidate',
    description: '',
    expression: candidate.expression,
    action: candidate.action,
    mode: 'active',
  };
  const active = current.rules.filter((r) => r.mode === 'active');
  const baselineRules = active;
  const candidateRules =
    existing === undefined
      ? [...active, rule]
      : current.rules
          .filter((r) => r.mode === 'active' || r.id === existing.id)
          .map((r) => (r.id === existing.id ? rule : r));
  const baseline = compileRuleset({ version: current.version, rules: baselineRules }, lists);
  const withCandidate = compileRuleset({ version: current.version, rules: candidateRules }, lists);
  if (!withCandidate.ok) {
    const e = withCandidate.errors.find((x) => x.id === candidateId) ?? withCandidate.errors[0]!;
    return { ok: false, message: e.message, position: e.position };
  }
  // The ruleset in force compiled when it was published; lists are never deleted, so it compiles.
  if (!baseline.ok)
    throw new Error(`the ruleset in force does not compile: ${baseline.errors[0]?.message}`);
  return {
    ok: true,
    plan: {
      candidateId,
      baseline: baseline.compiled,
      withCandidate: withCandidate.compiled,
      reads: ruleReads(candidateRules.map((r) => r.expression)),
      velocityReadBy: velocityReadBy(candidateRules, candidateId),
      rulesetVersion: current.version,
      shadowRuleId: existing?.mode === 'shadow' ? existing.id : null,
    },
  };
}

/** Which rules read velocity, each walked alone (ruleReads of one expression). */
function velocityReadBy(
  rules: readonly Rule[],
  candidateId: string,
): BacktestAnswer['velocity_read_by'] {
  const reading = rules.filter((r) => ruleReads([r.expression]).velocity.length > 0);
  return {
    candidate: reading.some((r) => r.id === candidateId),
    rules: reading.filter((r) => r.id !== candidateId).map((r) => r.id),
  };
}

/** One stored decision, as the backtest reads it. */
export interface BacktestRow {
  /** The transaction's fields (those the rules do not read may be left empty). */
  readonly tx: RuleTransaction;
  /** Event time, epoch seconds. */
  readonly timeSec: number;
  /** When the edge scored it, epoch ms (the window, the days). */
  readonly scoredAtMs: number;
  /** The stored features, FEATURE_NAMES order (those the rules do not read may be NaN). */
  readonly features: ArrayLike<number>;
  readonly score: number;
  /** The decision stored. */
  readonly decision: Decision;
  /** The actions of the active rules that matched, as stored (null: none). */
  readonly hits: readonly RuleAction[] | null;
  readonly modelVersion: string;
  /** The latest verdict known now. */
  readonly label: FeedbackLabel | null;
  /** The velocity counters recomputed for it (VELOCITY_NAMES order), when a rule reads them. */
  readonly velocity?: ArrayLike<number> | undefined;
  /** For a shadow comparison: whether the rule was in shadow in the decision's ruleset, and matched. */
  readonly shadowLive?: { readonly evaluated: boolean; readonly matched: boolean } | undefined;
}

/** A list as loaded for a backtest: its values now (unexpired), in a Set. */
export interface LoadedList {
  readonly name: string;
  readonly kind: ListKind;
  readonly values: ReadonlySet<string>;
}

/** The answer's parts a run computes (the caller adds the window, the as-of times and timing). */
export type BacktestTotals = Omit<
  BacktestAnswer,
  'window' | 'lists_as_of' | 'labels_as_of' | 'velocity_from' | 'velocity_read_by' | 'elapsed_ms'
>;

const DECISION_INDEX: Readonly<Record<Decision, number>> = { approve: 0, review: 1, decline: 2 };
const DECISION_OF: readonly Decision[] = ['approve', 'review', 'decline'];
const DAY_MS = 86_400_000;
const NO_LISTS: readonly string[] = Object.freeze([]);

function zeroCounts(): { -readonly [K in keyof BacktestCounts]: number } {
  return {
    evaluated: 0,
    matched: 0,
    matched_fraud: 0,
    matched_legitimate: 0,
    matched_unlabelled: 0,
  };
}

/** Keeps the newest `n` of what it is given, in a ring (rows arrive oldest first). */
class Newest<T> {
  private readonly items: T[] = [];
  private next = 0;
  constructor(private readonly n: number) {}
  add(x: T): void {
    if (this.items.length < this.n) this.items.push(x);
    else this.items[this.next] = x;
    this.next = (this.next + 1) % this.n;
  }
  /** Newest first. */
  newestFirst(): T[] {
    const k = this.items.length < this.n ? 0 : this.next;
    const inOrder = [...this.items.slice(k), ...this.items.slice(0, k)];
    return inOrder.reverse();
  }
}

/**
 * A backtest under way: `add` each stored decision of the window (in any order; rows are counted
 * once each), then `totals`.
 */
export class BacktestRun {
  private readonly counts = zeroCounts();
  private readonly shadowCounts = zeroCounts();
  private ruleErrors = 0;
  private readonly amounts = { matched: 0, matched_fraud: 0, matched_legitimate: 0 };
  private readonly currencies = new Set<string | null>();
  /** [from][to] → count, amount. */
  private readonly changes = Array.from({ length: 9 }, () => ({ count: 0, amount: 0 }));
  /** UTC day number → evaluated, matched, matched_fraud. */
  private readonly days = new Map<number, [number, number, number]>();
  private readonly frauds = new Newest<BacktestExample>(BACKTEST_MAX_EXAMPLES);
  private readonly others = new Newest<BacktestExample>(BACKTEST_MAX_EXAMPLES);
  private readonly lists: readonly (LoadedList & { field: string })[];

  constructor(
    private readonly plan: BacktestPlan,
    lists: readonly LoadedList[],
    /** The model's own decision per row (model-decision.ts): thresholds in force, else bounds. */
    private readonly models: ModelDecisions,
  ) {
    const read = new Set(plan.reads.lists);
    this.lists = lists
      .filter((l) => read.has(l.name))
      .map((l) => ({ ...l, field: LIST_KIND_FIELD[l.kind] }));
  }

  /** Names of the loaded lists the transaction's values are on. */
  private listsOf(tx: RuleTransaction): readonly string[] {
    let on: string[] | undefined;
    for (const l of this.lists) {
      const v = (tx as unknown as Record<string, string | undefined>)[l.field];
      if (v !== undefined && l.values.has(v)) (on ??= []).push(l.name);
    }
    return on ?? NO_LISTS;
  }

  /** Count one stored decision. */
  add(row: BacktestRow): void {
    const c = this.counts;
    c.evaluated++;
    const dayNumber = Math.floor(row.scoredAtMs / DAY_MS);
    let day = this.days.get(dayNumber);
    if (day === undefined) this.days.set(dayNumber, (day = [0, 0, 0]));
    day[0]++;
    if (row.shadowLive?.evaluated) this.countShadow(row);

    const modelDecision = this.models.of(row.decision, row.hits, row.score, row.modelVersion);
    const input = {
      tx: row.tx,
      timeSec: row.timeSec,
      features: row.features,
      score: row.score,
      modelDecision,
      lists: this.listsOf(row.tx),
      velocity: row.velocity,
    };
    const after = applyRules(this.plan.withCandidate, input);
    const id = this.plan.candidateId;
    if (after.errors.includes(id)) this.ruleErrors++;
    if (!after.rules.some((h) => h.id === id)) return;

    const before = applyRules(this.plan.baseline, input).decision;
    c.matched++;
    day[1]++;
    const amount = row.tx.amount;
    this.amounts.matched += amount;
    this.currencies.add(row.tx.currency ?? null);
    if (row.label === 'fraud') {
      c.matched_fraud++;
      day[2]++;
      this.amounts.matched_fraud += amount;
    } else if (row.label === 'legitimate') {
      c.matched_legitimate++;
      this.amounts.matched_legitimate += amount;
    } else c.matched_unlabelled++;
    if (before !== after.decision) {
      const change = this.changes[DECISION_INDEX[before] * 3 + DECISION_INDEX[after.decision]]!;
      change.count++;
      change.amount += amount;
    }
    const example: BacktestExample = {
      transaction_id: row.tx.transaction_id,
      label: row.label,
      decision: row.decision,
      new_decision: after.decision,
      amount,
      currency: row.tx.currency ?? null,
      score: row.score,
      scored_at: new Date(row.scoredAtMs).toISOString(),
    };
    (row.label === 'fraud' ? this.frauds : this.others).add(example);
  }

  private countShadow(row: BacktestRow): void {
    const s = this.shadowCounts;
    s.evaluated++;
    if (!row.shadowLive!.matched) return;
    s.matched++;
    if (row.label === 'fraud') s.matched_fraud++;
    else if (row.label === 'legitimate') s.matched_legitimate++;
    else s.matched_unlabelled++;
  }

  /** The counts so far, as the answer carries them. */
  totals(): BacktestTotals {
    const currencies = [...this.currencies].sort((a, b) => (a ?? '').localeCompare(b ?? ''));
    const decisionChanges: BacktestTotals['decision_changes'][number][] = [];
    this.changes.forEach((ch, i) => {
      if (ch.count === 0) return;
      const from = DECISION_OF[Math.floor(i / 3)]!;
      const to = DECISION_OF[i % 3]!;
      decisionChanges.push({ from, to, count: ch.count, amount: ch.amount });
    });
    const perDay = [...this.days.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([d, [evaluated, matched, fraud]]) => ({
        day: new Date(d * DAY_MS).toISOString().slice(0, 10),
        evaluated,
        matched,
        matched_fraud: fraud,
      }));
    const examples = [...this.frauds.newestFirst(), ...this.others.newestFirst()].slice(
      0,
      BACKTEST_MAX_EXAMPLES,
    );
    return {
      ...this.counts,
      ruleset_version: this.plan.rulesetVersion,
      rule_errors: this.ruleErrors,
      model_thresholds: this.models.usedThresholds(),
      amount: { ...this.amounts, currencies, currency_note: currencyNote(currencies) },
      decision_changes: decisionChanges,
      per_day: perDay,
      examples,
      ...(this.plan.shadowRuleId === null
        ? {}
        : { shadow: { rule_id: this.plan.shadowRuleId, ...this.shadowCounts } }),
    };
  }
}

/** How the amounts were summed, in words. */
export function currencyNote(currencies: readonly (string | null)[]): string {
  if (currencies.length === 0) return 'no decision matched';
  if (currencies.length === 1) {
    const c = currencies[0];
    return c === null
      ? 'the matched transactions gave no currency; amounts in their major unit'
      : `all in ${c}, in its major unit`;
  }
  const names = currencies.map((c) => c ?? 'none given').join(', ');
  return (
    `mixed currencies (${names}): each sum adds the amounts in their own currency's major unit, ` +
    'unconverted'
  );
}
