/**
 * The analysts' API over fetch: every HTTP call the dashboard makes goes through here. Created once
 * in main.tsx and handed to the stores, so tests give the stores a fake instead.
 */
import type {
  BulkResolveRequest,
  BulkResolveResponse,
  Case,
  CaseResolution,
  NextCaseRequest,
  SearchResult,
  Page,
  ScoreAnswer,
  SessionInfo,
  Stats,
  StatsWindow,
  TrafficScenario,
  TrafficState,
  TransactionDetail,
  TransactionSummary,
} from '@vigil/core';
import type { List, Rule } from '@vigil/core';
import type { DriftAnswer, ModelCompare, ModelList, RegisteredModel } from '@vigil/core';
import type {
  BacktestAnswer,
  BacktestRequest,
  Thresholds,
  ThresholdsList,
  ThresholdsPreview,
  ThresholdsPreviewRequest,
  ThresholdsSetting,
} from '@vigil/core';
import {
  isBacktestAnswer,
  isThresholdsList,
  isThresholdsPreview,
  isThresholdsSetting,
} from './analysis-guards.js';
import { ApiError, parseProblem, problemMessage, retryAfterMs } from './api-error.js';
import {
  isBulkResolveResponse,
  isCase,
  isInjectSummary,
  isPageOf,
  isScoreAnswer,
  isSearchResult,
  isSessionInfo,
  isStats,
  isTrafficState,
  isTransactionDetail,
  isTransactionSummary,
  type Guard,
} from './guards.js';
import {
  isListInfo,
  isListItem,
  isLists,
  isRuleChangeAnswer,
  isRulesetAnswer,
  isRuleVersions,
} from './rules-guards.js';
import type {
  ListInfo,
  ListItem,
  ListItemInput,
  ListItemsQuery,
  RuleChangeAnswer,
  RulesetAnswer,
  RuleVersion,
} from './rules-types.js';
import { isDriftAnswer, isModelCompare, isModelList, isRegisteredModel } from './models-guards.js';
import type { CaseQuery, InjectSummary, TrafficKind, TransactionQuery } from './types.js';

/** What the stores call. A fake in tests implements the members it needs. */
export interface ApiClient {
  getSession(): Promise<SessionInfo>;
  signIn(token: string, name?: string): Promise<void>;
  signOut(): Promise<void>;
  /** Names the signed-in session (the token link signs in unnamed). */
  renameSession(name: string): Promise<SessionInfo>;
  listTransactions(q?: TransactionQuery, signal?: AbortSignal): Promise<Page<TransactionSummary>>;
  getTransaction(id: string, signal?: AbortSignal): Promise<TransactionDetail>;
  listCases(q?: CaseQuery): Promise<Page<Case>>;
  /** The updated case, or null when the server answers without one. */
  assignCase(caseId: string, assignee: string, version: number): Promise<Case | null>;
  /** The updated case, or null when the server answers without one. */
  commentCase(caseId: string, body: string): Promise<Case | null>;
  resolveCase(
    caseId: string,
    resolution: CaseResolution,
    version: number,
    comment?: string,
  ): Promise<Case>;
  /** Assigns me the queue's first unassigned open case; null when none is left (404). */
  nextCase(req: NextCaseRequest): Promise<Case | null>;
  /** Resolves every case or none (the problem names the case that stopped it). */
  resolveCases(req: BulkResolveRequest): Promise<BulkResolveResponse>;
  /** Transactions, cards and terminals whose id starts with `q`. */
  search(q: string, signal?: AbortSignal): Promise<SearchResult>;
  getStats(window: StatsWindow): Promise<Stats>;
  getTraffic(): Promise<TrafficState>;
  /** The new state, or null when the server answers without one. */
  setTraffic(running: boolean, rate: number): Promise<TrafficState | null>;
  /** What the burst did, or null when the server answers without it. */
  injectScenario(scenario: TrafficScenario): Promise<InjectSummary | null>;
  sendOne(kind: TrafficKind): Promise<ScoreAnswer>;
  /** The ruleset in force, each rule with its hits. */
  listRules(): Promise<RulesetAnswer>;
  createRule(rule: Rule): Promise<RuleChangeAnswer>;
  updateRule(rule: Rule): Promise<RuleChangeAnswer>;
  /** The new ruleset version, or null when the server answers without one. */
  deleteRule(id: string): Promise<RuleChangeAnswer | null>;
  listRuleVersions(): Promise<readonly RuleVersion[]>;
  restoreRuleVersion(version: number): Promise<void>;
  listLists(): Promise<readonly ListInfo[]>;
  /** The new list, or null when the server answers without it. */
  createList(list: List): Promise<ListInfo | null>;
  listItems(name: string, q?: ListItemsQuery): Promise<Page<ListItem>>;
  /** The item as stored, or null when the server answers without it. */
  addListItem(name: string, item: ListItemInput): Promise<ListItem | null>;
  removeListItem(name: string, value: string): Promise<void>;
  /** What a rule would have done to the stored decisions of a window. */
  backtestRule(body: BacktestRequest, signal?: AbortSignal): Promise<BacktestAnswer>;
  /** What other thresholds would have decided over a window, beside the ones in force. */
  previewThresholds(
    body: ThresholdsPreviewRequest,
    signal?: AbortSignal,
  ): Promise<ThresholdsPreview>;
  /** The thresholds set per model version, and the versions the edges serve. */
  getThresholds(): Promise<ThresholdsList>;
  setThresholds(modelVersion: string, t: Thresholds): Promise<ThresholdsSetting>;
  /** The model registry, newest registration first. */
  listModels(): Promise<ModelList>;
  /** Champion vs challenger over their stored decisions between `from` and `to` (RFC 3339). */
  compareModels(q: ModelCompareRequest): Promise<ModelCompare>;
  /** Challenge, promote or retire a model; the model as changed, or null without one. */
  changeModel(version: string, action: ModelAction): Promise<RegisteredModel | null>;
  /** The latest drift run and its most drifting features. */
  getDrift(): Promise<DriftAnswer>;
}

/** The lifecycle routes of /api/models/{version}/… */
export type ModelAction = 'challenge' | 'promote' | 'retire';

export interface ModelCompareRequest {
  readonly champion: string;
  readonly challenger: string;
  readonly from: string;
  readonly to: string;
}

export interface ApiClientOptions {
  /** Prefix of every path; '' for the same origin. */
  readonly baseUrl?: string;
  readonly fetch?: typeof fetch;
  /** Called when an authenticated route answers 401 (the session ended). */
  readonly onUnauthorized?: () => void;
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

interface RequestOptions<T> {
  readonly body?: unknown;
  readonly guard?: Guard<T>;
  readonly signal?: AbortSignal | undefined;
  /** Session routes answer 401 as a value, not as "the session ended". */
  readonly sessionRoute?: boolean;
  /** Answer null (not an error) when the body does not pass the guard. */
  readonly lenient?: boolean;
}

/** Query string of the defined members; arrays become comma-separated lists. */
export function toQuery(q: object): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null || v === '') continue;
    params.set(k, Array.isArray(v) ? v.join(',') : String(v as string | number | boolean));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

const isAnything = (_v: unknown): _v is unknown => true;

/** The API client over `fetch`, sending the session cookie and the CSRF header on every call. */
export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  const baseUrl = options.baseUrl ?? '';
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));

  async function request<T>(
    method: Method,
    path: string,
    opts: RequestOptions<T> & { lenient: true },
  ): Promise<T | null>;
  async function request<T>(method: Method, path: string, opts?: RequestOptions<T>): Promise<T>;
  async function request<T>(
    method: Method,
    path: string,
    opts: RequestOptions<T> = {},
  ): Promise<T | null> {
    const headers: Record<string, string> = {
      Accept: 'application/json, application/problem+json',
      // The backplane refuses cookie-authenticated writes without it (a CSRF guard).
      'X-Requested-With': 'vigil',
    };
    const init: RequestInit = { method, headers, credentials: 'same-origin' };
    if (opts.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(opts.body);
    }
    if (opts.signal) init.signal = opts.signal;

    let res: Response;
    try {
      res = await doFetch(baseUrl + path, init);
    } catch (err) {
      if (opts.signal?.aborted) throw new ApiError('aborted', 0, null, 'Request cancelled', err);
      throw new ApiError('network', 0, null, 'The server could not be reached', err);
    }

    const text = await res.text().catch(() => '');
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
    }

    if (!res.ok) {
      const problem = parseProblem(body);
      if (res.status === 401 && !opts.sessionRoute) options.onUnauthorized?.();
      throw new ApiError(
        'http',
        res.status,
        problem,
        problemMessage(res.status, res.statusText, problem),
        undefined,
        retryAfterMs(res.headers.get('retry-after')),
      );
    }
    const guard = opts.guard ?? (isAnything as Guard<T>);
    if (res.status === 204 || !text) {
      if (opts.lenient) return null;
      if (opts.guard)
        throw new ApiError('invalid_response', res.status, null, `Empty answer from ${path}`);
      return undefined as T;
    }
    if (!guard(body)) {
      if (opts.lenient) return null;
      throw new ApiError('invalid_response', res.status, null, `Unexpected answer from ${path}`);
    }
    return body;
  }

  const id = encodeURIComponent;

  return {
    getSession: () => request('GET', '/api/session', { guard: isSessionInfo, sessionRoute: true }),
    signIn: async (token, name) => {
      await request('POST', '/api/session', {
        body: name ? { token, name } : { token },
        sessionRoute: true,
      });
    },
    renameSession: (name) =>
      request('PUT', '/api/session', { body: { name }, guard: isSessionInfo }),
    signOut: async () => {
      await request('DELETE', '/api/session', { sessionRoute: true });
    },
    listTransactions: (q = {}, signal) =>
      request('GET', `/api/transactions${toQuery(q)}`, {
        guard: isPageOf(isTransactionSummary),
        signal,
      }),
    getTransaction: (txId, signal) =>
      request('GET', `/api/transactions/${id(txId)}`, { guard: isTransactionDetail, signal }),
    listCases: (q = {}) => request('GET', `/api/cases${toQuery(q)}`, { guard: isPageOf(isCase) }),
    assignCase: (caseId, assignee, version) =>
      request('POST', `/api/cases/${id(caseId)}/assign`, {
        body: { assignee, version },
        guard: isCase,
        lenient: true,
      }),
    commentCase: (caseId, body) =>
      request('POST', `/api/cases/${id(caseId)}/comments`, {
        body: { body },
        guard: isCase,
        lenient: true,
      }),
    resolveCase: (caseId, resolution, version, comment) =>
      request('POST', `/api/cases/${id(caseId)}/resolve`, {
        body: comment ? { resolution, comment, version } : { resolution, version },
        guard: isCase,
      }),
    nextCase: async (req) => {
      try {
        return await request('POST', '/api/cases/next', { body: req, guard: isCase });
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }
    },
    resolveCases: (req) =>
      request('POST', '/api/cases/resolve', { body: req, guard: isBulkResolveResponse }),
    search: (q, signal) =>
      request('GET', `/api/search${toQuery({ q })}`, { guard: isSearchResult, signal }),
    getStats: (window) => request('GET', `/api/stats${toQuery({ window })}`, { guard: isStats }),
    getTraffic: () => request('GET', '/api/traffic', { guard: isTrafficState }),
    setTraffic: (running, rate) =>
      request('POST', '/api/traffic', {
        body: { running, rate },
        guard: isTrafficState,
        lenient: true,
      }),
    injectScenario: (scenario) =>
      request('POST', '/api/traffic/inject', {
        body: { scenario },
        guard: isInjectSummary,
        lenient: true,
      }),
    sendOne: (kind) =>
      request('POST', '/api/traffic/one', { body: { kind }, guard: isScoreAnswer }),
    listRules: () => request('GET', '/api/rules', { guard: isRulesetAnswer }),
    createRule: (rule) => request('POST', '/api/rules', { body: rule, guard: isRuleChangeAnswer }),
    updateRule: (rule) =>
      request('PUT', `/api/rules/${id(rule.id)}`, { body: rule, guard: isRuleChangeAnswer }),
    deleteRule: (ruleId) =>
      request('DELETE', `/api/rules/${id(ruleId)}`, { guard: isRuleChangeAnswer, lenient: true }),
    listRuleVersions: async () =>
      (await request('GET', '/api/rules/versions', { guard: isRuleVersions })).versions,
    restoreRuleVersion: async (version) => {
      await request('POST', `/api/rules/versions/${version}/restore`);
    },
    listLists: async () => (await request('GET', '/api/lists', { guard: isLists })).lists,
    createList: (list) =>
      request('POST', '/api/lists', { body: list, guard: isListInfo, lenient: true }),
    listItems: (name, q = {}) =>
      request('GET', `/api/lists/${id(name)}/items${toQuery(q)}`, {
        guard: isPageOf(isListItem),
      }),
    addListItem: (name, item) =>
      request('POST', `/api/lists/${id(name)}/items`, {
        body: item,
        guard: isListItem,
        lenient: true,
      }),
    removeListItem: async (name, value) => {
      await request('DELETE', `/api/lists/${id(name)}/items/${id(value)}`);
    },
    backtestRule: (body, signal) =>
      request('POST', '/api/rules/backtest', { body, guard: isBacktestAnswer, signal }),
    previewThresholds: (body, signal) =>
      request('POST', '/api/thresholds/preview', { body, guard: isThresholdsPreview, signal }),
    getThresholds: () => request('GET', '/api/thresholds', { guard: isThresholdsList }),
    setThresholds: (modelVersion, t) =>
      request('PUT', `/api/thresholds/${id(modelVersion)}`, {
        body: { review: t.review, decline: t.decline },
        guard: isThresholdsSetting,
      }),
    listModels: () => request('GET', '/api/models', { guard: isModelList }),
    compareModels: (q) =>
      request('GET', `/api/models/compare${toQuery(q)}`, { guard: isModelCompare }),
    changeModel: (version, action) =>
      request('POST', `/api/models/${id(version)}/${action}`, {
        guard: isRegisteredModel,
        lenient: true,
      }),
    getDrift: () => request('GET', '/api/drift', { guard: isDriftAnswer }),
  };
}
