/**
 * The backplane section of docs/benchmarks.md, rendered from the measurements: the prose is static
 * text with {named} slots (PROSE below), the numbers are formatted once into those names, and
 * stats.ts's `fill` and `table` put them together. Where a sentence depends on a result (a budget
 * exceeded or not), the text holds both sentences and the data picks one.
 */
import type { Baseline } from './backplane-baselines.js';
import type { Loss, Saturation } from './backplane-runs.js';
import { fill, fmt, fmtInt, percentile, table } from './stats.js';

/** Everything one run of the backplane benchmark measured. */
export interface BackplaneResults {
  readonly instances: number;
  readonly cores: number;
  readonly batch: number;
  readonly concurrency: number;
  readonly targetRate: number;
  /** Events of the saturation run (decisions and their verdicts). */
  readonly events: number;
  /** Events of every run against the backplane (warm-up, saturation, steady). */
  readonly allEvents: number;
  readonly steadyRate: number;
  readonly steadySeconds: number;
  readonly saturation: Saturation;
  readonly requiredWork: Saturation;
  /** Ingest → hub latencies of the steady run (ms), sorted. */
  readonly latencies: Float64Array;
  readonly loss: Loss;
  /** Mean events per consumed batch and per Postgres write. */
  readonly perBatch: number;
  readonly perWrite: number;
  readonly kafkaWasRunning: boolean;
  readonly baselines: {
    readonly postgres: Baseline;
    readonly kafka: Baseline;
    readonly consume: Baseline;
    readonly checks: Baseline;
  };
}

const PROSE = {
  title: '## Backplane: ingest → Kafka → Postgres → LiveHub',
  intro:
    "Real services from scripts/services on this machine: one Kafka node (KRaft) and PostgreSQL. The backplane as {processes}6 partitions per topic; the consumer writes the batches that arrive together, up to 2,000 events a write and 4 writes at once, as 1,000-row idempotent INSERTs); the sender, playing the edges, and a recording LiveHub in the benchmark's process. Saturation: {events} events in signed batches of {batch}, {concurrency} POSTs in flight. Steady: {steadyRate} events/s (half the measured capacity) for {steadySeconds} s in 50 ms slices, as an edge outbox flushes.",
  oneProcess: 'one process (ingest and consumer roles; ',
  processes:
    '{instances} processes: one with the ingest role, {consumers} with the consumer role (',
  kafkaWasRunning:
    'already running before this run (a broker costs less per event for a few runs after it starts, as its JIT compiles the hot paths)',
  kafkaStarted:
    'started by this run (its JIT still compiling the hot paths: a broker that has run a while costs less per event)',
  baselinesIntro:
    "Baselines, same run, same events, one at a time with the backplane stopped. CPU is counted for the service alone (the process listening on its port and its children: the Kafka JVM; PostgreSQL's postmaster and backends) and for this process, which then runs only the client:",
  composedBound:
    'The composition is a ceiling only where each baseline is bound by CPU, keeping every core busy: then its rate is all the machine can do of that work, and a pipeline that does both pays for both. ',
  bothBusy:
    'Both were here (Postgres alone {busyPg}, Kafka alone {busyKafka} of {cores} cores busy), so a pipeline that needs both services cannot pass {composed} events/s on this machine even with no work of its own; the backplane adds HMAC, schema validation at ingest (a structural check at consume), JSON in and out, and the hub, and reaches {composedPct} % of it.',
  notBothBusy:
    "They were not (Postgres alone kept {busyPg}, Kafka alone {busyKafka} of {cores} cores busy: a baseline that leaves cores idle is held back by something else, its requests' round trips or one thread of JavaScript), so the composition ({composed} events/s) is not a strict ceiling. The CPU bound below holds either way.",
  cpuBound:
    "**CPU bound.** At {target} events/s, {cores} cores give at most **{budget} ms of CPU per 1,000 events**. Any pipeline that both produces every event to Kafka (idempotent, acks -1) and writes it to these tables needs at least the CPU of those two baselines, each with its client, at the batch sizes the backplane uses ({batch} events per send and per statement): {pgMs} ms (Postgres alone) + {kafkaMs} ms (Kafka produce alone) = **{floorMs} ms per 1,000 events**. {floorVerdict} The issue requires more of any implementation: consuming every event back from Kafka ({consumeMs} ms) and checking every batch's signature and every event against core's schemas ({checksMs} ms), which makes **{fullFloorMs} ms per 1,000 events**. {fullFloorVerdict} Both bounds leave out what the pipeline also has to do — the HTTP ingest, the JSON between the steps, committing offsets, publishing to the hub — so they err in the pipeline's favour, as does measuring Kafka on a broker already warmed by the {allEvents} events of the runs above. Other processes on the machine (the saturation run's row above) take cores from every rate here; the bounds use CPU per event.",
  overBudget:
    'That exceeds the budget by {excess} %: **{target} events/s is not reachable on this machine {even}**; this work alone would keep {cores} cores busy at {rateAt} events/s, and needs {coresNeeded} cores at {target} events/s.',
  withinBudget:
    'That fits within the budget, leaving {spare} ms per 1,000 events for the rest: this bound does not rule out {target} events/s on this machine (this work alone would keep {cores} cores busy at {rateAt} events/s).',
  evenWithNoWork: 'even with zero backplane work',
  evenDoingNoMore: 'even if the backplane did nothing more than that',
  pipeline:
    'The pipeline itself, in the saturation run: the Kafka broker and PostgreSQL used {servicesPerK} per 1,000 events (the consume included), the backplane {cpuBackplane} and the sender {cpuOwn}; at this cost per event, {target} events/s would need about {coresAtTarget} cores busy.',
  requiredWork:
    "**Required work only.** The same warm-up and saturation, in the same run, against a pipeline that does only what the issue requires of every event and nothing of the backplane's own (bench/servers/backplane-required-work.ts: a bare node:http handler checking the signature, parsing and validating with core's schemas and producing with kafkajs, idempotent, acks -1; a kafkajs group member writing each batch with the backplane's own idempotent statement, grouped as the backplane groups them, posting the live events to the hub, then committing — no Hono, metrics, logs, retries or queues; as many processes as the backplane's): **{reqRate} events/s**, with {reqBusy} of {cores} cores busy; {reqMs} ms of CPU per 1,000 events in all, against the {budget} ms that {target} events/s allows — with every core busy, that cost per event allows at most {reqMaxRate} events/s. {reqVerdict}",
  reqReaches:
    "It reaches the target: the backplane's own work is what keeps it from {target} events/s here.",
  reqMisses:
    'Even this pipeline misses the target on this machine; the backplane reaches {reqPct} % of its rate.',
  reqMissesToo:
    'Even this pipeline misses, like the backplane, the target on this machine; the backplane reaches {reqPct} % of its rate.',
} as const;

/** The rows of the results table: measure and target as text with slots, the result beside. */
const RESULT_ROWS: readonly (readonly [string, string, string])[] = [
  [
    'sustained events/s, first POST → all rows in Postgres',
    '**{pipelineRate}**',
    '≥ {target} {okRate}',
  ],
  [
    'required work only (same run, same load; bench/servers/backplane-required-work.ts): events/s, and the backplane as a share of it',
    '{reqRate}; backplane {reqShare}×',
    '—',
  ],
  ['ingest alone (202s/s, acks -1)', '{ingestRate}', '—'],
  [
    'ingest → hub latency at {steadyRate} events/s, p50 / p99',
    '{p50} ms / **{p99} ms**',
    'p99 ≤ 500 ms {okP99}',
  ],
  [
    'loss / duplicates: rows vs decisions sent, distinct event ids',
    '{rows} / {decisions}, {distinct} distinct; verdicts {feedbackRows} / {verdicts}; missing at hub {missingAtHub}',
    'zero, zero {okLoss}',
  ],
  [
    'CPU per 1,000 events (saturation run): backplane processes / Kafka / Postgres / sender + hub',
    '{cpuBackplane} / {cpuKafka} / {cpuPg} / {cpuOwn}',
    '—',
  ],
  [
    'the same for the required-work pipeline: its processes / Kafka / Postgres / sender + hub',
    '{reqCpuTarget} / {reqCpuKafka} / {reqCpuPg} / {reqCpuOwn}',
    '—',
  ],
  [
    'events per consumed batch (one partition) / per Postgres write (batches that arrived together), mean',
    '{perBatch} / {perWrite}',
    '—',
  ],
  ['Kafka broker', '{kafkaBroker}', '—'],
  [
    'cores busy during the saturation run (of {cores}): the processes above / others on the machine',
    '{busyOurs} / {busyOthers}',
    '—',
  ],
];

const BASELINE_HEADER = [
  'path',
  'events/s',
  'CPU per 1,000 events: service + client',
  'cores busy (of {cores})',
  'backplane / baseline',
];
const SERVICE_AND_CLIENT = '{service} ms {serviceName} + {client} ms {clientName} = **{total} ms**';
const CLIENT_ONLY = '**{client} ms** {clientName}';

const ok = (good: boolean) => (good ? '✅' : '❌');
/** CPU seconds per event as milliseconds per 1,000 events. */
const msPerK = (cpuS: number, n: number) => (cpuS / n) * 1e6;
const baseMsPerK = (b: Baseline) => msPerK(b.serviceCpu + b.clientCpu, b.events);
const busy = (b: Baseline) => (b.serviceCpu + b.clientCpu) / b.seconds;
const rate = (b: Baseline) => b.events / b.seconds;
const cpuTotal = (s: Saturation) => s.cpu.target + s.cpu.kafka + s.cpu.pg + s.cpu.own;

/** The backplane section, from one run's results. */
export function renderBackplane(r: BackplaneResults): string {
  const { baselines: b, saturation: sat, requiredWork: req, loss } = r;
  const pipelineRate = sat.pipelineRate;
  const perK = (sec: number) => `${fmt(msPerK(sec, r.events), 0)} ms`;
  // Both baselines need the same cores: where each is bound by CPU, their composition bounds any
  // pipeline doing both.
  const composed = 1 / (1 / rate(b.postgres) + 1 / rate(b.kafka));
  // The CPU bound: what producing to Kafka and writing to Postgres cost per event by themselves,
  // each with its client, against what the machine's cores give per event at the target rate.
  const budget = (r.cores / r.targetRate) * 1e6;
  const floorMs = baseMsPerK(b.postgres) + baseMsPerK(b.kafka);
  // What the issue requires of every implementation besides: check and validate, consume.
  const fullFloorMs = floorMs + baseMsPerK(b.consume) + baseMsPerK(b.checks);
  const reqMs = msPerK(cpuTotal(req), r.events);
  const p99 = percentile(r.latencies, 99);
  const lossless =
    loss.rows === loss.decisions &&
    loss.distinct === loss.decisions &&
    loss.feedbackRows === loss.verdicts &&
    loss.missingAtHub === 0;

  const v: Record<string, string> = {
    instances: String(r.instances),
    consumers: r.instances - 1 === 1 ? 'one' : String(r.instances - 1),
    cores: String(r.cores),
    events: fmtInt(r.events),
    allEvents: fmtInt(r.allEvents),
    batch: fmtInt(r.batch),
    concurrency: String(r.concurrency),
    target: fmtInt(r.targetRate),
    steadyRate: fmtInt(r.steadyRate),
    steadySeconds: String(r.steadySeconds),
    pipelineRate: fmtInt(pipelineRate),
    okRate: ok(pipelineRate >= r.targetRate),
    reqRate: fmtInt(req.pipelineRate),
    reqShare: fmt(pipelineRate / req.pipelineRate),
    reqPct: fmt((pipelineRate / req.pipelineRate) * 100, 0),
    ingestRate: fmtInt(sat.ingestRate),
    p50: fmt(percentile(r.latencies, 50), 0),
    p99: fmt(p99, 0),
    okP99: ok(p99 <= 500),
    rows: fmtInt(loss.rows),
    decisions: fmtInt(loss.decisions),
    distinct: fmtInt(loss.distinct),
    feedbackRows: fmtInt(loss.feedbackRows),
    verdicts: fmtInt(loss.verdicts),
    missingAtHub: String(loss.missingAtHub),
    okLoss: ok(lossless),
    cpuBackplane: perK(sat.cpu.target),
    cpuKafka: perK(sat.cpu.kafka),
    cpuPg: perK(sat.cpu.pg),
    cpuOwn: perK(sat.cpu.own),
    reqCpuTarget: perK(req.cpu.target),
    reqCpuKafka: perK(req.cpu.kafka),
    reqCpuPg: perK(req.cpu.pg),
    reqCpuOwn: perK(req.cpu.own),
    perBatch: fmt(r.perBatch, 0),
    perWrite: fmt(r.perWrite, 0),
    kafkaBroker: r.kafkaWasRunning ? PROSE.kafkaWasRunning : PROSE.kafkaStarted,
    busyOurs: fmt(cpuTotal(sat) / sat.seconds),
    busyOthers: fmt(Math.max(0, sat.cpu.others / sat.seconds)),
    composed: fmtInt(composed),
    composedPct: fmt((pipelineRate / composed) * 100, 0),
    busyPg: fmt(busy(b.postgres)),
    busyKafka: fmt(busy(b.kafka)),
    budget: fmt(budget, 0),
    pgMs: fmt(baseMsPerK(b.postgres), 0),
    kafkaMs: fmt(baseMsPerK(b.kafka), 0),
    floorMs: fmt(floorMs, 0),
    consumeMs: fmt(baseMsPerK(b.consume), 0),
    checksMs: fmt(baseMsPerK(b.checks), 0),
    fullFloorMs: fmt(fullFloorMs, 0),
    servicesPerK: perK(sat.cpu.kafka + sat.cpu.pg),
    coresAtTarget: fmt((cpuTotal(sat) / r.events) * r.targetRate, 1),
    reqBusy: fmt(cpuTotal(req) / req.seconds),
    reqMs: fmt(reqMs, 0),
    reqMaxRate: fmtInt((r.cores * 1e6) / reqMs),
  };
  v.processes = fill(r.instances === 1 ? PROSE.oneProcess : PROSE.processes, v);
  /** Whether `ms` per 1,000 events fits the budget, said plainly. */
  const verdict = (ms: number, even: string) =>
    fill(ms > budget ? PROSE.overBudget : PROSE.withinBudget, {
      ...v,
      even,
      excess: fmt((ms / budget - 1) * 100, 0),
      rateAt: fmtInt((r.cores * 1e6) / ms),
      coresNeeded: fmt((ms / 1e6) * r.targetRate, 1),
      spare: fmt(budget - ms, 0),
    });
  v.floorVerdict = verdict(floorMs, PROSE.evenWithNoWork);
  v.fullFloorVerdict = verdict(fullFloorMs, PROSE.evenDoingNoMore);
  v.reqVerdict = fill(
    req.pipelineRate >= r.targetRate
      ? PROSE.reqReaches
      : req.pipelineRate >= pipelineRate
        ? PROSE.reqMisses
        : PROSE.reqMissesToo,
    v,
  );

  /** A baseline's row; `serviceName` null for work done in this process alone. */
  const baselineRow = (
    name: string,
    base: Baseline,
    serviceName: string | null,
    clientName: string,
    compare = true,
  ) => [
    name,
    fmtInt(rate(base)),
    fill(serviceName === null ? CLIENT_ONLY : SERVICE_AND_CLIENT, {
      serviceName: serviceName ?? '',
      clientName,
      service: fmt(msPerK(base.serviceCpu, base.events), 0),
      client: fmt(msPerK(base.clientCpu, base.events), 0),
      total: fmt(baseMsPerK(base), 0),
    }),
    fmt(busy(base)),
    compare ? `${fmt(pipelineRate / rate(base))}×` : '—',
  ];

  const bothBusy = Math.min(busy(b.postgres), busy(b.kafka)) >= 0.9 * r.cores;
  return [
    PROSE.title,
    '',
    fill(PROSE.intro, v),
    '',
    table(
      ['measure', 'result', 'target'],
      RESULT_ROWS.map((row) => row.map((cell) => fill(cell, v))),
    ),
    '',
    PROSE.baselinesIntro,
    '',
    table(
      BASELINE_HEADER.map((h) => fill(h, v)),
      [
        baselineRow(
          'Postgres alone (the same idempotent multi-row INSERTs, 4 at once)',
          b.postgres,
          'PostgreSQL',
          'postgres client',
        ),
        baselineRow(
          'Kafka produce alone (kafkajs, idempotent, acks -1, 4 sends at once)',
          b.kafka,
          'Kafka JVM',
          'kafkajs',
        ),
        [
          'both, sharing the machine: 1 / (1/Postgres + 1/Kafka)',
          fmtInt(composed),
          fill('**{floorMs} ms**', v),
          '—',
          `${fmt(pipelineRate / composed)}×`,
        ],
        baselineRow(
          'Kafka consume alone (a group member reading those messages back, the backplane’s fetch sizes)',
          b.consume,
          'Kafka JVM',
          'kafkajs',
          false,
        ),
        baselineRow(
          'ingest checks alone (each batch’s HMAC, JSON.parse, core’s validateIngestBatch)',
          b.checks,
          null,
          'in this process',
          false,
        ),
      ],
    ),
    '',
    PROSE.composedBound + fill(bothBusy ? PROSE.bothBusy : PROSE.notBothBusy, v),
    '',
    fill(PROSE.cpuBound, v),
    '',
    fill(PROSE.pipeline, v),
    '',
    fill(PROSE.requiredWork, v),
    '',
  ].join('\n');
}
