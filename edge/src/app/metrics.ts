/**
 * The edge's Prometheus metrics: a few counters and one histogram, rendered in the text exposition
 * format (version 0.0.4). Small on purpose: a client library would pull Node APIs into the Worker,
 * and the edge needs only monotonically increasing numbers per label set. The metrics live per
 * process or isolate; Prometheus sums them across instances.
 */
import type { DegradedCause, ScoringObserver } from '../scoring/scoring-service.js';

type Labels = Readonly<Record<string, string>>;

/** `{a="x",b="y"}` with label values escaped as the format requires. */
function renderLabels(labels: Labels): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(labels)) {
    parts.push(`${k}="${v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`);
  }
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

interface Series {
  readonly labels: string;
  value: number;
}

/** Anything that writes metric families into the exposition (the event sink's, say). */
export interface MetricsSource {
  render(out: string[]): void;
}

/** A counter (or, with type 'gauge', a gauge) with label sets. */
export class Counter implements MetricsSource {
  /** By label values joined: the rendered label text is built once per series. */
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    /** Label sets shown as 0 before their first increment (known label values only). */
    initial: readonly Labels[] = [{}],
    private readonly type: 'counter' | 'gauge' = 'counter',
  ) {
    for (const l of initial) this.at(l);
  }

  private at(labels: Labels): Series {
    let key = '';
    for (const k in labels) key += `${labels[k]}\u0001`;
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { labels: renderLabels(labels), value: 0 }));
    return s;
  }

  inc(labels: Labels = {}, by = 1): void {
    this.at(labels).value += by;
  }

  /** Set a gauge's value. */
  set(value: number, labels: Labels = {}): void {
    this.at(labels).value = value;
  }

  /** The current value of one label set (0 if never incremented). */
  get(labels: Labels = {}): number {
    return this.at(labels).value;
  }

  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`);
    for (const s of this.series.values()) out.push(`${this.name}${s.labels} ${s.value}`);
  }
}

/** A histogram without labels. */
export class Histogram implements MetricsSource {
  private readonly counts: Float64Array;
  private sum = 0;
  private count = 0;

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
  ) {
    this.counts = new Float64Array(buckets.length);
  }

  /** Record `v`, `times` times (events of one batch delivered together, say). */
  observe(v: number, times = 1): void {
    for (let i = 0; i < this.buckets.length; i++)
      if (v <= this.buckets[i]!) this.counts[i]! += times;
    this.sum += v * times;
    this.count += times;
  }

  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`);
    this.buckets.forEach((b, i) => out.push(`${this.name}_bucket{le="${b}"} ${this.counts[i]}`));
    out.push(`${this.name}_bucket{le="+Inf"} ${this.count}`);
    out.push(`${this.name}_sum ${this.sum}`, `${this.name}_count ${this.count}`);
  }
}

const DECISION_LABELS = ['approve', 'review', 'decline'].flatMap((decision) =>
  ['false', 'true'].map((degraded) => ({ decision, degraded })),
);
const CAUSES: readonly DegradedCause[] = ['store_timeout', 'store_error', 'model_error'];

/** Log sink for errors the metrics see (degraded causes, failed saves): rate-limited per kind. */
export type ErrorLogger = (event: string, error: unknown) => void;

/** All of the edge's metrics; also the scoring observer that feeds most of them. */
export class EdgeMetrics implements ScoringObserver {
  readonly requests = new Counter(
    'vigil_http_requests_total',
    'HTTP requests by route and status.',
    [],
  );
  readonly scoreSeconds = new Histogram(
    'vigil_score_request_duration_seconds',
    'Server time of POST /v1/score, from arrival to answer.',
    [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
  );
  readonly decisions = new Counter(
    'vigil_decisions_total',
    'Fresh answers (not replays) by decision and by whether they were degraded.',
    DECISION_LABELS,
  );
  readonly degradedRequests = new Counter(
    'vigil_degraded_requests_total',
    'Score requests answered with fallback features or the fallback model, by cause.',
    CAUSES.map((cause) => ({ cause })),
  );
  readonly replays = new Counter(
    'vigil_replays_total',
    'Transactions answered from their saved first answer.',
  );
  readonly pendings = new Counter(
    'vigil_pending_total',
    'Transactions refused with 409 while a concurrent request scores them.',
  );
  readonly conflicts = new Counter(
    'vigil_id_conflicts_total',
    'Transactions refused with 422: their transaction_id was first used with another customer, ' +
      'terminal, time or amount.',
  );
  readonly answerSaveErrors = new Counter(
    'vigil_answer_save_errors_total',
    'Failed saves of answers for replay.',
  );
  readonly events = new Counter(
    'vigil_events_emitted_total',
    'Events handed to the event sink, by type.',
    [{ type: 'decision' }, { type: 'feedback' }],
  );
  readonly sinkErrors = new Counter(
    'vigil_event_sink_errors_total',
    'Event sink calls that threw (the events are lost).',
  );
  readonly labels = new Counter('vigil_feedback_labels_total', 'Labels by label and outcome.', [
    { label: 'fraud', outcome: 'applied' },
    { label: 'fraud', outcome: 'unchanged' },
    { label: 'legitimate', outcome: 'applied' },
    { label: 'legitimate', outcome: 'unchanged' },
  ]);
  readonly ruleErrors = new Counter(
    'vigil_rule_errors_total',
    'Rule evaluations that failed at run time, by rule id (counted as not matched; the ' +
      'decision stands without them).',
    [],
  );
  readonly challengerErrors = new Counter(
    'vigil_challenger_errors_total',
    'Calls whose challenger scoring failed (their decision events went without challenger).',
  );

  constructor(
    /** The served champion's version, read at each scrape (a promotion changes it). */
    private readonly modelVersion: () => string,
    private readonly logError: ErrorLogger = () => undefined,
    /** More families for the exposition, e.g. the event sink's delivery metrics. */
    private readonly extra: readonly MetricsSource[] = [],
  ) {}

  decided(decision: string, degraded: boolean): void {
    this.decisions.inc({ decision, degraded: degraded ? 'true' : 'false' });
  }

  replayed(): void {
    this.replays.inc();
  }

  pending(): void {
    this.pendings.inc();
  }

  conflicted(): void {
    this.conflicts.inc();
  }

  degraded(cause: DegradedCause, error: unknown): void {
    this.degradedRequests.inc({ cause });
    this.logError(`degraded:${cause}`, error);
  }

  answerSaveFailed(error: unknown): void {
    this.answerSaveErrors.inc();
    this.logError('answer-save-failed', error);
  }

  sinkFailed(error: unknown): void {
    this.sinkErrors.inc();
    this.logError('event-sink-failed', error);
  }

  challengerFailed(error: unknown): void {
    this.challengerErrors.inc();
    this.logError('challenger-failed', error);
  }

  rulesFailed(ids: readonly string[]): void {
    for (const rule of ids) this.ruleErrors.inc({ rule });
  }

  /** The exposition text. */
  render(): string {
    const out: string[] = [];
    for (const m of [
      this.requests,
      this.scoreSeconds,
      this.decisions,
      this.degradedRequests,
      this.replays,
      this.pendings,
      this.conflicts,
      this.answerSaveErrors,
      this.events,
      this.sinkErrors,
      this.labels,
      this.ruleErrors,
      this.challengerErrors,
      ...this.extra,
    ]) {
      m.render(out);
    }
    // An info metric (value 1): lets dashboards show which model each instance serves.
    out.push(
      '# HELP vigil_model_info The served model (value 1).',
      '# TYPE vigil_model_info gauge',
      `vigil_model_info${renderLabels({ version: this.modelVersion() })} 1`,
    );
    return out.join('\n') + '\n';
  }
}
